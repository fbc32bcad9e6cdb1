"""Tabular samplers by name, for configuration files (``oversampler: smotified_gan``)."""

from __future__ import annotations

from imblearn.over_sampling.base import BaseOverSampler

from .conditional_gan import ConditionalTableGAN
from .smotified_gan import SMOTifiedGAN
from .vanilla_gan import VanillaGAN

__all__ = ["TABLE_SAMPLERS"]

#: Name (snake_case, as in conf/) -> tabular GAN sampler class.
TABLE_SAMPLERS: dict[str, type[BaseOverSampler]] = {
    "smotified_gan": SMOTifiedGAN,
    "vanilla_gan": VanillaGAN,
    "cgan": ConditionalTableGAN,
}
