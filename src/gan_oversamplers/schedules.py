"""Training schedules of GAN-SMOTE: decreasing random bit-flips and SGDR warm restarts.

Both are plain functions of the epoch so that they can be tested against the paper's
numbers and shared by the one-at-a-time and (later) batched training loops.
"""

from __future__ import annotations

import math

__all__ = ["bit_flip_probability", "sgdr_learning_rate"]


def bit_flip_probability(epoch: int, initial: float, stop_epoch: int) -> float:
    """Per-bit flip probability for real rows at ``epoch``.

    Decays linearly from ``initial`` at epoch 0 to exactly 0 at ``stop_epoch`` and
    stays 0 afterwards (paper 000, section 2.2: "slowly reduced to zero").

    Parameters
    ----------
    epoch : int
        Zero-based epoch.
    initial : float
        Probability at epoch 0 (the authors' code: 0.30).
    stop_epoch : int
        First epoch with no flips (the authors' code: 37,000 of 40,000).
    """
    if stop_epoch <= 0 or epoch >= stop_epoch:
        return 0.0
    return initial * (1.0 - epoch / stop_epoch)


def sgdr_learning_rate(
    epoch: int,
    base_lr: float,
    *,
    factor: float,
    cycle: int,
    start_epoch: int,
) -> float:
    """Learning rate with SGDR warm restarts (Loshchilov & Hutter), as in paper 000.

    Before ``start_epoch`` the rate is ``base_lr``. From then on every cycle of
    ``cycle`` epochs restarts at ``factor * base_lr`` and anneals back towards
    ``base_lr`` along half a cosine:
    ``lr = base + 0.5 * (factor * base - base) * (1 + cos(pi * t / cycle))`` with
    ``t = (epoch - start_epoch) % cycle``.
    """
    if cycle <= 0 or epoch < start_epoch:
        return base_lr
    step = (epoch - start_epoch) % cycle
    peak = factor * base_lr
    return base_lr + 0.5 * (peak - base_lr) * (1.0 + math.cos(math.pi * step / cycle))
