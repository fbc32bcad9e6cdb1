"""Vanilla (fully connected) GAN over-sampler for images, one GAN per class.

Paper 004 (Dababneh, 2025, section 3.1): a fully connected generator from 100-d N(0, 1)
noise to the flattened image, ReLU hidden layers and a ``tanh`` output; a fully
connected discriminator with LeakyReLU and a sigmoid output; binary cross-entropy; Adam
with learning rate 2e-4 and beta1 = 0.5; 200 epochs on the minority class only. The
report gives no layer widths; the defaults are the common 256-512-1024 / 512-256 ones.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from ._nets import GAN_CONSTRAINTS, MLPNet, PerClassImageGAN

__all__ = ["VanillaImageGAN"]


class VanillaImageGAN(PerClassImageGAN):
    """Over-sample images with one fully connected GAN per class (paper 004).

    The images are treated as flat vectors (no convolutions), as in the paper; the
    discriminator's sigmoid is folded into the loss (BCE on logits, the same loss,
    numerically safer).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        As in imbalanced-learn; ``'auto'`` tops every class up to the largest.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, noise and batch order (bit-identical output for a given seed).
    image_shape : tuple (C, H, W) or None, default=None
        Layout of the flattened rows of X (validated; the nets see flat vectors).
    latent_dim : int, default=100
        Noise dimension (paper 004: 100).
    generator_dims : tuple of int, default=(256, 512, 1024)
        Hidden widths of the generator (ReLU).
    discriminator_dims : tuple of int, default=(512, 256)
        Hidden widths of the discriminator (LeakyReLU 0.2).
    epochs : int, default=200
        Passes over each class's images (paper 004: 200).
    batch_size : int, default=64
        Images per step; a class smaller than this is one batch.
    generator_lr, discriminator_lr : float, default=2e-4
        Adam learning rates (paper 004).
    beta1 : float, default=0.5
        Adam's first momentum coefficient (paper 004; beta2 = 0.999).
    verbose : bool, default=False
        A progress bar with the losses per class.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where the networks train (``"auto"``: CUDA when available); sampling runs on the CPU.

    Attributes
    ----------
    generators_ : dict
        Class label -> the generator's ``state_dict`` (CPU tensors).
    history_ : DataFrame
        ``label, epoch, d_loss, g_loss`` (mean over the epoch's steps).
    counts_, classes_, image_shape_, data_min_, data_max_ :
        New images per class, the classes, the image layout and the training pixel range.
    """

    _parameter_constraints: dict = {
        **GAN_CONSTRAINTS,
        "generator_dims": ["array-like"],
        "discriminator_dims": ["array-like"],
    }
    _method = "Vanilla GAN"
    _init = "default"

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        image_shape: tuple[int, int, int] | None = None,
        latent_dim: int = 100,
        generator_dims: tuple[int, ...] = (256, 512, 1024),
        discriminator_dims: tuple[int, ...] = (512, 256),
        epochs: int = 200,
        batch_size: int = 64,
        generator_lr: float = 2e-4,
        discriminator_lr: float = 2e-4,
        beta1: float = 0.5,
        verbose: bool = False,
        device: str = "auto",
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.image_shape = image_shape
        self.latent_dim = latent_dim
        self.generator_dims = generator_dims
        self.discriminator_dims = discriminator_dims
        self.epochs = epochs
        self.batch_size = batch_size
        self.generator_lr = generator_lr
        self.discriminator_lr = discriminator_lr
        self.beta1 = beta1
        self.verbose = verbose
        self.device = device

    def _build(self, role: str) -> nn.Module:
        if role == "generator":
            sizes = [self.latent_dim, *self.generator_dims, self.n_features_in_]
            return MLPNet([int(s) for s in sizes], nn.ReLU, tanh_output=True)
        sizes = [self.n_features_in_, *self.discriminator_dims, 1]
        return MLPNet([int(s) for s in sizes], lambda: nn.LeakyReLU(0.2), tanh_output=False)
