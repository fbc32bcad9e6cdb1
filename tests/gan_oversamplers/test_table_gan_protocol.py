"""The sampler protocol (docs/protocol.md), checked on every tabular GAN sampler."""

import pickle
from collections import Counter

import numpy as np
import pytest
import torch
from imblearn.utils.estimator_checks import parametrize_with_checks
from sklearn.exceptions import NotFittedError

from gan_oversamplers import TrainingDivergedError
from gan_oversamplers._engine import GANJob, train_gans
from gan_oversamplers._tabular_gan import build_mlp
from gan_oversamplers.registry import TABLE_SAMPLERS

#: Tiny settings per registered name (seconds per fit).
TINY = {
    "smotified_gan": {
        "epochs": 3, "generator_dims": (16, 16), "discriminator_dims": (16,), "batch_size": 16,
    },
    "vanilla_gan": {"epochs": 2, "generator_dims": (8, 16), "latent_dim": 8, "batch_size": 16},
    "cgan": {"epochs": 3, "generator_dims": (16, 16), "latent_dim": 8, "batch_size": 64},
}  # fmt: skip


def make(name, **params):
    return TABLE_SAMPLERS[name](**{**TINY[name], **params})


def wide_data():
    """Features far outside [0, 1] (hundreds, negatives); classes 0:30, 1:12, 2:6."""
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(500, 80, 48), rng.normal(-300, 20, 48), rng.uniform(-2, 2, 48)])
    return X, np.array([0] * 30 + [1] * 12 + [2] * 6)


NAMES = sorted(TINY)


def test_every_registered_sampler_is_checked_here():
    assert set(TABLE_SAMPLERS) == set(TINY)


@parametrize_with_checks([make(name, random_state=0) for name in NAMES])
def test_imbalanced_learn_common_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("name", NAMES)
def test_counts_exact_and_real_rows_first_unchanged(name):
    X, y = wide_data()
    X_res, y_res = make(name, random_state=0).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 30, 1: 30, 2: 30}
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    _, y_dict = make(name, random_state=0, sampling_strategy={2: 10}).fit_resample(X, y)
    assert Counter(y_dict.tolist()) == {0: 30, 1: 12, 2: 10}


@pytest.mark.parametrize("name", NAMES)
def test_fit_generators_and_generate_follow_the_protocol(name):
    X, y = wide_data()
    sampler = make(name, random_state=0).fit_generators(X, y, counts={1: 7, 2: 0})
    new = sampler.generate()
    assert new[1].shape == (7, 3) and new[2].shape == (0, 3)
    assert sampler.generate({1: 11})[1].shape == (11, 3)
    assert sampler.counts_ == {1: 7, 2: 0}
    with pytest.raises(ValueError, match="no model for class 99"):
        sampler.generate({99: 3})
    if name != "cgan":  # per-class samplers: a class with 0 new rows gets no model
        with pytest.raises(ValueError, match="no model for class 0"):
            sampler.generate({0: 3})
    with pytest.raises(NotFittedError):
        make(name).generate({1: 3})


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_rows_different_seed_different_rows(name):
    X, y = wide_data()
    a = make(name, random_state=5).fit_resample(X, y)[0]
    b = make(name, random_state=5).fit_resample(X, y)[0]
    c = make(name, random_state=6).fit_resample(X, y)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[len(X) :], c[len(X) :])
    sampler = make(name, random_state=5).fit_generators(X, y)
    np.testing.assert_array_equal(sampler.generate()[2], sampler.generate()[2])
    assert not np.array_equal(
        sampler.generate(random_state=1)[2], sampler.generate(random_state=2)[2]
    )


@pytest.mark.parametrize("name", NAMES)
def test_synthetic_rows_lie_in_the_real_range_of_wide_features(name):
    X, y = wide_data()
    new = make(name, random_state=0).fit_resample(X, y)[0][len(X) :]
    assert np.all(new >= X.min(axis=0)) and np.all(new <= X.max(axis=0))
    assert new[:, 0].min() > 100 and new[:, 1].max() < -100  # not squashed into (0, 1)
    assert np.all(new.std(axis=0) > 0)


@pytest.mark.parametrize("name", NAMES)
def test_float32_in_float32_out_and_constant_column_stays_constant(name):
    X, y = wide_data()
    X = np.column_stack([X, np.full(len(X), 7.5)]).astype(np.float32)
    X_res = make(name, random_state=0).fit_resample(X, y)[0]
    assert X_res.dtype == np.float32
    assert np.all(X_res[:, 3] == np.float32(7.5))


@pytest.mark.parametrize("name", NAMES)
def test_pickled_sampler_generates_identically(name):
    X, y = wide_data()
    sampler = make(name, random_state=0).fit_generators(X, y)
    clone = pickle.loads(pickle.dumps(sampler))
    for label, rows in sampler.generate(random_state=3).items():
        np.testing.assert_array_equal(rows, clone.generate(random_state=3)[label])


@pytest.mark.parametrize("name", NAMES)
def test_history_has_the_losses(name):
    X, y = wide_data()
    sampler = make(name, random_state=0).fit_generators(X, y)
    history = sampler.history_
    assert {"label", "epoch", "d_loss", "g_loss"} <= set(history.columns)
    assert len(history) > 0 and history["epoch"].max() == TINY[name]["epochs"] - 1
    assert np.isfinite(history[["d_loss", "g_loss"]].to_numpy()).all()
    assert (history[["d_loss", "g_loss"]] > 0).all().all()  # BCE losses


@pytest.mark.parametrize("name", NAMES)
def test_failure_paths_name_the_problem(name):
    X, y = wide_data()
    with pytest.raises(ValueError, match="epochs"):
        make(name, epochs=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="batch_size"):
        make(name, batch_size=-1).fit_resample(X, y)
    with pytest.raises(ValueError, match="generator_dims"):
        make(name, generator_dims=(0, 4)).fit_resample(X, y)
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        make(name).fit_resample(X_nan, y)
    with pytest.raises(ValueError, match="'nope'"):
        make(name).fit_generators(X, y, counts={"nope": 3})


@pytest.mark.parametrize("name", NAMES)
def test_class_with_one_row_gets_its_rows(name):
    X, y = wide_data()
    X, y = X[:31], y[:31]  # class 1 has a single row
    X_res, y_res = make(name, random_state=0).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 30, 1: 30}
    assert np.isfinite(X_res).all()


@pytest.mark.parametrize("name", NAMES)
def test_global_random_state_is_untouched(name):
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()[1].copy()
    make(name, random_state=0).fit_resample(*wide_data())
    assert torch.equal(torch_state, torch.get_rng_state())
    np.testing.assert_array_equal(numpy_state, np.random.get_state()[1])


def test_a_non_finite_loss_raises_training_diverged_naming_class_and_epoch():
    gen = torch.Generator().manual_seed(0)
    generator_net = build_mlp([2, 4, 3], gen, output="sigmoid")
    discriminator_net = build_mlp([3, 4, 1], gen)

    def nan_input(m, gen):
        return torch.full((m, 2), float("nan"))

    hp = {"epochs": 3, "batch_size": 4, "generator_lr": 1e-3, "discriminator_lr": 1e-3}
    hp["betas"] = (0.9, 0.999)
    job = GANJob(torch.rand(8, 3), generator_net, discriminator_net, nan_input, gen, "x")
    with pytest.raises(TrainingDivergedError, match="class 'x' diverged.*epoch 0") as info:
        train_gans([job], hp, name="Vanilla GAN")
    assert (info.value.label, info.value.epoch) == ("x", 0)
