"""Nadeau & Bengio's corrected resampled t-test and the paired comparison table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from imbalanced_gan.evaluation.corrected_t import (
    BETTER,
    NO_DIFFERENCE,
    WORSE,
    corrected_resampled_t,
    paired_comparison,
    verdict,
)


def test_matches_a_hand_computation_on_four_differences():
    # d = [0.02, 0.04, 0.00, 0.06]: mean 0.03, sample variance 0.002 / 3
    result = corrected_resampled_t([0.02, 0.04, 0.00, 0.06], test_train_ratio=0.25)
    variance = 0.002 / 3
    se = math.sqrt((1 / 4 + 0.25) * variance)  # = sqrt(variance / 2)
    assert result["mean_difference"] == pytest.approx(0.03)
    assert result["std_difference"] == pytest.approx(math.sqrt(variance))
    assert result["standard_error"] == pytest.approx(se)
    assert result["t_statistic"] == pytest.approx(0.03 / se)
    assert result["df"] == 3
    # t = 0.03 / sqrt(1/3000) = 1.6432; two-sided p with 3 df from scipy's t distribution
    assert result["t_statistic"] == pytest.approx(1.643167, rel=1e-6)
    assert result["p_value"] == pytest.approx(2 * stats.t.sf(1.643167, 3), rel=1e-5)
    half = stats.t.ppf(0.975, 3) * se
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((0.03 - half, 0.03 + half))


def test_interval_and_p_value_agree_with_scipy_t_for_random_differences():
    rng = np.random.default_rng(0)
    d = rng.normal(0.01, 0.03, size=25)  # 5 folds x 5 repeats
    ratio = 1 / 4
    result = corrected_resampled_t(d, ratio, confidence=0.9)
    se = np.sqrt((1 / 25 + ratio) * d.var(ddof=1))
    low, high = stats.t.interval(0.9, 24, loc=d.mean(), scale=se)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((low, high))
    assert result["p_value"] == pytest.approx(2 * stats.t.sf(abs(d.mean() / se), 24))


def test_the_correction_widens_the_naive_interval_and_changes_the_verdict():
    # consistent small gains: the naive t-test (scipy's ttest_1samp) calls them significant
    d = np.array([0.01, 0.03, 0.02, 0.04, 0.00, 0.02, 0.03, 0.01, 0.02, 0.02]) - 0.01
    naive = stats.ttest_1samp(d, 0.0)
    assert naive.pvalue < 0.05
    result = corrected_resampled_t(d, test_train_ratio=1 / 9)
    # corrected standard error: sqrt(1/J + n_test/n_train) instead of sqrt(1/J)
    assert result["standard_error"] == pytest.approx(d.std(ddof=1) * math.sqrt(1 / 10 + 1 / 9))
    assert result["p_value"] > 0.05
    assert verdict(result["ci_low"], result["ci_high"]) == NO_DIFFERENCE


def test_constant_differences_give_a_degenerate_interval():
    zero = corrected_resampled_t([0.0, 0.0, 0.0], 0.25)
    assert zero["p_value"] == 1.0 and zero["ci_low"] == zero["ci_high"] == 0.0
    shift = corrected_resampled_t([0.1, 0.1, 0.1], 0.25)
    assert shift["p_value"] == 0.0 and shift["ci_low"] == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("differences", "ratio", "message"),
    [
        ([0.1], 0.25, "at least 2"),
        ([0.1, math.nan], 0.25, "NaN"),
        ([0.1, 0.2], 0.0, "test_train_ratio"),
        ([[0.1, 0.2]], 0.25, "one-dimensional"),
    ],
)
def test_bad_input_is_named(differences, ratio, message):
    with pytest.raises(ValueError, match=message):
        corrected_resampled_t(differences, ratio)


def test_verdict_needs_the_interval_to_exclude_zero():
    assert verdict(0.01, 0.05) == BETTER
    assert verdict(-0.05, -0.01) == WORSE
    assert verdict(-0.01, 0.05) == NO_DIFFERENCE
    assert verdict(0.01, 0.05, higher_is_better=False) == WORSE


def _scores(values: dict[str, list[float]], metric: str = "accuracy") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"method": method, "split": f"fold_{i:02d}", "metric": metric, "value": v}
            for method, column in values.items()
            for i, v in enumerate(column)
        ]
    )


def test_paired_comparison_pairs_by_split_and_compares_with_every_baseline():
    base = [0.60, 0.70, 0.65, 0.55, 0.62, 0.68]
    scores = _scores(
        {
            "gan_smote": [b + 0.10 for b in base],  # always 0.10 better
            "smote": [
                b + d for b, d in zip(base, [0.02, -0.02, 0.01, -0.01, 0.0, 0.0], strict=True)
            ],
            "no_oversampling": base,
        }
    )
    sizes = pd.DataFrame(
        {"split": [f"fold_{i:02d}" for i in range(6)], "n_train": 80, "n_test": 20}
    )
    table = paired_comparison(scores, sizes, ["no_oversampling", "smote"], ["accuracy"])
    # vs none: gan_smote, smote; vs smote: gan_smote (none vs smote is the mirror of smote vs none)
    assert sorted(zip(table["method"], table["baseline"], strict=True)) == [
        ("gan_smote", "no_oversampling"), ("gan_smote", "smote"), ("smote", "no_oversampling")
    ]  # fmt: skip
    row = table[(table["method"] == "gan_smote") & (table["baseline"] == "no_oversampling")].iloc[0]
    assert row["mean_difference"] == pytest.approx(0.10)
    assert row["verdict"] == BETTER and row["test_train_ratio"] == pytest.approx(0.25)
    row = table[(table["method"] == "smote") & (table["baseline"] == "no_oversampling")].iloc[0]
    assert row["verdict"] == NO_DIFFERENCE
    expected = corrected_resampled_t([0.02, -0.02, 0.01, -0.01, 0.0, 0.0], 0.25)
    assert row["p_value"] == pytest.approx(expected["p_value"])
    row = table[(table["method"] == "gan_smote") & (table["baseline"] == "smote")].iloc[0]
    assert row["mean_difference"] == pytest.approx(0.10 - np.mean([0.02, -0.02, 0.01, -0.01, 0, 0]))


def test_paired_comparison_drops_undefined_splits_and_groups():
    scores = pd.concat(
        [
            _scores({"a": [0.5, math.nan, 0.7], "b": [0.4, 0.5, 0.6]}).assign(group="d1"),
            _scores({"a": [0.5], "b": [0.4]}).assign(group="d2"),
        ]
    )
    sizes = pd.DataFrame(
        {"group": ["d1"] * 3 + ["d2"], "split": ["fold_00", "fold_01", "fold_02", "fold_00"],
         "n_train": 9, "n_test": 3}
    )  # fmt: skip
    table = paired_comparison(scores, sizes, ["b"], ["accuracy"])
    d1 = table[table["group"] == "d1"].iloc[0]
    assert d1["n_splits"] == 2 and d1["mean_difference"] == pytest.approx(0.1)
    d2 = table[table["group"] == "d2"].iloc[0]
    assert d2["verdict"] == "not enough splits" and math.isnan(d2["p_value"])


def test_paired_comparison_flips_lower_is_better_metrics():
    scores = _scores({"a": [0.1, 0.12, 0.11], "b": [0.3, 0.31, 0.29]}, metric="error")
    sizes = pd.DataFrame({"split": ["fold_00", "fold_01", "fold_02"], "n_train": 8, "n_test": 2})
    table = paired_comparison(scores, sizes, ["b"], ["error"], lower_is_better=["error"])
    assert table.iloc[0]["verdict"] == BETTER
