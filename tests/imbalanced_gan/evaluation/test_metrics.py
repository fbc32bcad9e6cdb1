"""ROC-AUC / PR-AUC with an explicit positive class, and the minority F1."""

from __future__ import annotations

import logging
import math

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

from imbalanced_gan.evaluation.metrics import minority_f1, minority_label, probability_scores


def test_minority_label_from_training_labels():
    assert minority_label(["a", "b", "b", "c", "c", "c"]) == "a"
    assert minority_label(np.array([2, 2, 1, 1, 0, 0, 0])) == 1  # tie 1/2 -> smallest
    assert type(minority_label(np.array([5, 5, 7]))) is int  # plain Python, JSON-friendly
    with pytest.raises(ValueError, match="non-empty"):
        minority_label([])


def test_binary_scores_by_hand():
    # positive "m" scores 0.9, 0.4 ; negatives 0.6, 0.2, 0.1
    y = np.array(["m", "M", "m", "M", "M"])
    p_m = np.array([0.9, 0.6, 0.4, 0.2, 0.1])
    proba = np.column_stack([1 - p_m, p_m])  # columns follow classes ["M", "m"]
    result = probability_scores(y, proba, ["M", "m"], y_train=["M", "M", "m"])
    assert result["positive_label"] == "m" and result["average"] == "binary"
    # pairs (pos, neg) ordered right: 0.9 beats 3, 0.4 beats 2 -> 5 of 6
    assert result["roc_auc"] == pytest.approx(5 / 6)
    # ranking m, M, m: precision 1 at recall 1/2, 2/3 at recall 1 -> AP = (1 + 2/3) / 2
    assert result["pr_auc"] == pytest.approx(5 / 6)
    assert result["pr_auc"] == pytest.approx(average_precision_score(y == "m", p_m))
    assert result["roc_auc_reason"] is None
    # the other class as positive: ROC-AUC is symmetric, AP is not
    other = probability_scores(y, proba, ["M", "m"], positive_label="M")
    assert other["roc_auc"] == pytest.approx(5 / 6)
    assert other["pr_auc"] == pytest.approx(average_precision_score(y == "M", 1 - p_m))


def test_binary_needs_a_way_to_pick_the_positive_class():
    with pytest.raises(ValueError, match="positive_label or y_train"):
        probability_scores([0, 1], np.eye(2), [0, 1])
    with pytest.raises(ValueError, match="positive_label 3"):
        probability_scores([0, 1], np.eye(2), [0, 1], positive_label=3)


def test_binary_fold_without_the_positive_class_gives_nan_with_reason():
    proba = np.array([[0.8, 0.2], [0.3, 0.7]])
    result = probability_scores([0, 0], proba, [0, 1], positive_label=1)
    assert math.isnan(result["roc_auc"]) and math.isnan(result["pr_auc"])
    assert "no row of the positive class" in result["roc_auc_reason"]
    only_pos = probability_scores([1, 1], proba, [0, 1], positive_label=1)
    assert math.isnan(only_pos["roc_auc"]) and only_pos["pr_auc"] == 1.0


def _multiclass():
    rng = np.random.default_rng(0)
    y = np.array([0, 1, 2] * 10)
    raw = rng.uniform(size=(30, 3)) + np.eye(3)[y] * 0.5
    return y, raw / raw.sum(axis=1, keepdims=True)


def test_multiclass_macro_ovr_matches_sklearn():
    y, proba = _multiclass()
    result = probability_scores(y, proba, [0, 1, 2])
    assert result["roc_auc"] == pytest.approx(
        roc_auc_score(y, proba, multi_class="ovr", average="macro")
    )
    onehot = np.eye(3)[y]
    assert result["pr_auc"] == pytest.approx(
        average_precision_score(onehot, proba, average="macro")
    )
    assert result["positive_label"] is None and result["classes_scored"] == [0, 1, 2]


def test_multiclass_absent_class_is_left_out_and_said():
    y, proba = _multiclass()
    keep = y != 2
    result = probability_scores(y[keep], proba[keep], [0, 1, 2])
    expected = np.mean([roc_auc_score(y[keep] == c, proba[keep][:, c]) for c in (0, 1)])
    assert result["roc_auc"] == pytest.approx(expected)
    assert result["classes_scored"] == [0, 1]
    assert "[2]" in result["roc_auc_reason"]
    single = probability_scores(y[y == 0], proba[y == 0], [0, 1, 2])
    assert math.isnan(single["roc_auc"]) and "fewer than 2 classes" in single["pr_auc_reason"]


def test_probability_scores_bad_inputs():
    with pytest.raises(ValueError, match="shape"):
        probability_scores([0, 1], np.ones((2, 3)), [0, 1])


def test_a_class_the_classifier_never_saw_scores_with_zero_probability():
    # a 1-row class whose row is in the test part: the classifier has no column for it
    y, proba = _multiclass()
    y = np.where(np.arange(30) == 4, 9, y)  # one row of class 9, unknown to the model
    result = probability_scores(y, proba, [0, 1, 2])
    full = np.hstack([proba, np.zeros((30, 1))])
    expected = np.mean([roc_auc_score(y == c, full[:, j]) for j, c in enumerate([0, 1, 2, 9])])
    assert result["roc_auc"] == pytest.approx(expected)
    assert result["classes_scored"] == [0, 1, 2, 9]
    assert "never saw" in result["roc_auc_reason"] and "[9]" in result["pr_auc_reason"]
    # a binary model facing a third class in the test part: macro one-vs-rest over three
    binary = probability_scores(["a", "b", "solo"], np.eye(3)[:, :2], ["a", "b"], "b")
    assert binary["average"] == "macro_ovr" and binary["classes_scored"] == ["a", "b", "solo"]
    assert binary["roc_auc"] == pytest.approx(np.mean([1.0, 1.0, 0.5]))
    # a label longer than the model's labels is not truncated
    assert probability_scores(["a", "b", "longer"], np.eye(3)[:, :2], ["a", "b"])[
        "classes_scored"
    ] == ["a", "b", "longer"]


def test_minority_f1_against_sklearn(caplog):
    y_true = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 0, 2, 2, 2, 2, 0])
    # class 0: TP 1, FP 2, FN 1 -> 2 / (2 + 2 + 1)
    assert minority_f1(y_true, y_pred, 0) == pytest.approx(0.4)
    expected = f1_score(y_true, y_pred, labels=[0], average=None)[0]
    assert minority_f1(y_true, y_pred, 0) == pytest.approx(expected)
    assert minority_f1([1, 1], [1, 0], 0) == 0.0  # predicted once, never present
    assert minority_f1([1, 0], [1, 1], 0) == 0.0  # present, never predicted
    with caplog.at_level(logging.WARNING):
        assert math.isnan(minority_f1([1, 1], [1, 1], 0))
    assert "undefined" in caplog.text
    with pytest.raises(ValueError, match="equal length"):
        minority_f1([0, 1], [0], 0)
