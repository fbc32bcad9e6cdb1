"""The papers' own evaluation protocols, labelled as such: optimistic, never the default.

- **Paper 000** (GAN-SMOTE), Table 1, reports "the mean of the maximum accuracy scores":
  the network is trained epoch by epoch, scored on the test fold after every epoch, and
  the best epoch's test accuracy is kept. The epoch is chosen on the test data, so the
  figure is biased upwards (with small test folds, by the luck of one epoch).
  :func:`accuracy_per_epoch` records the curve, :func:`max_over_epochs` summarises it.
- **Paper 001** (SMOTified-GAN) reports the best of 30 runs: the maximum over runs
  (seeds) of the test score, again a choice made on the test data: :func:`best_of_runs`.

The honest protocol (the project's default) trains once per split, selecting nothing on
the test part, and reports the mean over splits.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

__all__ = ["best_of_runs", "max_over_epochs", "accuracy_per_epoch"]

#: Keys of a ``classifier.mlp`` block that epoch-by-epoch training cannot use.
_NOT_INCREMENTAL = ("early_stopping", "validation_fraction", "n_iter_no_change", "max_iter")


def accuracy_per_epoch(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    mlp: Mapping[str, Any],
    seed: int,
    epochs: int,
) -> np.ndarray:
    """Test-part accuracy after each epoch of an MLP trained with ``partial_fit``.

    Parameters
    ----------
    X_train, y_train : arrays
        The (topped-up) training part.
    X_test, y_test : arrays
        The untouched test part.
    mlp : mapping
        ``MLPClassifier`` arguments (a ``classifier.mlp`` block); early stopping and
        ``max_iter`` are dropped: one ``partial_fit`` call is one epoch.
    seed : int
        ``random_state`` of the network.
    epochs : int
        Number of epochs.

    Returns
    -------
    accuracy : ndarray of shape (epochs,)
        Accuracy on the test part after epoch 1, 2, ...
    """
    if int(epochs) < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    y_train, y_test = np.asarray(y_train).astype(str), np.asarray(y_test).astype(str)
    if len(X_train) != len(y_train) or len(X_test) != len(y_test):
        raise ValueError("X and y of each part must have the same number of rows")
    params = {k: v for k, v in dict(mlp).items() if k not in _NOT_INCREMENTAL}
    if "hidden_layer_sizes" in params:
        params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    model = MLPClassifier(random_state=seed, **params)
    classes = np.unique(np.concatenate([y_train, y_test]))
    curve = np.empty(int(epochs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for epoch in range(int(epochs)):
            model.partial_fit(X_train, y_train, classes=classes)
            curve[epoch] = float(np.mean(model.predict(X_test) == y_test))
    return curve


def max_over_epochs(curves: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Paper 000's "mean of the maximum accuracy scores" over splits (optimistic).

    Parameters
    ----------
    curves : mapping
        Split name -> test accuracy per epoch (:func:`accuracy_per_epoch`).

    Returns
    -------
    summary : dict
        ``mean_of_max`` and ``std_of_max`` (ddof = 1) over splits, ``mean_last_epoch``
        (the score without selection, for contrast), ``median_best_epoch`` (1-based) and
        ``n_splits``.
    """
    if not curves:
        raise ValueError("curves is empty: give at least one split's accuracy curve")
    maxima = np.array([np.max(c) for c in curves.values()])
    last = np.array([np.asarray(c)[-1] for c in curves.values()])
    best = np.array([int(np.argmax(c)) + 1 for c in curves.values()])
    return {
        "mean_of_max": float(maxima.mean()),
        "std_of_max": float(maxima.std(ddof=1)) if len(maxima) > 1 else 0.0,
        "mean_last_epoch": float(last.mean()),
        "median_best_epoch": float(np.median(best)),
        "n_splits": len(maxima),
    }


def best_of_runs(scores: pd.DataFrame) -> dict[str, float]:
    """Paper 001's "best of N runs": per split the maximum over runs, then the mean (optimistic).

    Parameters
    ----------
    scores : DataFrame
        Columns ``split``, ``run`` (e.g. the seed) and ``value``.

    Returns
    -------
    summary : dict
        ``mean_of_best``, ``mean_of_mean`` (the honest mean over runs, for contrast),
        ``n_splits`` and ``n_runs``.
    """
    missing = sorted({"split", "run", "value"} - set(scores.columns))
    if missing:
        raise ValueError(f"scores lacks columns {missing}")
    per_split = scores.groupby("split")["value"]
    return {
        "mean_of_best": float(per_split.max().mean()),
        "mean_of_mean": float(per_split.mean().mean()),
        "n_splits": int(per_split.ngroups),
        "n_runs": int(scores["run"].nunique()),
    }
