"""The reported G-mean (mean of per-class G-means) against imbalanced-learn's definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score, sensitivity_specificity_support

from imbalanced_gan.evaluation.metrics import g_mean, g_mean_from_confusion

Y_TRUE = ["a", "a", "a", "a", "b", "b", "c", "c", "c"]
Y_PRED = ["a", "a", "a", "b", "b", "c", "c", "c", "a"]


def test_g_mean_is_the_mean_of_per_class_one_vs_rest_g_means():
    # a: sens 3/4, spec 4/5 (one c predicted a); b: sens 1/2, spec 6/7; c: sens 2/3, spec 5/6
    expected = np.mean(
        [math.sqrt(3 / 4 * 4 / 5), math.sqrt(1 / 2 * 6 / 7), math.sqrt(2 / 3 * 5 / 6)]
    )
    assert g_mean(Y_TRUE, Y_PRED) == pytest.approx(expected)


def test_imbalanced_learn_macro_is_a_different_quantity():
    sen, spe, _ = sensitivity_specificity_support(Y_TRUE, Y_PRED, average="macro")
    imblearn_macro = geometric_mean_score(Y_TRUE, Y_PRED, average="macro")
    assert imblearn_macro == pytest.approx(math.sqrt(sen * spe))  # sqrt(mean sens x mean spec)
    assert g_mean(Y_TRUE, Y_PRED) != pytest.approx(imblearn_macro, abs=1e-4)


def test_a_class_absent_from_the_test_part_is_left_out():
    with_d = g_mean(Y_TRUE, Y_PRED, labels=["a", "b", "c", "d"])
    assert with_d == pytest.approx(g_mean(Y_TRUE, Y_PRED))
    assert math.isnan(g_mean_from_confusion([[2, 0], [0, 0]]))


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="not in labels"):
        g_mean(["a", "b"], ["a", "z"], labels=["a", "b"])
    with pytest.raises(ValueError, match="square"):
        g_mean_from_confusion([[1, 2, 3]])
