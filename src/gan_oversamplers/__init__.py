"""gan_oversamplers: GAN-based over-samplers with the imbalanced-learn API.

A plain library (NumPy, PyTorch, scikit-learn, imbalanced-learn); it never imports
Kedro, so the samplers drop into ``imblearn.pipeline.Pipeline`` and ``cross_validate``.
"""

from .baselines import SMALL_CLASS_POLICY, SafeSMOTE, make_baseline
from .encoding import TableEncoder
from .gan_smote import (
    GAN_SMOTE_DEFAULTS,
    GANSMOTE,
    MODE_COLLAPSE_RATIO,
    GANSMOTEGenerator,
    TrainingDivergedError,
    fit_generators,
)
from .topup import concat_top_up, top_up_counts

__all__ = [
    "GANSMOTE",
    "GAN_SMOTE_DEFAULTS",
    "MODE_COLLAPSE_RATIO",
    "SMALL_CLASS_POLICY",
    "GANSMOTEGenerator",
    "SafeSMOTE",
    "TableEncoder",
    "TrainingDivergedError",
    "concat_top_up",
    "fit_generators",
    "make_baseline",
    "top_up_counts",
]
__version__ = "0.1.0"
