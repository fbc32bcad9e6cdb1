"""Errors of the library's samplers, in a module of their own (imported by every trainer)."""

from __future__ import annotations

from typing import Any

__all__ = ["TrainingDivergedError"]


class TrainingDivergedError(FloatingPointError):
    """A loss became NaN or infinite; ``label``, ``epoch`` and ``method`` say where."""

    def __init__(self, label: Any, epoch: int, index: int = 0, method: str = "GAN-SMOTE") -> None:
        self.label, self.epoch, self.index, self.method = label, epoch, index, method
        super().__init__(
            f"{method} training of class {label!r} diverged: non-finite loss at epoch "
            f"{epoch}; lower generator_lr/discriminator_lr"
        )
