"""Ranks, Friedman, Nemenyi, Holm-Wilcoxon, CD diagram, win/tie/loss."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy import stats

from imbalanced_gan.evaluation.stats import (
    average_ranks,
    cd_diagram,
    friedman_test,
    holm_adjust,
    holm_wilcoxon,
    nemenyi_critical_difference,
    nonsignificant_groups,
    paired_outcomes,
    rank_table,
    score_matrix,
    win_tie_loss,
)

# Demšar (2006), table 6: AUC of C4.5 with its parameters m and cf tuned, 14 data sets.
# The C4.5 and C4.5+m columns are also table 2 (Wilcoxon example: R+ = 93, R- = 12).
# Voting: the paper prints 0.975 for both cf variants but ranks them 2 and 3 (the values
# were rounded); 0.9751 / 0.9749 keep those ranks.
DEMSAR = pd.DataFrame(
    {
        "C4.5": [.763, .599, .954, .628, .882, .936, .661, .583, .775, 1.0, .940, .619, .972, .957],
        "C4.5+m": [.768, .591, .971, .661, .888, .931, .668, .583, .838, 1.0, .962, .666, .981, .978],
        "C4.5+cf": [.771, .590, .968, .654, .886, .916, .609, .563, .866, 1.0, .965, .614, .9751, .946],
        "C4.5+m+cf": [.798, .569, .967, .657, .898, .931, .685, .625, .875, 1.0, .962, .669, .9749, .970],
    },
    index=[
        "adult", "breast cancer", "breast cancer wisconsin", "cmc", "ionosphere", "iris",
        "liver disorders", "lung cancer", "lymphography", "mushroom", "primary tumor",
        "rheum", "voting", "wine",
    ],
)  # fmt: skip


def test_demsar_average_ranks():
    ranks = average_ranks(DEMSAR)
    np.testing.assert_allclose(ranks.to_numpy(), [44 / 14, 2.0, 40.5 / 14, 27.5 / 14])
    np.testing.assert_allclose(ranks.round(3).to_numpy(), [3.143, 2.000, 2.893, 1.964])
    assert list(ranks.index) == list(DEMSAR.columns)


def test_demsar_friedman():
    result = friedman_test(DEMSAR)
    assert result["statistic"] == pytest.approx(9.28, abs=0.005)
    assert result["f_statistic"] == pytest.approx(3.69, abs=0.005)
    assert result["n_problems"] == 14 and result["n_methods"] == 4
    # p-values from the distributions Demšar names: chi2(3) and F(3, 39).
    assert result["p_value"] == pytest.approx(stats.chi2.sf(result["statistic"], 3))
    assert result["f_p_value"] == pytest.approx(stats.f.sf(result["f_statistic"], 3, 39))
    assert result["f_p_value"] < 0.05  # Demšar: F(3,39) critical value 2.85 < 3.69


def test_friedman_tie_correction_matches_scipy():
    corrected = friedman_test(DEMSAR, tie_correction=True)
    expected = stats.friedmanchisquare(*[DEMSAR[c] for c in DEMSAR.columns])
    assert corrected["statistic"] == pytest.approx(expected.statistic)
    assert corrected["p_value"] == pytest.approx(expected.pvalue)
    assert corrected["statistic"] > friedman_test(DEMSAR)["statistic"]


def test_friedman_identical_rankings_give_infinite_f():
    table = pd.DataFrame({"a": [3.0, 3, 3], "b": [2.0, 2, 2], "c": [1.0, 1, 1]})
    result = friedman_test(table)
    assert result["statistic"] == pytest.approx(6.0)  # 12*3/12 * (1+4+9 - 12)
    assert result["f_statistic"] == np.inf and result["f_p_value"] == 0.0


def test_friedman_rejects_two_methods_and_one_problem():
    with pytest.raises(ValueError, match="at least 3 methods.*Wilcoxon"):
        friedman_test(DEMSAR[["C4.5", "C4.5+m"]])
    with pytest.raises(ValueError, match="at least 2 problems"):
        friedman_test(DEMSAR.iloc[:1])


def test_ranks_ties_and_direction():
    table = pd.DataFrame({"a": [0.9, 0.5], "b": [0.9, 0.7], "c": [0.1, 0.7]}, index=["p", "q"])
    assert rank_table(table).loc["p"].tolist() == [1.5, 1.5, 3.0]
    assert average_ranks(table).tolist() == [(1.5 + 3) / 2, (1.5 + 1.5) / 2, (3 + 1.5) / 2]
    # lower is better: p ranks c=1, a=b=2.5; q ranks a=1, b=c=2.5
    assert average_ranks(table, higher_is_better=False).tolist() == [1.75, 2.5, 1.75]


def test_nan_rows_raise_by_name_or_drop_with_warning(caplog):
    table = pd.DataFrame({"a": [1.0, np.nan, 0.2], "b": [0.0, 1.0, 0.1]}, index=["x", "y", "z"])
    with pytest.raises(ValueError, match=r"\['y'\]"):
        average_ranks(table)
    with caplog.at_level(logging.WARNING):
        ranks = average_ranks(table, nan_policy="drop")
    assert ranks.tolist() == [1.0, 2.0]
    assert "Dropping 1 problem rows" in caplog.text


def test_bad_score_tables():
    with pytest.raises(ValueError, match="at least 2 method"):
        average_ranks(pd.DataFrame({"a": [1.0]}))
    with pytest.raises(TypeError, match="numeric"):
        average_ranks(pd.DataFrame({"a": [1.0], "b": ["x"]}))
    with pytest.raises(ValueError, match="nan_policy"):
        average_ranks(DEMSAR, nan_policy="omit")


@pytest.mark.parametrize(
    ("k", "alpha", "q"),
    # Demšar (2006) table 5(a) (alpha 0.05) and the 0.10 row.
    [(2, 0.05, 1.960), (3, 0.05, 2.343), (4, 0.05, 2.569), (5, 0.05, 2.728), (10, 0.05, 3.164),
     (2, 0.10, 1.645), (4, 0.10, 2.291), (10, 0.10, 2.920)],
)  # fmt: skip
def test_nemenyi_q_matches_demsar_table(k, alpha, q):
    # With n = k (k + 1) / 6 the square-root factor is 1, so CD = q_alpha.
    cd = nemenyi_critical_difference(k, 1, alpha) / np.sqrt(k * (k + 1) / 6)
    assert cd == pytest.approx(q, abs=1e-3)  # the table truncates: 2.3437 -> 2.343


def test_nemenyi_demsar_example():
    assert nemenyi_critical_difference(4, 14) == pytest.approx(1.25, abs=0.005)
    with pytest.raises(ValueError, match="k"):
        nemenyi_critical_difference(1, 14)
    with pytest.raises(ValueError, match="alpha"):
        nemenyi_critical_difference(4, 14, alpha=1.5)


def test_holm_adjust_by_hand():
    # sorted 0.01, 0.02, 0.04, 0.30 -> 4*0.01, 3*0.02, max(0.06, 2*0.04), max(0.08, 0.30)
    adjusted = holm_adjust([0.04, 0.01, 0.30, 0.02])
    np.testing.assert_allclose(adjusted, [0.08, 0.04, 0.30, 0.06])
    # monotone step: 3*0.02 = 0.06 > 2*0.025 = 0.05 -> 0.06 is carried forward; capped at 1
    np.testing.assert_allclose(holm_adjust([0.02, 0.025, 0.9]), [0.06, 0.06, 0.9])
    np.testing.assert_allclose(holm_adjust([0.5, 0.6]), [1.0, 1.0])


def test_wilcoxon_demsar_table2_example():
    result = holm_wilcoxon(DEMSAR[["C4.5", "C4.5+m"]])
    assert len(result) == 1
    row = result.iloc[0]
    assert row["statistic"] == pytest.approx(12.0)  # min(R+ = 93, R- = 12), zeros split
    assert row["p_value"] < 0.05  # Demšar: T = 12 < 21, the critical value for N = 14
    assert row["p_holm"] == row["p_value"]  # one test: nothing to adjust
    assert row["better"] == "C4.5+m" and bool(row["significant"])


def test_holm_wilcoxon_all_pairs_and_control():
    pairs = holm_wilcoxon(DEMSAR)
    assert len(pairs) == 6
    assert list(pairs.columns[:2]) == ["method_a", "method_b"]
    np.testing.assert_allclose(pairs["p_holm"], holm_adjust(pairs["p_value"]))
    manual = stats.wilcoxon(DEMSAR["C4.5+cf"] - DEMSAR["C4.5+m+cf"], zero_method="zsplit")
    row = pairs[(pairs.method_a == "C4.5+cf") & (pairs.method_b == "C4.5+m+cf")].iloc[0]
    assert row["p_value"] == pytest.approx(manual.pvalue)
    control = holm_wilcoxon(DEMSAR, control="C4.5")
    assert control["method_a"].eq("C4.5").all() and len(control) == 3
    with pytest.raises(ValueError, match="control 'nope'"):
        holm_wilcoxon(DEMSAR, control="nope")


def test_holm_wilcoxon_identical_columns():
    table = pd.DataFrame({"a": [0.1, 0.2, 0.3], "b": [0.1, 0.2, 0.3]})
    row = holm_wilcoxon(table).iloc[0]
    assert row["p_value"] == 1.0 and row["better"] is None and not row["significant"]


def test_nonsignificant_groups():
    ranks = pd.Series({"a": 1.0, "b": 1.5, "c": 2.4, "d": 3.9})
    assert nonsignificant_groups(ranks, 1.0) == [["a", "b"], ["b", "c"]]
    assert nonsignificant_groups(ranks, 1.5) == [["a", "b", "c"]]  # 3.9 - 2.4 is not < 1.5
    assert nonsignificant_groups(ranks, 1.6) == [["a", "b", "c"], ["c", "d"]]
    assert nonsignificant_groups(ranks, 0.1) == []
    # Demšar's example: 3.143 - 1.964 = 1.179 < CD = 1.25, so Nemenyi separates no pair.
    demsar = nonsignificant_groups(average_ranks(DEMSAR), 1.25)
    assert demsar == [["C4.5+m+cf", "C4.5+m", "C4.5+cf", "C4.5"]]


def test_cd_diagram_draws_one_label_per_method_and_group_bars():
    ranks = pd.Series({"smote": 1.4, "gan_smote": 1.9, "random_over": 2.9, "none": 3.8})
    fig = cd_diagram(ranks, cd=1.0, title="macro F1")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    for name, rank in ranks.items():
        assert texts.count(f"{name} ({rank:.2f})") + texts.count(f"({rank:.2f}) {name}") == 1
    assert "smote (1.40)" in texts and "(3.80) none" in texts  # better half on the left
    assert "CD = 1.00" in texts
    thick = [line for line in ax.lines if line.get_linewidth() == 3]
    assert len(thick) == len(nonsignificant_groups(ranks, 1.0)) == 2
    with pytest.raises(ValueError, match="cd"):
        cd_diagram(ranks, cd=0)


def _per_fold() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for problem, shift in (("p_win", 0.05), ("p_loss", -0.05), ("p_tie", 0.0)):
        base = rng.uniform(0.6, 0.8, 10)
        noise = rng.normal(0, 0.002, 10) if shift else rng.normal(0, 0.05, 10)
        for split in range(10):
            rows.append((problem, "base", f"fold_{split}", "f1", base[split]))
            rows.append((problem, "new", f"fold_{split}", "f1", base[split] + shift + noise[split]))
            rows.append((problem, "same", f"fold_{split}", "f1", base[split]))
            rows.append((problem, "base", f"fold_{split}", "acc", 0.5))
    return pd.DataFrame(rows, columns=["problem", "method", "split", "metric", "value"])


def test_win_tie_loss_counts():
    table = win_tie_loss(_per_fold(), baseline="base", metric="f1").set_index("method")
    assert table.loc["new", ["wins", "ties", "losses", "n_problems"]].tolist() == [1, 1, 1, 3]
    # all differences 0 -> equal means -> tie on every problem
    assert table.loc["same", ["wins", "ties", "losses"]].tolist() == [0, 3, 0]
    lower = win_tie_loss(_per_fold(), "base", "f1", higher_is_better=False).set_index("method")
    assert lower.loc["new", ["wins", "losses"]].tolist() == [1, 1]
    outcomes = paired_outcomes(_per_fold(), "base", "f1").set_index(["problem", "method"])
    assert outcomes.loc[("p_win", "new"), "outcome"] == "win"
    assert outcomes.loc[("p_win", "new"), "mean_difference"] > 0
    assert outcomes.loc[("p_win", "new"), "p_value"] == pytest.approx(2 / 2**10)


def test_win_tie_loss_wide_layout_and_errors(caplog):
    wide = _per_fold().query("metric == 'f1'").rename(columns={"value": "f1"})
    table = win_tie_loss(wide.drop(columns="metric"), "base", "f1").set_index("method")
    assert table.loc["new", "wins"] == 1
    with pytest.raises(ValueError, match="baseline 'nope'"):
        win_tie_loss(_per_fold(), "nope", "f1")
    with pytest.raises(ValueError, match="metric 'auc' not found"):
        win_tie_loss(_per_fold(), "base", "auc")
    doubled = pd.concat([_per_fold(), _per_fold().iloc[:1]])
    with pytest.raises(ValueError, match="several 'f1' rows"):
        win_tie_loss(doubled, "base", "f1")
    five = _per_fold()[_per_fold()["split"].isin([f"fold_{i}" for i in range(5)])]
    with caplog.at_level(logging.WARNING):
        few = win_tie_loss(five, "base", "f1").set_index("method")
    assert few.loc["new", "ties"] == 3 and "cannot reach p < 0.05" in caplog.text


def test_score_matrix_means_over_splits():
    matrix = score_matrix(_per_fold(), "f1")
    assert matrix.shape == (3, 3)
    expected = _per_fold().query("metric == 'f1' and problem == 'p_win' and method == 'new'")
    assert matrix.loc["p_win", "new"] == pytest.approx(expected["value"].mean())
    assert average_ranks(matrix).loc["base"] == pytest.approx(average_ranks(matrix).loc["same"])
