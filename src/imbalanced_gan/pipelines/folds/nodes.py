"""Fold splitting nodes."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
from sklearn.model_selection import RepeatedStratifiedKFold

from gan_oversamplers._random import derive_seed
from imbalanced_gan.params import DatasetParams, FoldParams

logger = logging.getLogger(__name__)


def make_folds(
    validated_table: pd.DataFrame, dataset: DatasetParams, folds: FoldParams, seed: int
) -> pd.DataFrame:
    """Row indices of every (repeat, fold) split, as one long table.

    Columns: ``split`` (``fold_00``...), ``repeat``, ``fold``, ``row`` (index into the
    validated table) and ``part``: ``train`` (what samplers and classifiers learn from),
    ``test`` (scored only) and, when ``folds.validation_fraction`` > 0, ``valid``: real
    rows of the split's training part held out before any over-sampling, for classifier
    selection alone (see :func:`inner_validation`).

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
            held = inner_validation(
                labels[rows[train]], folds.validation_fraction, derive_seed(seed, "valid", index)
            )
            parts = (("train", train[~held]), ("valid", train[held]), ("test", test))
            for part, idx in parts:
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


def inner_validation(labels: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Mask of the training rows held out for classifier selection, class by class.

    Each class gives ``floor(fraction * n)`` of its ``n`` rows, and none where fewer
    than two would be left to learn from (a 1-4 row class stays whole for its sampler).
    """
    held = np.zeros(len(labels), dtype=bool)
    if fraction <= 0:
        return held
    rng = np.random.default_rng(seed)
    for label in pd.unique(labels):
        idx = np.flatnonzero(labels == label)
        k = int(fraction * len(idx))
        if k and len(idx) - k >= 2:
            held[rng.choice(idx, size=k, replace=False)] = True
    return held
