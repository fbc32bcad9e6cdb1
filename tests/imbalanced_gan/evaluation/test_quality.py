"""Manhattan-distance sums, PCA plot, loss curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy.spatial.distance import cdist, pdist

from imbalanced_gan.evaluation import quality
from imbalanced_gan.evaluation.quality import (
    loss_curves_plot,
    manhattan_sums,
    pca_plot,
    quality_table,
)

REAL = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
SYN = np.array([[0.0, 1.0], [0.0, 1.0]])


def test_manhattan_sums_by_hand():
    sums = manhattan_sums(REAL, SYN)
    # within real: |(0,0)-(1,1)| = 2, |(0,0)-(2,0)| = 2, |(1,1)-(2,0)| = 2
    assert sums["within_real_sum"] == 6.0 and sums["within_real_mean"] == 2.0
    # two identical synthetic rows: a collapsed generator
    assert sums["within_synthetic_sum"] == 0.0 and sums["within_synthetic_mean"] == 0.0
    # between: (0,1) is 1, 1 and 3 away from the real rows, twice -> 10 over 6 pairs
    assert sums["between_sum"] == 10.0 and sums["between_mean"] == pytest.approx(10 / 6)
    assert (sums["n_real"], sums["n_synthetic"]) == (3, 2)


def test_manhattan_sums_one_row_and_blocks(monkeypatch):
    one = manhattan_sums(REAL, SYN[:1])
    assert one["within_synthetic_sum"] == 0.0 and np.isnan(one["within_synthetic_mean"])
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 2, (7, 5)).astype(float), rng.integers(0, 2, (5, 5)).astype(float)
    monkeypatch.setattr(quality, "_CHUNK", 2)  # several blocks give the same sums
    sums = manhattan_sums(a, b)
    assert sums["within_real_sum"] == pytest.approx(pdist(a, "cityblock").sum())
    assert sums["between_sum"] == pytest.approx(cdist(a, b, "cityblock").sum())


def test_quality_table_per_class_and_overall():
    real = np.vstack([REAL, REAL + 10])
    y_real = np.array([1, 1, 1, 2, 2, 2])
    table = quality_table(real, SYN, y_real, np.array([1, 1])).set_index("class")
    assert list(table.index) == [1, 2, "(all classes)"]
    assert table.loc[1, "between_sum"] == 10.0 and table.loc[2, "n_synthetic"] == 0
    assert table.loc[2, "within_real_sum"] == 6.0
    with pytest.raises(ValueError, match="absent from the real rows"):
        quality_table(real, SYN, y_real, np.array([1, 3]))
    with pytest.raises(ValueError, match="y_syn must hold one label per row"):
        quality_table(real, SYN, y_real, np.array([1]))


def _blobs():
    rng = np.random.default_rng(0)
    real = np.vstack([rng.normal(c, 1, (20, 4)) for c in (0, 5, 10)])
    y_real = np.repeat(["a", "b", "c"], 20)
    synthetic = np.vstack([rng.normal(c, 1, (10, 4)) for c in (0, 5)])
    return real, y_real, synthetic, np.repeat(["a", "b"], 10)


def test_pca_plot_panels_and_points():
    real, y_real, synthetic, y_syn = _blobs()
    fig = pca_plot(real, synthetic, y_real, y_syn, title="toy")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3
    counts = [[len(c.get_offsets()) for c in ax.collections] for ax in fig.axes]
    assert counts == [[20, 10], [20, 10], [20, 0]]
    assert fig.axes[2].get_title() == "class c: 20 real (20 distinct), 0 synthetic (0 distinct)"
    assert fig.axes[0].get_xlabel().startswith("PC1 (")


def test_pca_is_fitted_on_real_rows_only():
    real, y_real, synthetic, y_syn = _blobs()
    far = synthetic + 1000  # would dominate PC1 if PCA saw it
    fig = pca_plot(real, far, y_real, y_syn)
    fig_again = pca_plot(real, synthetic, y_real, y_syn)
    real_a = fig.axes[0].collections[0].get_offsets()
    np.testing.assert_allclose(real_a, fig_again.axes[0].collections[0].get_offsets())


def _history(labels=("a", "b"), epochs=20):
    return pd.DataFrame(
        {
            "label": np.repeat(labels, epochs),
            "epoch": np.tile(np.arange(epochs), len(labels)),
            "d_loss": np.linspace(1, 0.5, epochs * len(labels)),
            "g_loss": np.linspace(0.5, 1, epochs * len(labels)),
        }
    )


def test_loss_curves_one_panel_per_label():
    fig = loss_curves_plot(_history())
    assert len(fig.axes) == 2
    assert [len(ax.lines) for ax in fig.axes] == [2, 2]
    assert [ax.get_title() for ax in fig.axes] == ["class a", "class b"]
    np.testing.assert_allclose(fig.axes[1].lines[0].get_ydata(), _history()["d_loss"][20:])
    smoothed = loss_curves_plot(_history(labels=("a", "b", "c", "d", "e")), smooth=5)
    assert len(smoothed.axes) == 5 and all(len(ax.lines) == 4 for ax in smoothed.axes)


def test_loss_curves_bad_history():
    with pytest.raises(ValueError, match=r"lacks columns \['label'\]"):
        loss_curves_plot(_history().drop(columns="label"))
    with pytest.raises(ValueError, match="smooth"):
        loss_curves_plot(_history(), smooth=0)
