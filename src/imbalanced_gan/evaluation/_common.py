"""Small input checks shared by the evaluation modules."""

from __future__ import annotations

import numpy as np

#: The ``class`` value of rows that pool all classes (as in the reporting pipeline).
OVERALL = "(all classes)"


def as_matrix(values: object, name: str) -> np.ndarray:
    """2-D float array without NaN or infinity, or a clear error naming ``name``."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (rows x features), got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinite values")
    return array


def as_labels(labels: object, n_rows: int, name: str) -> np.ndarray:
    """1-D label array with one label per row, or a clear error naming ``name``."""
    array = np.asarray(labels)
    if array.ndim != 1 or len(array) != n_rows:
        raise ValueError(
            f"{name} must hold one label per row: {n_rows} labels, got shape {array.shape}"
        )
    return array


def sorted_labels(labels: np.ndarray) -> list[object]:
    """Distinct labels, sorted naturally when they compare (ints as ints), else as text."""
    distinct = list(dict.fromkeys(np.asarray(labels).tolist()))
    try:
        return sorted(distinct)
    except TypeError:
        return sorted(distinct, key=str)
