"""Shared pieces of the image over-samplers: networks sized from the image, scaling, training.

Images travel flattened, ``(n, C*H*W)`` in C-order (channels first), with an
``image_shape=(C, H, W)`` parameter. Every network draws its initial weights from a
seeded ``torch.Generator`` (never the global RNG), and fitted samplers keep CPU
``state_dict`` s only, so they pickle.

The convolutional stacks follow DCGAN (Radford et al., 2016): 4x4 kernels of stride 2
and padding 1 halve the image side per layer, the channel count doubles per layer from
``conv_dim``, batch normalisation everywhere but the first encoder layer and the last
decoder layer, LeakyReLU(0.2) going down and ReLU going up, ``tanh`` output. The depth
adapts to the image: one layer per halving while the side is above 1, at most four
(28 -> 14 -> 7 -> 3 -> 1 as in DeepSMOTE's code; 8 -> 4 -> 2 -> 1 for scikit-learn's
digits); transposed convolutions get ``output_padding`` 1 where a side was odd, so the
decoder returns exactly ``(H, W)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, check_X_y
from torch import nn
from torch.nn import functional as F

from .._base import BASE_CONSTRAINTS, GANOverSampler
from .._loop import minibatches, train_epochs
from .._random import derive_seed, plain, resolve_seed, single_thread, torch_generator
from ..errors import TrainingDivergedError
from . import _reference

__all__ = [
    "ConvDecoder",
    "ConvEncoder",
    "ImageOverSampler",
    "COMMON_CONSTRAINTS",
    "GAN_CONSTRAINTS",
    "GAN_KEYS",
    "MLPNet",
    "PerClassImageGAN",
    "check_image_shape",
    "conv_plan",
    "diverged",
    "init_weights",
    "train_gan",
]

#: Which loop the image samplers train on: "loop" (:func:`~gan_oversamplers._loop.train_epochs`)
#: or "reference" (the frozen loops of :mod:`._reference`, for the tests).
TRAINER = "loop"


def check_image_shape(image_shape: Any, n_features: int) -> tuple[int, int, int]:
    """Validate ``image_shape`` against the width of X; ``None`` means one square channel."""
    if image_shape is None:
        side = math.isqrt(n_features)
        if side * side != n_features:
            raise ValueError(
                f"image_shape=None needs square one-channel images, but X has "
                f"n_features={n_features}, not a square; pass image_shape=(C, H, W)"
            )
        return (1, side, side)
    shape = tuple(image_shape)
    if len(shape) != 3 or not all(isinstance(s, Integral) and s > 0 for s in shape):
        raise ValueError(f"image_shape must be three positive ints (C, H, W), got {image_shape!r}")
    c, h, w = (int(s) for s in shape)
    if c * h * w != n_features:
        raise ValueError(
            f"image_shape={(c, h, w)} holds {c * h * w} pixels but X has "
            f"n_features={n_features}; images must come flattened as (n, C*H*W)"
        )
    if min(h, w) < 2:
        raise ValueError(f"image_shape={(c, h, w)}: height and width must be at least 2")
    return (c, h, w)


def conv_plan(image_shape: tuple[int, int, int], max_layers: int = 4) -> list[tuple[int, int]]:
    """Spatial sizes ``[(H, W), ...]`` after each stride-2 layer (halving while side > 1)."""
    sizes = [tuple(image_shape[1:])]
    while len(sizes) <= max_layers and min(sizes[-1]) > 1:
        h, w = sizes[-1]
        sizes.append((h // 2, w // 2))
    return sizes  # type: ignore[return-value]


def init_weights(module: nn.Module, generator: torch.Generator, scheme: str = "dcgan") -> None:
    """Initialise every layer of ``module`` from ``generator``.

    ``"dcgan"``: weights N(0, 0.02), batch-norm scales N(1, 0.02), biases 0 (DCGAN).
    ``"default"``: PyTorch's ``nn.Linear`` rule, uniform in +-1/sqrt(fan_in).
    """
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
                w = layer.weight
                if scheme == "dcgan":
                    w.copy_(torch.randn(w.shape, generator=generator) * 0.02)
                    if layer.bias is not None:
                        layer.bias.zero_()
                else:
                    bound = 1.0 / math.sqrt(w.shape[1] * w[0, 0].numel())
                    w.copy_((torch.rand(w.shape, generator=generator) * 2 - 1) * bound)
                    if layer.bias is not None:
                        b = torch.rand(layer.bias.shape, generator=generator)
                        layer.bias.copy_((b * 2 - 1) * bound)
            elif isinstance(layer, nn.BatchNorm2d | nn.BatchNorm1d):
                layer.weight.copy_(
                    1.0 + 0.02 * torch.randn(layer.weight.shape, generator=generator)
                )
                layer.bias.zero_()


def spectral_normed(layer: nn.Module, generator: torch.Generator) -> nn.Module:
    """``layer`` with spectral normalisation, its power-iteration vectors drawn from ``generator``.

    PyTorch draws the initial vectors from the global RNG; that draw happens under
    ``fork_rng`` (the global state is restored) and is then replaced by a seeded one.
    """
    with torch.random.fork_rng(devices=[]):
        layer = nn.utils.parametrizations.spectral_norm(layer)
    sn = layer.parametrizations.weight[0]  # type: ignore[union-attr,index]
    with torch.no_grad():
        matrix = sn._reshape_weight_to_matrix(layer.parametrizations.weight.original)  # type: ignore[union-attr]
        sn._u.copy_(F.normalize(torch.randn(sn._u.shape, generator=generator), dim=0, eps=sn.eps))
        sn._v.copy_(F.normalize(torch.randn(sn._v.shape, generator=generator), dim=0, eps=sn.eps))
        sn._power_method(matrix, 15)
    return layer


class _SeededModule(nn.Module):
    """A module whose construction leaves the global torch RNG alone.

    ``nn.Linear`` and ``nn.Conv2d`` draw default weights from the global RNG when built;
    these draws run under ``fork_rng`` (state restored) and :func:`init_weights` then
    sets every weight from a seeded generator.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        with torch.random.fork_rng(devices=[]):
            self._setup(*args, **kwargs)

    def _setup(self, *args: Any, **kwargs: Any) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


def _label_maps(x: torch.Tensor, cond: torch.Tensor | None) -> torch.Tensor:
    if cond is None:
        return x
    maps = cond[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])
    return torch.cat([x, maps], dim=1)


class ConvEncoder(_SeededModule):
    """DCGAN discriminator trunk + a linear head: DeepSMOTE's encoder, DCGAN's critic.

    ``cond_dim`` one-hot label channels are appended to the image (conditional GAN).
    """

    def _setup(
        self,
        image_shape: tuple[int, int, int],
        conv_dim: int,
        out_dim: int,
        *,
        cond_dim: int = 0,
        batch_norm: bool = True,
    ) -> None:
        sizes = conv_plan(image_shape)
        layers: list[nn.Module] = []
        channels = image_shape[0] + cond_dim
        for i in range(len(sizes) - 1):
            out = conv_dim * 2**i
            normed = batch_norm and i > 0
            layers.append(nn.Conv2d(channels, out, 4, 2, 1, bias=not normed))
            if normed:
                layers.append(nn.BatchNorm2d(out))
            layers.append(nn.LeakyReLU(0.2))
            channels = out
        self.trunk = nn.Sequential(*layers)
        h, w = sizes[-1]
        self.head = nn.Linear(channels * h * w, out_dim)
        self.image_shape = image_shape

    def forward(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        x = x.reshape(len(x), *self.image_shape)
        return self.head(self.trunk(_label_maps(x, cond)).flatten(1))


class ConvDecoder(_SeededModule):
    """DCGAN generator: linear projection, then one transposed convolution per halving."""

    def _setup(self, image_shape: tuple[int, int, int], conv_dim: int, in_dim: int) -> None:
        sizes = conv_plan(image_shape)
        depth = len(sizes) - 1
        top = conv_dim * 2 ** (depth - 1)
        self.start = (top, *sizes[-1])
        self.project = nn.Linear(in_dim, top * sizes[-1][0] * sizes[-1][1], bias=False)
        layers: list[nn.Module] = [nn.BatchNorm2d(top), nn.ReLU()]
        channels = top
        for i in reversed(range(depth)):
            (H, W), (h, w) = sizes[i], sizes[i + 1]
            out = conv_dim * 2 ** (i - 1) if i > 0 else image_shape[0]
            pad = (H - 2 * h, W - 2 * w)
            layers.append(
                nn.ConvTranspose2d(channels, out, 4, 2, 1, output_padding=pad, bias=i == 0)
            )
            layers += [nn.BatchNorm2d(out), nn.ReLU()] if i > 0 else [nn.Tanh()]
            channels = out
        self.body = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        if cond is not None:
            z = torch.cat([z, cond], dim=1)
        return self.body(self.project(z).reshape(len(z), *self.start)).flatten(1)


class MLPNet(_SeededModule):
    """Fully connected net: ``hidden`` activation between layers, optional ``tanh`` output."""

    def _setup(
        self, sizes: list[int], hidden: Callable[[], nn.Module], *, tanh_output: bool
    ) -> None:
        layers: list[nn.Module] = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            layers.append(nn.Linear(a, b))
            if i < len(sizes) - 2:
                layers.append(hidden())
        if tanh_output:
            layers.append(nn.Tanh())
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        return self.body(x)


def diverged(method: str, label: Any, epoch: int) -> TrainingDivergedError:
    """The protocol's :class:`TrainingDivergedError`, with a message naming ``method``."""
    return TrainingDivergedError(label, epoch, method=method)


#: The per-epoch minibatch plan of every image model (the shared loop's).
batches = minibatches


def _gradient_penalty(
    discriminator: nn.Module,
    real: torch.Tensor,
    fake: torch.Tensor,
    cond: torch.Tensor | None,
    rng: torch.Generator,
) -> torch.Tensor:
    """WGAN-GP's penalty: the discriminator's gradient norm at interpolates, pulled to 1."""
    share = torch.rand(len(real), 1, generator=rng, device=rng.device)
    mixed = (share * real + (1 - share) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(discriminator(mixed, cond).sum(), mixed, create_graph=True)
    return ((grad.norm(2, dim=1) - 1) ** 2).mean()


def to_device(
    device: torch.device | None,
    nets: tuple[nn.Module, ...],
    images: torch.Tensor,
    cond: torch.Tensor | None,
    rng: torch.Generator,
) -> tuple[Any, ...]:
    """Move ``nets`` (in place), ``images`` and ``cond`` to ``device``, with a generator there.

    On the CPU (or ``device=None``) everything is returned as it is, so CPU results
    do not depend on this step; elsewhere the device generator is seeded from ``rng``.
    """
    if device is None or device.type == "cpu":
        return (*nets, images, cond, rng)
    for net in nets:
        net.to(device)
    seed = int(torch.randint(0, 2**62, (1,), generator=rng))
    moved = None if cond is None else cond.to(device)
    return (*nets, images.to(device), moved, torch_generator(seed, device))


def train_gan(
    generator: nn.Module,
    discriminator: nn.Module,
    real: torch.Tensor,
    cond: torch.Tensor | None,
    hp: Mapping[str, Any],
    rng: torch.Generator,
    *,
    method: str,
    label: Any,
    verbose: bool,
    device: torch.device | None = None,
) -> pd.DataFrame:
    """Non-saturating GAN training (BCE on logits, Adam); returns the per-epoch loss history.

    Each step updates the discriminator on a real batch (target 1) and the same number
    of fakes (target 0), then the generator against target 1. A conditional model gets
    the real batch's one-hot labels ``cond`` for its fakes too. ``hp["gradient_penalty"]``
    (optional, default 0) adds ``weight * E[(||grad D(x_hat)|| - 1)^2]`` on random
    interpolates of real and fake images (Gulrajani et al., 2017) to the discriminator loss.
    On a CUDA ``device`` the networks and images move there and train with a device
    generator seeded from ``rng``; the networks come back to the CPU at the end. The
    epochs, minibatches, loss history and divergence check are the shared loop's
    (:func:`~gan_oversamplers._loop.train_epochs`); this function supplies the step.
    """
    if TRAINER == "reference":
        return _reference.train_gan(
            generator, discriminator, real, cond, hp, rng,
            method=method, label=label, verbose=verbose, device=device,
        )  # fmt: skip
    generator, discriminator, real, cond, rng = to_device(
        device, (generator, discriminator), real, cond, rng
    )
    betas = (hp["beta1"], 0.999)
    opt_g = torch.optim.Adam(generator.parameters(), lr=hp["generator_lr"], betas=betas)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=hp["discriminator_lr"], betas=betas)
    bce = F.binary_cross_entropy_with_logits

    def step(idx: torch.Tensor) -> torch.Tensor:
        x, c = real[idx], None if cond is None else cond[idx]
        z = torch.randn(len(idx), hp["latent_dim"], generator=rng, device=rng.device)
        fake = generator(z, c)
        d_real, d_fake = discriminator(x, c), discriminator(fake.detach(), c)
        d_loss = bce(d_real, torch.ones_like(d_real)) + bce(d_fake, torch.zeros_like(d_fake))
        if hp.get("gradient_penalty", 0.0) > 0:
            d_loss = d_loss + hp["gradient_penalty"] * _gradient_penalty(
                discriminator, x, fake.detach(), c, rng
            )
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        d_out = discriminator(fake, c)
        g_loss = bce(d_out, torch.ones_like(d_out))
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        return torch.stack([d_loss.detach(), g_loss.detach()])

    try:
        return train_epochs(
            len(real), step, rng,
            epochs=hp["epochs"], batch_size=hp["batch_size"], columns=("d_loss", "g_loss"),
            method=method, label=label, verbose=verbose, device=real.device,
        )  # fmt: skip
    finally:
        generator.cpu()
        discriminator.cpu()


class ImageOverSampler(GANOverSampler):
    """Common skeleton of the image samplers: validation, scaling, the sampler protocol.

    Subclasses implement ``_fit(X, y, seed)`` (``X`` scaled to ``[-1, 1]``,
    float32 tensor; sets the model attributes and ``history_``) and
    ``_generate_class(label, n, generator)`` (``n`` rows in ``[-1, 1]``).
    """

    _method = "image sampler"
    _NOUN = "images"

    def _has_model(self, label: Any) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def fit_generators(self, X: Any, y: Any, counts: Mapping[Any, int] | None = None) -> Any:
        """Train the generative model(s) on the flattened images ``X`` with labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, C*H*W)
            Flattened images, laid out as ``image_shape``.
        y : array-like of shape (n_samples,)
            Class labels.
        counts : dict, optional
            ``{label: new images}``; default: from ``sampling_strategy`` (every class up
            to the largest for ``"auto"``). Every label must have images in ``y``.

        Returns
        -------
        self
        """
        self._validate_params()
        X, y = check_X_y(X, y, dtype=(np.float64, np.float32))
        self.image_shape_ = check_image_shape(self.image_shape, X.shape[1])
        self.n_features_in_, self.dtype_ = X.shape[1], X.dtype
        self.classes_ = [plain(c) for c in np.unique(y)]
        self.counts_ = self._new_counts(y, counts, self.classes_)
        self.data_min_, self.data_max_ = float(X.min()), float(X.max())
        self._seed = self._fit_seed()
        scaled = self._to_tanh(X)
        self._fit(torch.as_tensor(scaled, dtype=torch.float32), np.asarray(y), self._seed)
        return self

    def _to_tanh(self, X: np.ndarray) -> np.ndarray:
        span = self.data_max_ - self.data_min_ or 1.0
        return (X - self.data_min_) / span * 2.0 - 1.0

    def _from_tanh(self, Z: np.ndarray) -> np.ndarray:
        span = self.data_max_ - self.data_min_ or 1.0
        return np.clip((Z + 1.0) / 2.0 * span + self.data_min_, self.data_min_, self.data_max_)

    def generate(
        self, counts: Mapping[Any, int] | None = None, random_state: Any = None
    ) -> dict[Any, np.ndarray]:
        """New images per class, flattened like ``X``, in ``X``'s value range and dtype.

        Parameters
        ----------
        counts : dict, optional
            ``{label: number of images}``; default ``counts_``.
        random_state : int, RandomState instance or None
            Seed of the draw; ``None`` uses a seed derived from the fit's.

        Returns
        -------
        dict
            Label -> array of shape ``(counts[label], C*H*W)``.
        """
        check_is_fitted(self, "history_")
        counts = self.counts_ if counts is None else counts
        seed = (
            derive_seed(self._seed, "generate")
            if random_state is None
            else resolve_seed(random_state)
        )
        out: dict[Any, np.ndarray] = {}
        for label, n in counts.items():
            label, n = plain(label), int(n)
            if n < 0:
                raise ValueError(f"counts[{label!r}] = {n}: the number of images must be >= 0")
            if n == 0:
                out[label] = np.empty((0, self.n_features_in_), dtype=self.dtype_)
                continue
            if not self._has_model(label):
                raise ValueError(
                    f"{type(self).__name__} has no model for class {label!r}; fitted classes "
                    f"with a model: {[c for c in self.classes_ if self._has_model(c)]}"
                )
            rng = torch.Generator().manual_seed(derive_seed(seed, self.classes_.index(label)))
            with torch.no_grad():
                scaled = self._generate_class(label, n, rng)
            out[label] = self._from_tanh(np.asarray(scaled, dtype=np.float64)).astype(self.dtype_)
        return out

    def _fit_resample(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        counts = {plain(k): int(v) for k, v in self.sampling_strategy_.items()}
        return self._append_new(X, y, self.fit_generators(X, y, counts).generate(counts))

    def _fit_seed(self) -> int:
        # The image samplers take an int ``random_state`` as the seed itself (no
        # ``check_random_state`` draw, unlike the tabular ones): kept, so results stay.
        return resolve_seed(self.random_state)


class PerClassImageGAN(ImageOverSampler):
    """One GAN per class with new images (DCGAN, vanilla GAN): subclasses build the nets.

    Each class's GAN is trained on that class's images only, with its own seed
    ``derive_seed(seed, "fit", index of the class)``; ``generators_`` keeps the
    generators' ``state_dict`` s.
    """

    _init = "dcgan"

    def _build(self, role: str) -> nn.Module:  # pragma: no cover - overridden
        raise NotImplementedError

    def _fit(self, X: torch.Tensor, y: np.ndarray, seed: int) -> None:
        self.generators_: dict[Any, dict[str, torch.Tensor]] = {}
        histories = []
        hp = {k: getattr(self, k) for k in GAN_KEYS}
        for label, n in sorted(self.counts_.items()):
            if n == 0:
                continue
            rows = X[torch.as_tensor(y == label)]
            if len(rows) < 2:
                raise ValueError(
                    f"Class {label!r} has {len(rows)} image(s); {self._method} trains a GAN per "
                    "class and needs at least 2 images of it"
                )
            rng = torch.Generator().manual_seed(
                derive_seed(seed, "fit", self.classes_.index(label))
            )
            generator, discriminator = self._build("generator"), self._build("discriminator")
            init_weights(generator, rng, self._init)
            init_weights(discriminator, rng, self._init)
            with single_thread():
                histories.append(
                    train_gan(
                        generator,
                        discriminator,
                        rows,
                        None,
                        hp,
                        rng,
                        method=self._method,
                        label=label,
                        verbose=self.verbose,
                        device=self._fit_device(),
                    )
                )
            self.generators_[label] = {
                k: v.detach().clone() for k, v in generator.state_dict().items()
            }
        self.history_ = pd.concat(histories, ignore_index=True) if histories else _empty_history()

    def _has_model(self, label: Any) -> bool:
        return label in self.generators_

    def _generate_class(self, label: Any, n: int, rng: torch.Generator) -> np.ndarray:
        generator = self._build("generator")
        generator.load_state_dict(self.generators_[label])
        generator.eval()
        return generator(torch.randn(n, self.latent_dim, generator=rng)).numpy()


#: Parameter constraints shared by the image samplers (sklearn validation).
COMMON_CONSTRAINTS: dict[str, list[Any]] = {
    **BASE_CONSTRAINTS,
    "image_shape": ["array-like", None],
    "epochs": [Interval(Integral, 1, None, closed="left")],
    "batch_size": [Interval(Integral, 2, None, closed="left")],
    "latent_dim": [Interval(Integral, 1, None, closed="left")],
}

#: ... of the GAN samplers.
GAN_CONSTRAINTS: dict[str, list[Any]] = {
    **COMMON_CONSTRAINTS,
    "generator_lr": [Interval(Real, 0, None, closed="neither")],
    "discriminator_lr": [Interval(Real, 0, None, closed="neither")],
    "beta1": [Interval(Real, 0, 1, closed="left")],
}

#: Hyper-parameters every GAN sampler passes to :func:`train_gan`.
GAN_KEYS = ("epochs", "batch_size", "generator_lr", "discriminator_lr", "beta1", "latent_dim")


def _empty_history() -> pd.DataFrame:
    return pd.DataFrame({"label": [], "epoch": [], "d_loss": [], "g_loss": []})
