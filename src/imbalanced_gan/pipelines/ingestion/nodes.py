"""Ingestion nodes: every failure names the dataset and the column, class or parameter."""

from __future__ import annotations

import logging
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from imbalanced_gan.params import DatasetParams

logger = logging.getLogger(__name__)


class DataValidationError(ValueError):
    """The input table does not fit the dataset's configuration."""


def _fail(dataset: DatasetParams, message: str) -> None:
    raise DataValidationError(f"Dataset {dataset.name!r}: {message}")


def _warn(dataset: DatasetParams, message: str) -> None:
    warnings.warn(f"Dataset {dataset.name!r}: {message}", UserWarning, stacklevel=3)
    logger.warning("Dataset %r: %s", dataset.name, message)


def _warn_renamed_duplicates(table: pd.DataFrame, dataset: DatasetParams) -> None:
    """Warn that the CSV reader renamed a repeated header ``x`` to ``x.1``."""
    renamed = [
        c
        for c in map(str, table.columns)
        if re.fullmatch(r"(.+)\.(\d+)", c)
        and re.fullmatch(r"(.+)\.(\d+)", c).group(1) in table.columns
    ]
    if renamed:
        _warn(
            dataset, f"the file repeats column name(s); the reader renamed the repeats to {renamed}"
        )


#: Separators a one-column file may hide in its header, and how to name them in YAML.
_SEPARATORS = {";": '";"', "\t": '"\\t"', "|": '"|"'}


def _preview(values: list[Any], n: int = 8) -> str:
    """``values`` as a short list: the first ``n`` and how many more."""
    shown = ", ".join(repr(v) for v in values[:n])
    more = f", ... ({len(values) - n} more)" if len(values) > n else ""
    return f"[{shown}{more}]"


def _separator_hint(table: pd.DataFrame, dataset: DatasetParams) -> str:
    """A hint naming ``load_args`` when a one-column table's header holds a separator."""
    if table.shape[1] != 1:
        return ""
    header = str(table.columns[0])
    for sep, yaml in _SEPARATORS.items():
        if sep in header:
            return (
                f"; the file has a single column whose name holds {sep!r}: it is "
                f"{'tab' if sep == chr(9) else repr(sep)}-separated. Add "
                f"`load_args: {{sep: {yaml}}}` to its catalog entry {dataset.name}.raw_table"
            )
    return ""


def _check_target_copies(table: pd.DataFrame, dataset: DatasetParams, features: list[str]) -> None:
    """A feature that repeats the target (``label.1``, or the same values) leaks the class."""
    target = table[dataset.target].astype(str).str.strip()
    copies = []
    for column in features:
        name = str(column)
        renamed = re.fullmatch(rf"{re.escape(str(dataset.target))}\.\d+", name)
        values = table[column].astype(str).str.strip()
        if renamed or values.equals(target):
            copies.append((column, "a copy of the target"))
        elif len(target) > values.nunique() == target.nunique() > 1 and (
            values.groupby(target).nunique().max() == 1
            and target.groupby(values).nunique().max() == 1
        ):
            copies.append((column, "the target relabelled one to one"))
    if copies:
        names = [c for c, _ in copies]
        what = "; ".join(f"{c!r} is {why}" for c, why in copies)
        _fail(
            dataset,
            f"feature column(s) {names} repeat the target column {dataset.target!r} ({what}): "
            "as a feature it would hand the class to the classifier (a target leak, scores "
            f"near 100 %). Remove it from the file or add it to dataset.drop_columns: {names}",
        )


def _warn_duplicate_rows(table: pd.DataFrame, dataset: DatasetParams) -> None:
    """Warn about rows that repeat an earlier row exactly (features and class)."""
    repeats = int(table.duplicated().sum())
    if repeats:
        _warn(
            dataset,
            f"{repeats} row(s) of {len(table)} repeat an earlier row exactly (features and "
            "class). They are kept: the stratified folds treat each copy as its own row, so a "
            "copy can sit in a fold's training part while its twin is in the test part, which "
            "flatters every method's scores alike. If they are not genuine repeated "
            "observations, drop them from the file (pandas: table.drop_duplicates())",
        )


_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?P<sep>[,.' ])\d{3}(?:(?P=sep)\d{3})*(?:[.,]\d+)?")
_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")


def _non_numeric_hint(column: str, bad: pd.Series) -> str:
    """Why ``bad`` (the values of ``column`` that are not numbers) failed, and the fix."""
    text = bad.astype(str).str.strip()
    thousands = text.str.fullmatch(_THOUSANDS.pattern)
    if thousands.mean() > 0.5:
        sep = _THOUSANDS.fullmatch(text[thousands].iloc[0]).group("sep")
        return (
            f"it looks like numbers with {sep!r} as thousands separator: add "
            f"`load_args: {{thousands: {sep!r}}}` to the catalog entry so the reader parses "
            "them as numbers"
        )
    if text.str.fullmatch(_DECIMAL_COMMA.pattern).mean() > 0.5:
        return (
            "it looks like numbers with a decimal comma: add `load_args: {decimal: ','}` "
            "(and the file's `sep`, often ';') to the catalog entry"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dates = pd.to_datetime(text, errors="coerce", format="mixed")
    if dates.notna().mean() > 0.5 and text.str.contains(r"\d").all():
        return (
            "it looks like dates or times: the pipeline takes numbers and categories only. "
            "Turn it into numbers before the run (e.g. days since a reference date, or year "
            f"and month columns) or leave it out with dataset.drop_columns: [{column}]"
        )
    return "declare it in dataset.categorical_columns or fix the file"


def _match_labels(labels: pd.Series, declared: list[str], dataset: DatasetParams) -> pd.Series:
    """Map data labels onto the declared ones they equal as numbers (``3.0`` -> ``3``)."""

    def number(text: str) -> float | None:
        try:
            return float(text)
        except ValueError:
            return None

    mapping = {}
    present = set(labels.unique())
    for label in sorted(present - set(declared)):
        value = number(label)
        if value is None:
            continue
        for name in declared:
            if name not in present and number(name) == value:
                mapping[label] = name
    if mapping:
        logger.info(
            "Dataset %r: class labels read as numbers matched to dataset.classes: %s",
            dataset.name,
            mapping,
        )
        labels = labels.replace(mapping)
    return labels


def _classes_hint(declared_raw: list[Any], labels: list[str]) -> str:
    """Explain dataset.classes that YAML read as booleans or numbers."""
    if any(isinstance(c, bool) for c in declared_raw):
        return (
            ". YAML reads unquoted yes/no, on/off and true/false as booleans, so "
            "dataset.classes holds True/False: quote the labels, e.g. classes: "
            f"{[str(x) for x in labels[:4]]!s}".replace("'", '"')
        )
    if any(isinstance(c, (int, float)) for c in declared_raw):
        return (
            ". YAML reads unquoted numbers as numbers (01 -> 1, 1.50 -> 1.5, 1e3 -> 1000.0): "
            'quote labels that must stay text, e.g. classes: ["01", "02"]'
        )
    return ""


def split_columns(table: pd.DataFrame, dataset: DatasetParams) -> tuple[list[str], list[str]]:
    """Categorical and numeric feature columns of ``table`` as the configuration says."""
    features = [c for c in table.columns if c != dataset.target and c not in dataset.drop_columns]
    if dataset.categorical_columns == "all":
        categorical = features
    else:
        categorical = list(dataset.categorical_columns)
    if dataset.numeric_columns == "auto":
        numeric = [c for c in features if c not in categorical]
    else:
        numeric = list(dataset.numeric_columns)
    for kind, declared in (("categorical_columns", categorical), ("numeric_columns", numeric)):
        missing = [c for c in declared if c not in table.columns]
        if missing:
            _fail(
                dataset,
                f"dataset.{kind} names column(s) {missing} that the table lacks; columns are "
                f"{_preview(list(table.columns), 20)}{_separator_hint(table, dataset)}",
            )
    both = sorted(set(categorical) & set(numeric))
    if both:
        _fail(dataset, f"column(s) {both} are declared both categorical and numeric")
    return categorical, numeric


def _check_numeric(table: pd.DataFrame, columns: list[str], dataset: DatasetParams) -> pd.DataFrame:
    out = {}
    for column in columns:
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna() & table[column].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            _fail(
                dataset,
                f"numeric column {column!r} holds the non-numeric value "
                f"{table[column].iloc[row]!r} (row {row}) among {int(bad.sum())} non-numeric value(s): "
                + _non_numeric_hint(column, table[column][bad]),
            )
        if values.isna().any():
            _fail(
                dataset,
                f"column {column!r} has {int(values.isna().sum())} missing (NaN) value(s); impute or drop them first",
            )
        if not np.isfinite(values.to_numpy(dtype=np.float64)).all():
            _fail(dataset, f"column {column!r} has infinite value(s)")
        out[column] = values.astype(np.float64)
    return pd.DataFrame(out, index=table.index)


def validate_table(
    raw_table: pd.DataFrame, dataset: DatasetParams
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Check the raw table against ``dataset`` and return it typed, with a profile.

    Returns the validated table (categorical columns as strings, numeric columns as
    float64, the target as string labels, in that column order) and a JSON-able
    profile with the class counts.
    """
    if raw_table is None or raw_table.shape[0] == 0 or raw_table.shape[1] == 0:
        _fail(dataset, "the table is empty (no rows or no columns)")
    duplicated = sorted(set(raw_table.columns[raw_table.columns.duplicated()]))
    if duplicated:
        _fail(
            dataset, f"duplicate column name(s) {duplicated}; rename them so each column is unique"
        )
    _warn_renamed_duplicates(raw_table, dataset)
    absent = [c for c in dataset.drop_columns if c not in raw_table.columns]
    if absent:
        _fail(
            dataset,
            f"dataset.drop_columns names column(s) {absent} that the table lacks; columns are "
            f"{_preview(list(raw_table.columns), 20)}{_separator_hint(raw_table, dataset)}",
        )
    if dataset.target not in raw_table.columns:
        _fail(
            dataset,
            f"target column {dataset.target!r} not found; columns are "
            f"{_preview(list(raw_table.columns), 20)}{_separator_hint(raw_table, dataset)}",
        )
    categorical, numeric = split_columns(raw_table, dataset)
    if not categorical and not numeric:
        _fail(dataset, "no feature columns left besides the target")
    target = raw_table[dataset.target]
    if target.isna().any():
        _fail(
            dataset,
            f"target column {dataset.target!r} has {int(target.isna().sum())} missing label(s)",
        )
    declared = [str(c) for c in dataset.classes]
    labels = _match_labels(target.astype(str).str.strip(), declared, dataset)
    counts = labels.value_counts().sort_index()
    if len(counts) < 2:
        _fail(
            dataset,
            f"target column {dataset.target!r} has a single class {list(counts.index)}; at least two are needed",
        )
    undeclared = sorted(set(counts.index) - set(declared))
    absent = [c for c in declared if c not in counts.index]
    if undeclared or absent:
        if pd.api.types.is_numeric_dtype(target) and len(counts) > max(20, 2 * len(declared)):
            values = sorted(pd.unique(target).tolist())
            _fail(
                dataset,
                f"target column {dataset.target!r} holds {len(counts)} distinct numeric values "
                f"(first {_preview(values, 5)}), not the {len(declared)} classes of "
                "dataset.classes: is dataset.target the class column? A continuous column "
                "must be binned into classes first",
            )
        _fail(
            dataset,
            f"classes in the data {_preview(sorted(counts.index), 12)} differ from "
            f"dataset.classes {_preview(declared, 12)}: undeclared {_preview(undeclared, 12)}, "
            f"absent {_preview(absent, 12)}" + _classes_hint(list(dataset.classes), undeclared),
        )
    _check_target_copies(raw_table, dataset, categorical + numeric)
    for column in categorical:
        if raw_table[column].isna().any():
            _fail(
                dataset,
                f"categorical column {column!r} has {int(raw_table[column].isna().sum())} missing value(s)",
            )
    validated = pd.concat(
        [
            raw_table[categorical].astype(str),
            _check_numeric(raw_table, numeric, dataset),
            labels.rename(dataset.target),
        ],
        axis=1,
    ).reset_index(drop=True)
    _warn_duplicate_rows(validated, dataset)
    constant = [c for c in categorical + numeric if validated[c].nunique() == 1]
    if constant:
        _warn(dataset, f"constant column(s) {constant} carry no information (kept)")
    profile = {
        "dataset": dataset.name,
        "n_rows": int(len(validated)),
        "categorical_columns": categorical,
        "numeric_columns": numeric,
        "class_counts": {str(k): int(v) for k, v in counts.items()},
    }
    logger.info(
        "Dataset %r: %d rows, classes %s", dataset.name, len(validated), profile["class_counts"]
    )
    return validated, profile
