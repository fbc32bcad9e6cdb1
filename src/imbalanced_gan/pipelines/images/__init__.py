"""Images: imposed imbalance, folds, per-split image samplers, a CNN and reports."""

from . import pipeline  # noqa: F401
