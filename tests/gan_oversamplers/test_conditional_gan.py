"""Conditional GAN specifics; the protocol checks are in test_table_gan_protocol.py."""

import numpy as np
import pytest

from gan_oversamplers import ConditionalTableGAN
from tests.gan_oversamplers.test_table_gan_protocol import TINY, wide_data

SMALL = TINY["cgan"]


def test_one_model_for_every_class():
    X, y = wide_data()
    sampler = ConditionalTableGAN(**SMALL, random_state=0).fit_generators(X, y)
    first = sampler.generator_[0]
    assert first.in_features == SMALL["latent_dim"] + 3  # noise + one-hot of 3 classes
    assert set(sampler.history_["label"]) == {"all"}
    assert len(sampler.history_) == SMALL["epochs"]
    # the one model serves any class, the majority (0 new rows at fit) included
    assert sampler.generate({0: 4})[0].shape == (4, 3)


def test_generates_the_class_it_is_asked_for():
    # two far-apart classes (and a small third); the label alone decides where rows land
    rng = np.random.default_rng(0)
    X = np.vstack(
        [
            rng.normal(0.2, 0.03, (40, 2)),
            rng.normal([0.8, 0.5], 0.03, (12, 2)),
            rng.uniform(0, 1, (4, 2)),
        ]
    )
    y = np.array([0] * 40 + [1] * 12 + [2] * 4)
    params = {"generator_dims": (16, 32), "latent_dim": 4, "batch_size": 16, "dropout": 0.0}
    params |= {"generator_lr": 2e-3, "discriminator_lr": 2e-3}

    def errors(epochs):
        sampler = ConditionalTableGAN(**params, epochs=epochs, random_state=0)
        new = sampler.fit_generators(X, y).generate({0: 200, 1: 200}, random_state=0)
        assert new[0].shape == new[1].shape == (200, 2)  # exactly as asked, no rejection
        return (
            np.abs(new[0].mean(axis=0) - [0.2, 0.2]).max(),
            np.abs(new[1].mean(axis=0) - [0.8, 0.5]).max(),
        )

    assert max(errors(120)) < 0.1
    assert max(errors(1)) > 0.2


def test_balanced_batches_change_training():
    X, y = wide_data()
    a = ConditionalTableGAN(**SMALL, random_state=0).fit_resample(X, y)[0]
    b = ConditionalTableGAN(**SMALL, balanced_batches=False, random_state=0).fit_resample(X, y)[0]
    assert not np.array_equal(a, b)


def test_nothing_to_add_trains_nothing():
    X, y = wide_data()
    sampler = ConditionalTableGAN(**SMALL, random_state=0).fit_generators(X, y, counts={1: 0})
    assert sampler.generator_ is None and sampler.history_.empty
    with pytest.raises(ValueError, match="no model for class 1"):
        sampler.generate({1: 2})


def test_string_labels():
    X, y = wide_data()
    labels = np.array(["big", "mid", "small"])[y]
    X_res, y_res = ConditionalTableGAN(**SMALL, random_state=0).fit_resample(X, labels)
    assert dict(zip(*np.unique(y_res, return_counts=True), strict=True)) == {
        "big": 30,
        "mid": 30,
        "small": 30,
    }
