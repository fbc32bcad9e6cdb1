"""Benchmark statistics count one problem per dataset, never (dataset x classifier) pairs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from imbalanced_gan.evaluation.stats import nemenyi_critical_difference
from imbalanced_gan.pipelines.benchmark.report import benchmark_statistics, corrected_verdicts

BENCHMARK = {
    "primary_metric": "f1_macro",
    "alpha": 0.05,
    "folds": {"n_splits": 5, "n_repeats": 2},
    "compare_against": ["none"],
}


def results(seed: int = 0) -> pd.DataFrame:
    """4 datasets x 2 classifiers x 3 methods x 10 splits; 'good' beats 'none' by 0.05."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(4):
        for classifier, shift in (("tree", 0.0), ("mlp", 0.1)):
            for split in range(10):
                base = 0.5 + shift + 0.1 * d + rng.normal(0, 0.01)
                for method, gain in (("none", 0.0), ("good", 0.05), ("middle", 0.02)):
                    rows.append(
                        {
                            "dataset": f"d{d}",
                            "classifier": classifier,
                            "method": method,
                            "training": "real",
                            "split": f"fold_{split:02d}",
                            "f1_macro": base + gain + rng.normal(0, 0.005),
                            "accuracy": base,
                        }
                    )
    return pd.DataFrame(rows)


def test_a_problem_is_a_dataset_with_classifiers_averaged():
    table, friedman, posthoc, _, wtl = benchmark_statistics(results(), BENCHMARK)
    assert friedman["n_problems"] == 4 and friedman["n_methods"] == 3
    assert friedman["nemenyi_cd"] == pytest.approx(nemenyi_critical_difference(3, 4))
    assert set(posthoc["n_problems"]) == {4}
    ranks = table.set_index("method")["average_rank"]
    assert ranks["good"] == 1.0 and ranks["none"] == 3.0
    assert {"rank_tree", "rank_mlp"} <= set(table.columns)
    assert friedman["per_classifier"]["tree"]["n_problems"] == 4
    # the mean score of a dataset is the mean over both classifiers
    data = results()
    expected = data[data["method"] == "good"].groupby("dataset")["f1_macro"].mean().mean()
    assert table.set_index("method").at["good", "mean_f1_macro"] == pytest.approx(expected)
    good = wtl[(wtl["method"] == "good") & (wtl["baseline"] == "none")].iloc[0]
    assert (good["wins"], good["n_problems"]) == (4, 4)


def test_corrected_verdicts_one_row_per_dataset_method_and_baseline():
    verdicts = corrected_verdicts(results(), BENCHMARK, ["f1_macro"])
    assert len(verdicts) == 4 * 2  # 4 datasets x (good, middle) vs none
    assert set(verdicts["n_splits"]) == {10}
    assert verdicts["test_train_ratio"].eq(0.25).all()  # 1 / (k - 1) for k = 5
    good = verdicts[verdicts["method"] == "good"]
    assert (good["verdict"] == "better").all()
