"""Folds: repeated stratified K-fold indices, written once per run."""

from . import pipeline  # noqa: F401
