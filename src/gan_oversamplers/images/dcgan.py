"""DCGAN over-sampler: one deep convolutional GAN per class that needs new images.

Paper 004 (Dababneh, "Exploring GAN Variants for Balancing Imbalanced Datasets", 2025)
balances one minority image class with a DCGAN but gives no sizes; the architecture and
training settings are those of DCGAN itself (Radford, Metz & Chintala, ICLR 2016), with
the depth adapted to small images (see ``_nets``).
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

from sklearn.utils._param_validation import Interval
from torch import nn

from ._nets import GAN_CONSTRAINTS, ConvDecoder, ConvEncoder, PerClassImageGAN

__all__ = ["DCGANOverSampler"]


class DCGANOverSampler(PerClassImageGAN):
    """Over-sample images with one DCGAN per class (paper 004's DCGAN variant).

    Each class selected by ``sampling_strategy`` gets its own GAN, trained on that
    class's images only. Generator: linear projection of the noise, then transposed
    convolutions (batch norm, ReLU) up to the image size, ``tanh`` output. Discriminator:
    strided convolutions (LeakyReLU 0.2, batch norm after the first), then a linear
    logit. Non-saturating BCE loss, Adam.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        As in imbalanced-learn; ``'auto'`` tops every class up to the largest.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, noise and batch order (bit-identical output for a given seed).
    image_shape : tuple (C, H, W) or None, default=None
        Layout of the flattened rows of X; ``None`` means one square channel.
    latent_dim : int, default=100
        Noise dimension (DCGAN: 100).
    conv_dim : int, default=32
        Channels of the first convolution, doubled per layer (DCGAN: 64 at 64x64 px;
        32 is enough for 8x8 and 28x28 images and about half the time; on small classes
        the seed matters more than the width, see docs/methods/dcgan.md).
    epochs : int, default=200
        Passes over each class's images (paper 004 trains its GANs for 200 epochs).
    batch_size : int, default=64
        Images per step (DCGAN: 128); a class smaller than this is one batch.
    generator_lr, discriminator_lr : float, default=2e-4
        Adam learning rates (DCGAN).
    beta1 : float, default=0.5
        Adam's first momentum coefficient (DCGAN; beta2 = 0.999).
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
        New images per class, the classes of ``y``, the image layout and the pixel range
        of the training images (outputs are mapped back into it).
    """

    _parameter_constraints: dict = {
        **GAN_CONSTRAINTS,
        "conv_dim": [Interval(Integral, 1, None, closed="left")],
    }
    _method = "DCGAN"

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        image_shape: tuple[int, int, int] | None = None,
        latent_dim: int = 100,
        conv_dim: int = 32,
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
        self.conv_dim = conv_dim
        self.epochs = epochs
        self.batch_size = batch_size
        self.generator_lr = generator_lr
        self.discriminator_lr = discriminator_lr
        self.beta1 = beta1
        self.verbose = verbose
        self.device = device

    def _build(self, role: str) -> nn.Module:
        if role == "generator":
            return ConvDecoder(self.image_shape_, self.conv_dim, self.latent_dim)
        return ConvEncoder(self.image_shape_, self.conv_dim, 1)
