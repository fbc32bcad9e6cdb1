"""Small input checks shared by the evaluation modules."""

from __future__ import annotations

import numpy as np
from scipy import stats

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


def wilcoxon_two_sided(differences: np.ndarray, zero_method: str) -> tuple[float, float]:
    """Two-sided Wilcoxon signed-rank test (statistic, p); all-zero differences give p = 1."""
    d = np.asarray(differences, dtype=float)
    if d.size == 0:
        raise ValueError("the Wilcoxon test needs at least one paired difference")
    if np.all(d == 0):
        statistic = d.size * (d.size + 1) / 4.0 if zero_method == "zsplit" else 0.0
        return float(statistic), 1.0
    result = stats.wilcoxon(d, zero_method=zero_method, alternative="two-sided")
    return float(result.statistic), float(result.pvalue)
