"""The gan_smote report's nodes on hand-made metric records (no pipeline run)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from imbalanced_gan.evaluation.corrected_t import corrected_resampled_t
from imbalanced_gan.params import ClassifierParams, EvaluationParams, FoldParams
from imbalanced_gan.pipelines.reporting.nodes import (
    collect_fold_metrics,
    compare_methods,
    render_report,
    summarise_metrics,
)

CLASSES = ["a", "b", "tiny"]


def record(method: str, split: str, accuracy: float, with_tiny: bool) -> dict:
    # confusion: a 3/4 right, b 2/2 right, tiny (when in the test part) 0/1 right
    cm = [[3, 1, 0], [0, 2, 0], [0, 1, 0] if with_tiny else [0, 0, 0]]
    return {
        "method": method,
        "split": split,
        "scores": {
            "accuracy": accuracy,
            "f1_macro": accuracy / 2,
            "f1_micro": accuracy,
            "train_accuracy_real": 0.95,
        },
        "positive_label": "tiny",
        "probability": {"auc_average": "macro_ovr"},
        "confusion_matrix": cm,
        "per_class": {
            "a": {"precision": 1.0, "recall": 0.75, "f1": 0.86, "support": 4},
            "b": {"precision": 0.5, "recall": 1.0, "f1": 0.67, "support": 2},
            "tiny": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
            if with_tiny
            else None,
        },
    }


SPLITS = [f"fold_{i:02d}" for i in range(4)]
NONE = [0.60, 0.70, 0.65, 0.55]
GAN = [0.70, 0.78, 0.76, 0.66]


@pytest.fixture(scope="module")
def tables():
    records = [
        record(m, s, acc, with_tiny=i < 2)
        for m, values in (("gan_smote", GAN), ("no_oversampling", NONE))
        for i, (s, acc) in enumerate(zip(SPLITS, values, strict=True))
    ]
    fold_metrics, per_class = collect_fold_metrics(*records)
    folds = pd.DataFrame(
        [
            {"split": s, "part": part, "row": r}
            for s in SPLITS
            for part, n in (("train", 24), ("test", 6))
            for r in range(n)
        ]
    )
    paired = compare_methods(fold_metrics, folds, EvaluationParams(), baselines=["no_oversampling"])
    return fold_metrics, per_class, paired


def test_g_mean_comes_from_each_split_confusion_matrix(tables):
    fold_metrics, _, _ = tables
    g = fold_metrics[(fold_metrics["metric"] == "g_mean") & (fold_metrics["split"] == "fold_03")]
    # tiny absent: a sens 3/4 spec 3/3 ... b sens 2/2 spec 3/4 (one a predicted b)
    assert g["value"].iloc[0] == pytest.approx(np.mean([math.sqrt(3 / 4), math.sqrt(3 / 4)]))
    assert set(fold_metrics["positive_label"]) == {"tiny"}


def test_paired_comparison_uses_the_splits_sizes(tables):
    _, _, paired = tables
    row = paired[paired["metric"] == "accuracy"].iloc[0]
    expected = corrected_resampled_t(np.subtract(GAN, NONE), 6 / 24)
    assert row["method"] == "gan_smote" and row["baseline"] == "no_oversampling"
    assert row["test_train_ratio"] == pytest.approx(0.25)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        (expected["ci_low"], expected["ci_high"])
    )
    assert row["verdict"] == "better"  # +0.08 to +0.11 on every split: the interval is above 0


def test_report_names_the_minority_class_the_averaging_and_short_classes(tables):
    fold_metrics, per_class, paired = tables
    summary = summarise_metrics(fold_metrics, per_class)
    report = render_report(
        summary,
        {"dataset": "toy", "n_rows": 30, "class_counts": {"a": 16, "b": 12, "tiny": 2}},
        FoldParams(n_splits=2, n_repeats=2),
        ClassifierParams(),
        fold_metrics=fold_metrics,
        paired=paired,
        evaluation=EvaluationParams(),
    )
    assert "Micro F1 |" not in report and "micro F1 is the same number" in report
    assert "F1 of class 'tiny'" in report
    assert "macro mean of one-vs-rest" in report
    assert "## Classes missing from some test parts" in report and "| tiny | 2 |" in report
    assert "| gan_smote | no_oversampling | +10.00 [" in report and "| better |" in report
    assert "k = 2, r = 2 (J = 4 splits)" in report
    assert "mean of per-class" in report or "sqrt(sensitivity x specificity)" in report
    assert "Accuracy on its real training rows (%) |" in report and "| 95.00 ± 0.00 |" in report
    assert "The MLP selects nothing: it trains a fixed 200 epochs" in report


def test_the_manifest_records_the_code_commit():
    import re

    from imbalanced_gan.pipelines.reporting.nodes import code_commit

    commit = code_commit()  # the tests run from a git checkout
    assert commit is not None and re.fullmatch(r"[0-9a-f]{40}(\+dirty)?", commit)
