"""Over-sampling: per (fold, class) generator training, then top-up; baselines."""

from . import pipeline  # noqa: F401
