"""Seeding helpers: derive independent, reproducible seeds without global RNG state."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import torch

__all__ = ["derive_seed", "resolve_seed", "torch_generator"]


def resolve_seed(random_state: int | np.random.RandomState | None) -> int:
    """Turn an imbalanced-learn style ``random_state`` into one integer seed.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        ``None`` draws fresh entropy (not reproducible); an integer is used as is; a
        ``RandomState`` contributes one draw, so successive calls differ but are
        reproducible from the state's own seed.

    Returns
    -------
    seed : int
        A seed in ``[0, 2**32)``.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, Integral):
        return int(random_state) % (2**32)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**32 - 1, dtype=np.uint32))
    raise TypeError(
        f"random_state must be None, an int or a numpy RandomState, got {random_state!r}"
    )


def derive_seed(seed: int, *keys: int | str) -> int:
    """Derive a child seed from ``seed`` and a path of keys (fold, class, ...).

    The same inputs always give the same child; different keys give statistically
    independent streams (numpy's ``SeedSequence`` spawn keys).
    """
    key_ints = [
        k if isinstance(k, int) else int.from_bytes(str(k).encode()[:16].ljust(16, b"\0"))
        for k in keys
    ]
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=tuple(key_ints))
    return int(sequence.generate_state(1)[0])


def torch_generator(seed: int, device: str | torch.device = "cpu") -> torch.Generator:
    """A ``torch.Generator`` seeded with ``seed``; the global torch RNG is untouched."""
    generator = torch.Generator(device=device)
    generator.manual_seed(int(seed))
    return generator
