"""Quality of synthetic rows: Manhattan-distance sums, PCA views, GAN loss curves.

Paper 000 (section 2.3) tuned GAN-SMOTE by watching the sum of Manhattan distances within
the real rows, within the synthetic rows and between the two (a collapsed generator gives a
small within-synthetic sum), and by plotting real and synthetic rows with PCA. Paper 001
(figure 7) shows the generator's and the discriminator's losses against the epoch.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy.spatial.distance import cdist
from sklearn.decomposition import PCA

from imbalanced_gan.evaluation._common import OVERALL, as_labels, as_matrix, sorted_labels

__all__ = ["loss_curves_plot", "manhattan_sums", "pca_plot", "quality_table"]

_CHUNK = 1024  # rows per cdist block: memory stays O(_CHUNK * n)


def _ordered_l1_sum(a: np.ndarray, b: np.ndarray) -> float:
    """Sum of L1 distances over all (row of a, row of b) pairs, in row blocks."""
    if len(a) == 0 or len(b) == 0:
        return 0.0
    return float(
        sum(cdist(a[i : i + _CHUNK], b, "cityblock").sum() for i in range(0, len(a), _CHUNK))
    )


def _mean(total: float, pairs: int) -> float:
    return total / pairs if pairs else math.nan


def manhattan_sums(
    real: np.ndarray | pd.DataFrame, synthetic: np.ndarray | pd.DataFrame
) -> dict[str, float]:
    """Sums and per-pair means of Manhattan (L1) distances within and between two sets.

    Paper 000 (section 2.3) plots "the sum of Manhattan distances within synthetic and real
    data batches, as well as the sum of Manhattan distances between the two datasets".
    Here each unordered pair is counted once: ``within_real_sum = sum_{i<j} |r_i - r_j|_1``
    (half the sum over every row of its distances to every other row, which is what the
    minibatch-discrimination feature sums per row), likewise ``within_synthetic_sum``, and
    ``between_sum = sum_{i,j} |r_i - s_j|_1`` over all real x synthetic pairs. Sums grow with
    the number of rows; the means (sum / number of pairs) compare sets of different sizes.
    A collapsed generator shows ``within_synthetic_mean`` far below ``within_real_mean``.

    Parameters
    ----------
    real : array-like of shape (n_real, n_features)
    synthetic : array-like of shape (n_synthetic, n_features)

    Returns
    -------
    sums : dict
        ``n_real``, ``n_synthetic``, ``within_real_sum``, ``within_synthetic_sum``,
        ``between_sum``, ``within_real_mean``, ``within_synthetic_mean``, ``between_mean``
        (NaN where there is no pair). Costs O(n**2) time; subsample large classes first.
    """
    r, s = as_matrix(real, "real"), as_matrix(synthetic, "synthetic")
    if r.shape[1] != s.shape[1]:
        raise ValueError(f"real has {r.shape[1]} features but synthetic has {s.shape[1]}")
    n_r, n_s = len(r), len(s)
    within_r = _ordered_l1_sum(r, r) / 2.0
    within_s = _ordered_l1_sum(s, s) / 2.0
    between = _ordered_l1_sum(r, s)
    return {
        "n_real": n_r,
        "n_synthetic": n_s,
        "within_real_sum": within_r,
        "within_synthetic_sum": within_s,
        "between_sum": between,
        "within_real_mean": _mean(within_r, n_r * (n_r - 1) // 2),
        "within_synthetic_mean": _mean(within_s, n_s * (n_s - 1) // 2),
        "between_mean": _mean(between, n_r * n_s),
    }


def quality_table(
    real: np.ndarray | pd.DataFrame,
    synthetic: np.ndarray | pd.DataFrame,
    y_real: np.ndarray | pd.Series,
    y_syn: np.ndarray | pd.Series,
) -> pd.DataFrame:
    """:func:`manhattan_sums` per class (real rows of a class vs its synthetic rows) and overall.

    Returns
    -------
    table : DataFrame
        One row per class of ``y_real`` (sorted), then ``(all classes)``; the columns of
        :func:`manhattan_sums` after ``class``.
    """
    r, s = as_matrix(real, "real"), as_matrix(synthetic, "synthetic")
    yr, ys = as_labels(y_real, len(r), "y_real"), as_labels(y_syn, len(s), "y_syn")
    unknown = sorted(map(str, set(ys.tolist()) - set(yr.tolist())))
    if unknown:
        raise ValueError(f"synthetic rows have classes absent from the real rows: {unknown}")
    rows = [
        {"class": label, **manhattan_sums(r[yr == label], s[ys == label])}
        for label in sorted_labels(yr)
    ]
    rows.append({"class": OVERALL, **manhattan_sums(r, s)})
    return pd.DataFrame(rows)


def _panel_grid(n_panels: int, panel_size: tuple[float, float]) -> tuple[Figure, list[Axes]]:
    """A figure with ``n_panels`` axes on a near-square grid (unused cells removed)."""
    ncols = n_panels if n_panels <= 3 else (2 if n_panels == 4 else 3)
    nrows = math.ceil(n_panels / ncols)
    fig = Figure(figsize=(panel_size[0] * ncols, panel_size[1] * nrows), layout="constrained")
    grid = fig.subplots(nrows, ncols, squeeze=False)
    axes = list(grid.ravel())
    for extra in axes[n_panels:]:
        fig.delaxes(extra)
    return fig, axes[:n_panels]


def _distinct(rows: np.ndarray) -> int:
    """Number of distinct rows (duplicates overlap on the plot)."""
    return len(np.unique(rows, axis=0)) if len(rows) else 0


def pca_plot(
    real: np.ndarray | pd.DataFrame,
    synthetic: np.ndarray | pd.DataFrame,
    y_real: np.ndarray | pd.Series,
    y_syn: np.ndarray | pd.Series,
    title: str | None = None,
) -> Figure:
    """Real and synthetic rows on the first two principal components of the real rows.

    PCA is fitted on the real rows only (all classes together, so every panel shares one
    projection and one scale); the synthetic rows are projected with it. One panel per
    class of ``y_real``: its real rows (circles) and its synthetic rows (crosses); the panel
    titles count the distinct rows, since duplicates (common on one-hot data) overlap.
    Synthetic rows bunched on a few points reveal mode collapse.

    Parameters
    ----------
    real, synthetic : array-like of shape (n, n_features), n_features >= 2
    y_real, y_syn : array-like
        Class labels of the rows.
    title : str, optional

    Returns
    -------
    fig : matplotlib Figure
    """
    r, s = as_matrix(real, "real"), as_matrix(synthetic, "synthetic")
    yr, ys = as_labels(y_real, len(r), "y_real"), as_labels(y_syn, len(s), "y_syn")
    if r.shape[1] != s.shape[1]:
        raise ValueError(f"real has {r.shape[1]} features but synthetic has {s.shape[1]}")
    if r.shape[1] < 2 or len(r) < 2:
        raise ValueError(f"PCA needs at least 2 real rows and 2 features, got shape {r.shape}")
    unknown = sorted(map(str, set(ys.tolist()) - set(yr.tolist())))
    if unknown:
        raise ValueError(f"synthetic rows have classes absent from the real rows: {unknown}")
    pca = PCA(n_components=2, svd_solver="full").fit(r)
    pr = pca.transform(r)
    ps = pca.transform(s) if len(s) else np.empty((0, 2))
    labels = sorted_labels(yr)
    fig, axes = _panel_grid(len(labels), (4.0, 3.6))
    share = pca.explained_variance_ratio_
    both = np.vstack([pr, ps])
    pad = 0.05 * np.maximum(np.ptp(both, axis=0), 1e-9)
    lows, highs = both.min(axis=0) - pad, both.max(axis=0) + pad
    for ax, label in zip(axes, labels, strict=True):
        real_rows, syn_rows = pr[yr == label], ps[ys == label]
        ax.scatter(*real_rows.T, s=18, marker="o", facecolors="none", edgecolors="C0", label="real")
        ax.scatter(*syn_rows.T, s=18, marker="x", color="C1", label="synthetic")
        ax.set_title(
            f"class {label}: {len(real_rows)} real ({_distinct(r[yr == label])} distinct), "
            f"{len(syn_rows)} synthetic ({_distinct(s[ys == label])} distinct)",
            fontsize=9,
        )
        ax.set_xlim(lows[0], highs[0])  # one scale for every panel
        ax.set_ylim(lows[1], highs[1])
        ax.set_xlabel(f"PC1 ({share[0]:.0%})")
        ax.set_ylabel(f"PC2 ({share[1]:.0%})")
        ax.legend(loc="best", fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


_HISTORY_COLUMNS = ("label", "epoch", "d_loss", "g_loss")


def loss_curves_plot(history: pd.DataFrame, title: str | None = None, smooth: int = 1) -> Figure:
    """Generator and discriminator losses against the epoch, one panel per label.

    Parameters
    ----------
    history : DataFrame
        Columns ``label``, ``epoch``, ``d_loss``, ``g_loss`` (a sampler's ``history_`` with
        the class label added; one row per label and epoch).
    title : str, optional
    smooth : int, default=1
        Width in epochs of a centred rolling mean drawn over the raw curves (1 = raw only).

    Returns
    -------
    fig : matplotlib Figure
    """
    if not isinstance(history, pd.DataFrame):
        raise TypeError(f"history must be a pandas DataFrame, got {type(history).__name__}")
    missing = [c for c in _HISTORY_COLUMNS if c not in history.columns]
    if missing:
        raise ValueError(f"history lacks columns {missing}; has {list(history.columns)}")
    if history.empty:
        raise ValueError("history has no rows")
    if int(smooth) != smooth or smooth < 1:
        raise ValueError(f"smooth must be an integer >= 1, got {smooth!r}")
    labels = sorted_labels(history["label"].to_numpy())
    fig, axes = _panel_grid(len(labels), (4.5, 3.2))
    for ax, label in zip(axes, labels, strict=True):
        part = history[history["label"] == label].sort_values("epoch")
        for column, name, colour in (
            ("d_loss", "discriminator", "C0"),
            ("g_loss", "generator", "C1"),
        ):
            if smooth == 1:
                ax.plot(part["epoch"], part[column], color=colour, lw=0.8, label=name)
                continue
            ax.plot(part["epoch"], part[column], color=colour, lw=0.6, alpha=0.35)
            rolled = part[column].rolling(smooth, center=True, min_periods=1).mean()
            ax.plot(
                part["epoch"], rolled, color=colour, lw=1.4, label=f"{name} ({smooth}-epoch mean)"
            )
        ax.set_title(f"class {label}")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.legend(loc="best", fontsize=8)
    if title:
        fig.suptitle(title)
    return fig
