"""The papers' optimistic protocols: max over epochs (paper 000), best of runs (paper 001)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.neural_network import MLPClassifier

from imbalanced_gan.evaluation.paper_protocols import (
    accuracy_per_epoch,
    best_of_runs,
    max_over_epochs,
)

MLP = {"hidden_layer_sizes": [8], "solver": "sgd", "batch_size": 4, "learning_rate_init": 0.05,
       "momentum": 0.9, "max_iter": 1000, "early_stopping": True, "n_iter_no_change": 5}  # fmt: skip


def data(seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 3))
    y = np.where(X[:, 0] + 0.5 * rng.normal(size=40) > 0, "p", "n")
    return X[:30], y[:30], X[30:], y[30:]


def test_the_curve_is_the_test_accuracy_after_each_partial_fit_epoch():
    X, y, Xt, yt = data()
    curve = accuracy_per_epoch(X, y, Xt, yt, MLP, seed=1, epochs=6)
    model = MLPClassifier(hidden_layer_sizes=(8,), solver="sgd", batch_size=4,
                          learning_rate_init=0.05, momentum=0.9, random_state=1)  # fmt: skip
    expected = []
    for _ in range(6):
        model.partial_fit(X, y, classes=np.array(["n", "p"]))
        expected.append(np.mean(model.predict(Xt) == yt))
    np.testing.assert_allclose(curve, expected)
    assert curve.shape == (6,) and ((curve >= 0) & (curve <= 1)).all()


def test_max_over_epochs_is_at_least_the_last_epoch_and_picks_the_best():
    curves = {"fold_00": np.array([0.5, 0.9, 0.6]), "fold_01": np.array([0.7, 0.6, 0.8])}
    summary = max_over_epochs(curves)
    assert summary["mean_of_max"] == pytest.approx(0.85)
    assert summary["mean_last_epoch"] == pytest.approx(0.7)
    assert summary["median_best_epoch"] == 2.5 and summary["n_splits"] == 2


def test_best_of_runs_takes_the_per_split_maximum():
    scores = pd.DataFrame(
        {"split": ["a", "a", "b", "b"], "run": [0, 1, 0, 1], "value": [0.1, 0.5, 0.4, 0.2]}
    )
    summary = best_of_runs(scores)
    assert summary["mean_of_best"] == pytest.approx(0.45)
    assert summary["mean_of_mean"] == pytest.approx(0.3)


def test_bad_input_is_named():
    X, y, Xt, yt = data()
    with pytest.raises(ValueError, match="epochs"):
        accuracy_per_epoch(X, y, Xt, yt, MLP, seed=0, epochs=0)
    with pytest.raises(ValueError, match="empty"):
        max_over_epochs({})
    with pytest.raises(ValueError, match="run"):
        best_of_runs(pd.DataFrame({"split": [], "value": []}))
