"""Classifier training and evaluation nodes."""

from __future__ import annotations

import logging
import math
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

from gan_oversamplers._random import derive_seed
from imbalanced_gan.evaluation.metrics import (
    g_mean,
    minority_f1,
    minority_label,
    probability_scores,
)
from imbalanced_gan.lineage import record_rows
from imbalanced_gan.params import ClassifierParams, DatasetParams

logger = logging.getLogger(__name__)

#: Code defaults of each MLP by name (``conf/`` overrides them key by key).
#:
#: ``mlp``: one hidden layer of 100, Adam, a fixed 200 epochs; it selects nothing, so no
#: row outside the training part can judge it. Chosen on Lymphography's real rows alone
#: (an inner 20 % of each training part, no test fold): 200 epochs reach 100 % on the
#: real training rows and 83 % on the held-out real rows, the best of 25-400 epochs
#: (docs/protocol.md). ``mlp_paper000``: paper 000's 1 x 100 network, SGD, minibatches
#: of 16, early stopping, which here watches real rows held out before over-sampling
#: (``folds.validation_fraction``), never synthetic ones.
MLP_DEFAULTS: dict[str, dict[str, Any]] = {
    "mlp": {
        "hidden_layer_sizes": (100,),
        "solver": "adam",
        "learning_rate_init": 0.001,
        "max_iter": 200,
        "early_stopping": False,
    },
    "mlp_paper000": {
        "hidden_layer_sizes": (100,),
        "solver": "sgd",
        "batch_size": 16,
        "learning_rate_init": 0.01,
        "momentum": 0.9,
        "max_iter": 1000,
        "early_stopping": True,
        "n_iter_no_change": 50,
    },
}

#: The MLP keys that this module handles itself (selection on real held-out rows).
_SELECTION_KEYS = ("early_stopping", "n_iter_no_change", "validation_fraction", "tol")


def classifier_seed(seed: int, split: str) -> int:
    """The classifier's initialisation seed on ``split``.

    Derived from the run's ``seed`` and the split: it varies over folds and repeats (the
    spread over splits includes the network's own randomness) and is the same for every
    method of one split (paired differences then come from the over-sampling).
    """
    return derive_seed(seed, "classifier", split)


def mlp_settings(classifier: ClassifierParams) -> dict[str, Any]:
    """The MLP's settings: the code defaults of its name overlaid with its ``conf`` block."""
    params = {**MLP_DEFAULTS[classifier.name], **getattr(classifier, classifier.name)}
    params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    return params


def epoch_budget(settings: dict[str, Any], n_rows: int, max_updates: int | None) -> int:
    """The epochs an MLP trains on ``n_rows`` rows: ``max_iter``, or fewer within the budget.

    An epoch of a minibatch solver (``adam``, ``sgd``) is ``ceil(n_rows / batch)`` gradient
    updates (scikit-learn's ``batch_size: auto`` is ``min(200, n_rows)``). With a budget
    ``max_updates`` (``classifier.max_updates``) the MLP trains the most whole epochs that
    fit in it, at least one and at most ``max_iter``; a training part small enough that
    ``max_iter`` epochs fit trains exactly as without a budget. ``lbfgs`` (no minibatches)
    and ``max_updates=None`` keep ``max_iter``.
    """
    max_iter = int(settings["max_iter"])
    if max_updates is None or settings.get("solver", "adam") == "lbfgs" or n_rows < 1:
        return max_iter
    batch = settings.get("batch_size", "auto")
    batch = min(200, n_rows) if batch in ("auto", None) else min(int(batch), n_rows)
    per_epoch = math.ceil(n_rows / batch)
    return max(1, min(max_iter, max_updates // per_epoch))


def budget_in_words(classifier: ClassifierParams) -> str:
    """The classifier budget in one clause (empty without one)."""
    if classifier.name == "decision_tree" or classifier.max_updates is None:
        return ""
    return (
        f" (fewer on a large training part: at most {classifier.max_updates:,} gradient "
        "updates per fit, `classifier.max_updates`)"
    )


def selection_in_words(classifier: ClassifierParams, validation_fraction: float) -> str:
    """How the configured classifier is selected, in one sentence (the report's)."""
    if classifier.name == "decision_tree":
        return "The decision tree selects nothing (no validation score is looked at)."
    settings = mlp_settings(classifier)
    if not settings.get("early_stopping"):
        return (
            f"The MLP selects nothing: it trains a fixed {settings['max_iter']} epochs"
            f"{budget_in_words(classifier)}, so no row outside its training part judges it."
        )
    return (
        "The MLP keeps the epoch with the best accuracy on real rows held out from each "
        f"split's training part before over-sampling ({100 * validation_fraction:g} % per "
        f"class, `folds.validation_fraction`; patience {settings.get('n_iter_no_change', 10)}, "
        f"at most {settings['max_iter']} epochs{budget_in_words(classifier)}); it never "
        "looks at synthetic rows."
    )


def make_classifier(classifier: ClassifierParams, seed: int) -> ClassifierMixin:
    """The configured classifier with a fixed initialisation seed.

    An MLP is built without scikit-learn's own early stopping, which would hold out
    part of the *topped-up* training set (synthetic rows and copies judging the
    network); :func:`train_classifier` stops it on real held-out rows instead.
    """
    if classifier.name == "decision_tree":
        return DecisionTreeClassifier(random_state=seed, **classifier.decision_tree)
    params = mlp_settings(classifier)
    for key in _SELECTION_KEYS:
        params.pop(key, None)
    return MLPClassifier(random_state=seed, **params)


def _fit_early_stopped(
    model: MLPClassifier,
    X: np.ndarray,
    y: np.ndarray,
    valid: pd.DataFrame,
    dataset: DatasetParams,
    settings: dict[str, Any],
) -> dict[str, Any]:
    """Train epoch by epoch; keep the weights of the epoch best on the real held-out rows.

    Stops after ``n_iter_no_change`` epochs without an accuracy gain over ``tol`` on
    ``valid`` (real rows the samplers never saw), or at ``max_iter``.
    """
    X_valid = valid.drop(columns=[dataset.target]).to_numpy(dtype=np.float64)
    y_valid = valid[dataset.target].astype(str).to_numpy()
    classes = np.unique(np.concatenate([y, y_valid]))
    patience, tol = int(settings.get("n_iter_no_change", 10)), float(settings.get("tol", 1e-4))
    best, best_epoch, best_weights, stale = -np.inf, 0, None, 0
    for epoch in range(1, int(settings["max_iter"]) + 1):
        model.partial_fit(X, y, classes=classes)
        score = float(np.mean(model.predict(X_valid) == y_valid))
        if score > best + tol:
            best, best_epoch, stale = score, epoch, 0
            best_weights = ([w.copy() for w in model.coefs_], [b.copy() for b in model.intercepts_])
        else:
            stale += 1
            if stale >= patience:
                break
    model.coefs_, model.intercepts_ = best_weights
    return {
        "protocol": "early stopping on real rows held out before over-sampling",
        "best_epoch": best_epoch,
        "epochs_run": epoch,
        "validation_accuracy": best,
        "validation_rows": len(y_valid),
    }


def train_classifier(
    train_topped_up: pd.DataFrame,
    valid_encoded: pd.DataFrame,
    dataset: DatasetParams,
    classifier: ClassifierParams,
    seed: int,
    *,
    split: str,
    method: str,
) -> ClassifierMixin:
    """Fit the classifier on one split's (topped-up) training part.

    ``valid_encoded`` holds real rows of the split's training part that were held out
    before over-sampling (``folds.validation_fraction``); only an early-stopped MLP looks
    at them, to pick its epoch. The initialisation seed derives from ``seed`` and the
    split, so it varies over folds and repeats and is shared by every method of a split
    (paired comparisons). The model records: ``selection_`` (how, if at all, it was
    selected), ``train_accuracy_real_`` (accuracy on the real rows it trained on) and the
    rows it saw (:mod:`imbalanced_gan.lineage`).
    """
    X = train_topped_up.drop(columns=[dataset.target, "is_synthetic"]).to_numpy(dtype=np.float64)
    y = train_topped_up[dataset.target].astype(str).to_numpy()
    real = ~train_topped_up["is_synthetic"].to_numpy(dtype=bool)
    model = make_classifier(classifier, classifier_seed(seed, split))
    settings = mlp_settings(classifier) if classifier.name != "decision_tree" else {}
    budget: dict[str, Any] = {}
    if settings:
        epochs = epoch_budget(settings, len(y), classifier.max_updates)
        if epochs < int(settings["max_iter"]):
            budget = {"epochs_budget": epochs, "max_updates": classifier.max_updates}
            logger.info(
                "%s/%s: %d training rows; the MLP trains %d epoch(s) instead of %d "
                "(classifier.max_updates: %d)",
                split,
                method,
                len(y),
                epochs,
                settings["max_iter"],
                classifier.max_updates,
            )
            settings["max_iter"] = epochs
            model.set_params(max_iter=epochs)
    early_stopping = bool(settings.get("early_stopping"))
    if early_stopping and valid_encoded.empty:
        raise ValueError(
            f"classifier {classifier.name!r} has early_stopping: true, but {split} has no "
            "real rows held out for it: set folds.validation_fraction (e.g. 0.1), or "
            f"early_stopping: false in classifier.{classifier.name}"
        )
    # one BLAS thread: these matrices are small, and with several threads per process
    # OpenBLAS spins; measured 18x slower on 2 busy cores (docs/benchmark.md)
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Stochastic Optimizer", category=UserWarning)
        warnings.filterwarnings(
            "ignore", category=__import__("sklearn").exceptions.ConvergenceWarning
        )
        if early_stopping:
            model.selection_ = _fit_early_stopped(model, X, y, valid_encoded, dataset, settings)
            model.selection_.update(budget)
            record_rows(model, valid_encoded, role="selection")
        else:
            model.fit(X, y)
            model.selection_ = {
                "protocol": "none (fixed epochs)" if settings else "none",
                "epochs_run": int(getattr(model, "n_iter_", 0)),
                **budget,
            }
        model.train_accuracy_real_ = (  # NaN when trained on synthetic rows only (paper 002)
            float(np.mean(model.predict(X[real]) == y[real])) if real.any() else float("nan")
        )
    record_rows(model, train_topped_up.index[real])
    labels, counts = np.unique(y[real], return_counts=True)
    model.real_class_counts_ = {str(k): int(v) for k, v in zip(labels, counts, strict=True)}
    logger.info(
        "%s/%s: %s trained on %d rows (%d synthetic); %.1f %% on its real rows; selection: %s",
        split,
        method,
        classifier.name,
        len(y),
        int((~real).sum()),
        100 * model.train_accuracy_real_,
        model.selection_["protocol"],
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
            "g_mean": g_mean(y_true, y_pred, labels=classes),  # paper 003's (docs/protocol.md)
            "g_mean_macro": geometric_mean_score(y_true, y_pred, average="macro"),
        }
    positive = _positive_label(model, dataset, y_true)
    scores["f1_minority"] = minority_f1(y_true, y_pred, positive)
    if hasattr(model, "train_accuracy_real_"):
        scores["train_accuracy_real"] = model.train_accuracy_real_
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
        "selection": getattr(model, "selection_", {"protocol": "unknown"}),
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
