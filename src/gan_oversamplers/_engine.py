"""The engine of the BCE table GANs (SMOTified-GAN, vanilla GAN, conditional table GAN).

A method is its networks (``torch.nn.Sequential`` MLPs built by
:func:`~gan_oversamplers._tabular_gan.build_mlp`), its loss (the BCE GAN of
:func:`train_gans`) and its input sampler (``draw_input``: Gaussian noise, SMOTE rows,
noise plus a class condition). :func:`train_gans` trains K such GANs at once:

- **Stacks.** GANs with the same number of minibatches per epoch are stacked (weights
  along a leading axis, every layer one batched matrix product); rows are padded to the
  largest minibatch of the stack and masked out of every loss, mean and batch-norm
  statistic. Stacks are split by batch size where padding would cost more than another
  stack (:func:`~gan_oversamplers._batched.plan_buckets`).
- **Hand-written passes.** The networks are :class:`~gan_oversamplers._stacked.StackedMLP`
  stacks, the same class GAN-SMOTE's engine uses: Linear, batch norm (training
  statistics over the valid rows, running statistics as ``torch.nn.BatchNorm1d`` keeps
  them), ReLU / leaky ReLU and dropout, forward and backward, without autograd; the
  generator step back-propagates through the discriminator to its input only (no
  discriminator weight gradients), and Adam is PyTorch's fused kernel on one flat buffer
  per network stack.
- **Per-GAN randomness, two sources.** ``"generator"`` (the CPU default): GAN ``k``
  draws every random number (epoch order, generator input, dropout masks) from its own
  ``torch.Generator``, in the order and shapes of the one-model trainer
  (:func:`gan_oversamplers._tabular_reference.train_gan`, the frozen oracle), so a GAN
  trains the same alone, in a stack, or in the old loop (equal up to float rounding;
  tests hold it to 1e-4). ``"counter"`` (the CUDA default, runs anywhere): every number
  is a hash of the GAN's key, the epoch, its purpose, its row and its column
  (:func:`~gan_oversamplers._random.counter_bits`), computed for all K GANs at once on
  the device: the epoch order by sorting random keys (or by inverse CDF for weighted
  rows), Gaussian input by Box-Muller, SMOTE-pool rows by a uniform index. No Python
  loop over GANs is left in the step, the same seed gives the same run on the same
  device, and a GAN still trains the same alone or in a stack (up to float rounding).
- **Few host syncs; CUDA graphs.** Losses accumulate on the device; divergence is checked
  every :data:`_CHECK_EVERY` epochs (raising
  :class:`~gan_oversamplers.errors.TrainingDivergedError` at the first non-finite epoch
  mean, as the one-model trainer did). With the counter source an epoch is a function of
  device tensors only (epoch counter, Adam's step and bias corrections on the device), so
  on CUDA a block of epochs is captured once in a CUDA graph and replayed.

The trained weights are written back into the given ``torch.nn.Sequential`` modules
(on the CPU, generator in eval mode), which the samplers keep for sampling.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from . import _batched
from ._batched import plan_buckets
from ._random import M32, counter_bits, counter_uniform, hash32, torch_generator
from ._stacked import BatchNorm, StackedMLP
from .errors import TrainingDivergedError

__all__ = ["GANJob", "train_gans"]

#: Epochs between divergence checks (one host sync each).
_CHECK_EVERY = 25
#: Train every GAN in a stack of its own (tests set it to compare with stacked training).
ONE_AT_A_TIME = False
#: The random source on the CPU when ``train_gans`` is given none: ``"generator"`` (the
#: one-model trainer's streams; on CUDA the default is ``"counter"``). Tests set it.
CPU_RANDOM_SOURCE = "generator"
#: Fixed cost of one more stack per minibatch step, in FLOPs (about 0.5 ms of small ops
#: at 40 GFLOP/s); in padded rows it depends on the networks' size (see :func:`_plan`).
_STACK_OVERHEAD_FLOPS = 2e7
_COLUMNS = ["d_loss", "g_loss", "d_real", "d_fake"]


@dataclass
class GANJob:
    """One GAN to train: its real rows, networks, input sampler and random generator.

    ``real`` (n, d) rows scaled into [0, 1]; ``draw_input(m, gen)`` returns the
    generator's ``m`` input rows (without the condition); ``condition`` (n, c) rows
    appended to both networks' inputs (conditional GAN; the fake rows of a minibatch
    carry its real rows' conditions); ``row_weights`` (n,) makes an epoch ``n`` rows
    drawn with replacement in proportion to them. ``pool`` is the input of the
    ``"counter"`` random source: rows of it drawn uniformly (SMOTified-GAN's SMOTE rows);
    None there means N(0, I) input, as ``draw_input`` of a noise-fed generator.
    """

    real: torch.Tensor
    generator_net: nn.Sequential
    discriminator_net: nn.Sequential
    draw_input: Callable[[int, torch.Generator], torch.Tensor]
    gen: torch.Generator
    label: Any
    condition: torch.Tensor | None = None
    row_weights: torch.Tensor | None = None
    pool: torch.Tensor | None = None
    history: pd.DataFrame | None = field(default=None, repr=False)


@dataclass
class _Block:
    """One Linear layer and what follows it (batch norm, activation, dropout)."""

    linear: nn.Linear
    batch_norm: nn.BatchNorm1d | None = None
    slope: float | None = None  # None: the output layer (no activation)
    dropout: float = 0.0


def _blocks(net: nn.Sequential) -> tuple[list[_Block], bool]:
    """The layers of a ``build_mlp`` network, and whether it ends in a sigmoid."""
    blocks: list[_Block] = []
    sigmoid = False
    for layer in net:
        if isinstance(layer, nn.Linear):
            blocks.append(_Block(layer))
        elif isinstance(layer, nn.BatchNorm1d):
            blocks[-1].batch_norm = layer
        elif isinstance(layer, nn.ReLU):
            blocks[-1].slope = 0.0
        elif isinstance(layer, nn.LeakyReLU):
            blocks[-1].slope = float(layer.negative_slope)
        elif isinstance(layer, nn.Sigmoid):
            sigmoid = True
        elif hasattr(layer, "p") and hasattr(layer, "generator"):  # SeededDropout
            blocks[-1].dropout = float(layer.p)
        else:
            raise TypeError(f"the table GAN engine cannot train a {type(layer).__name__} layer")
    if any(b.slope is None for b in blocks[:-1]) or blocks[-1].slope is not None:
        raise TypeError("every hidden Linear layer needs an activation, the last none")
    return blocks, sigmoid


class _StackedMLP(StackedMLP):
    """K copies of one ``build_mlp`` network as a :class:`StackedMLP`, and those modules."""

    def __init__(self, nets: Sequence[nn.Sequential], device: torch.device) -> None:
        per_net = [_blocks(net) for net in nets]
        self.blocks, self.sigmoid = per_net[0]
        self.nets = list(nets)
        hidden = self.blocks[:-1]
        super().__init__(
            len(nets),
            [self.blocks[0].linear.in_features] + [b.linear.out_features for b in self.blocks],
            [b.slope for b in hidden],
            [
                None if b.batch_norm is None else BatchNorm(b.batch_norm.eps, b.batch_norm.momentum)
                for b in hidden
            ],
            device,
        )
        with torch.no_grad():
            for k, (blocks, _) in enumerate(per_net):
                for j, block in enumerate(blocks):
                    self.W[j][k] = block.linear.weight.detach().T
                    self.b[j][k, 0] = block.linear.bias.detach()
                    bn = block.batch_norm
                    if bn is not None:
                        self.gamma[j][k, 0] = bn.weight.detach()
                        self.beta[j][k, 0] = bn.bias.detach()
                        self.running[j][0][k, 0] = bn.running_mean
                        self.running[j][1][k, 0] = bn.running_var

    @property
    def dropout_widths(self) -> list[tuple[int, float]]:
        """(width, p) of every hidden layer with dropout, in forward order."""
        return [(b.linear.out_features, b.dropout) for b in self.blocks if b.dropout > 0]

    def keep(self, us: Sequence[torch.Tensor]) -> list[torch.Tensor | None]:
        """Per hidden layer, its dropout multipliers from the uniforms ``us`` (None: none)."""
        drawn = iter(us)
        return [
            (next(drawn) >= b.dropout).float() * (1.0 / (1.0 - b.dropout)) if b.dropout else None
            for b in self.blocks[:-1]
        ]

    def write_back(self) -> None:
        """Copy the trained weights into the given ``nn.Sequential`` modules (CPU)."""
        with torch.no_grad():
            for k, net in enumerate(self.nets):
                blocks, _ = _blocks(net)
                for j, block in enumerate(blocks):
                    block.linear.weight.copy_(self.W[j][k].T.cpu())
                    block.linear.bias.copy_(self.b[j][k, 0].cpu())
                    bn = block.batch_norm
                    if bn is not None:
                        bn.weight.copy_(self.gamma[j][k, 0].cpu())
                        bn.bias.copy_(self.beta[j][k, 0].cpu())
                        bn.running_mean.copy_(self.running[j][0][k, 0].cpu())
                        bn.running_var.copy_(self.running[j][1][k, 0].cpu())
                        bn.num_batches_tracked.fill_(self.batches_tracked)


def _minibatches(n: int, batch: int) -> list[tuple[int, int]]:
    return [(start, min(start + batch, n)) for start in range(0, n, batch)]


class _Stack:
    """GANs with the same number of minibatches per epoch, trained together."""

    def __init__(
        self,
        jobs: Sequence[GANJob],
        hp: dict[str, Any],
        device: torch.device,
        name: str,
        source: str = "generator",
    ) -> None:
        self.jobs, self.hp, self.device, self.name = list(jobs), hp, device, name
        self.source = source
        K = self.K = len(jobs)
        self.n = [int(job.real.shape[0]) for job in jobs]
        self.batch = [min(int(hp["batch_size"]), n) for n in self.n]
        self.spans = [_minibatches(n, b) for n, b in zip(self.n, self.batch, strict=True)]
        self.steps = len(self.spans[0])
        self.B = max(2, *self.batch)
        self.G = _StackedMLP([job.generator_net for job in jobs], device)
        self.D = _StackedMLP([job.discriminator_net for job in jobs], device)
        self.d = int(jobs[0].real.shape[1])
        self.c = 0 if jobs[0].condition is None else int(jobs[0].condition.shape[1])
        self.L = self.G.blocks[0].linear.in_features - self.c
        # real rows with their condition (the discriminator's real input), per GAN
        self.real = [
            (job.real if job.condition is None else torch.cat([job.real, job.condition], 1)).to(
                device
            )
            for job in jobs
        ]
        self.weights = [
            None if job.row_weights is None else job.row_weights.to(device) for job in jobs
        ]
        B = self.B
        if source == "generator":  # buffers that ``_draw`` fills GAN by GAN
            self.x_real = torch.zeros(K, B, self.d + self.c, device=device)
            self.z = torch.zeros(K, B, self.L + self.c, device=device)
            self.cond_fake = torch.zeros(K, B, self.c, device=device)
            self.u_g = [torch.zeros(K, B, w, device=device) for w, _ in self.G.dropout_widths]
            self.u_d = [
                [torch.zeros(K, B, w, device=device) for w, _ in self.D.dropout_widths]
                for _ in range(3)  # real rows, fake rows (discriminator step), generator step
            ]
            self.gens = [
                job.gen
                if device.type == "cpu"
                else torch_generator(int(torch.randint(0, 2**62, (1,), generator=job.gen)), device)
                for job in jobs
            ]
        else:
            self._counter_set_up()
        # per step of the epoch: valid real rows r and fake rows m = max(r, 2) per GAN
        self.masks = []
        position = torch.arange(B, dtype=torch.float32).view(1, B, 1)
        for s in range(self.steps):
            r = torch.tensor([b - a for a, b in (sp[s] for sp in self.spans)], dtype=torch.float32)
            m = torch.clamp(r, min=2)
            r_rows = (position < r.view(K, 1, 1)).float()
            m_rows = (position < m.view(K, 1, 1)).float()
            self.masks.append(
                {
                    "r": r.view(K, 1, 1).to(device),
                    "m": m.view(K, 1, 1).to(device),
                    "r_rows": r_rows.to(device),
                    "m_rows": m_rows.to(device),
                    "d_weight": torch.cat(
                        [r_rows / r.view(K, 1, 1), m_rows / m.view(K, 1, 1)], 1
                    ).to(device),  # fmt: skip
                    "d_target": torch.cat([torch.ones(K, B, 1), torch.zeros(K, B, 1)], 1).to(
                        device
                    ),
                    "both_rows": torch.cat([r_rows, m_rows], 1).to(device),
                }
            )
        self.epoch = torch.zeros(1, dtype=torch.long, device=device)
        self.adam_step = torch.zeros((), device=device)  # Adam's step count, both networks
        self.sums = torch.zeros(K, 4, device=device)

    # -- random numbers, per GAN, in the one-model trainer's order ---------------------
    def _draw(self, s: int, orders: list[torch.Tensor]) -> None:
        for k, (job, gen) in enumerate(zip(self.jobs, self.gens, strict=True)):
            a, b = self.spans[k][s]
            index = orders[k][a:b]
            r, m = b - a, max(b - a, 2)
            torch.index_select(self.real[k], 0, index, out=self.x_real[k, :r])
            self.z[k, :m, : self.L] = job.draw_input(m, gen)
            if self.c:
                torch.index_select(
                    self.real[k][:, self.d :], 0, index.repeat(2)[:m], out=self.cond_fake[k, :m]
                )
            for u, (w, _) in zip(self.u_g, self.G.dropout_widths, strict=True):
                torch.rand(m, w, generator=gen, device=self.device, out=u[k, :m])
            for call, rows in enumerate((r, m, m)):
                for u, (w, _) in zip(self.u_d[call], self.D.dropout_widths, strict=True):
                    torch.rand(rows, w, generator=gen, device=self.device, out=u[k, :rows])

    def _orders(self) -> list[torch.Tensor]:
        return [
            torch.randperm(n, generator=gen, device=self.device)
            if w is None
            else torch.multinomial(w, n, replacement=True, generator=gen)
            for n, w, gen in zip(self.n, self.weights, self.gens, strict=True)
        ]

    # -- random numbers, counter-based: every GAN at once, no loop over GANs -----------
    def _counter_set_up(self) -> None:
        """Keys, padded rows and index tables of the ``"counter"`` source.

        GAN ``k``'s number for an entry is a hash of its key (one draw from its generator
        after its initial weights), the epoch, the purpose (the epoch's order, or a step's
        input or dropout layer), the entry's row in the GAN's own minibatch and its column:
        the same alone or in any stack, on any device.
        """
        K, B, N, device = self.K, self.B, max(self.n), self.device
        keys = [int(torch.randint(0, 2**31, (1,), generator=job.gen)) for job in self.jobs]
        self.keys = torch.tensor(keys, dtype=torch.int64, device=device).view(K, 1)
        self.real_pad = torch.zeros(K, N, self.d + self.c, device=device)
        for k, rows in enumerate(self.real):
            self.real_pad[k, : len(rows)] = rows
        n = torch.tensor(self.n).view(K, 1)
        self.rows_n = torch.arange(N, device=device).view(1, N, 1)
        # rows past a GAN's own sort after its rows (keys >= 2**32), so never enter its epoch
        self.past = ((torch.arange(N).view(1, N) >= n).long() << 32).to(device)
        weighted = [w is not None for w in self.weights]
        if any(weighted) and not all(weighted):
            raise ValueError("every GAN of a stack needs row_weights, or none")
        self.cumulative = None
        if all(weighted):
            cumulative = torch.full((K, N), 2.0, dtype=torch.float64)
            for k, w in enumerate(self.weights):
                c = torch.cumsum(w.double().cpu(), 0)
                cumulative[k, : len(c)] = c / c[-1]
            self.cumulative = cumulative.to(device)
        self.last_row = (n - 1).to(device)
        # where in the epoch's order the rows of step s sit: the real rows (padded rows
        # repeat the last one), and the rows whose conditions the fake rows carry
        j = torch.arange(B).view(1, B)
        self.at_real, self.at_fake = [], []
        for s in range(self.steps):
            a = torch.tensor([sp[s][0] for sp in self.spans]).view(K, 1)
            r = torch.tensor([b - a for a, b in (sp[s] for sp in self.spans)]).view(K, 1)
            self.at_real.append((a + torch.minimum(j, r - 1)).to(device))
            self.at_fake.append((a + j % r).to(device))
        pools = [job.pool for job in self.jobs]
        if any(p is None for p in pools) and not all(p is None for p in pools):
            raise ValueError("every GAN of a stack needs a pool, or none")
        for job, p in zip(self.jobs, pools, strict=True):
            if p is not None and (p.ndim != 2 or p.shape[1] != self.L or len(p) == 0):
                raise ValueError(
                    f"class {job.label!r}: the pool must be a non-empty (rows, {self.L}) "
                    f"tensor (the generator's input width), got shape {tuple(p.shape)}"
                )
        self.pool = None
        if pools[0] is not None:
            size = max(len(p) for p in pools)
            self.pool = torch.zeros(K, size, self.L, device=device)
            for k, p in enumerate(pools):
                self.pool[k, : len(p)] = p.to(device)
            self.pool_n = torch.tensor([len(p) for p in pools], device=device).view(K, 1, 1)
        self.rows_b = torch.arange(B, device=device).view(1, B, 1)
        self.z_col = 2 * torch.arange(self.L, device=device).view(1, 1, self.L)
        self.cols = {
            w: torch.arange(w, device=device).view(1, 1, w)
            for w, _ in self.G.dropout_widths + self.D.dropout_widths
        }
        self.zero = torch.zeros(1, 1, 1, dtype=torch.int64, device=device)
        g_layers, d_layers = len(self.G.dropout_widths), len(self.D.dropout_widths)
        self.per_step = 1 + g_layers + 3 * d_layers
        streams = torch.arange(1 + self.steps * self.per_step, dtype=torch.int64)
        self.stream_offsets = ((streams * 0x68E31DA4) & M32).view(1, -1).to(device)

    def _stream(self, index: int) -> torch.Tensor:
        return self.stream_keys[:, index].view(self.K, 1, 1)

    def _counter_order(self) -> torch.Tensor:
        """Each GAN's order of rows for this epoch, (K, N); sets the epoch's stream keys.

        Unweighted: a uniform permutation (its rows sorted by random 32-bit keys, ties
        kept in row order); weighted: ``n`` rows drawn with replacement by inverse CDF.
        """
        epoch_key = hash32((self.keys * 0x27D4EB2F + self.epoch * 0x165667B1 + 0x5BD1E995) & M32)
        self.stream_keys = hash32((epoch_key + self.stream_offsets) & M32)
        key = self._stream(0)
        if self.cumulative is None:
            bits = counter_bits(key, self.rows_n, self.zero).squeeze(2) + self.past
            return torch.sort(bits, dim=1, stable=True).indices
        u = counter_uniform(key, self.rows_n, self.zero).squeeze(2).double()
        return torch.minimum(torch.searchsorted(self.cumulative, u, right=True), self.last_row)

    def _counter_draw(self, s: int, order: torch.Tensor) -> None:
        K, B, d, c = self.K, self.B, self.d, self.c
        base = 1 + s * self.per_step
        index = order.gather(1, self.at_real[s]).unsqueeze(2)
        self.x_real = self.real_pad.gather(1, index.expand(K, B, d + c))
        key = self._stream(base)
        if self.pool is None:  # N(0, I) by Box-Muller
            u1 = counter_uniform(key, self.rows_b, self.z_col)
            u2 = counter_uniform(key, self.rows_b, self.z_col + 1)
            z = torch.sqrt(-2.0 * torch.log(u1)) * torch.cos((2.0 * math.pi) * u2)
        else:  # a uniform row of the GAN's pool
            u = counter_uniform(key, self.rows_b, self.zero)
            pick = torch.minimum((u * self.pool_n).long(), self.pool_n - 1)
            z = self.pool.gather(1, pick.expand(K, B, self.L))
        if c:
            at = order.gather(1, self.at_fake[s]).unsqueeze(2)
            self.cond_fake = self.real_pad[..., d:].gather(1, at.expand(K, B, c))
            z = torch.cat([z, self.cond_fake], 2)
        self.z = z
        self.u_g = [
            counter_uniform(self._stream(base + 1 + i), self.rows_b, self.cols[w])
            for i, (w, _) in enumerate(self.G.dropout_widths)
        ]
        first = base + 1 + len(self.G.dropout_widths)
        widths = self.D.dropout_widths
        self.u_d = [
            [
                counter_uniform(
                    self._stream(first + call * len(widths) + i), self.rows_b, self.cols[w]
                )
                for i, (w, _) in enumerate(widths)
            ]
            for call in range(3)
        ]

    # -- training ------------------------------------------------------------------------
    def step(self, s: int, sums: torch.Tensor) -> None:
        """One discriminator step, then one generator step, on minibatch ``s`` of each GAN."""
        hp, mk, d = self.hp, self.masks[s], self.d
        if self.c and self.source == "generator":
            self.z[..., self.L :] = self.cond_fake
        step, bias = self.adam_step.add_(1), None
        if self.device.type != "cpu":  # Adam's bias corrections on the device (graph capture)
            b1, b2 = hp["betas"]
            bias = (1.0 - torch.pow(b1, step), torch.sqrt(1.0 - torch.pow(b2, step)))
        # generator: one pass (the same fake rows serve both steps, as in the old loop)
        g_logits, g_cache = self.G.forward(
            self.z, self.G.keep(self.u_g), mk["m_rows"], mk["m"], True
        )
        out = torch.sigmoid(g_logits) if self.G.sigmoid else g_logits
        fake = out if not self.c else torch.cat([out, self.cond_fake], 2)
        # discriminator: real rows -> 1, fake rows -> 0, in one pass
        keep_real, keep_fake = self.D.keep(self.u_d[0]), self.D.keep(self.u_d[1])
        keep = [
            None if a is None else torch.cat([a, b], 1)
            for a, b in zip(keep_real, keep_fake, strict=True)
        ]
        logits, cache = self.D.forward(torch.cat([self.x_real, fake], 1), keep, None, None, False)
        target, weight = mk["d_target"], mk["d_weight"]
        bce = F.softplus(logits) - logits * target
        d_loss = (bce * weight).sum(dim=(1, 2))
        p = torch.sigmoid(logits)
        self.D.backward(cache, (p - target) * weight, None, None, weights=True, inputs=False)
        self.D.adam(float(hp["discriminator_lr"]), hp["betas"], step=step, bias=bias)
        # generator: its fake rows scored by the updated discriminator against 1
        g_weight = mk["m_rows"] / mk["m"]
        q_logits, q_cache = self.D.forward(fake, self.D.keep(self.u_d[2]), None, None, False)
        g_loss = (F.softplus(-q_logits) * g_weight).sum(dim=(1, 2))
        q = torch.sigmoid(q_logits)
        g_in = self.D.backward(q_cache, (q - 1.0) * g_weight, None, None, False, True)
        g_out = g_in[..., :d]
        if self.G.sigmoid:
            g_out = g_out * out * (1.0 - out)
        self.G.backward(g_cache, g_out, mk["m_rows"], mk["m"], weights=True, inputs=False)
        self.G.adam(float(hp["generator_lr"]), hp["betas"], step=step, bias=bias)
        B = self.B
        d_real = (p[:, :B] * weight[:, :B]).sum(dim=(1, 2))
        d_fake = (p[:, B:] * weight[:, B:]).sum(dim=(1, 2))
        sums += torch.stack([d_loss, g_loss, d_real, d_fake], 1)

    def epoch_step(self, log: torch.Tensor) -> None:
        """One epoch of every GAN of the stack; its mean losses into ``log[epoch]``.

        With the ``"counter"`` source this is a function of device tensors only (the
        epoch is a device counter), so a CUDA graph can capture it.
        """
        sums = self.sums.zero_()
        if self.source == "counter":
            order = self._counter_order()
            for s in range(self.steps):
                self._counter_draw(s, order)
                self.step(s, sums)
        else:
            orders = self._orders()
            for s in range(self.steps):
                self._draw(s, orders)
                self.step(s, sums)
        sums /= self.steps
        log.index_copy_(0, self.epoch, sums.unsqueeze(0))
        self.epoch.add_(1)

    def train(self, verbose: bool, graph: bool = False) -> None:
        """Every epoch of every GAN of the stack; histories into the jobs.

        ``graph`` (``"counter"`` source, CUDA): after three warm-up epochs, a block of
        epochs is captured once in a CUDA graph and replayed; the rest runs eagerly.
        """
        epochs = int(self.hp["epochs"])
        log = torch.zeros(epochs, self.K, 4, device=self.device)
        label = self.jobs[0].label if self.K == 1 else f"x{self.K}"
        bar = tqdm(total=epochs, disable=not verbose, desc=f"{self.name} class {label}")
        block = max(1, _batched._GRAPH_EPOCHS // self.steps)  # epochs per graph replay

        def epoch_step() -> None:
            self.epoch_step(log)

        done, checked = 0, 0
        schedule = _batched.GraphSchedule(epoch_step, self.device, graph, block)
        while done < epochs:
            advanced = schedule.advance(epochs - done)
            done += advanced
            bar.update(advanced)
            if done - checked >= _CHECK_EVERY or done == epochs:
                self._check(log, checked, done)
                checked = done
                if verbose:
                    last = log[done - 1].mean(0).tolist()
                    bar.set_postfix(d_loss=f"{last[0]:.4f}", g_loss=f"{last[1]:.4f}")
        bar.close()
        self.G.batches_tracked = epochs * self.steps  # every step updates the running statistics
        self.G.write_back()
        self.D.write_back()
        history = log.cpu().numpy().astype(np.float64)
        for k, job in enumerate(self.jobs):
            frame = pd.DataFrame(history[:, k], columns=_COLUMNS)
            frame.insert(0, "epoch", np.arange(epochs))
            frame.insert(0, "label", [job.label] * epochs)
            job.history = frame

    def _check(self, log: torch.Tensor, start: int, stop: int) -> None:
        finite = torch.isfinite(log[start:stop, :, :2]).all(dim=2)  # (epochs, K)
        if bool(finite.all()):
            return
        bad = (~finite).nonzero().tolist()
        epoch, k = min(bad, key=lambda ek: (ek[1], ek[0]))  # the first GAN (class order)
        raise TrainingDivergedError(self.jobs[k].label, start + epoch, method=self.name)


def _plan(jobs: Sequence[GANJob], hp: dict[str, Any]) -> list[list[int]]:
    """Stacks: GANs with as many minibatches per epoch, split by batch size if worth it.

    A padded row costs about ``2 * 3 * (G + 2 D)`` FLOPs per step (G, D: the networks'
    multiply-adds per row; forward, weight and input gradients, the discriminator twice);
    :func:`plan_buckets` weighs that against :data:`_STACK_OVERHEAD_FLOPS` per stack.
    """
    if ONE_AT_A_TIME or not jobs:
        return [[k] for k in range(len(jobs))]

    def macs(net: nn.Sequential) -> int:
        return sum(m.weight.numel() for m in net if isinstance(m, nn.Linear))

    row_flops = 6 * (macs(jobs[0].generator_net) + 2 * macs(jobs[0].discriminator_net))
    overhead = max(1, round(_STACK_OVERHEAD_FLOPS / row_flops))
    by_steps: dict[int, list[int]] = {}
    for k, job in enumerate(jobs):
        n = int(job.real.shape[0])
        by_steps.setdefault(math.ceil(n / min(int(hp["batch_size"]), n)), []).append(k)
    stacks = []
    for members in by_steps.values():
        batch = [max(2, min(int(hp["batch_size"]), int(jobs[k].real.shape[0]))) for k in members]
        stacks += [[members[i] for i in g] for g in plan_buckets(batch, overhead)]
    return sorted(stacks)


def train_gans(
    jobs: Sequence[GANJob],
    hp: dict[str, Any],
    *,
    verbose: bool = False,
    name: str = "GAN",
    device: torch.device | None = None,
    random_source: str | None = None,
    graph: bool | None = None,
) -> list[pd.DataFrame]:
    """Train every GAN of ``jobs`` (BCE GANs on rows scaled into [0, 1]); their histories.

    One epoch of a GAN is one pass over its real rows in shuffled minibatches of
    ``hp["batch_size"]`` rows (the last may be smaller; with ``row_weights``, ``n`` rows
    drawn with replacement in proportion to them). Per minibatch: one discriminator step
    on the real rows (target 1) and ``G(input)`` rows (target 0; at least 2 rows, as
    batch norm needs), the loss being the sum of the two BCE means; then one generator
    step with the non-saturating loss (target 1) on the same generated rows, scored by
    the updated discriminator. The discriminator outputs logits. Adam with
    ``hp["generator_lr"]``, ``hp["discriminator_lr"]``, ``hp["betas"]``.

    Returns one history per job (``label, epoch, d_loss, g_loss, d_real, d_fake``: epoch
    means; ``d_real``/``d_fake`` the mean discriminator probability on real and generated
    rows). The jobs' networks hold the trained weights afterwards (CPU; generators in
    eval mode). Raises :class:`~gan_oversamplers.errors.TrainingDivergedError` naming
    the class and the first epoch whose mean loss is not finite.

    ``random_source``: ``"generator"`` (each GAN draws from its own ``torch.Generator``
    in the one-model trainer's order, a Python loop over GANs per step) or
    ``"counter"`` (counter-based streams computed for every GAN at once on the device;
    same distributions, other numbers); default :data:`CPU_RANDOM_SOURCE` on the CPU,
    ``"counter"`` elsewhere. ``graph`` captures blocks of epochs in a CUDA graph
    (default: on CUDA with the counter source).
    """
    device = torch.device("cpu") if device is None else device
    source, use_graph = _batched.random_source_and_graph(
        device, random_source, graph, CPU_RANDOM_SOURCE
    )
    shapes = {(tuple(j.real.shape[1:]), j.condition is None) for j in jobs}
    if len(shapes) > 1:
        raise ValueError("every GAN of one engine call needs the same columns")
    for members in _plan(jobs, hp):
        _Stack([jobs[k] for k in members], hp, device, name, source).train(verbose, use_graph)
    for job in jobs:
        job.generator_net.eval()
    return [job.history for job in jobs]
