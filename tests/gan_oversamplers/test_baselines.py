from collections import Counter

import numpy as np
import pytest
from imblearn.over_sampling import RandomOverSampler

from gan_oversamplers import SafeSMOTE, make_baseline


def _data(counts):
    rng = np.random.default_rng(0)
    y = np.concatenate([[label] * n for label, n in counts.items()])
    return rng.normal(size=(len(y), 4)), y


def test_smote_reduces_k_for_small_classes_with_a_warning():
    X, y = _data({"big": 30, "small": 3})
    with pytest.warns(UserWarning, match="class 'small' has 3 rows.*k_neighbors=2"):
        sampler = SafeSMOTE(random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist()) == {"big": 30, "small": 30}
    assert sampler.k_neighbors_ == {"small": 2}
    new = X_res[len(X) :]
    small = X[y == "small"]
    # SMOTE rows lie in the bounding box of the class's real rows
    assert np.all(new >= small.min(axis=0) - 1e-12) and np.all(new <= small.max(axis=0) + 1e-12)


def test_single_row_class_falls_back_to_copies():
    X, y = _data({"big": 10, "one": 1})
    with pytest.warns(UserWarning, match="class 'one' has a single row"):
        X_res, y_res = SafeSMOTE(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[len(X) :], np.repeat(X[y == "one"], 9, axis=0))


def test_large_classes_use_the_requested_k_silently():
    X, y = _data({"a": 40, "b": 20})
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampler = SafeSMOTE(random_state=0, k_neighbors=5)
        sampler.fit_resample(X, y)
    assert sampler.k_neighbors_ == {"b": 5}


def test_make_baseline_names():
    assert make_baseline("no_oversampling") is None
    assert isinstance(make_baseline("random_oversampling", random_state=0), RandomOverSampler)
    assert make_baseline("smote", k_neighbors=3).k_neighbors == 3
    with pytest.raises(ValueError, match="Unknown baseline 'smot'"):
        make_baseline("smot")
