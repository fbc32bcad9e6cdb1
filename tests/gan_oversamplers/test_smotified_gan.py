"""SMOTified-GAN specifics; the protocol checks are in test_table_gan_protocol.py."""

from collections import Counter

import numpy as np
import pytest
import torch

from gan_oversamplers import SMOTifiedGAN
from tests.gan_oversamplers.test_table_gan_protocol import TINY, wide_data

SMALL = TINY["smotified_gan"]


@pytest.mark.parametrize("preset", ["paper", "authors_code"])
def test_both_presets_keep_synthetic_rows_in_the_real_range(preset):
    # the authors' sigmoid on unscaled features put every synthetic row in (0, 1)
    X, y = wide_data()
    new = SMOTifiedGAN(preset=preset, epochs=2, random_state=0).fit_resample(X, y)[0][len(X) :]
    assert np.all(new >= X.min(axis=0)) and np.all(new <= X.max(axis=0))
    assert new[:, 0].min() > 100 and new[:, 1].max() < -100


def test_generator_input_is_smote_rows_of_the_class():
    # with an identity generator, generated rows are SMOTE rows: inside the class's box
    X, y = wide_data()
    sampler = SMOTifiedGAN(**SMALL, random_state=0).fit_generators(X, y)
    sampler.generators_[2] = torch.nn.Identity()
    new = sampler.generate({2: 50})[2]
    own = X[y == 2]
    assert np.all(new >= own.min(axis=0) - 1e-9) and np.all(new <= own.max(axis=0) + 1e-9)
    assert len(np.unique(new, axis=0)) > 25  # interpolations, not copies


def test_presets_and_overrides():
    X, y = wide_data()
    sampler = SMOTifiedGAN(preset="authors_code", epochs=1, random_state=0).fit_generators(X, y)
    hp = sampler.hyperparameters_
    assert hp["generator_dims"] == (128, 256, 512, 1024) and hp["batch_norm"] is True
    assert hp["discriminator_dims"] == (512, 256, 128)
    assert hp["epochs"] == 1 and hp["generator_lr"] == 1e-5
    widths = [m.out_features for m in sampler.generators_[1] if isinstance(m, torch.nn.Linear)]
    assert widths == [128, 256, 512, 1024, 3]
    assert any(isinstance(m, torch.nn.BatchNorm1d) for m in sampler.generators_[1])
    paper = SMOTifiedGAN(epochs=1, random_state=0).fit_generators(X, y).hyperparameters_
    assert paper["generator_dims"] == (128, 128, 128) and paper["discriminator_dims"] == (128,)
    assert not paper["batch_norm"] and paper["batch_size"] == 128
    assert paper["generator_lr"] == paper["discriminator_lr"] == 1e-5
    module = SMOTifiedGAN(preset="authors_module", epochs=1).fit_generators(X, y)
    assert module.hyperparameters_["betas"] == (0.5, 0.999)
    with pytest.raises(ValueError, match="preset"):
        SMOTifiedGAN(preset="theirs").fit_resample(X, y)


def test_one_model_per_minority_class():
    X, y = wide_data()
    sampler = SMOTifiedGAN(**SMALL, random_state=0).fit_generators(X, y)
    assert set(sampler.generators_) == {1, 2}
    assert sampler.generators_[1] is not sampler.generators_[2]
    assert set(sampler.history_["label"]) == {1, 2}


def test_class_with_one_row_trains_on_copies_with_a_warning():
    X, y = wide_data()
    X, y = X[:31], y[:31]  # class 1 has a single row
    with pytest.warns(UserWarning, match="class 1 has a single row"):
        sampler = SMOTifiedGAN(**SMALL, random_state=0)
        _, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 30, 1: 30}
    assert sampler.k_neighbors_ == {1: 0}


def test_small_class_reduces_k_with_a_warning():
    X, y = wide_data()
    with pytest.warns(UserWarning, match="class 2 has 6 rows.*k_neighbors=5"):
        sampler = SMOTifiedGAN(**SMALL, k_neighbors=8, random_state=0).fit_generators(X, y)
    assert sampler.k_neighbors_ == {1: 8, 2: 5}
