"""Seeding helpers: derive independent, reproducible seeds without global RNG state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from numbers import Integral

import numpy as np
import torch

__all__ = [
    "M32",
    "counter_bits",
    "counter_uniform",
    "derive_seed",
    "hash32",
    "plain",
    "resolve_seed",
    "single_thread",
    "torch_generator",
]

#: The low 32 bits of an int64.
M32 = 0xFFFFFFFF


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


def plain(value: object) -> object:
    """A NumPy scalar (e.g. a class label) as the Python object it holds."""
    return value.item() if isinstance(value, np.generic) else value


@contextmanager
def single_thread() -> Iterator[None]:
    """Run torch on one intra-op thread, then restore the previous setting.

    The per-class GANs are tiny: on 2 cores one thread trains an epoch about 30 %
    faster than two (thread hand-off costs more than it saves), and leaves the other
    core to a parallel runner's second worker.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def hash32(x: torch.Tensor) -> torch.Tensor:
    """A 32-bit integer mixer (lowbias32) on int64 tensors holding values in [0, 2**32)."""
    x = x ^ (x >> 16)
    x = (x * 0x7FEB352D) & M32
    x = x ^ (x >> 15)
    x = (x * 0x846CA68B) & M32
    return x ^ (x >> 16)


def counter_bits(key: torch.Tensor, row: torch.Tensor, col: torch.Tensor) -> torch.Tensor:
    """32 random bits (int64) per element: a hash of ``key``, then the row, then the column.

    The counter-based streams of the engines: a GAN's ``key`` (per epoch and purpose) and
    an entry's own row and column give its number, whatever else is computed beside it, so
    K GANs draw without a loop over them, on any device, inside a CUDA graph.
    """
    row_key = hash32((key + row * 0x9E3779B9) & M32)
    return hash32((row_key + col * 0x85EBCA6B) & M32)


def counter_uniform(key: torch.Tensor, row: torch.Tensor, col: torch.Tensor) -> torch.Tensor:
    """Uniforms in (0, 1) (24 bits) from :func:`counter_bits`."""
    return ((counter_bits(key, row, col) >> 8).float() + 0.5) * (1.0 / 16777216.0)
