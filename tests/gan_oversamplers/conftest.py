"""Shared fixtures of the library's tests."""

from __future__ import annotations

import pytest
import torch

from gan_oversamplers import _batched


class _EagerReplayer:
    """A stand-in CUDA graph: each replay runs the captured epoch step eagerly."""

    def __init__(self, epoch_step, epochs: int) -> None:
        self.epoch_step, self.epochs = epoch_step, epochs

    def replay(self) -> None:
        for _ in range(self.epochs):
            self.epoch_step()


@pytest.fixture
def graph_on_cpu(monkeypatch):
    """Run the engines' CUDA-graph schedule (warm-up, captured blocks, eager rest) on the CPU."""
    monkeypatch.setattr(_batched, "_GRAPH_DEVICES", ("cuda", "cpu"))
    monkeypatch.setattr(
        _batched,
        "_capture",
        lambda step, device, epochs=_batched._GRAPH_EPOCHS: _EagerReplayer(step, epochs),
    )
    monkeypatch.setattr(_batched, "_warm_up", lambda step, device: step())


@pytest.fixture
def assert_identical():
    """Check that two lists of ``TrainedGAN`` are equal bit for bit (weights and losses)."""

    def check(a, b) -> None:
        for x, y in zip(a, b, strict=True):
            for p, q in zip(
                x.generator_params + x.discriminator_params,
                y.generator_params + y.discriminator_params,
                strict=True,
            ):
                assert torch.equal(p, q)  # bit for bit
            assert x.history.equals(y.history)

    return check
