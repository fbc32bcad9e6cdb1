import pickle
import warnings
from collections import Counter

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError

from gan_oversamplers import TrainingDivergedError
from gan_oversamplers.images import (
    IMAGE_SAMPLERS,
    ConditionalImageGAN,
    DCGANOverSampler,
    DeepSMOTE,
    VanillaImageGAN,
)
from gan_oversamplers.images._nets import ConvDecoder, ConvEncoder, check_image_shape

CONV = {"epochs": 2, "conv_dim": 8, "latent_dim": 8, "batch_size": 16}
TINY = {
    "deepsmote": CONV,
    "dcgan": CONV,
    "cgan_images": CONV,
    "cgan_sn": {**CONV, "spectral_norm": True},
    "vanilla_gan_images": {
        "epochs": 2,
        "latent_dim": 8,
        "batch_size": 16,
        "generator_dims": (16,),
        "discriminator_dims": (16,),
    },
}
CLASSES = {
    "deepsmote": DeepSMOTE,
    "dcgan": DCGANOverSampler,
    "cgan_images": ConditionalImageGAN,
    "cgan_sn": ConditionalImageGAN,
    "vanilla_gan_images": VanillaImageGAN,
}
NAMES = list(TINY)
PER_CLASS_GANS = ["dcgan", "vanilla_gan_images"]


def make(name, **params):
    return CLASSES[name](**{"image_shape": (1, 8, 8), **TINY[name], **params})


@pytest.fixture(scope="module")
def digits():
    """8x8 digits 0, 1, 2 with 40 / 30 / 12 images, pixels scaled into [0.1, 0.6]."""
    X, y = load_digits(return_X_y=True)
    idx = np.concatenate([np.flatnonzero(y == c)[:n] for c, n in [(0, 40), (1, 30), (2, 12)]])
    return (0.1 + X[idx] / 16.0 * 0.5), y[idx]


def test_registry_names_the_four_samplers():
    assert IMAGE_SAMPLERS == {
        "deepsmote": DeepSMOTE,
        "dcgan": DCGANOverSampler,
        "cgan_images": ConditionalImageGAN,
        "vanilla_gan_images": VanillaImageGAN,
    }


@pytest.mark.parametrize("name", NAMES)
def test_fit_resample_counts_range_dtype_and_real_rows_first(name, digits):
    X, y = digits
    X32 = X.astype(np.float32)
    X_res, y_res = make(name, random_state=0).fit_resample(X32, y)
    assert Counter(y_res.tolist()) == {0: 40, 1: 40, 2: 40}
    assert X_res.dtype == np.float32 and X_res.shape == (120, 64)
    np.testing.assert_array_equal(X_res[: len(X)], X32)
    new = X_res[len(X) :]
    assert new.min() >= X32.min() and new.max() <= X32.max()
    assert new.std() > 0


@pytest.mark.parametrize("name", NAMES)
def test_protocol_generate_exact_counts_and_history(name, digits):
    X, y = digits
    sampler = make(name, random_state=0).fit_generators(X, y, counts={1: 3, 2: 7})
    out = sampler.generate()
    assert {k: v.shape for k, v in out.items()} == {1: (3, 64), 2: (7, 64)}
    assert sampler.counts_ == {1: 3, 2: 7}
    assert {"label", "epoch", "d_loss", "g_loss"} <= set(sampler.history_.columns)
    assert sampler.history_["g_loss"].notna().all()
    assert sampler.generate({2: 0})[2].shape == (0, 64)


def test_outputs_map_back_into_an_unscaled_pixel_range(digits):
    X, y = digits
    raw = (X - 0.1) / 0.5 * 16.0  # 0..16 as load_digits gives them
    new = make("vanilla_gan_images", random_state=0).fit_generators(raw, y).generate()[2]
    assert new.min() >= 0.0 and new.max() <= 16.0 and new.max() > 1.0


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_identical_other_seed_different_and_global_rng_untouched(name, digits):
    X, y = digits
    state = torch.random.get_rng_state()
    a = make(name, random_state=3).fit_resample(X, y)[0]
    b = make(name, random_state=3).fit_resample(X, y)[0]
    c = make(name, random_state=4).fit_resample(X, y)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert torch.equal(state, torch.random.get_rng_state())


@pytest.mark.parametrize("name", NAMES)
def test_pickle_round_trip_generates_the_same_images(name, digits):
    X, y = digits
    sampler = make(name, random_state=0).fit_generators(X, y)
    clone = pickle.loads(pickle.dumps(sampler))
    a, b = sampler.generate(random_state=5), clone.generate(random_state=5)
    assert a.keys() == b.keys() == {0, 1, 2}  # counts_ from "auto": class 0 gets none
    assert a[0].shape == (0, 64) and a[1].shape == (10, 64) and a[2].shape == (28, 64)
    for label in a:
        np.testing.assert_array_equal(a[label], b[label])
    assert not np.array_equal(a[2], sampler.generate(random_state=6)[2])


@pytest.mark.parametrize("name", NAMES)
def test_wrong_image_shape_names_the_parameter_and_n_features(name, digits):
    X, y = digits
    with pytest.raises(ValueError, match=r"image_shape=\(1, 28, 28\).*n_features=64"):
        make(name, image_shape=(1, 28, 28)).fit_resample(X, y)
    with pytest.raises(ValueError, match="image_shape"):
        make(name, image_shape=None).fit_resample(X[:, :60], y)


@pytest.mark.parametrize("name", NAMES)
def test_bad_input_and_unknown_class(name, digits):
    X, y = digits
    bad = X.copy()
    bad[3, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        make(name).fit_resample(bad, y)
    with pytest.raises(ValueError, match="Class 7 has no images"):
        make(name).fit_generators(X, y, counts={7: 5})
    with pytest.raises(NotFittedError):
        make(name).generate({1: 2})


@pytest.mark.parametrize("name", PER_CLASS_GANS)
def test_per_class_gan_refuses_a_one_image_class_and_unfitted_labels(name, digits):
    X, y = digits
    X1, y1 = np.vstack([X, X[:1]]), np.append(y, 9)
    with pytest.raises(ValueError, match="Class 9 has 1 image"):
        make(name).fit_generators(X1, y1, counts={9: 4})
    sampler = make(name, random_state=0).fit_generators(X, y, counts={2: 4})
    with pytest.raises(ValueError, match="no model for class 1"):
        sampler.generate({1: 3})


def test_conditional_gan_serves_a_one_image_class_and_every_fitted_class(digits):
    X, y = digits
    X1, y1 = np.vstack([X, X[:1]]), np.append(y, 9)
    sampler = make("cgan_images", random_state=0).fit_generators(X1, y1, counts={9: 4})
    out = sampler.generate({9: 4, 0: 2})
    assert out[9].shape == (4, 64) and out[0].shape == (2, 64)


def test_spectral_norm_parametrises_every_discriminator_layer(digits):
    sampler = make("cgan_sn", random_state=0)
    sampler.fit_generators(*digits)
    net = sampler._discriminator(torch.Generator().manual_seed(0))
    layers = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d | torch.nn.Linear)]
    assert layers and all(hasattr(m, "parametrizations") for m in layers)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules())


@pytest.mark.parametrize(
    ("name", "loss"),
    [
        ("deepsmote", "mse_loss"),
        ("dcgan", "binary_cross_entropy_with_logits"),
        ("cgan_images", "binary_cross_entropy_with_logits"),
        ("vanilla_gan_images", "binary_cross_entropy_with_logits"),
    ],
)
def test_non_finite_loss_raises_training_diverged(name, loss, digits, monkeypatch):
    real = getattr(torch.nn.functional, loss)
    monkeypatch.setattr(torch.nn.functional, loss, lambda *a, **k: real(*a, **k) * float("nan"))
    with pytest.raises(TrainingDivergedError, match="diverged.*epoch 0"):
        make(name, random_state=0).fit_resample(*digits)


@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 28, 28), (3, 32, 32), (1, 7, 9), (2, 2, 2)])
def test_conv_nets_fit_any_small_image(shape):
    n = int(np.prod(shape))
    encoder = ConvEncoder(shape, 4, 5, cond_dim=2)
    decoder = ConvDecoder(shape, 4, 5)
    x = torch.rand(3, n)
    assert encoder(x, torch.eye(2)[[0, 1, 1]]).shape == (3, 5)
    assert decoder(torch.randn(3, 5)).shape == (3, n)
    assert check_image_shape(None, 784) == (1, 28, 28)


def test_deepsmote_small_class_warns_and_reduces_k(digits):
    X, y = digits
    X3, y3 = np.vstack([X, X[:3]]), np.append(y, [9, 9, 9])
    with pytest.warns(UserWarning, match="class 9 has 3 image.*k_neighbors=2"):
        sampler = make("deepsmote", random_state=0).fit_generators(X3, y3, counts={9: 5})
    assert sampler.k_neighbors_ == {9: 2}
    X1, y1 = np.vstack([X, X[:1]]), np.append(y, 9)
    with pytest.warns(UserWarning, match="copies"):
        one = make("deepsmote", random_state=0).fit_generators(X1, y1, counts={9: 3}).generate()
    assert np.ptp(one[9], axis=0).max() == 0  # one image: identical decoded copies
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make("deepsmote", random_state=0).fit_generators(X, y, counts={2: 3})


def test_gradient_penalty_changes_the_conditional_gan_and_stays_reproducible(digits):
    X, y = digits
    params = {"random_state": 0, "gradient_penalty": 10.0}
    a = make("cgan_sn", **params).fit_resample(X, y)[0]
    b = make("cgan_sn", **params).fit_resample(X, y)[0]
    plain_sn = make("cgan_sn", random_state=0).fit_resample(X, y)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, plain_sn)
    assert np.isfinite(a).all()


@pytest.mark.parametrize("name", NAMES)
def test_device_cpu_is_the_default_without_cuda_and_unknown_devices_are_rejected(name, digits):
    X, y = digits
    X_cpu, y_cpu = make(name, device="cpu", random_state=0).fit_resample(X, y)
    assert Counter(y_cpu.tolist()) == {0: 40, 1: 40, 2: 40}
    if not torch.cuda.is_available():  # auto is the CPU then: the very same images
        X_auto, _ = make(name, device="auto", random_state=0).fit_resample(X, y)
        np.testing.assert_array_equal(X_cpu, X_auto)
    with pytest.raises(ValueError, match="device"):
        make(name, device="gpu").fit_resample(X, y)
