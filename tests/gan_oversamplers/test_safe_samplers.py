"""ADASYN, Borderline-SMOTE, SMOTENC and SMOTEN baselines, safe for small classes."""

import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.utils.estimator_checks import parametrize_with_checks

from gan_oversamplers import make_baseline
from gan_oversamplers.baselines import BASELINES
from gan_oversamplers.safe_samplers import (
    SafeADASYN,
    SafeBorderlineSMOTE,
    SafeSMOTEN,
    SafeSMOTENC,
)

NUMERIC = ("adasyn", "borderline_smote")


def _overlapping(counts, seed=0):
    """Classes drawn from overlapping Gaussians (every class has rows near the others)."""
    rng = np.random.default_rng(seed)
    y = np.concatenate([[label] * n for label, n in counts.items()])
    centres = {label: i * 0.5 for i, label in enumerate(counts)}
    X = rng.normal(size=(len(y), 3)) + np.array([centres[label] for label in y])[:, None]
    return X, y


def _categorical(counts, seed=0):
    rng = np.random.default_rng(seed)
    y = np.concatenate([[label] * n for label, n in counts.items()])
    X = np.column_stack([rng.choice(list("abcdef"), len(y)) for _ in range(5)]).astype(object)
    return X, y


def _expected_failures(estimator):
    # check_samplers_string feeds a table of strings only: SMOTENC refuses it by design
    # ("requires some numerical features"), as imbalanced-learn's own SMOTENC does
    if isinstance(estimator, SafeSMOTENC):
        return {"check_samplers_string": "SMOTENC needs a numeric column"}
    return {}


@parametrize_with_checks(
    [
        SafeADASYN(random_state=0),
        SafeBorderlineSMOTE(random_state=0),
        SafeSMOTEN(random_state=0),
        SafeSMOTENC(categorical_features=[0], random_state=0),
    ],
    expected_failed_checks=_expected_failures,
)
def test_imbalanced_learn_common_checks(estimator, check):
    check(estimator)


def test_every_new_name_is_a_baseline():
    assert {"adasyn", "borderline_smote", "smotenc", "smoten"} <= set(BASELINES)


@pytest.mark.parametrize("name", NUMERIC)
def test_exact_counts_real_rows_first_and_determinism(name):
    X, y = _overlapping({"big": 60, "mid": 25, "small": 12})
    X_res, y_res = make_baseline(name, random_state=0).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {"big": 60, "mid": 60, "small": 60}
    np.testing.assert_array_equal(X_res[: len(X)], X)
    again = make_baseline(name, random_state=0).fit_resample(X, y)[0]
    other = make_baseline(name, random_state=1).fit_resample(X, y)[0]
    np.testing.assert_array_equal(X_res, again)
    assert not np.array_equal(X_res, other)


def test_adasyn_exact_counts_where_plain_adasyn_misses():
    from imblearn.over_sampling import ADASYN

    X, y = _overlapping({"big": 60, "small": 13})
    plain_count = Counter(ADASYN(random_state=0).fit_resample(X, y)[1].tolist())["small"]
    assert plain_count != 60  # the rounding this sampler corrects
    _, y_res = SafeADASYN(random_state=0).fit_resample(X, y)
    assert Counter(y_res.tolist())["small"] == 60
    _, y_own = SafeADASYN(random_state=0, exact_counts=False).fit_resample(X, y)
    assert Counter(y_own.tolist())["small"] == plain_count


@pytest.mark.parametrize("name", NUMERIC)
def test_isolated_class_falls_back_to_smote_or_raises(name):
    # a class far from every other: ADASYN's weights are 0, no row is in danger
    X, y = _overlapping({"big": 40, "far": 8})
    X[y == "far"] += 100
    with pytest.warns(UserWarning, match="class 'far'.*come from SMOTE"):
        sampler = make_baseline(name, random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist()) == {"big": 40, "far": 40}
    assert sampler.fallback_classes_ == ["far"]
    assert np.all(X_res[len(X) :] > 50)  # SMOTE rows of the far class
    with pytest.raises(ValueError, match="cannot over-sample class 'far'"):
        make_baseline(name, random_state=0, fallback="raise").fit_resample(X, y)


@pytest.mark.parametrize("name", NUMERIC)
def test_small_classes_reduce_k_and_a_single_row_is_copied(name):
    X, y = _overlapping({"big": 40, "three": 3, "one": 1})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sampler = make_baseline(name, random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
    messages = " ".join(str(w.message) for w in caught)
    assert "class 'three' has 3 rows" in messages and "class 'one' has a single row" in messages
    assert sampler.k_neighbors_ == {"one": 0, "three": 2}
    assert Counter(y_res.tolist()) == {"big": 40, "three": 40, "one": 40}
    np.testing.assert_array_equal(
        X_res[len(X) :][y_res[len(X) :] == "one"], X[y == "one"][[0] * 39]
    )


def test_smotenc_with_column_names_and_tiny_classes():
    rng = np.random.default_rng(0)
    y = np.array(["a"] * 30 + ["b"] * 4 + ["c"] * 1)
    X = pd.DataFrame({"colour": rng.choice(["red", "blue"], 35), "size": rng.normal(10, 2, 35)})
    with pytest.warns(UserWarning, match="class 'c' has a single row"):
        sampler = make_baseline("smotenc", categorical_features=["colour"], random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == ["colour", "size"]
    assert Counter(y_res.tolist()) == {"a": 30, "b": 30, "c": 30}
    new = X_res.iloc[35:]
    assert set(new["colour"]) <= {"red", "blue"}
    b_sizes = X["size"][y == "b"]
    b_new = new["size"][y_res[35:] == "b"].astype(float)
    assert b_new.between(b_sizes.min() - 1e-9, b_sizes.max() + 1e-9).all()
    assert sampler.k_neighbors_ == {"b": 3, "c": 0}
    again = make_baseline("smotenc", categorical_features=["colour"], random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.testing.assert_frame_equal(X_res, again.fit_resample(X, y)[0])


def test_smotenc_needs_categorical_features():
    with pytest.raises(ValueError, match="categorical_features"):
        make_baseline("smotenc")


def test_smoten_counts_categories_and_determinism():
    X, y = _categorical({0: 40, 1: 10, 2: 2})
    with pytest.warns(UserWarning, match="class 2 has 2 rows"):
        X_res, y_res = make_baseline("smoten", random_state=0).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 40, 1: 40, 2: 40}
    np.testing.assert_array_equal(X_res[: len(X)], X)
    for column in range(X.shape[1]):  # only categories seen in the column
        assert set(X_res[:, column]) <= set(X[:, column])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = make_baseline("smoten", random_state=0).fit_resample(X, y)[0]
        other = make_baseline("smoten", random_state=3).fit_resample(X, y)[0]
    np.testing.assert_array_equal(X_res, again)
    assert not np.array_equal(X_res, other)


def test_bad_parameter_is_named():
    X, y = _overlapping({"big": 20, "small": 8})
    with pytest.raises(ValueError, match="n_neighbors"):
        make_baseline("adasyn", n_neighbors=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="fallback"):
        make_baseline("borderline_smote", fallback="copy").fit_resample(X, y)
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        make_baseline("adasyn").fit_resample(X, y)
