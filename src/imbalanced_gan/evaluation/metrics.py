"""Probability-based scores (ROC-AUC, PR-AUC), the minority-class F1 and the G-mean.

Paper 001 reports the minority F1 and the areas under the ROC and precision-recall curves.
The minority ("positive") class is chosen from the **training** labels
(:func:`minority_label`), never from the test part, so that every fold of a dataset scores
the same class. A test part that lacks a class does not crash a run: the scores that need
it are NaN and a ``*_reason`` entry says why.

G-mean. Three definitions circulate, and they differ on multi-class data:

- **mean of per-class G-means** (:func:`g_mean`, the one reported): for each class ``c``,
  one-vs-rest, ``sqrt(sensitivity_c * specificity_c)``, then the plain mean over classes.
  Paper 003 (DeepSMOTE) reports the "macro-averaged Geometric Mean" after Sokolova &
  Lapalme, whose macro-averaging is the mean over classes of a per-class measure; this is
  that reading.
- imbalanced-learn's ``geometric_mean_score(average="macro")``: the square root of
  (mean sensitivity x mean specificity) over classes (it averages the two factors first;
  checked in imbalanced-learn 0.14's source: ``sensitivity_specificity_support`` with
  ``average="macro"``, then ``sqrt(sen * spe)``). This is ``g_mean_macro`` in the
  per-split metrics.
- imbalanced-learn's default ``average="multiclass"``: the geometric mean of the per-class
  recalls (zero recalls replaced by ``correction``).
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from imbalanced_gan.evaluation._common import sorted_labels

__all__ = ["g_mean", "g_mean_from_confusion", "minority_f1", "minority_label", "probability_scores"]

logger = logging.getLogger(__name__)


def _plain(label: object) -> object:
    """A numpy scalar as the matching Python scalar (JSON-friendly)."""
    return label.item() if isinstance(label, np.generic) else label


def minority_label(y_train: np.ndarray | pd.Series | list[object]) -> object:
    """The class with the fewest rows in the training labels.

    Ties go to the smallest label in sorted order, so the choice is reproducible.

    Parameters
    ----------
    y_train : array-like of shape (n_rows,)
        Training labels (before any over-sampling).

    Returns
    -------
    label : scalar
    """
    y = np.asarray(y_train)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"y_train must be a non-empty 1-D array of labels, got shape {y.shape}")
    counts = pd.Series(y).value_counts()
    fewest = counts[counts == counts.min()].index.to_numpy()
    return _plain(sorted_labels(fewest)[0])


def _binary_scores(
    is_pos: np.ndarray, score: np.ndarray
) -> tuple[float, str | None, float, str | None]:
    """ROC-AUC and average precision of one class against the rest, NaN with a reason."""
    n_pos = int(is_pos.sum())
    roc, roc_reason = math.nan, None
    ap, ap_reason = math.nan, None
    if n_pos == 0:
        roc_reason = ap_reason = "no row of the positive class in y_true"
    elif n_pos == len(is_pos):
        roc_reason = "every row of y_true is of the positive class"
        ap = float(average_precision_score(is_pos, score))
    else:
        roc = float(roc_auc_score(is_pos, score))
        ap = float(average_precision_score(is_pos, score))
    return roc, roc_reason, ap, ap_reason


def probability_scores(
    y_true: np.ndarray | pd.Series | list[object],
    proba: np.ndarray,
    classes: np.ndarray | list[object],
    positive_label: object | None = None,
    y_train: np.ndarray | pd.Series | list[object] | None = None,
) -> dict[str, object]:
    """ROC-AUC and PR-AUC (average precision) of predicted class probabilities.

    Binary (two ``classes``): both scores are for ``positive_label``, by default the minority
    class of ``y_train`` (:func:`minority_label`). Multiclass: the macro mean of
    one-vs-rest scores over the classes **present in** ``y_true`` (a class absent from the test
    part has no positive row, so its scores are undefined and it is left out of the mean;
    ``classes_scored`` lists the classes averaged). With all classes present the results
    equal ``roc_auc_score(..., multi_class="ovr", average="macro")`` and
    ``average_precision_score(..., average="macro")``. A label of ``y_true`` that is not in
    ``classes`` (a class with no training row in this split, which the classifier never saw)
    gets a probability column of zeros, and the ``*_reason`` entries name it.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Labels of the test part.
    proba : ndarray of shape (n_rows, n_classes)
        ``predict_proba`` output; column ``j`` belongs to ``classes[j]``.
    classes : array-like of shape (n_classes,)
        The classifier's ``classes_``.
    positive_label : scalar, optional
        Binary case: the class scored. Defaults to ``minority_label(y_train)``.
    y_train : array-like, optional
        Training labels, used to choose the positive class when it is not given.

    Returns
    -------
    scores : dict
        ``roc_auc``, ``pr_auc``, ``roc_auc_reason`` and ``pr_auc_reason`` (None, or why the
        score is NaN), ``average`` (``"binary"`` or ``"macro_ovr"``), ``positive_label``
        (binary; None for multiclass) and ``classes_scored``.
    """
    y = np.asarray(y_true)
    labels = np.asarray(classes)
    p = np.asarray(proba, dtype=float)
    if labels.ndim != 1 or len(set(labels.tolist())) != len(labels) or len(labels) < 2:
        raise ValueError(f"classes must list at least 2 distinct labels, got {labels.tolist()}")
    if p.ndim != 2 or p.shape != (len(y), len(labels)):
        raise ValueError(
            f"proba must have shape (n_rows, n_classes) = ({len(y)}, {len(labels)}), got {p.shape}"
        )
    unseen = [c for c in sorted_labels(y) if c not in set(labels.tolist())]
    if unseen:
        # a class the classifier never saw (none of its rows in the training part, e.g. a
        # 1-row class whose row is in this test part) gets probability 0 on every row
        labels = np.asarray(labels.tolist() + unseen)
        p = np.hstack([p, np.zeros((len(y), len(unseen)))])
        positive_label = None if len(labels) > 2 else positive_label
    result = _scores(y, p, labels, positive_label, y_train)
    if unseen:
        note = (
            f"classes in y_true that the classifier never saw, scored with probability 0: "
            f"{[_plain(c) for c in unseen]}"
        )
        for key in ("roc_auc_reason", "pr_auc_reason"):
            result[key] = f"{result[key]}; {note}" if result[key] else note
    return result


def _scores(
    y: np.ndarray,
    p: np.ndarray,
    labels: np.ndarray,
    positive_label: object | None,
    y_train: np.ndarray | pd.Series | list[object] | None,
) -> dict[str, object]:
    """:func:`probability_scores` once every label of ``y`` has a column of ``p``."""
    if len(labels) == 2:
        if positive_label is None:
            if y_train is None:
                raise ValueError("binary scores need positive_label or y_train to choose it from")
            positive_label = minority_label(y_train)
        if positive_label not in labels.tolist():
            raise ValueError(f"positive_label {positive_label!r} is not one of {labels.tolist()}")
        column = labels.tolist().index(positive_label)
        roc, roc_reason, ap, ap_reason = _binary_scores(y == positive_label, p[:, column])
        return {
            "roc_auc": roc,
            "pr_auc": ap,
            "roc_auc_reason": roc_reason,
            "pr_auc_reason": ap_reason,
            "average": "binary",
            "positive_label": _plain(positive_label),
            "classes_scored": [_plain(positive_label)],
        }
    present = [c for c in labels.tolist() if c in set(y.tolist())]
    result: dict[str, object] = {
        "roc_auc": math.nan,
        "pr_auc": math.nan,
        "roc_auc_reason": None,
        "pr_auc_reason": None,
        "average": "macro_ovr",
        "positive_label": None,
        "classes_scored": [_plain(c) for c in present],
    }
    if len(present) < 2:
        reason = f"y_true holds fewer than 2 classes ({present}); one-vs-rest is undefined"
        result["roc_auc_reason"] = result["pr_auc_reason"] = reason
        return result
    per_class = [_binary_scores(y == c, p[:, labels.tolist().index(c)]) for c in present]
    result["roc_auc"] = float(np.mean([s[0] for s in per_class]))
    result["pr_auc"] = float(np.mean([s[2] for s in per_class]))
    absent = [_plain(c) for c in labels.tolist() if c not in present]
    if absent:
        note = f"classes absent from y_true left out of the macro mean: {absent}"
        result["roc_auc_reason"] = result["pr_auc_reason"] = note
    return result


def minority_f1(
    y_true: np.ndarray | pd.Series | list[object],
    y_pred: np.ndarray | pd.Series | list[object],
    positive_label: object,
) -> float:
    """F1 of one class (``2 TP / (2 TP + FP + FN)``); NaN when it is in neither input.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_rows,)
    positive_label : scalar
        The class scored, usually ``minority_label(y_train)``.

    Returns
    -------
    f1 : float
        0 when the class is predicted but never present (or present but never predicted);
        NaN, with a logged warning, when it is neither present nor predicted.
    """
    t, q = np.asarray(y_true), np.asarray(y_pred)
    if t.shape != q.shape or t.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D of equal length, got {t.shape} and {q.shape}"
        )
    tp = int(np.sum((t == positive_label) & (q == positive_label)))
    fp = int(np.sum((t != positive_label) & (q == positive_label)))
    fn = int(np.sum((t == positive_label) & (q != positive_label)))
    if tp + fp + fn == 0:
        logger.warning(
            "Class %r is neither in y_true nor in y_pred; its F1 is undefined (NaN)", positive_label
        )
        return math.nan
    return 2 * tp / (2 * tp + fp + fn)


def g_mean_from_confusion(confusion: np.ndarray | list[list[int]]) -> float:
    """Mean over classes of the one-vs-rest G-mean ``sqrt(sensitivity * specificity)``.

    Parameters
    ----------
    confusion : array-like of shape (n_classes, n_classes)
        Counts; rows are the true class, columns the predicted class.

    Returns
    -------
    g_mean : float
        The mean over the classes that have at least one true row (a class absent from
        the test part has no sensitivity and is left out); NaN when fewer than two classes
        have rows (specificity is then undefined).

    Examples
    --------
    >>> round(g_mean_from_confusion([[3, 1], [0, 2]]), 4)  # both classes: sqrt(3/4 * 1)
    0.866
    """
    cm = np.asarray(confusion, dtype=float)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] < 2:
        raise ValueError(f"confusion must be a square matrix of >= 2 classes, got shape {cm.shape}")
    if (cm < 0).any():
        raise ValueError("confusion holds negative counts")
    total = cm.sum()
    true = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    present = np.flatnonzero(true > 0)
    if len(present) < 2:
        return math.nan
    tp = np.diag(cm)[present]
    sensitivity = tp / true[present]
    negatives = total - true[present]
    specificity = (negatives - (predicted[present] - tp)) / negatives
    return float(np.mean(np.sqrt(sensitivity * specificity)))


def g_mean(
    y_true: np.ndarray | pd.Series | list[object],
    y_pred: np.ndarray | pd.Series | list[object],
    labels: np.ndarray | list[object] | None = None,
) -> float:
    """The reported G-mean: mean of per-class (one-vs-rest) G-means; see the module docs.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_rows,)
    labels : array-like, optional
        Every class (by default those in ``y_true`` or ``y_pred``). Classes without a true
        row are left out of the mean.

    Returns
    -------
    g_mean : float
    """
    t, q = np.asarray(y_true), np.asarray(y_pred)
    if t.shape != q.shape or t.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D of equal length, got {t.shape} and {q.shape}"
        )
    classes = list(labels) if labels is not None else sorted_labels(np.concatenate([t, q]))
    index = {c: i for i, c in enumerate(classes)}
    unknown = sorted(map(str, (set(t.tolist()) | set(q.tolist())) - set(index)))
    if unknown:
        raise ValueError(f"labels {unknown} of y_true / y_pred are not in labels")
    cm = np.zeros((len(classes), len(classes)))
    np.add.at(cm, ([index[v] for v in t.tolist()], [index[v] for v in q.tolist()]), 1)
    return g_mean_from_confusion(cm)
