"""Classification: train on the topped-up training part, evaluate on the untouched test part."""

from . import pipeline  # noqa: F401
