import pickle
from collections import Counter

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from imblearn.utils.estimator_checks import parametrize_with_checks
from sklearn.linear_model import LogisticRegression

from gan_oversamplers import GANSMOTE, GANSMOTEGenerator
from tests.conftest import TINY


@parametrize_with_checks(
    [GANSMOTE(**TINY, generator_dims=(8,), discriminator_dims=(8,), random_state=0)]
)
def test_imbalanced_learn_common_checks(estimator, check):
    check(estimator)


def test_fit_resample_tops_every_class_up_to_the_majority(binary_data):
    X, y = binary_data
    X_res, y_res = GANSMOTE(**TINY, random_state=0).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 20, 1: 20, 2: 20}
    np.testing.assert_array_equal(X_res[: len(X)], X)  # real rows first, untouched
    assert set(GANSMOTE(**TINY, random_state=0).fit(X, y).sampling_strategy_) == {1, 2}


def test_dict_sampling_strategy_gives_exact_counts(binary_data):
    X, y = binary_data
    _, y_res = GANSMOTE(**TINY, random_state=0, sampling_strategy={2: 15}).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 20, 1: 12, 2: 15}


def test_binary_columns_are_rounded_to_zero_or_one(binary_data):
    X, y = binary_data
    X_res, _ = GANSMOTE(**TINY, random_state=1).fit_resample(X, y)
    assert set(np.unique(X_res[len(X) :])) <= {0.0, 1.0}
    unrounded = GANSMOTE(**TINY, random_state=1, round_binary=False).fit_resample(X, y)[0][len(X) :]
    assert not set(np.unique(unrounded)) <= {0.0, 1.0}
    assert np.all((unrounded > 0) & (unrounded < 1))  # sigmoid range


def test_same_random_state_same_output_and_different_state_differs(binary_data):
    X, y = binary_data
    a = GANSMOTE(**TINY, random_state=7, round_binary=False).fit_resample(X, y)[0]
    b = GANSMOTE(**TINY, random_state=7, round_binary=False).fit_resample(X, y)[0]
    c = GANSMOTE(**TINY, random_state=8, round_binary=False).fit_resample(X, y)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_numeric_columns_are_scaled_back_into_the_real_range():
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.normal(1000, 50, 30), rng.integers(0, 2, 30)]).astype(float)
    model = GANSMOTEGenerator(random_state=0, **TINY).fit(X)
    new = model.sample(200)
    assert new[:, 0].min() >= X[:, 0].min() and new[:, 0].max() <= X[:, 0].max()
    assert new[:, 0].std() > 0
    assert set(np.unique(new[:, 1])) <= {0.0, 1.0}
    assert model.binary_columns_.tolist() == [False, True]


def test_history_records_losses_and_the_schedules():
    X = np.random.default_rng(0).integers(0, 2, size=(10, 5)).astype(float)
    model = GANSMOTEGenerator(random_state=0, **TINY).fit(X)
    history = model.history_
    assert list(history.columns) == ["epoch", "d_loss", "g_loss", "lr", "flip_probability"]
    assert len(history) == TINY["epochs"]
    assert np.isfinite(history[["d_loss", "g_loss"]].to_numpy()).all()
    assert history["flip_probability"].iloc[0] == pytest.approx(0.3)
    assert (history["flip_probability"].iloc[TINY["flip_stop_epoch"] :] == 0).all()
    assert history["lr"].iloc[TINY["restart_start_epoch"]] == pytest.approx(1e-3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_training_changes_the_generator_towards_the_data(seed):
    # one class, every row the same pattern: a trained generator must produce it.
    # (Bit-flips are off: 30 % flips of a single pattern make the target a blur.)
    X = np.tile([1, 0, 1, 1, 0, 0, 1, 0], (20, 1)).astype(float)
    schedule = {"epochs": 600, "restart_start_epoch": 100, "restart_cycle": 100, "flip_start": 0.0}
    rates = {"generator_lr": 1e-3, "discriminator_lr": 1e-3}
    model = GANSMOTEGenerator(random_state=seed, **schedule, **rates).fit(X)
    untrained = GANSMOTEGenerator(random_state=seed, epochs=1).fit(X)

    def hit(m):
        return (m.sample(200) == X[0]).all(axis=1).mean()

    assert hit(model) > 0.9 > hit(untrained)


def test_pickled_generator_samples_identically():
    X = np.random.default_rng(0).integers(0, 2, size=(10, 5)).astype(float)
    model = GANSMOTEGenerator(random_state=0, **TINY).fit(X)
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(
        model.sample(50, random_state=3), clone.sample(50, random_state=3)
    )
    assert not clone.generator_params_[0].requires_grad


def test_errors_name_the_problem():
    X = np.zeros((5, 3))
    with pytest.raises(RuntimeError, match="class 'x' is not fitted"):
        GANSMOTEGenerator(label="x").sample(3)
    with pytest.raises(ValueError, match="epochs"):
        GANSMOTEGenerator(epochs=0).fit(X)
    with pytest.raises(TypeError, match="learning_rate"):
        GANSMOTEGenerator(learning_rate=0.1).fit(X)
    with pytest.raises(ValueError, match="minibatch_reference"):
        GANSMOTE(minibatch_reference="some").fit_resample(X, np.array([0, 0, 0, 1, 1]))


def test_works_inside_an_imblearn_pipeline(binary_data):
    X, y = binary_data
    model = make_pipeline(GANSMOTE(**TINY, random_state=0), LogisticRegression()).fit(X, y)
    assert model.predict(X).shape == (40,)


def test_constant_numeric_column_is_generated_as_that_constant():
    rng = np.random.default_rng(0)
    X = np.column_stack([np.full(10, 5.0), rng.normal(size=10)])
    new = GANSMOTEGenerator(random_state=0, **TINY).fit(X).sample(50)
    assert (new[:, 0] == 5.0).all() and new[:, 1].std() > 0
