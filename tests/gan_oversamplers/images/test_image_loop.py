"""The image samplers on the shared loop train exactly as on the frozen loops of before."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_digits

from gan_oversamplers import TrainingDivergedError
from gan_oversamplers._loop import train_epochs
from gan_oversamplers.images import (
    ConditionalImageGAN,
    DCGANOverSampler,
    DeepSMOTE,
    VanillaImageGAN,
    _nets,
)

CONV = {"epochs": 2, "conv_dim": 4, "latent_dim": 6, "batch_size": 5}  # several minibatches
CASES = {
    "deepsmote": (DeepSMOTE, CONV),
    "deepsmote_code": (DeepSMOTE, {**CONV, "penalty": "code", "penalty_weight": 0.5}),
    "dcgan": (DCGANOverSampler, CONV),
    "cgan_images": (ConditionalImageGAN, CONV),
    "cgan_sn_gp": (
        ConditionalImageGAN,
        {**CONV, "spectral_norm": True, "gradient_penalty": 1.0},
    ),
    "vanilla_gan_images": (
        VanillaImageGAN,
        {"epochs": 3, "latent_dim": 6, "batch_size": 5, "generator_dims": (8,)},
    ),
}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    idx = np.concatenate([np.flatnonzero(y == c)[:n] for c, n in [(0, 20), (1, 12), (2, 6)]])
    return X[idx] / 16.0, y[idx]


def _run(name, X, y, trainer, monkeypatch):
    cls, params = CASES[name]
    monkeypatch.setattr(_nets, "TRAINER", trainer)
    sampler = cls(image_shape=(1, 8, 8), random_state=3, device="cpu", **params)
    sampler.fit_generators(X, y)
    return sampler.history_, sampler.generate(random_state=5)


@pytest.mark.parametrize("name", list(CASES))
def test_shared_loop_equals_the_frozen_loop(name, digits, monkeypatch):
    X, y = digits
    ref_history, ref_images = _run(name, X, y, "reference", monkeypatch)
    history, images = _run(name, X, y, "loop", monkeypatch)
    assert list(history.columns) == list(ref_history.columns)
    assert len(history) == len(ref_history) > 0
    pd.testing.assert_frame_equal(history, ref_history, check_exact=False, atol=1e-4, rtol=0)
    assert images.keys() == ref_images.keys() and any(len(v) for v in images.values())
    for label, rows in ref_images.items():
        np.testing.assert_allclose(images[label], rows, atol=1e-4, rtol=0)


def test_loop_raises_naming_method_class_and_epoch():
    calls = []

    def step(idx):
        calls.append(len(idx))
        value = float("nan") if len(calls) > 4 else 1.0
        return torch.tensor([0.5, value])

    with pytest.raises(TrainingDivergedError, match="DCGAN training of class 7 diverged") as err:
        train_epochs(
            10, step, torch.Generator().manual_seed(0),
            epochs=5, batch_size=5, columns=("d_loss", "g_loss"),
            method="DCGAN", label=7, verbose=False, device=torch.device("cpu"),
        )  # fmt: skip
    assert (err.value.label, err.value.epoch, err.value.method) == (7, 2, "DCGAN")
    assert calls == [5] * 6  # two minibatches per epoch; stopped after epoch 2


def test_loop_history_is_the_epoch_mean():
    def step(idx):
        return torch.tensor([float(len(idx)), 1.0])

    frame = train_epochs(
        7, step, torch.Generator().manual_seed(0),
        epochs=3, batch_size=3, columns=("a", "b"),
        method="m", label=None, verbose=True, device=torch.device("cpu"),
    )  # fmt: skip
    assert list(frame.columns) == ["label", "epoch", "a", "b"]
    assert frame["epoch"].tolist() == [0, 1, 2] and frame["label"].isna().all()
    np.testing.assert_allclose(frame["a"], 3.5)  # 7 rows in 2 batches (4 + 3)
    np.testing.assert_allclose(frame["b"], 1.0)
