"""gan_oversamplers: GAN-based over-samplers with the imbalanced-learn API.

A plain library (NumPy, PyTorch, scikit-learn, imbalanced-learn); it never imports
Kedro, so the samplers drop into ``imblearn.pipeline.Pipeline`` and ``cross_validate``.
"""

from .baselines import SMALL_CLASS_POLICY, SafeSMOTE, make_baseline
from .conditional_gan import ConditionalTableGAN
from .encoding import TableEncoder
from .gan_smote import (
    GAN_SMOTE_DEFAULTS,
    GANSMOTE,
    MODE_COLLAPSE_RATIO,
    Checkpoint,
    GANSMOTEGenerator,
    TrainingDivergedError,
    TrainingInterrupted,
    fit_generators,
    stack_memory_mb,
)
from .smotified_gan import SMOTIFIED_GAN_PRESETS, SMOTifiedGAN
from .topup import concat_top_up, top_up_counts
from .vanilla_gan import VanillaGAN

__all__ = [
    "Checkpoint",
    "ConditionalTableGAN",
    "GANSMOTE",
    "GAN_SMOTE_DEFAULTS",
    "MODE_COLLAPSE_RATIO",
    "SMALL_CLASS_POLICY",
    "SMOTIFIED_GAN_PRESETS",
    "SMOTifiedGAN",
    "GANSMOTEGenerator",
    "SafeSMOTE",
    "TableEncoder",
    "TrainingDivergedError",
    "TrainingInterrupted",
    "VanillaGAN",
    "concat_top_up",
    "fit_generators",
    "make_baseline",
    "stack_memory_mb",
    "top_up_counts",
]
__version__ = "0.1.0"
