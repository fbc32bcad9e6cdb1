"""``device`` on every tabular GAN sampler: validated, and the CPU path is the default's."""

import numpy as np
import pytest
import torch

from gan_oversamplers import GANSMOTE, ConditionalTableGAN, SMOTifiedGAN, VanillaGAN
from gan_oversamplers._device import resolve_device

SAMPLERS = {
    "gan_smote": lambda device: GANSMOTE(epochs=4, device=device, random_state=0),
    "smotified_gan": lambda device: SMOTifiedGAN(epochs=2, device=device, random_state=0),
    "vanilla_gan": lambda device: VanillaGAN(epochs=2, device=device, random_state=0),
    "conditional_gan": lambda device: ConditionalTableGAN(epochs=2, device=device, random_state=0),
}


def _table():
    rng = np.random.default_rng(0)
    X = np.c_[rng.integers(0, 2, size=(40, 4)), rng.normal(size=(40, 2))].astype(float)
    return X, np.array([0] * 28 + [1] * 12)


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_cpu_device_trains_and_matches_auto_without_cuda(name):
    X, y = _table()
    X_cpu, y_cpu = SAMPLERS[name]("cpu").fit_resample(X, y)
    assert np.bincount(y_cpu).tolist() == [28, 28]
    if not torch.cuda.is_available():  # auto is the CPU then: the very same rows
        X_auto, _ = SAMPLERS[name]("auto").fit_resample(X, y)
        np.testing.assert_array_equal(X_cpu, X_auto)


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_unknown_device_is_rejected_by_name(name):
    X, y = _table()
    with pytest.raises(ValueError, match="device"):
        SAMPLERS[name]("gpu").fit_resample(X, y)


def test_resolve_device_names_the_problem():
    assert resolve_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="device must be 'auto', 'cpu' or 'cuda'"):
        resolve_device("mps")
