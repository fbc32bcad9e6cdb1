"""Encoding: per fold, fit the encoder on the training part only."""

from . import pipeline  # noqa: F401
