"""Image over-samplers: DeepSMOTE, per-class DCGAN and vanilla GAN, a conditional GAN.

Images come flattened, ``(n, C*H*W)``, with ``image_shape=(C, H, W)``; outputs are
flattened the same way, in the training images' value range. Kept out of the package's
top-level import so that the tabular samplers load without the image code.

``IMAGE_SAMPLERS`` maps the names used in conf/ to the classes.
"""

from __future__ import annotations

from .cgan import ConditionalImageGAN
from .dcgan import DCGANOverSampler
from .deepsmote import DeepSMOTE
from .vanilla import VanillaImageGAN

__all__ = [
    "IMAGE_SAMPLERS",
    "ConditionalImageGAN",
    "DCGANOverSampler",
    "DeepSMOTE",
    "VanillaImageGAN",
]

#: Name (as written in conf/) -> image over-sampler class.
IMAGE_SAMPLERS: dict[str, type] = {
    "deepsmote": DeepSMOTE,
    "dcgan": DCGANOverSampler,
    "cgan_images": ConditionalImageGAN,
    "vanilla_gan_images": VanillaImageGAN,
}
