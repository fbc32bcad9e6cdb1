"""One sampler base: every GAN sampler, tabular or image, shares GANOverSampler's validation."""

import numpy as np
import pytest
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils._param_validation import InvalidParameterError

from gan_oversamplers import GANSMOTE, ConditionalTableGAN, SMOTifiedGAN, VanillaGAN
from gan_oversamplers._base import BASE_CONSTRAINTS, GANOverSampler
from gan_oversamplers.images import (
    ConditionalImageGAN,
    DCGANOverSampler,
    DeepSMOTE,
    VanillaImageGAN,
)

TABULAR = [GANSMOTE, SMOTifiedGAN, VanillaGAN, ConditionalTableGAN]
IMAGES = [DCGANOverSampler, ConditionalImageGAN, VanillaImageGAN, DeepSMOTE]
ALL = TABULAR + IMAGES
# Classes that implement the generator protocol (fit_generators / generate).
PROTOCOL = [SMOTifiedGAN, VanillaGAN, ConditionalTableGAN, *IMAGES]


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.random((12, 16))  # 16 columns: square 4x4 images for the image samplers
    return X, np.array([0] * 8 + [1] * 4)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_every_sampler_is_a_gan_over_sampler(cls):
    assert issubclass(cls, GANOverSampler) and issubclass(cls, BaseOverSampler)
    for key, constraint in BASE_CONSTRAINTS.items():
        assert cls._parameter_constraints[key] == constraint, key


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_the_same_bad_device_fails_alike(cls):
    X, y = _data()
    with pytest.raises(InvalidParameterError, match="'device' parameter .* must be a str among"):
        cls(device="tpu", random_state=0).fit_resample(X, y)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_the_same_bad_sampling_strategy_fails_alike(cls):
    X, y = _data()
    with pytest.raises(InvalidParameterError, match="'sampling_strategy' parameter"):
        cls(sampling_strategy="all-the-same", random_state=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="ratio required to remove samples"):
        cls(sampling_strategy=0.1, random_state=0).fit_resample(X, y)


@pytest.mark.parametrize("cls", PROTOCOL, ids=lambda c: c.__name__)
def test_the_same_bad_counts_fail_alike(cls):
    X, y = _data()
    with pytest.raises(ValueError, match="Class 7 has no (rows|images) in y; cannot generate 3"):
        cls(random_state=0, device="cpu").fit_generators(X, y, {7: 3})
    with pytest.raises(ValueError, match="counts must be non-negative integers"):
        cls(random_state=0, device="cpu").fit_generators(X, y, {1: -2})
    with pytest.raises(ValueError, match="counts must be non-negative integers"):
        cls(random_state=0, device="cpu").fit_generators(X, y, {1: 1.5})


def test_append_new_keeps_order_dtype_and_sparsity():
    from scipy import sparse

    X, y = np.zeros((2, 3), dtype=np.float32), np.array([0, 1])
    new = {1: np.ones((2, 3)), 0: np.full((1, 3), 2.0), 5: np.empty((0, 3))}
    X2, y2 = GANOverSampler._append_new(X, y, new)
    assert X2.dtype == np.float32 and y2.tolist() == [0, 1, 0, 1, 1]
    assert X2[2:, 0].tolist() == [2.0, 1.0, 1.0]
    S2, _ = GANOverSampler._append_new(sparse.csr_matrix(X), y, new)
    assert sparse.issparse(S2) and S2.format == "csr" and np.array_equal(S2.toarray(), X2)
