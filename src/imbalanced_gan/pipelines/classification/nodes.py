"""Classifier training and evaluation nodes."""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np
import pandas as pd
from imblearn.metrics import geometric_mean_score
from sklearn.base import ClassifierMixin
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)
from sklearn.neural_network import MLPClassifier
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from imbalanced_gan.evaluation.metrics import minority_f1, minority_label, probability_scores
from imbalanced_gan.params import ClassifierParams, DatasetParams

logger = logging.getLogger(__name__)

#: The GAN-SMOTE paper's network: one hidden layer of 100, SGD, early stopping.
MLP_DEFAULTS: dict[str, Any] = {
    "hidden_layer_sizes": (100,),
    "solver": "sgd",
    "batch_size": 16,
    "learning_rate_init": 0.01,
    "momentum": 0.9,
    "max_iter": 1000,
    "early_stopping": True,
    "validation_fraction": 0.1,
    "n_iter_no_change": 50,
}


def make_classifier(classifier: ClassifierParams, seed: int, y: np.ndarray) -> ClassifierMixin:
    """The configured classifier with a fixed initialisation seed.

    scikit-learn's early stopping holds out a stratified validation split, which
    needs two rows of every class; when a class has fewer, early stopping is turned
    off for that fit (with a warning) and the network trains for ``max_iter`` epochs.
    """
    if classifier.name == "decision_tree":
        return DecisionTreeClassifier(random_state=seed, **classifier.decision_tree)
    params = {**MLP_DEFAULTS, **classifier.mlp}
    params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    labels, counts = np.unique(y, return_counts=True)
    if params["early_stopping"] and counts.min() < 2:
        warnings.warn(
            f"Classifier: class {labels[counts.argmin()]!r} has {counts.min()} training row(s); "
            "early stopping needs 2 per class, so it is off for this fit",
            UserWarning,
            stacklevel=2,
        )
        params["early_stopping"] = False
    return MLPClassifier(random_state=seed, **params)


def train_classifier(
    train_topped_up: pd.DataFrame,
    dataset: DatasetParams,
    classifier: ClassifierParams,
    seed: int,
    *,
    split: str,
    method: str,
) -> ClassifierMixin:
    """Fit the classifier on one split's (topped-up) training part."""
    X = train_topped_up.drop(columns=[dataset.target, "is_synthetic"]).to_numpy(dtype=np.float64)
    y = train_topped_up[dataset.target].astype(str).to_numpy()
    model = make_classifier(classifier, seed, y)
    # one BLAS thread: these matrices are small, and with several threads per process
    # OpenBLAS spins; measured 18x slower on 2 busy cores (docs/benchmark.md)
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Stochastic Optimizer", category=UserWarning)
        warnings.filterwarnings(
            "ignore", category=__import__("sklearn").exceptions.ConvergenceWarning
        )
        model.fit(X, y)
    labels, counts = np.unique(
        y[~train_topped_up["is_synthetic"].to_numpy(dtype=bool)], return_counts=True
    )
    model.real_class_counts_ = {str(k): int(v) for k, v in zip(labels, counts, strict=True)}
    logger.info(
        "%s/%s: %s trained on %d rows (%d synthetic)",
        split,
        method,
        classifier.name,
        len(y),
        int(train_topped_up["is_synthetic"].sum()),
    )
    return model


def _positive_label(model: ClassifierMixin, dataset: DatasetParams, y_true: np.ndarray) -> str:
    if dataset.positive_label is not None:
        return str(dataset.positive_label)
    counts = getattr(model, "real_class_counts_", None)
    if counts:
        return str(minority_label(np.repeat(list(counts), list(counts.values()))))
    return str(minority_label(y_true))


def evaluate_classifier(
    model: ClassifierMixin,
    test_encoded: pd.DataFrame,
    dataset: DatasetParams,
    *,
    split: str,
    method: str,
) -> dict[str, Any]:
    """Metrics of one split on its untouched test part (JSON-able).

    Aggregate scores: accuracy, macro and micro F1, balanced accuracy (ACSA) and macro
    G-mean, over the classes present in the test part or predictions; the F1 of the
    positive (minority) class; ROC-AUC and PR-AUC from ``predict_proba`` (binary: of the
    positive class; multi-class: macro one-vs-rest over the classes in the test part).
    The positive class is ``dataset.positive_label``, else the class with the fewest
    real training rows of this split; ``positive_label`` in the result says which. Per-class
    precision, recall, F1 and support over every declared class (``None`` where the
    class has no test rows), the confusion matrix (rows: truth, columns: prediction,
    in ``classes`` order), and the predictions themselves.
    """
    classes = [str(c) for c in dataset.classes]
    X = test_encoded.drop(columns=[dataset.target]).to_numpy(dtype=np.float64)
    y_true = test_encoded[dataset.target].astype(str).to_numpy()
    with threadpool_limits(limits=1):
        y_pred = np.asarray(model.predict(X)).astype(str)
        proba_values = (
            np.asarray(model.predict_proba(X)) if hasattr(model, "predict_proba") else None
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        precision, recall, f1, support = precision_recall_fscore_support(
            y_true, y_pred, labels=classes, zero_division=0
        )
        scores = {
            "accuracy": accuracy_score(y_true, y_pred),
            "f1_macro": f1_score(y_true, y_pred, average="macro", zero_division=0),
            "f1_micro": f1_score(y_true, y_pred, average="micro", zero_division=0),
            "balanced_accuracy": balanced_accuracy_score(y_true, y_pred),
            "g_mean_macro": geometric_mean_score(y_true, y_pred, average="macro"),
        }
    positive = _positive_label(model, dataset, y_true)
    scores["f1_minority"] = minority_f1(y_true, y_pred, positive)
    probability: dict[str, Any] = {}
    if proba_values is not None:
        proba = probability_scores(
            y_true,
            proba_values,
            [str(c) for c in model.classes_],
            positive_label=positive if len(model.classes_) == 2 else None,
        )
        scores["roc_auc"], scores["pr_auc"] = proba["roc_auc"], proba["pr_auc"]
        probability = {
            "roc_auc_reason": proba["roc_auc_reason"],
            "pr_auc_reason": proba["pr_auc_reason"],
            "auc_average": proba["average"],
        }
    per_class = {
        label: None
        if support[i] == 0
        else {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(support[i]),
        }
        for i, label in enumerate(classes)
    }
    return {
        "split": split,
        "method": method,
        "scores": {k: float(v) for k, v in scores.items()},
        "positive_label": positive,
        "probability": probability,
        "per_class": per_class,
        "classes": classes,
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=classes).tolist(),
        "test_class_counts": {label: int(np.sum(y_true == label)) for label in classes},
        "predictions": {
            "row": [int(i) for i in test_encoded.index],
            "y_true": y_true.tolist(),
            "y_pred": y_pred.tolist(),
        },
    }
