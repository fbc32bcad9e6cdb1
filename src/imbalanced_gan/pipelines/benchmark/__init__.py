"""Benchmark: every tabular method on every configured dataset, on identical folds."""

from . import pipeline  # noqa: F401
