"""The one-model table GAN trainer as it was before the engine: the engine's test oracle.

Frozen copy of ``_tabular_gan.train_gan`` (autograd, ``torch.optim.Adam``, one class at a
time) as SMOTified-GAN, vanilla GAN and the conditional table GAN trained before
:mod:`gan_oversamplers._engine`. Not used by the samplers: the tests train the same
networks here and on the engine and compare losses, weights and rows, and
``benchmarks/engine.py`` times both. Do not change it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from ._random import torch_generator
from .errors import TrainingDivergedError

__all__ = ["train_gan"]


def _set_dropout_generator(module: nn.Module, generator: torch.Generator | None) -> None:
    for layer in module.modules():
        if hasattr(layer, "p") and hasattr(layer, "generator"):  # SeededDropout
            layer.generator = generator


def train_gan(
    real: torch.Tensor,
    generator_net: nn.Sequential,
    discriminator_net: nn.Sequential,
    draw_input: Callable[[int, torch.Generator], torch.Tensor],
    gen: torch.Generator,
    hp: dict[str, Any],
    *,
    label: Any,
    condition: torch.Tensor | None = None,
    row_weights: torch.Tensor | None = None,
    verbose: bool = False,
    name: str = "GAN",
    device: torch.device | None = None,
) -> pd.DataFrame:
    """Train a BCE GAN on the rows ``real`` (scaled into [0, 1]); return its loss history.

    One epoch is one pass over ``real`` in shuffled minibatches of ``hp["batch_size"]``
    rows (the last one may be smaller). Per minibatch: one discriminator step on real
    rows (target 1) and ``G(input)`` rows (target 0), the loss being the sum of the two
    BCE terms, then one generator step with the non-saturating loss (target 1). The
    generator's input rows come from ``draw_input(m, gen)``. With ``row_weights`` an epoch
    is instead ``len(real)`` rows drawn with replacement in proportion to the weights
    (e.g. ``1 / class size``: every class equally often). With ``condition`` (one row
    per real row, e.g. one-hot labels) both networks also get the minibatch's condition
    rows concatenated to their input (conditional GAN). The discriminator outputs
    logits; ``BCEWithLogits`` is the paper's sigmoid + BCE, computed stably.

    Raises :class:`~gan_oversamplers.gan_smote.TrainingDivergedError` at the first epoch
    whose mean loss is not finite. On a CUDA ``device`` the networks and rows move there
    and train with a device generator seeded from ``gen``; the networks come back to the
    CPU at the end (sampling runs there). The losses stay on the device until the end of
    each epoch (one host sync per epoch).
    """
    device = torch.device("cpu") if device is None else device
    if device.type != "cpu":
        generator_net.to(device)
        discriminator_net.to(device)
        real = real.to(device)
        condition = None if condition is None else condition.to(device)
        row_weights = None if row_weights is None else row_weights.to(device)
        gen = torch_generator(int(torch.randint(0, 2**62, (1,), generator=gen)), device)
    opt_g = torch.optim.Adam(
        generator_net.parameters(), lr=hp["generator_lr"], betas=tuple(hp["betas"])
    )
    opt_d = torch.optim.Adam(
        discriminator_net.parameters(), lr=hp["discriminator_lr"], betas=tuple(hp["betas"])
    )
    n, batch = real.shape[0], min(int(hp["batch_size"]), real.shape[0])
    rows: list[dict[str, Any]] = []
    generator_net.train()
    discriminator_net.train()
    _set_dropout_generator(generator_net, gen)
    _set_dropout_generator(discriminator_net, gen)
    bar = tqdm(range(int(hp["epochs"])), disable=not verbose, desc=f"{name} class {label}")
    for epoch in bar:
        totals = torch.zeros(4, device=device)
        order = (
            torch.randperm(n, generator=gen, device=device)
            if row_weights is None
            else torch.multinomial(row_weights, n, replacement=True, generator=gen)
        )
        for start in range(0, n, batch):
            index = order[start : start + batch]
            x = real[index]
            # a fake batch of at least 2 rows: batch norm cannot train on one row
            m = max(len(index), 2)
            c = None if condition is None else condition[index.repeat(2)[:m]]

            def with_c(t: torch.Tensor, c: torch.Tensor | None = c) -> torch.Tensor:
                return t if c is None else torch.cat([t, c], dim=1)

            cx = with_c(x, None if condition is None else condition[index])
            fake = generator_net(with_c(draw_input(m, gen)))
            d_real = discriminator_net(cx)
            d_fake = discriminator_net(with_c(fake.detach()))
            d_loss = F.binary_cross_entropy_with_logits(
                d_real, torch.ones_like(d_real)
            ) + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            scored = discriminator_net(with_c(fake))
            g_loss = F.binary_cross_entropy_with_logits(scored, torch.ones_like(scored))
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()
            totals += torch.stack(
                [
                    d_loss.detach(),
                    g_loss.detach(),
                    torch.sigmoid(d_real.detach()).mean(),
                    torch.sigmoid(d_fake.detach()).mean(),
                ]
            )
        means = totals.cpu().numpy().astype(np.float64) / math.ceil(n / batch)
        if not np.isfinite(means[:2]).all():
            raise TrainingDivergedError(label, epoch, method=name)
        rows.append(dict(zip(("d_loss", "g_loss", "d_real", "d_fake"), means, strict=True)))
        if verbose:
            bar.set_postfix(d_loss=f"{means[0]:.4f}", g_loss=f"{means[1]:.4f}")
    _set_dropout_generator(generator_net, None)
    _set_dropout_generator(discriminator_net, None)
    generator_net.eval()
    if device.type != "cpu":
        generator_net.cpu()
        discriminator_net.cpu()
    history = pd.DataFrame(rows, columns=["d_loss", "g_loss", "d_real", "d_fake"])
    history.insert(0, "epoch", np.arange(len(history)))
    history.insert(0, "label", [label] * len(history))
    return history
