"""Fold splitting nodes."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
from sklearn.model_selection import RepeatedStratifiedKFold

from imbalanced_gan.params import DatasetParams, FoldParams

logger = logging.getLogger(__name__)


def make_folds(
    validated_table: pd.DataFrame, dataset: DatasetParams, folds: FoldParams, seed: int
) -> pd.DataFrame:
    """Row indices of every (repeat, fold) split, as one long table.

    Columns: ``split`` (``fold_00``...), ``repeat``, ``fold``, ``row`` (index into the
    validated table) and ``part`` (``train`` or ``test``).

    A class with fewer rows than ``folds.n_splits`` cannot be in every test part.
    ``small_class_policy: keep`` (default) keeps it: it is in the test part of only
    as many folds as it has rows, and its per-class metrics come from those folds.
    ``drop`` removes its rows before splitting. Either way a warning names the class.
    """
    labels = validated_table[dataset.target].to_numpy()
    if folds.n_splits > len(labels):
        raise ValueError(
            f"folds.n_splits={folds.n_splits} exceeds the {len(labels)} rows of dataset {dataset.name!r}"
        )
    counts = pd.Series(labels).value_counts()
    small = counts[counts < folds.n_splits]
    keep = np.ones(len(labels), dtype=bool)
    for label, count in small.items():
        if folds.small_class_policy == "drop":
            keep &= labels != label
            message = f"class {label!r} has {count} row(s) < folds.n_splits={folds.n_splits}: dropped (small_class_policy=drop)"
        else:
            message = (
                f"class {label!r} has {count} row(s) < folds.n_splits={folds.n_splits}: it is in the test part "
                f"of at most {count} fold(s) per repeat; its per-class metrics come from those folds only"
            )
        warnings.warn(f"Dataset {dataset.name!r}: {message}", UserWarning, stacklevel=2)
        logger.warning("Dataset %r: %s", dataset.name, message)
    rows = np.flatnonzero(keep)
    if len(np.unique(labels[rows])) < 2:
        raise ValueError(
            f"Dataset {dataset.name!r}: fewer than two classes are left after dropping small classes"
        )
    splitter = RepeatedStratifiedKFold(
        n_splits=folds.n_splits, n_repeats=folds.n_repeats, random_state=seed
    )
    records = []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        for index, (train, test) in enumerate(splitter.split(rows, labels[rows])):
            repeat, fold = divmod(index, folds.n_splits)
            for part, idx in (("train", train), ("test", test)):
                records.append(
                    pd.DataFrame(
                        {
                            "split": f"fold_{index:02d}",
                            "repeat": repeat,
                            "fold": fold,
                            "row": rows[idx],
                            "part": part,
                        }
                    )
                )
    return pd.concat(records, ignore_index=True)
