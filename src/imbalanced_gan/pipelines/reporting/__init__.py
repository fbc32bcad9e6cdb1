"""Reporting: per-fold metrics, mean ± std per method, tables and plots."""

from . import pipeline  # noqa: F401
