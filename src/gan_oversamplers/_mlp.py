"""Small functional MLPs whose initialisation draws from a given generator.

``torch.nn`` layers initialise from the global RNG; here every random draw takes an
explicit ``torch.Generator`` so that a sampler's output depends on its ``random_state``
alone. (Training, dropout included, is in ``_batched.py``.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch.nn import functional as F

__all__ = ["init_mlp", "mlp_forward"]


def init_mlp(sizes: Sequence[int], generator: torch.Generator) -> list[torch.Tensor]:
    """Weights and biases ``[W0, b0, W1, b1, ...]`` for layer sizes ``sizes``.

    Uses PyTorch's default ``nn.Linear`` initialisation: weights and biases uniform in
    ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``.
    """
    params: list[torch.Tensor] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1.0 / math.sqrt(fan_in)
        weight = (torch.rand(fan_out, fan_in, generator=generator) * 2 - 1) * bound
        bias = (torch.rand(fan_out, generator=generator) * 2 - 1) * bound
        params += [weight.requires_grad_(), bias.requires_grad_()]
    return params


def mlp_forward(
    params: Sequence[torch.Tensor], x: torch.Tensor, *, negative_slope: float = 0.2
) -> torch.Tensor:
    """Linear -> LeakyReLU for each hidden layer, then Linear -> sigmoid (sampling path)."""
    n_layers = len(params) // 2
    h = x
    for i in range(n_layers):
        h = F.linear(h, params[2 * i], params[2 * i + 1])
        if i == n_layers - 1:
            break
        h = F.leaky_relu(h, negative_slope)
    return torch.sigmoid(h)
