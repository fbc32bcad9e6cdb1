"""Property-based tests: any valid table in, the promised counts and types out."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gan_oversamplers import GANSMOTE, SafeSMOTE

TINY = {
    "epochs": 3,
    "flip_stop_epoch": 2,
    "restart_start_epoch": 1,
    "restart_cycle": 2,
    "generator_dims": (4,),
    "discriminator_dims": (4,),
}


@st.composite
def tables(draw):
    counts = draw(st.lists(st.integers(1, 12), min_size=2, max_size=4))
    n_features = draw(st.integers(1, 5))
    n = sum(counts)
    binary = draw(st.booleans())
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    if binary:
        X = draw(arrays(np.int8, (n, n_features), elements=st.integers(0, 1))).astype(dtype)
    else:
        X = draw(arrays(dtype, (n, n_features), elements=st.floats(-1e3, 1e3, width=32)))
    labels = draw(st.sampled_from([np.arange(len(counts)), np.array(list("abcd")[: len(counts)])]))
    y = np.repeat(labels, counts)
    return X, y, dict(zip(labels.tolist(), counts, strict=True))


def _check(X, y, counts, X_res, y_res):
    majority = max(counts.values())
    assert {k: int(np.sum(y_res == k)) for k in counts} == dict.fromkeys(counts, majority)
    assert X_res.dtype == X.dtype and y_res.dtype == y.dtype
    assert X_res.shape == (majority * len(counts), X.shape[1])
    np.testing.assert_array_equal(X_res[: len(X)], X)
    assert np.isfinite(X_res).all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_gan_smote_tops_any_table_up_with_the_right_counts_and_types(table):
    X, y, counts = table
    X_res, y_res = GANSMOTE(**TINY, random_state=0).fit_resample(X, y)
    _check(X, y, counts, X_res, y_res)
    for label in counts:  # each class's new rows: binary columns 0/1, others in the real range
        real = X[y == label].astype(np.float64)
        new = X_res[len(X) :][y_res[len(X) :] == label].astype(np.float64)
        binary = np.all((real == 0) | (real == 1), axis=0)
        assert set(np.unique(new[:, binary])) <= {0.0, 1.0}
        lo, hi = real.min(axis=0)[~binary], real.max(axis=0)[~binary]
        tol = 1e-3 * (1 + np.abs(hi))  # float32 rounding of the scaled-back rows
        assert np.all(new[:, ~binary] >= lo - tol) and np.all(new[:, ~binary] <= hi + tol)


@settings(max_examples=25, deadline=None)
@given(tables())
def test_safe_smote_tops_any_table_up_with_the_right_counts_and_types(table):
    X, y, counts = table
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        X_res, y_res = SafeSMOTE(random_state=0).fit_resample(X, y)
    _check(X, y, counts, X_res, y_res)
