"""Distance to closest record and the privacy summary."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from imbalanced_gan.evaluation.privacy import (
    OVERALL,
    distance_to_closest_record,
    privacy_summary,
    real_nn_distances,
)

REAL = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 3.0], [10.0, 10.0]])


def test_copies_have_zero_dcr():
    assert distance_to_closest_record(REAL[[2, 0]], REAL).tolist() == [0.0, 0.0]


def test_shifted_points_give_the_known_distance():
    shifted = REAL[:2] + np.array([0.0, 0.5])
    np.testing.assert_allclose(distance_to_closest_record(shifted, REAL), [0.5, 0.5])
    # (1, 1) is sqrt(2) from (0, 0) in euclidean and 2 in manhattan; (3, 1): sqrt(2) / 2
    query = np.array([[1.0, 1.0], [3.0, 1.0]])
    np.testing.assert_allclose(distance_to_closest_record(query, REAL), [np.sqrt(2), np.sqrt(2)])
    np.testing.assert_allclose(distance_to_closest_record(query, REAL, "manhattan"), [2.0, 2.0])


def test_real_nn_is_leave_one_out():
    # nearest other row: (0,0)->(0,3)=3, (4,0)->(0,0)=4, (0,3)->(0,0)=3, (10,10)->(4,0)=sqrt(136)
    np.testing.assert_allclose(real_nn_distances(REAL), [3.0, 4.0, 3.0, np.sqrt(136)])
    np.testing.assert_allclose(real_nn_distances(REAL, "manhattan"), [3.0, 4.0, 3.0, 16.0])
    duplicated = np.vstack([REAL, REAL[:1]])
    assert real_nn_distances(duplicated)[[0, 4]].tolist() == [0.0, 0.0]


def test_summary_of_copies_has_ratio_zero_and_full_copy_share():
    summary = privacy_summary(REAL, REAL).set_index("class")
    row = summary.loc[OVERALL]
    assert row["dcr_median"] == 0 and row["dcr_ratio"] == 0 and row["copy_share"] == 1.0
    assert row["real_nn_median"] == pytest.approx(3.5)  # median of 3, 3, 4, sqrt(136)
    assert row["n_synthetic"] == 4 and row["real_duplicate_share"] == 0.0


def test_summary_per_class():
    real = pd.DataFrame(np.vstack([REAL, REAL + 100]))
    y_real = np.array(["a"] * 4 + ["b"] * 4)
    synthetic = np.vstack([REAL[:2] + [0.0, 0.5], REAL[:2] + 100])  # class a shifted, b copies
    y_syn = np.array(["a", "a", "b", "b"])
    summary = privacy_summary(synthetic, real, y_syn, y_real).set_index("class")
    assert list(summary.index) == ["a", "b", OVERALL]
    assert summary.loc["a", "dcr_median"] == pytest.approx(0.5)
    assert summary.loc["a", "dcr_ratio"] == pytest.approx(0.5 / 3.5)
    assert summary.loc["a", "copy_share"] == 0.0
    assert summary.loc["b", "copy_share"] == 1.0 and summary.loc["b", "dcr_ratio"] == 0.0
    assert summary.loc[OVERALL, "copy_share"] == 0.5
    # 5th percentile of [0.5, 0.5] and of [0, 0.5, 0.5, 0] by linear interpolation
    assert summary.loc["a", "dcr_p05"] == pytest.approx(0.5)
    assert summary.loc[OVERALL, "dcr_p05"] == pytest.approx(0.0)


def test_summary_edge_cases(caplog):
    # a class with no synthetic rows and a class with a single real row: NaN, no crash
    real = np.vstack([REAL, [[50.0, 50.0]]])
    y_real = np.array([0, 0, 0, 0, 1])
    summary = privacy_summary(REAL[:1], real, np.array([0]), y_real).set_index("class")
    assert np.isnan(summary.loc[1, "dcr_median"]) and np.isnan(summary.loc[1, "real_nn_median"])
    assert summary.loc[1, "n_synthetic"] == 0
    # all-duplicate real rows: ratio undefined
    twice = np.vstack([REAL, REAL])
    with caplog.at_level(logging.WARNING):
        dup = privacy_summary(REAL, twice).iloc[0]
    assert np.isnan(dup["dcr_ratio"]) and dup["real_duplicate_share"] == 1.0
    assert "dcr_ratio is undefined" in caplog.text


def test_bad_inputs():
    with pytest.raises(ValueError, match="metric"):
        distance_to_closest_record(REAL, REAL, metric="cosine")
    with pytest.raises(ValueError, match="features"):
        distance_to_closest_record(REAL[:, :1], REAL)
    with pytest.raises(ValueError, match="NaN"):
        distance_to_closest_record(np.array([[np.nan, 0.0]]), REAL)
    with pytest.raises(ValueError, match="at least 2 rows"):
        real_nn_distances(REAL[:1])
    with pytest.raises(ValueError, match="both"):
        privacy_summary(REAL, REAL, labels_syn=np.zeros(4))
    with pytest.raises(ValueError, match=r"absent from the real rows: \['9'\]"):
        privacy_summary(REAL, REAL, np.array([0, 0, 0, 9]), np.zeros(4, dtype=int))
