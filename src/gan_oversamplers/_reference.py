"""The pre-engine GAN-SMOTE trainer, kept as the reference the engine is tested against.

Tests (tests/gan_oversamplers/test_engine.py) and ``benchmarks/engine.py`` compare
:func:`gan_oversamplers._batched.train_stack` with this one: same initial weights,
same math, a different (cheaper) random stream; loss curves and samples must agree in
distribution. The rest of this docstring is the original one.

Train many GAN-SMOTE models at once, as one vectorised model.

Every per-class GAN of a run has the same small architecture, so K of them train
together: weights are stacked along a leading axis and every layer is one batched
matrix product (``torch.baddbmm``). Classes differ in size and folds in width, so rows
and features are padded and masked: padded rows never enter a loss or a minibatch
distance, padded features are zero in real and fake rows alike, so their weights get no
gradient and Adam leaves them at zero. The math of each GAN is that of training it alone;
``GANSMOTEGenerator.fit`` is this function with K = 1, and a test checks that K GANs
trained together match K trained one by one.

Randomness stays per GAN: GAN ``k`` draws every random number it needs (initial weights,
latent noise, row choices, bit-flips, real-row noise, minibatch-feature jitter, dropout
masks) from its own ``torch.Generator``, in a fixed order, a chunk of steps at a time,
so its stream does not depend on which other GANs share the batch.

One epoch is one update of the discriminator and then of the generator on one batch per
class: the whole class when it fits in ``batch_size`` (the authors' batch of 70 holds
every class of their data), else ``batch_size`` rows drawn with replacement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch.nn import functional as F
from tqdm.auto import tqdm

from ._mlp import init_mlp
from .errors import TrainingDivergedError
from .minibatch import stacked_minibatch_feature
from .schedules import bit_flip_probability, sgdr_learning_rate

__all__ = ["TrainedGAN", "train_stack"]

#: Steps of random numbers drawn per refill. Fixed (never derived from K or the padding)
#: so that a GAN's random stream, and so its training, is the same alone or in a batch.
_CHUNK_STEPS = 16


@dataclass
class TrainedGAN:
    """What training leaves for one GAN: its unpadded weights and loss history."""

    generator_params: list[torch.Tensor]
    discriminator_params: list[torch.Tensor]
    history: pd.DataFrame


class _Stack:
    """Padded, stacked weights of K MLPs with per-GAN layer sizes ``sizes[k]``."""

    def __init__(
        self, sizes: Sequence[Sequence[int]], padded: Sequence[int], remap_input: bool
    ) -> None:
        K = len(sizes)
        self.weights = [torch.zeros(K, o, i) for i, o in zip(padded[:-1], padded[1:], strict=True)]
        self.biases = [torch.zeros(K, o) for o in padded[1:]]
        self.sizes = [list(s) for s in sizes]
        self.remap_input = remap_input
        self.padded = list(padded)

    def load(self, k: int, params: list[torch.Tensor]) -> None:
        """Put GAN ``k``'s unpadded weights in place.

        The discriminator's last input column (the minibatch feature) goes to the last
        padded column.
        """
        for layer, (w, b) in enumerate(zip(params[0::2], params[1::2], strict=True)):
            out, inp = w.shape
            if layer == 0 and self.remap_input:
                self.weights[0][k, :out, : inp - 1] = w[:, :-1].detach()
                self.weights[0][k, :out, -1] = w[:, -1].detach()
            else:
                self.weights[layer][k, :out, :inp] = w.detach()
            self.biases[layer][k, :out] = b.detach()

    def params(self) -> list[torch.Tensor]:
        for tensor in self.weights + self.biases:
            tensor.requires_grad_()
        return self.weights + self.biases

    def extract(self, k: int) -> list[torch.Tensor]:
        out: list[torch.Tensor] = []
        sizes = self.sizes[k]
        for layer, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            o, i = sizes[layer + 1], sizes[layer]
            weight = w[k, :o, :i].detach().clone()
            if layer == 0 and self.remap_input:
                weight = torch.cat([w[k, :o, : i - 1], w[k, :o, -1:]], dim=1).detach().clone()
            out += [weight, b[k, :o].detach().clone()]
        return out

    def forward(
        self, x: torch.Tensor, slope: float, keep: Sequence[torch.Tensor] | None, dropout: float
    ) -> torch.Tensor:
        h = x
        last = len(self.weights) - 1
        for layer, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))
            if layer == last:
                break
            h = F.leaky_relu(h, slope)
            if keep is not None:
                h = h * keep[layer] / (1.0 - dropout)
        return torch.sigmoid(h)


class _RandomStream:
    """Per-GAN random numbers for ``T`` steps at a time, laid out in padded buffers."""

    def __init__(
        self, gens, rows, widths, width_pad, rows_pad, latent, hidden, dropout, steps
    ) -> None:  # noqa: ANN001
        self.gens, self.rows, self.widths = gens, rows, widths
        self.D, self.B, self.latent = width_pad, rows_pad, latent
        self.drop_cols = 3 * sum(hidden) if dropout > 0 else 0
        self.columns = 1 + 2 * width_pad + 3 + self.drop_cols
        K = len(gens)
        self.T = max(1, min(_CHUNK_STEPS, steps))
        self.uniform = torch.ones(self.T, K, rows_pad, self.columns)
        self.normal = torch.zeros(self.T, K, 2, rows_pad, latent)
        self.position = self.T

    def _refill(self) -> None:
        D = self.D
        for k, (gen, b, d) in enumerate(zip(self.gens, self.rows, self.widths, strict=True)):
            u = torch.rand(self.T, b, 1 + 2 * d + 3 + self.drop_cols, generator=gen)
            target = self.uniform[:, k, :b]
            target[..., : 1 + d] = u[..., : 1 + d]  # row choice, flips
            target[..., 1 + D : 1 + D + d] = u[..., 1 + d : 1 + 2 * d]  # real-row noise
            target[..., 1 + 2 * D :] = u[..., 1 + 2 * d :]  # jitter, dropout
            self.normal[:, k, :, :b] = torch.randn(self.T, 2, b, self.latent, generator=gen)
        self.position = 0

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self.position == self.T:
            self._refill()
        t = self.position
        self.position += 1
        return self.uniform[t], self.normal[t]


def train_stack(
    reals: Sequence[torch.Tensor],
    binaries: Sequence[np.ndarray],
    gens: Sequence[torch.Generator],
    labels: Sequence[Any],
    hp: dict[str, Any],
    verbose: bool = False,
) -> list[TrainedGAN]:
    """Train one GAN per element of ``reals`` (rows already scaled into [0, 1]).

    ``gens[k]`` is GAN k's random generator (weights are drawn from it first). A list
    ``reals`` is emptied once its rows are copied into the padded stack.
    Raises :class:`TrainingDivergedError` naming the first GAN whose loss is not finite.
    """
    K = len(reals)
    n = [int(r.shape[0]) for r in reals]
    d = [int(r.shape[1]) for r in reals]
    batch = [m if hp["batch_size"] is None else min(int(hp["batch_size"]), m) for m in n]
    B, D, N, L = max(batch), max(d), max(n), int(hp["latent_dim"])
    g_dims, d_dims = list(hp["generator_dims"]), list(hp["discriminator_dims"])
    generator = _Stack([[L, *g_dims, dk] for dk in d], [L, *g_dims, D], remap_input=False)
    discriminator = _Stack(
        [[dk + 1, *d_dims, 1] for dk in d], [D + 1, *d_dims, 1], remap_input=True
    )
    for k in range(K):  # each GAN's initial weights from its own stream, as when alone
        generator.load(k, init_mlp([L, *g_dims, d[k]], gens[k]))
        discriminator.load(k, init_mlp([d[k] + 1, *d_dims, 1], gens[k]))

    real = torch.zeros(K, N, D)
    feature_mask, binary_mask = torch.zeros(K, 1, D), torch.zeros(K, 1, D, dtype=torch.bool)
    for k in range(K):
        real[k, : n[k], : d[k]] = reals[k]
        feature_mask[k, 0, : d[k]] = 1.0
        binary_mask[k, 0, : d[k]] = torch.as_tensor(np.asarray(binaries[k], dtype=bool))
    if isinstance(reals, list):
        reals.clear()  # the padded stack holds the rows now; free the copies (large data)
    b_k = torch.tensor(batch, dtype=torch.float32)
    row_mask = (torch.arange(B).unsqueeze(0) < b_k.unsqueeze(1)).float()  # (K, B)
    full = torch.tensor([bk == m for bk, m in zip(batch, n, strict=True)])
    in_order = torch.arange(B).unsqueeze(0).minimum(torch.tensor(n).unsqueeze(1) - 1)
    n_rows = torch.tensor(n, dtype=torch.float32).unsqueeze(1)
    last_row = torch.tensor(n).unsqueeze(1) - 1
    norm = torch.tensor(
        [max((bk - 1) * dk, 1) if bk > 1 else 1 for bk, dk in zip(batch, d, strict=True)],
        dtype=torch.float32,
    ).unsqueeze(1)
    k_index = torch.arange(K).unsqueeze(1)

    dropout, slope, noise = (
        float(hp["dropout"]),
        float(hp["negative_slope"]),
        float(hp["minibatch_noise"]),
    )
    reference, real_noise = hp["minibatch_reference"], float(hp["real_noise"])
    stream = _RandomStream(gens, batch, d, D, B, L, d_dims, dropout, int(hp["epochs"]))
    D0 = 1 + 2 * D + 3
    drop_slices = [
        (D0 + i * sum(d_dims), [sum(d_dims[:j]) for j in range(len(d_dims) + 1)]) for i in range(3)
    ]

    def keep_masks(u: torch.Tensor, call: int) -> list[torch.Tensor] | None:
        if dropout <= 0:
            return None
        start, offsets = drop_slices[call]
        return [
            u[..., start + a : start + b] >= dropout
            for a, b in zip(offsets[:-1], offsets[1:], strict=True)
        ]

    def masked_mean(values: torch.Tensor) -> torch.Tensor:
        return (values.squeeze(2) * row_mask).sum(dim=1) / b_k

    opt_g = torch.optim.Adam(
        generator.params(), lr=hp["generator_lr"], betas=tuple(hp["betas"]), foreach=True
    )
    opt_d = torch.optim.Adam(
        discriminator.params(), lr=hp["discriminator_lr"], betas=tuple(hp["betas"]), foreach=True
    )
    restart = {
        "factor": hp["restart_factor"],
        "cycle": hp["restart_cycle"],
        "start_epoch": hp["restart_start_epoch"],
    }
    epochs = int(hp["epochs"])
    log = torch.zeros(epochs, K, 2)
    lrs, flips = np.empty(epochs), np.empty(epochs)
    bar = tqdm(
        range(epochs),
        disable=not verbose,
        desc=f"GAN-SMOTE x{K}" if K > 1 else f"GAN-SMOTE class {labels[0]}",
        leave=False,
        mininterval=1.0,
    )
    for epoch in bar:
        lr_d = sgdr_learning_rate(epoch, hp["discriminator_lr"], **restart)
        lr_g = sgdr_learning_rate(epoch, hp["generator_lr"], **restart)
        opt_d.param_groups[0]["lr"], opt_g.param_groups[0]["lr"] = lr_d, lr_g
        flip_p = bit_flip_probability(epoch, hp["flip_start"], hp["flip_stop_epoch"])
        lrs[epoch], flips[epoch] = lr_g, flip_p
        u, z = stream.next()
        drawn = torch.minimum((u[..., 0] * n_rows).long(), last_row)  # with replacement
        rows = torch.where(full.unsqueeze(1), in_order, drawn)
        x = real[k_index, rows]  # (K, B, D)
        # discriminator: real rows (flipped, then 0-2 % noise inwards) -> 1, fake -> 0;
        # the real rows' L1 column is computed before flips and noise (authors' code)
        real_feature = stacked_minibatch_feature(
            x, row_mask, norm, u[..., 1 + 2 * D], noise, reference
        )
        flipped = torch.where((u[..., 1 : 1 + D] < flip_p) & binary_mask, 1.0 - x, x)
        perturbed = (
            flipped + u[..., 1 + D : 1 + 2 * D] * real_noise * (1.0 - 2.0 * flipped)
        ) * feature_mask
        d_real = discriminator.forward(
            torch.cat([perturbed, real_feature], 2), slope, keep_masks(u, 0), dropout
        )
        fake = (generator.forward(z[:, 0], slope, None, 0.0) * feature_mask).detach()
        fake_feature = stacked_minibatch_feature(
            fake, row_mask, norm, u[..., 2 + 2 * D], noise, reference
        )
        d_fake = discriminator.forward(
            torch.cat([fake, fake_feature], 2), slope, keep_masks(u, 1), dropout
        )
        d_loss = masked_mean((d_real - 1.0) ** 2) + masked_mean(d_fake**2)
        opt_d.zero_grad(set_to_none=True)
        d_loss.sum().backward()
        opt_d.step()
        # generator: fresh noise, scored by the updated discriminator against target 1
        made = generator.forward(z[:, 1], slope, None, 0.0) * feature_mask
        made_feature = stacked_minibatch_feature(
            made, row_mask, norm, u[..., 3 + 2 * D], noise, reference
        )
        g_loss = masked_mean(
            (
                discriminator.forward(
                    torch.cat([made, made_feature], 2), slope, keep_masks(u, 2), dropout
                )
                - 1.0
            )
            ** 2
        )
        opt_g.zero_grad(set_to_none=True)
        g_loss.sum().backward()
        opt_g.step()
        log[epoch, :, 0], log[epoch, :, 1] = d_loss.detach(), g_loss.detach()
        if epoch % 25 == 24 or epoch == epochs - 1:
            window = log[epoch - epoch % 25 : epoch + 1]
            finite = torch.isfinite(window).all(dim=2)  # (steps, K)
            if not bool(finite.all()):
                step, k = (~finite).nonzero()[0].tolist()
                raise TrainingDivergedError(labels[k], epoch - epoch % 25 + step, index=k)
        if verbose and epoch % 200 == 0:
            bar.set_postfix(
                d_loss=f"{d_loss.mean().item():.4f}", g_loss=f"{g_loss.mean().item():.4f}"
            )
    history = log.numpy()
    return [
        TrainedGAN(
            generator.extract(k),
            discriminator.extract(k),
            pd.DataFrame(
                {
                    "epoch": np.arange(epochs),
                    "d_loss": history[:, k, 0],
                    "g_loss": history[:, k, 1],
                    "lr": lrs,
                    "flip_probability": flips,
                }
            ),
        )
        for k in range(K)
    ]
