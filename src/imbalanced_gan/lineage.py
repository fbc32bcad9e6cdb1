"""Which rows every fitted object saw: the record that the leakage check reads.

Each node that fits something (an encoder, a per-class generator, a sampler, a
classifier) stamps the fitted object with the row numbers of the validated table it
learnt from, under a role: ``fit`` (the rows it was trained on) or ``selection`` (the
real rows held out before over-sampling that chose its epoch). Over-samplers whose
fitted object is not persisted (imbalanced-learn's) stamp the topped-up table instead.

:func:`check_lineage` then asserts, split by split, that ``fit`` rows lie in the split's
training part and ``selection`` rows in its validation part: one function for the
``gan_smote`` pipelines, the benchmark and the tests, that fails loudly when any object
saw a row it should not have.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

__all__ = [
    "LeakageError",
    "ROWS_ATTR",
    "check_lineage",
    "fitted_datasets",
    "record_rows",
    "rows_seen",
]

#: Attribute (objects) or ``DataFrame.attrs`` key (tables) holding ``{role: [row, ...]}``.
ROWS_ATTR = "lineage_rows"  # no trailing "_": scikit-learn would take it for "fitted"

#: Which part of a split each role may draw from.
ALLOWED_PARTS = {"fit": ("train",), "selection": ("valid",)}


class LeakageError(AssertionError):
    """A fitted object saw rows outside the part of its split that it may learn from."""


def _ids(rows: pd.DataFrame | pd.Index | Iterable[Any]) -> list[int]:
    if isinstance(rows, pd.DataFrame):
        rows = rows.index
    return sorted(int(r) for r in rows)


def record_rows(obj: Any, rows: pd.DataFrame | pd.Index | Iterable[Any], role: str = "fit") -> Any:
    """Stamp ``obj`` with the row numbers it learnt from (``role``); returns ``obj``.

    ``rows`` is a table indexed by row number of the validated table, or the numbers.
    A :class:`pandas.DataFrame` is stamped in ``attrs`` (kept by pickle and parquet), a
    ``dict`` (a split's synthetic images) under the key :data:`ROWS_ATTR`.
    """
    if role not in ALLOWED_PARTS:
        raise ValueError(f"role must be one of {sorted(ALLOWED_PARTS)}, got {role!r}")
    if isinstance(obj, pd.DataFrame | dict):
        store = obj.attrs if isinstance(obj, pd.DataFrame) else obj
        store[ROWS_ATTR] = {**store.get(ROWS_ATTR, {}), role: _ids(rows)}
        return obj
    record = dict(getattr(obj, ROWS_ATTR, None) or {})
    record[role] = _ids(rows)
    setattr(obj, ROWS_ATTR, record)
    return obj


def rows_seen(obj: Any) -> dict[str, list[int]] | None:
    """The ``{role: rows}`` record of a fitted object or stamped table, or ``None``."""
    if isinstance(obj, pd.DataFrame):
        return obj.attrs.get(ROWS_ATTR)
    if isinstance(obj, dict):
        return obj.get(ROWS_ATTR)
    return getattr(obj, ROWS_ATTR, None)


def check_lineage(fold_indices: pd.DataFrame, objects: Mapping[tuple[str, str], Any]) -> int:
    """Assert that every object saw only rows it may see; returns how many were checked.

    Parameters
    ----------
    fold_indices : DataFrame
        The run's folds (``split``, ``row``, ``part`` columns).
    objects : mapping
        ``(split, name) -> fitted object or stamped table``; ``name`` appears in errors.

    Raises
    ------
    LeakageError
        Naming the object, its split, the role and the offending rows; also when an
        object carries no record at all (an unstamped fit proves nothing).
    """
    parts = {
        (split, part): set(group["row"].astype(int))
        for (split, part), group in fold_indices.groupby(["split", "part"])
    }
    checked = 0
    for (split, name), obj in objects.items():
        record = rows_seen(obj)
        if not record:
            raise LeakageError(f"{split}/{name}: no record of the rows it was fitted on")
        for role, rows in record.items():
            allowed: set[int] = set()
            for part in ALLOWED_PARTS[role]:
                allowed |= parts.get((split, part), set())
            outside = sorted(set(rows) - allowed)
            if outside:
                where = {
                    part: sorted(set(outside) & members)[:5]
                    for (s, part), members in parts.items()
                    if s == split and set(outside) & members
                }
                raise LeakageError(
                    f"{split}/{name}: {len(outside)} {role} row(s) outside the split's "
                    f"{'/'.join(ALLOWED_PARTS[role])} part, e.g. {outside[:5]} "
                    f"(in this split's parts: {where or 'none: rows of no part of this split'})"
                )
        checked += 1
    return checked


#: Catalog names (last part) of what a split fits: encoders, per-class generators,
#: fitted samplers, topped-up tables (stamped by their sampler) and classifiers.
FITTED_NAMES = ("encoder", "sampler", "classifier", "train_topped_up")


def fitted_datasets(names: Iterable[str]) -> dict[tuple[str, str], str]:
    """``(split, what) -> dataset name`` for every fitted object among catalog ``names``.

    Names follow the catalog's factories: ``<dataset>.<split>.encoder``,
    ``<dataset>.<split>.<method>.generator_<class>``, ``...<method>.sampler``,
    ``...<method>.train_topped_up``, ``...<method>.classifier``.
    """
    found = {}
    for name in names:
        parts = name.split(".")
        splits = [p for p in parts if p.startswith("fold_") and p[5:].isdigit()]
        if not splits:
            continue
        last = parts[-1]
        if last in FITTED_NAMES or last.startswith("generator_"):
            split = splits[-1]
            found[(split, ".".join(parts[parts.index(split) + 1 :]))] = name
    return found
