"""Conditional image GAN: one DCGAN-style model for every class, conditioned on the label.

Paper 004 (Dababneh, 2025, section 3.2) describes a CGAN whose generator takes 100-d
noise with the class label and whose discriminator, conditioned on the label too, uses
spectral normalisation and a gradient penalty (both optional here: see
docs/methods/cgan_images.md). The report gives no sizes; the networks are the DCGAN ones
of ``_nets`` with the one-hot label appended to the noise and, as constant channels, to
the discriminator's input image (Mirza & Osindero, 2014).
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from sklearn.utils._param_validation import Interval
from torch import nn

from .._random import derive_seed, single_thread
from ._nets import (
    GAN_CONSTRAINTS,
    GAN_KEYS,
    ConvDecoder,
    ConvEncoder,
    ImageOverSampler,
    init_weights,
    spectral_normed,
    train_gan,
)

__all__ = ["ConditionalImageGAN"]


class ConditionalImageGAN(ImageOverSampler):
    """Over-sample images with one label-conditioned DCGAN trained on all classes.

    The generator maps ``[noise, one-hot label]`` to an image; the discriminator sees the
    image with the label as extra constant channels. Trained on every class (the
    majority classes teach the shared strokes), it then returns exactly the requested
    number of images per class. Non-saturating BCE loss, Adam.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        As in imbalanced-learn; ``'auto'`` tops every class up to the largest.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, noise and batch order (bit-identical output for a given seed).
    image_shape : tuple (C, H, W) or None, default=None
        Layout of the flattened rows of X; ``None`` means one square channel.
    latent_dim : int, default=100
        Noise dimension (paper 004: 100).
    conv_dim : int, default=32
        Channels of the first convolution, doubled per layer (DCGAN: 64).
    epochs : int, default=30
        Passes over all training images (paper 004 gives none for its CGAN).
    batch_size : int, default=64
        Images per step.
    generator_lr, discriminator_lr : float, default=2e-4
        Adam learning rates (DCGAN).
    beta1 : float, default=0.5
        Adam's first momentum coefficient (beta2 = 0.999).
    spectral_norm : bool, default=False
        Spectral normalisation of every discriminator layer (paper 004), which then has
        no batch normalisation (as in SN-GAN).
    gradient_penalty : float, default=0.0
        Weight of a WGAN-GP gradient penalty on the discriminator (paper 004 names one,
        without its form or weight); 0 turns it off. Use with ``spectral_norm=True``
        (batch norm and a per-image gradient penalty do not mix).
    verbose : bool, default=False
        A progress bar with the losses.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where the networks train (``"auto"``: CUDA when available); sampling runs on the CPU.

    Attributes
    ----------
    generator_ : dict
        The generator's ``state_dict`` (CPU tensors).
    history_ : DataFrame
        ``label`` (None: one model for all classes), ``epoch``, ``d_loss``, ``g_loss``.
    counts_, classes_, image_shape_, data_min_, data_max_ :
        New images per class, the classes (the label encoding follows their order), the
        image layout and the training pixel range.
    """

    _parameter_constraints: dict = {
        **GAN_CONSTRAINTS,
        "conv_dim": [Interval(Integral, 1, None, closed="left")],
        "spectral_norm": ["boolean"],
        "gradient_penalty": [Interval(Real, 0, None, closed="left")],
    }
    _method = "Conditional GAN"

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        image_shape: tuple[int, int, int] | None = None,
        latent_dim: int = 100,
        conv_dim: int = 32,
        epochs: int = 30,
        batch_size: int = 64,
        generator_lr: float = 2e-4,
        discriminator_lr: float = 2e-4,
        beta1: float = 0.5,
        spectral_norm: bool = False,
        gradient_penalty: float = 0.0,
        verbose: bool = False,
        device: str = "auto",
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.image_shape = image_shape
        self.latent_dim = latent_dim
        self.conv_dim = conv_dim
        self.epochs = epochs
        self.batch_size = batch_size
        self.generator_lr = generator_lr
        self.discriminator_lr = discriminator_lr
        self.beta1 = beta1
        self.spectral_norm = spectral_norm
        self.gradient_penalty = gradient_penalty
        self.verbose = verbose
        self.device = device

    def _generator(self) -> nn.Module:
        n_classes = len(self.classes_)
        return ConvDecoder(self.image_shape_, self.conv_dim, self.latent_dim + n_classes)

    def _discriminator(self, rng: torch.Generator) -> nn.Module:
        net = ConvEncoder(
            self.image_shape_,
            self.conv_dim,
            1,
            cond_dim=len(self.classes_),
            batch_norm=not self.spectral_norm,
        )
        init_weights(net, rng)
        if self.spectral_norm:
            for name, layer in list(net.named_modules()):
                if isinstance(layer, nn.Conv2d | nn.Linear):
                    parent_name, _, child = name.rpartition(".")
                    parent = net.get_submodule(parent_name) if parent_name else net
                    setattr(parent, child, spectral_normed(layer, rng))
        return net

    def _one_hot(self, labels: np.ndarray) -> torch.Tensor:
        index = np.searchsorted(np.asarray(self.classes_), labels)
        return torch.eye(len(self.classes_))[torch.as_tensor(index)]

    def _fit(self, X: torch.Tensor, y: np.ndarray, seed: int) -> None:
        rng = torch.Generator().manual_seed(derive_seed(seed, "fit"))
        generator = self._generator()
        init_weights(generator, rng)
        discriminator = self._discriminator(rng)
        hp = {k: getattr(self, k) for k in (*GAN_KEYS, "gradient_penalty")}
        with single_thread():
            self.history_ = train_gan(
                generator, discriminator, X, self._one_hot(y), hp, rng,
                method=self._method, label=None, verbose=self.verbose,
                device=self._fit_device(),
            )  # fmt: skip
        self.generator_ = {k: v.detach().clone() for k, v in generator.state_dict().items()}

    def _has_model(self, label: Any) -> bool:
        return label in self.classes_

    def _generate_class(self, label: Any, n: int, rng: torch.Generator) -> np.ndarray:
        generator = self._generator()
        generator.load_state_dict(self.generator_)
        generator.eval()
        cond = self._one_hot(np.full(n, label))
        return generator(torch.randn(n, self.latent_dim, generator=rng), cond).numpy()
