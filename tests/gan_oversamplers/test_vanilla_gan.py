"""Vanilla GAN specifics; the protocol checks are in test_table_gan_protocol.py."""

import numpy as np
import pytest
import torch

from gan_oversamplers import VanillaGAN
from gan_oversamplers._tabular_gan import SeededDropout
from tests.gan_oversamplers.test_table_gan_protocol import TINY, wide_data


def _has_dropout(net):
    return any(isinstance(m, SeededDropout) for m in net)


def test_paper_defaults():
    sampler = VanillaGAN(epochs=1, random_state=0).fit_generators(*wide_data())
    hp = sampler.hyperparameters_
    assert hp["latent_dim"] == 100 and hp["batch_size"] == 5 and hp["generator_lr"] == 2e-4
    assert hp["generator_dims"] == (256, 512) and hp["discriminator_dims"] == (512, 256)
    assert hp["dropout"] == 0.3 and hp["dropout_placement"] == "paper"
    first = sampler.generators_[1][0]
    assert isinstance(first, torch.nn.Linear) and first.in_features == 100


@pytest.mark.parametrize(("placement", "in_generator"), [("paper", True), ("code", False)])
def test_dropout_placement(placement, in_generator):
    sampler = VanillaGAN(**TINY["vanilla_gan"], dropout_placement=placement, random_state=0)
    sampler.fit_generators(*wide_data())
    generator_net, discriminator_net = sampler._networks(3, torch.Generator().manual_seed(0))
    assert _has_dropout(generator_net) is in_generator
    assert _has_dropout(discriminator_net) is not in_generator
    assert _has_dropout(sampler.generators_[1]) is in_generator


def test_dropout_placement_changes_training_and_zero_dropout_removes_it():
    X, y = wide_data()
    small = TINY["vanilla_gan"]
    paper = VanillaGAN(**small, random_state=0).fit_resample(X, y)[0]
    code = VanillaGAN(**small, dropout_placement="code", random_state=0).fit_resample(X, y)[0]
    assert not np.array_equal(paper, code)
    none = VanillaGAN(**small, dropout=0.0, random_state=0).fit_generators(X, y)
    assert not _has_dropout(none.generators_[1])


def test_layer_order_is_the_papers():
    X, y = wide_data()
    with pytest.raises(ValueError, match="generator_dims must be in ascending order"):
        VanillaGAN(generator_dims=(512, 256)).fit_resample(X, y)
    with pytest.raises(ValueError, match="discriminator_dims must be in descending order"):
        VanillaGAN(generator_dims=(8,), discriminator_dims=(4, 8)).fit_resample(X, y)
    with pytest.raises(ValueError, match="dropout_placement"):
        VanillaGAN(dropout_placement="both").fit_resample(X, y)


def test_training_moves_the_generator_towards_the_class():
    # the class sits in a corner of the box X spans; a trained GAN's rows move there
    rng = np.random.default_rng(0)
    X = np.vstack([rng.uniform(0, 1, (40, 2)), rng.normal(0.85, 0.02, (20, 2))])
    y = np.array([0] * 40 + [1] * 20)
    params = {"generator_dims": (16, 32), "latent_dim": 8, "batch_size": 10, "dropout": 0.0}
    trained = VanillaGAN(**params, epochs=150, random_state=0).fit_generators(X, y)
    untrained = VanillaGAN(**params, epochs=1, random_state=0).fit_generators(X, y)

    def error(sampler):
        return np.abs(sampler.generate({1: 200}, random_state=0)[1].mean(axis=0) - 0.85).max()

    assert error(trained) < 0.15 and error(untrained) > 0.25
