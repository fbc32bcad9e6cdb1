"""Privacy of synthetic rows: distance to the closest real record (DCR).

A generator that memorises its training rows puts synthetic rows on top of them. For each
synthetic row, the DCR is its distance to the nearest real row of the **training** part the
generator saw (paper 002 compares synthetic and real records this way). To read a DCR, compare
it with how far real rows are from each other: :func:`real_nn_distances` gives each real row's
distance to its nearest *other* real row (leave-one-out). A DCR median well below the
real-to-real median (ratio < 1) means synthetic rows sit closer to real rows than real rows sit
to one another: a sign of copying.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from imbalanced_gan.evaluation._common import OVERALL, as_labels, as_matrix, sorted_labels

__all__ = ["OVERALL", "distance_to_closest_record", "privacy_summary", "real_nn_distances"]

logger = logging.getLogger(__name__)

_METRICS = ("euclidean", "manhattan")


def _check_metric(metric: str) -> None:
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {_METRICS}, got {metric!r}")


def distance_to_closest_record(
    synthetic: np.ndarray | pd.DataFrame,
    real: np.ndarray | pd.DataFrame,
    metric: str = "euclidean",
) -> np.ndarray:
    """Distance from each synthetic row to its nearest real (training) row.

    Parameters
    ----------
    synthetic : array-like of shape (n_synthetic, n_features)
    real : array-like of shape (n_real, n_features)
        The rows the generator was trained on (the training part of the fold only).
    metric : {"euclidean", "manhattan"}, default="euclidean"

    Returns
    -------
    dcr : ndarray of shape (n_synthetic,)
        0 for a synthetic row that copies a real row.
    """
    _check_metric(metric)
    syn, ref = as_matrix(synthetic, "synthetic"), as_matrix(real, "real")
    if ref.shape[0] == 0:
        raise ValueError("real has no rows")
    if syn.shape[1] != ref.shape[1]:
        raise ValueError(
            f"synthetic has {syn.shape[1]} features but real has {ref.shape[1]}; "
            "both must be in the same encoding"
        )
    if syn.shape[0] == 0:
        return np.empty(0)
    nn = NearestNeighbors(n_neighbors=1, metric=metric).fit(ref)
    return nn.kneighbors(syn, return_distance=True)[0][:, 0]


def real_nn_distances(real: np.ndarray | pd.DataFrame, metric: str = "euclidean") -> np.ndarray:
    """Leave-one-out distance from each real row to its nearest *other* real row.

    A row that has an exact duplicate elsewhere in ``real`` gets 0.

    Parameters
    ----------
    real : array-like of shape (n_real, n_features), n_real >= 2
    metric : {"euclidean", "manhattan"}, default="euclidean"

    Returns
    -------
    distances : ndarray of shape (n_real,)
    """
    _check_metric(metric)
    ref = as_matrix(real, "real")
    if ref.shape[0] < 2:
        raise ValueError(
            f"real needs at least 2 rows for a nearest-neighbour distance, got {ref.shape[0]}"
        )
    nn = NearestNeighbors(n_neighbors=1, metric=metric).fit(ref)
    # kneighbors() without a query excludes each indexed row from its own neighbours.
    return nn.kneighbors(return_distance=True)[0][:, 0]


def _summary_row(
    label: object, syn: np.ndarray, ref: np.ndarray, metric: str, copy_tol: float
) -> dict[str, object]:
    """One line of :func:`privacy_summary`; NaN where a quantity is undefined."""
    row: dict[str, object] = {"class": label, "n_synthetic": len(syn), "n_real": len(ref)}
    dcr = distance_to_closest_record(syn, ref, metric) if len(ref) else np.empty(0)
    nn = real_nn_distances(ref, metric) if len(ref) >= 2 else np.empty(0)
    row["dcr_median"] = float(np.median(dcr)) if dcr.size else np.nan
    row["dcr_p05"] = float(np.percentile(dcr, 5)) if dcr.size else np.nan
    row["real_nn_median"] = float(np.median(nn)) if nn.size else np.nan
    row["real_nn_p05"] = float(np.percentile(nn, 5)) if nn.size else np.nan
    if dcr.size and nn.size and row["real_nn_median"] > 0:
        row["dcr_ratio"] = row["dcr_median"] / row["real_nn_median"]
    else:
        row["dcr_ratio"] = np.nan
        if dcr.size and nn.size:
            logger.warning(
                "Class %r: half the real rows have an exact real duplicate (median real NN "
                "distance 0); dcr_ratio is undefined (NaN)",
                label,
            )
    row["copy_share"] = float(np.mean(dcr <= copy_tol)) if dcr.size else np.nan
    row["real_duplicate_share"] = float(np.mean(nn <= copy_tol)) if nn.size else np.nan
    return row


def privacy_summary(
    synthetic: np.ndarray | pd.DataFrame,
    real: np.ndarray | pd.DataFrame,
    labels_syn: np.ndarray | pd.Series | None = None,
    labels_real: np.ndarray | pd.Series | None = None,
    metric: str = "euclidean",
    copy_tol: float = 0.0,
) -> pd.DataFrame:
    """DCR statistics per class and overall.

    Per class ``c``, synthetic rows labelled ``c`` are compared with the real training rows
    labelled ``c`` (the rows a per-class generator learnt from), and the real-to-real
    distances are taken within class ``c``. The ``(all classes)`` row pools every row,
    whatever its class.

    Parameters
    ----------
    synthetic, real : array-like of shape (n, n_features)
        Synthetic rows and the real **training** rows, in the same encoding.
    labels_syn, labels_real : array-like, optional
        Class labels; give both or neither (then only the overall row is returned).
    metric : {"euclidean", "manhattan"}, default="euclidean"
    copy_tol : float, default=0.0
        A synthetic row is an exact copy when its DCR is <= ``copy_tol``.

    Returns
    -------
    summary : DataFrame
        One row per class (sorted) then the overall row, with columns ``class``,
        ``n_synthetic``, ``n_real``, ``dcr_median``, ``dcr_p05`` (5th percentile),
        ``real_nn_median``, ``real_nn_p05``, ``dcr_ratio`` (``dcr_median /
        real_nn_median``; NaN when the denominator is 0), ``copy_share`` (share of
        synthetic rows that copy a real row) and ``real_duplicate_share`` (share of real
        rows with an exact real duplicate: the copy rate to expect by chance on discrete
        data). Undefined entries (no synthetic rows, fewer than 2 real rows) are NaN.
    """
    _check_metric(metric)
    syn, ref = as_matrix(synthetic, "synthetic"), as_matrix(real, "real")
    if syn.shape[1] != ref.shape[1]:
        raise ValueError(f"synthetic has {syn.shape[1]} features but real has {ref.shape[1]}")
    if (labels_syn is None) != (labels_real is None):
        raise ValueError("give both labels_syn and labels_real, or neither")
    rows = []
    if labels_syn is not None and labels_real is not None:
        y_syn = as_labels(labels_syn, len(syn), "labels_syn")
        y_real = as_labels(labels_real, len(ref), "labels_real")
        unknown = sorted(map(str, set(y_syn) - set(y_real)))
        if unknown:
            raise ValueError(f"synthetic rows have classes absent from the real rows: {unknown}")
        for label in sorted_labels(y_real):
            rows.append(
                _summary_row(label, syn[y_syn == label], ref[y_real == label], metric, copy_tol)
            )
    rows.append(_summary_row(OVERALL, syn, ref, metric, copy_tol))
    return pd.DataFrame(rows)
