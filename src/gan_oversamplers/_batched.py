"""The GAN-SMOTE engine: many small GANs trained at once, on the CPU or a CUDA device.

Every per-class GAN of a run has the same small architecture, so K of them train
together: weights are stacked along a leading axis and every layer is one batched
matrix product. Rows and features are padded and masked (padded rows never enter a
loss or a minibatch distance; padded features are zero in real and fake rows alike, so
their weights get no gradient and Adam leaves them at zero). The math of each GAN is
that of training it alone: ``GANSMOTEGenerator.fit`` is this engine with K = 1, and a
test checks that K GANs trained together match K trained one by one.

What makes it fast (see docs/methods/gan_smote.md, "Engine"):

- **Buckets.** Models are grouped by batch size (:func:`plan_buckets`) so that a class of
  2 rows is not padded to 55; each bucket is one stack.
- **Hand-written backward.** The MLPs are :class:`~gan_oversamplers._stacked.StackedMLP`
  stacks (forward, backward and Adam on one flat buffer, shared with the BCE table GANs'
  engine); the least-squares losses and the minibatch L1 feature are written out here
  (no autograd); the discriminator sees real and fake rows in one pass; both generator
  batches of an epoch come from one generator pass.
- **Fewer random numbers.** One uniform per real-row entry gives both its bit-flip and
  its 0-2 % noise, and one uniform per hidden unit gives its three dropout decisions of
  the epoch (a uniform split at ``p`` leaves an independent uniform, see :func:`_split`).
- **A chunk of epochs decoded at once.** With the ``"generator"`` source on the CPU, the
  random numbers of 16 epochs are turned into perturbed real rows, jitters and dropout
  masks in one pass per operation (:meth:`_Bucket.prepare`), in plain arithmetic (no
  ``torch.where``, several times slower here); the same numbers as one epoch at a time.
- **Several cores.** ``n_jobs`` deals the stacks to worker processes
  (:mod:`gan_oversamplers._workers`); each stack is computed as in one process.
- **No host syncs in the step.** The step is a function of device tensors only (the
  schedules are tables indexed by an epoch counter on the device), so on CUDA a whole
  epoch is captured once in a CUDA graph and replayed; on the CPU the same function
  runs eagerly. Divergence is checked every :data:`_CHECK_EVERY` epochs.

Randomness stays per GAN, so a GAN draws the same numbers whatever shares its stack (and
trains the same up to float rounding: a batched matrix product may round differently in a
stack of another size):

- ``"generator"`` (the CPU default): GAN ``k`` draws its numbers from its own
  ``torch.Generator`` (after its initial weights), a chunk of steps at a time.
- ``"counter"`` (the CUDA default, runs anywhere): a counter-based stream, a hash of
  (GAN key, epoch, row, column) computed on the device inside the step, so no Python
  loop over GANs is needed and the step can be captured.

One epoch is one update of the discriminator and then of the generator on one batch per
class: the whole class when it fits in ``batch_size`` (the authors' batch of 70 holds
every class of their data), else ``batch_size`` rows drawn with replacement.

**Checkpoints.** With a :class:`Checkpoint`, :func:`train_stack` saves its whole state
(weights, Adam moments, loss logs, the epoch, the random streams) every ``every_s``
seconds at an epoch boundary, resumes from a saved state of the same training, and stops
at the next boundary once ``stop()`` returns true (:class:`TrainingInterrupted`). The
random streams are per GAN and epoch, so a resumed run ends exactly where an
uninterrupted one does.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from ._device import resolve_device
from ._mlp import init_mlp
from ._random import M32 as _M32
from ._random import counter_uniform as _counter_uniform
from ._random import hash32 as _hash32
from ._random import single_thread
from ._stacked import StackedMLP
from .errors import TrainingDivergedError
from .schedules import bit_flip_probability, sgdr_learning_rate

__all__ = [
    "Checkpoint",
    "GraphSchedule",
    "TrainedGAN",
    "TrainingInterrupted",
    "plan_buckets",
    "resolve_device",
    "train_stack",
]

#: Steps of random numbers drawn per refill (``"generator"`` source). Fixed (never
#: derived from K or the padding) so that a GAN's stream is the same alone or in a stack.
_CHUNK_STEPS = 16
#: Largest chunk (floats) whose random numbers are decoded at once (see ``_Bucket.prepare``);
#: above it, one epoch at a time. Tests set it to 0 to compare the two.
_CHUNK_DECODE_FLOATS = 16 * 2**20
#: Epochs between divergence checks (one host sync each).
_CHECK_EVERY = 25
#: Per bucket and step, the fixed cost of a stack expressed in padded rows (CPU, CUDA):
#: :func:`plan_buckets` splits a stack when the padding saved outweighs it.
_BUCKET_OVERHEAD_ROWS = {"cpu": 300, "cuda": 50_000}
#: Sort with NumPy on the CPU (tests switch it off to run the CUDA branch on the CPU).
_NUMPY_SORT = True
#: Devices whose step is captured in a graph (tests add "cpu" with a stand-in capture).
_GRAPH_DEVICES = ("cuda",)
#: Epochs captured per CUDA graph replay.
_GRAPH_EPOCHS = 10


@dataclass
class TrainedGAN:
    """What training leaves for one GAN: its unpadded weights and loss history."""

    generator_params: list[torch.Tensor]
    discriminator_params: list[torch.Tensor]
    history: pd.DataFrame


@dataclass
class Checkpoint:
    """Where and how often :func:`train_stack` saves its state, and when it stops.

    ``path``: the checkpoint file. A file there from the same training (same rows, seeds,
    hyper-parameters, device and random source) is resumed from; one from other training
    is ignored (with a warning) and replaced. The file is removed when training ends.
    ``every_s``: seconds between saves (at the next epoch boundary where the random
    streams can resume). ``stop``: called at every epoch boundary; once it returns true,
    training saves at the next such boundary and raises :class:`TrainingInterrupted`.
    """

    path: str | os.PathLike[str]
    every_s: float = 300.0
    stop: Callable[[], bool] | None = None


class TrainingInterrupted(RuntimeError):
    """Training stopped on request after saving its state: ``path`` resumes at ``epoch``."""

    def __init__(self, path: Path, epoch: int, epochs: int) -> None:
        self.path, self.epoch, self.epochs = path, epoch, epochs
        super().__init__(
            f"training stopped at epoch {epoch} of {epochs}; its state is saved in {path}, "
            "and training with the same checkpoint path resumes from it"
        )


def _fingerprint(
    reals: Sequence[torch.Tensor],
    gens: Sequence[torch.Generator],
    hp: dict[str, Any],
    source: str,
    device: torch.device,
) -> str:
    """What must match for a checkpoint to resume: rows, initial seeds, settings."""
    digest = hashlib.sha256(repr((sorted(hp.items()), source, device.type)).encode())
    for real, gen in zip(reals, gens, strict=True):
        digest.update(repr(tuple(real.shape)).encode())
        digest.update(real.detach().cpu().contiguous().numpy().tobytes())
        digest.update(gen.get_state().numpy().tobytes())
    return digest.hexdigest()


def _save_checkpoint(
    path: Path, fingerprint: str, done: int, buckets: Sequence[Any], logs: Sequence[torch.Tensor]
) -> None:
    """Write the training state atomically (a temporary file, then a rename)."""
    state = {
        "fingerprint": fingerprint,
        "done": done,
        "buckets": [
            {
                **{
                    f"{name}_{part}": getattr(getattr(bucket, name), part).detach().cpu().clone()
                    for name in ("generator", "discriminator")
                    for part in ("flat", "m", "v")
                },
                "log": log[:done].detach().cpu().clone(),
                "gens": [g.get_state() for g in getattr(bucket, "gens", [])],
            }
            for bucket, log in zip(buckets, logs, strict=True)
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    torch.save(state, partial)
    os.replace(partial, path)


def _restore_checkpoint(
    path: Path, fingerprint: str, buckets: Sequence[Any], logs: Sequence[torch.Tensor]
) -> int:
    """Load a saved state of this training into ``buckets`` and ``logs``; its epoch (0: none)."""
    if not path.is_file():
        return 0
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - a torn or foreign file: start afresh
        warnings.warn(
            f"checkpoint {path} could not be read ({exc}); training from the start", stacklevel=3
        )
        return 0
    if state.get("fingerprint") != fingerprint or len(state["buckets"]) != len(buckets):
        warnings.warn(
            f"checkpoint {path} is from other training (rows, seeds or settings differ); "
            "training from the start",
            stacklevel=3,
        )
        return 0
    done = int(state["done"])
    with torch.no_grad():
        for bucket, log, saved in zip(buckets, logs, state["buckets"], strict=True):
            for name in ("generator", "discriminator"):
                for part in ("flat", "m", "v"):
                    getattr(getattr(bucket, name), part).copy_(saved[f"{name}_{part}"])
            log[:done].copy_(saved["log"])
            for gen, gen_state in zip(getattr(bucket, "gens", []), saved["gens"], strict=True):
                gen.set_state(gen_state)
    return done


def plan_buckets(batch: Sequence[int], overhead_rows: int) -> list[list[int]]:
    """Group model indices into stacks, padding each to its largest batch.

    Minimises ``sum over stacks (overhead_rows + K_stack * B_stack)`` over groupings of
    the models sorted by batch size (dynamic programming over the distinct sizes). One
    stack when the padding costs less than another stack's fixed cost.
    """
    sizes = sorted(set(batch))
    counts = [sum(1 for b in batch if b == s) for s in sizes]
    best = [0.0] + [math.inf] * len(sizes)
    cut = [0] * (len(sizes) + 1)
    for j in range(1, len(sizes) + 1):
        for i in range(j):
            cost = best[i] + overhead_rows + sum(counts[i:j]) * sizes[j - 1]
            if cost < best[j]:
                best[j], cut[j] = cost, i
    groups, j = [], len(sizes)
    while j > 0:
        groups.append(set(sizes[cut[j] : j]))
        j = cut[j]
    return [[k for k, b in enumerate(batch) if b in group] for group in reversed(groups)]


def _split(u: torch.Tensor, p: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """``(u < p, v)``: a Bernoulli(p) event (as 0.0/1.0) from a uniform and a fresh uniform ``v``.

    Given the event, ``u`` is uniform on ``[0, p)`` or ``[p, 1)``; rescaled, it is a
    uniform on ``[0, 1)`` independent of the event, so one draw serves twice. No
    ``torch.where`` (several times slower on the CPU): ``lerp`` with a 0/1 weight returns
    one end exactly, so ``v`` is bit for bit ``u / p`` or ``(u - p) / (1 - p)``; ``p`` may be 0.
    """
    p = torch.as_tensor(p, dtype=u.dtype, device=u.device)
    miss = torch.ge(u, p).to(u.dtype)  # 1.0 where the event did not happen
    return 1.0 - miss, (u - miss * p) / torch.lerp(p, 1.0 - p, miss)


def _load(net: StackedMLP, k: int, params: list[torch.Tensor], remap_input: bool) -> None:
    """Put GAN ``k``'s unpadded ``[W0, b0, ...]`` (torch (out, in) layout) in ``net``.

    With ``remap_input`` the last input column (the minibatch feature) goes to the last
    padded input row.
    """
    with torch.no_grad():
        for layer, (w, b) in enumerate(zip(params[0::2], params[1::2], strict=True)):
            out, inp = w.shape
            w = w.detach()
            if layer == 0 and remap_input:
                net.W[0][k, : inp - 1, :out] = w[:, :-1].T
                net.W[0][k, -1, :out] = w[:, -1]
            else:
                net.W[layer][k, :inp, :out] = w.T
            net.b[layer][k, 0, :out] = b.detach()


def _extract(
    net: StackedMLP, k: int, sizes: Sequence[int], remap_input: bool
) -> list[torch.Tensor]:
    """GAN ``k``'s unpadded weights in torch's (out, in) layout, on the CPU."""
    out: list[torch.Tensor] = []
    for layer in range(net.layers):
        i, o = sizes[layer], sizes[layer + 1]
        w = net.W[layer][k]
        if layer == 0 and remap_input:
            weight = torch.cat([w[: i - 1, :o], w[-1:, :o]], dim=0)
        else:
            weight = w[:i, :o]
        out += [weight.T.detach().cpu().clone(), net.b[layer][k, 0, :o].detach().cpu().clone()]
    return out


class _Bucket:
    """One stack of K GANs padded to the same batch (B rows) and width (D features)."""

    def __init__(
        self,
        reals: Sequence[torch.Tensor],
        binaries: Sequence[np.ndarray],
        gens: Sequence[torch.Generator],
        hp: dict[str, Any],
        device: torch.device,
        source: str,
    ) -> None:
        K = len(reals)
        n = [int(r.shape[0]) for r in reals]
        d = [int(r.shape[1]) for r in reals]
        batch = [m if hp["batch_size"] is None else min(int(hp["batch_size"]), m) for m in n]
        B, D, N, L = max(batch), max(d), max(n), int(hp["latent_dim"])
        self.K, self.B, self.D, self.L, self.n, self.d = K, B, D, L, n, d
        self.g_dims, self.d_dims = list(hp["generator_dims"]), list(hp["discriminator_dims"])
        self.H = sum(self.d_dims)
        slope = float(hp["negative_slope"])
        self.generator = StackedMLP(K, [L, *self.g_dims, D], [slope] * len(self.g_dims))
        self.discriminator = StackedMLP(K, [D + 1, *self.d_dims, 1], [slope] * len(self.d_dims))
        for k in range(K):  # each GAN's initial weights from its own stream, as when alone
            _load(self.generator, k, init_mlp([L, *self.g_dims, d[k]], gens[k]), False)
            _load(self.discriminator, k, init_mlp([d[k] + 1, *self.d_dims, 1], gens[k]), True)
        self.generator.to(device)
        self.discriminator.to(device)
        real = torch.zeros(K, N, D)
        fmask, bmask = torch.zeros(K, 1, D), torch.zeros(K, 1, D, dtype=torch.bool)
        for k in range(K):
            real[k, : n[k], : d[k]] = reals[k]
            fmask[k, 0, : d[k]] = 1.0
            bmask[k, 0, : d[k]] = torch.as_tensor(np.asarray(binaries[k], dtype=bool))
        self.real, self.fmask, self.bmask = real.to(device), fmask.to(device), bmask.to(device)
        self.bmask_f = self.bmask.float()
        self.sampled = any(b < m for b, m in zip(batch, n, strict=True))
        b_k = torch.tensor(batch, dtype=torch.float32)
        position = torch.arange(B, dtype=torch.float32)
        valid = position.unsqueeze(0) < b_k.unsqueeze(1)  # (K, B)
        self.row_mask = valid.float().unsqueeze(2).to(device)  # (K, B, 1)
        self.n_valid = b_k.view(K, 1, 1).to(device)
        self.position = position.view(1, B, 1).to(device)
        # the L1 feature works on (K, D, B): rows last
        pos_t, n_t = self.position.view(1, 1, B), self.n_valid.view(K, 1, 1)
        self.pos_valid = (pos_t < n_t).float()
        self.coef = 2.0 * pos_t + 2.0 - n_t
        self.pos_minus_n = 2.0 * pos_t - n_t
        self.pad_add = 2.0 * (1.0 - self.row_mask)
        self.row_ids = torch.arange(B, device=device).view(1, 1, 1, B)
        self.pad_add2 = torch.cat([self.pad_add, self.pad_add], 1)
        self.pos_valid4, self.coef4 = self.pos_valid.unsqueeze(2), self.coef.unsqueeze(2)
        self.norm = (
            torch.tensor(
                [max((bk - 1) * dk, 1) if bk > 1 else 1 for bk, dk in zip(batch, d, strict=True)],
                dtype=torch.float32,
            )
            .view(K, 1)
            .to(device)
        )
        self.full = torch.tensor([b == m for b, m in zip(batch, n, strict=True)]).view(K, 1)
        self.full = self.full.to(device)
        self.in_order = torch.arange(B).unsqueeze(0).minimum(torch.tensor(n).unsqueeze(1) - 1)
        self.in_order = self.in_order.to(device)
        self.n_rows = torch.tensor(n, dtype=torch.float32).view(K, 1).to(device)
        self.last_row = (torch.tensor(n) - 1).view(K, 1).to(device)
        self.k_index = torch.arange(K, device=device).view(K, 1)
        weight = self.row_mask / self.n_valid  # (K, B, 1): masked mean over valid rows
        self.d_weight = torch.cat([weight, weight], 1)
        self.g_weight = weight
        self.d_target = torch.cat([torch.ones(K, B, 1), torch.zeros(K, B, 1)], 1).to(device)
        self.in_order_x = self.real[:, :B] if not self.sampled else None
        self.real_sums = None
        self.columns = 1 + D + 3 + self.H  # row choice, flips+noise, jitters, dropout
        self.source = source
        if source == "generator":
            self.gens = list(gens)
            self.T = _CHUNK_STEPS
            self.uniform = torch.full((self.T, K, B, self.columns), 0.5, device=device)
            self.normal = torch.zeros(self.T, K, 2 * B, L, device=device)
            self.batch, self.position_in_chunk = batch, self.T
            decoded = self.T * K * B * (2 * D + 4 + 5 * self.H)
            self.chunked = device.type == "cpu" and decoded <= _CHUNK_DECODE_FLOATS
            self.chunk_epochs = torch.arange(self.T, device=device)
        else:  # counter-based: per-GAN key from its generator, indices in the GAN's own layout
            self.chunked = False
            keys = [int(torch.randint(0, 2**31, (1,), generator=g)) for g in gens]
            self.keys = torch.tensor(keys, dtype=torch.int64, device=device).view(K, 1, 1)
            col = torch.arange(self.columns).view(1, 1, -1)
            own = torch.where(col < 1 + D, col, col - D + torch.tensor(d).view(K, 1, 1))
            self.u_col = own.to(device)  # (K, 1, C): the GAN's own column numbers
            self.u_row = torch.arange(B, device=device).view(1, B, 1)
            zrow = torch.arange(2 * B).view(1, 2 * B, 1)  # the second batch: its own rows
            self.z_row = (torch.where(zrow < B, zrow, zrow - B + (1 << 29)) + (1 << 30)).to(device)
            self.z_col = 2 * torch.arange(L, device=device).view(1, 1, L)

    # -- random numbers ------------------------------------------------------------
    def _refill(self) -> None:
        D, B = self.D, self.B
        for k, (gen, b, d) in enumerate(zip(self.gens, self.batch, self.d, strict=True)):
            u = torch.rand(self.T, b, 1 + d + 3 + self.H, generator=gen)
            target = self.uniform[:, k, :b]
            target[..., : 1 + d] = u[..., : 1 + d]  # row choice, flips (+ noise)
            target[..., 1 + D :] = u[..., 1 + d :]  # jitters, dropout
            z = torch.randn(self.T, 2, b, self.L, generator=gen)
            self.normal[:, k, :b] = z[:, 0]
            self.normal[:, k, B : B + b] = z[:, 1]
        self.position_in_chunk = 0

    def draw(self, epoch: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Uniforms (K, B, C) and normals (K, 2B, L) of this epoch."""
        if self.source == "generator":
            if self.position_in_chunk == self.T:
                self._refill()
            t = self.position_in_chunk
            self.position_in_chunk += 1
            return self.uniform[t], self.normal[t]
        key = _hash32((self.keys * 0x27D4EB2F + epoch * 0x165667B1 + 0x632BE5AB) & _M32)
        u = _counter_uniform(key, self.u_row, self.u_col)
        u1 = _counter_uniform(key, self.z_row, self.z_col)
        u2 = _counter_uniform(key, self.z_row, self.z_col + 1)
        z = torch.sqrt(-2.0 * torch.log(u1)) * torch.cos((2.0 * math.pi) * u2)
        return u, z

    def prepare(
        self, s: dict[str, Any], hp: dict[str, Any]
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, list | None, list | None]:
        """Everything random of this epoch, ready for :meth:`step`.

        Returns the generator's input (K, 2B, L), the discriminator's real input (K, B,
        D + 1: the perturbed rows and their minibatch feature), the feature's jitter
        factors (K, B, 3) and the dropout multipliers of the discriminator's real+fake
        pass (K, 2B, h) and of its generator pass (K, B, h), per hidden layer (None
        without dropout). With the ``"generator"`` source on the CPU a whole chunk of
        epochs is decoded at once when it is small (:data:`_CHUNK_DECODE_FLOATS`): the
        same numbers from a sixteenth of the tensor operations.
        """
        if not self.chunked:
            u, z = self.draw(s["epoch"])
            _, perturbed, real_feature, jitter, keep = self.decode(u, s["flip"], hp)
            return z, *self._assemble(perturbed, real_feature, jitter, keep)
        if self.position_in_chunk == self.T:
            self._refill()
            table = s["flip_table"]
            epochs = (s["epoch"] + self.chunk_epochs).clamp_(max=table.numel() - 1)
            flips = table.index_select(0, epochs).view(self.T, 1, 1, 1)
            _, perturbed, real_feature, jitter, keep = self.decode(self.uniform, flips, hp)
            self.chunk = self._assemble(perturbed, real_feature, jitter, keep)
        t = self.position_in_chunk
        self.position_in_chunk += 1
        real_in, jitter, d_keep, g_keep = self.chunk
        return (
            self.normal[t],
            real_in[t],
            jitter[t],
            None if d_keep is None else [m[t] for m in d_keep],
            None if g_keep is None else [m[t] for m in g_keep],
        )

    @staticmethod
    def _assemble(
        perturbed: torch.Tensor, real_feature: torch.Tensor, jitter: torch.Tensor, keep: Any
    ) -> tuple[torch.Tensor, torch.Tensor, list | None, list | None]:
        """:meth:`decode`'s parts as :meth:`step` uses them (rows: the second-last axis)."""
        real_in = torch.cat([perturbed, real_feature], -1)
        if keep is None:
            return real_in, jitter, None, None
        d_keep = [torch.cat([a, b], -2) for a, b in zip(*keep[:2], strict=True)]
        return real_in, jitter, d_keep, keep[2]

    # -- the minibatch L1 feature ----------------------------------------------------
    def _sorted(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per feature and batch, values sorted over the rows and their row order.

        ``x`` holds G batches of B rows, (K, G * B, D); both results are (K, D, G, B).
        Padded rows sort last (2 is added to them; values lie in [0, 1]). On the CPU the
        sort is NumPy's (vectorised) on int64 keys ``float bits << 32 | row``, many times
        faster than ``torch.sort`` on short rows; on CUDA it is ``torch.sort``.
        """
        K, rows, D = x.shape
        groups = rows // self.B
        shifted = x + (self.pad_add if groups == 1 else self.pad_add2)
        if shifted.device.type != "cpu" or not _NUMPY_SORT:
            return shifted.transpose(1, 2).reshape(K, D, groups, self.B).sort(dim=3)
        bits = shifted.view(torch.int32).transpose(1, 2)
        keys = bits.to(torch.int64, memory_format=torch.contiguous_format)
        keys = keys.view(K, D, groups, self.B).bitwise_left_shift_(32).add_(self.row_ids)
        ordered = torch.from_numpy(np.sort(keys.numpy(), axis=3))
        values = ordered.bitwise_right_shift(32).to(torch.int32).view(torch.float32)
        return values, ordered.bitwise_and_(_M32)

    def _l1_sums(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per row, the sum of L1 distances to the other valid rows of its batch.

        ``x`` holds G batches, (K, G * B, D); returns the sums (K, G, B) and the sort
        order (K, D, G, B). Sorted per feature, position ``i`` of ``n`` valid values gets
        ``s_i (2 i + 2 - n) + total - 2 c_i`` (``c`` the running sum).
        """
        values, order = self._sorted(x)
        values = values * self.pos_valid4
        running = values.cumsum(dim=3)
        per_sorted = values * self.coef4 + running[..., -1:] - 2.0 * running
        per_row = torch.empty_like(per_sorted).scatter_(3, order, per_sorted)
        return per_row.sum(dim=1) * self.row_mask.view(self.K, 1, self.B), order

    def _l1_backward(self, g_sums: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
        """Gradient at the rows (K, B, D) from the gradient ``g_sums`` (K, B, 1) at the sums.

        ``sum_j (g_i + g_j) sign(x_i - x_j)`` per feature, via the sort order: at sorted
        position ``i`` it is ``g_i (2 i - n) + 2 G_i - G_n`` (``G`` the running sum of g).
        """
        g = g_sums.transpose(1, 2).expand(-1, order.shape[1], -1).gather(2, order)  # (K, D, B)
        running = g.cumsum(dim=2)
        per_sorted = g * self.pos_minus_n + 2.0 * running - running[:, :, -1:]
        per_row = torch.empty_like(per_sorted).scatter_(2, order, per_sorted)
        return per_row.transpose(1, 2) * self.row_mask

    # -- one epoch -------------------------------------------------------------------
    def decode(
        self, u: torch.Tensor, flip_p: Any, hp: dict[str, Any]
    ) -> tuple[
        torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, list[list[torch.Tensor]] | None
    ]:
        """The epoch's real batch and everything random but the latent noise.

        Returns the real rows (K, B, D), the real rows after bit-flips and noise (K, B, D), their minibatch
        feature (K, B, 1), the feature's jitter factors (K, B, 3: real, fake, generator
        batch; divided by the normaliser) and the dropout masks of the three
        discriminator passes (per pass, per hidden layer, already divided by ``1 - p``).
        """
        D = self.D
        noise, dropout = float(hp["minibatch_noise"]), float(hp["dropout"])
        real_noise = float(hp["real_noise"])
        # real rows: whole class in order, or drawn with replacement
        if self.sampled:
            drawn = torch.minimum((u[..., 0] * self.n_rows).long(), self.last_row)
            rows = torch.where(self.full, self.in_order, drawn)
            x = self.real[self.k_index, rows]
        else:
            x = self.in_order_x
        jitter = (1.0 + noise * (2.0 * u[..., 1 + D : 4 + D] - 1.0)) / self.norm.unsqueeze(2)
        if hp["minibatch_reference"] == "row3":
            sums = self._row3(x)
        elif not self.sampled:
            if self.real_sums is None:  # the same rows every epoch
                self.real_sums = self._l1_sums(x)[0].transpose(1, 2)
            sums = self.real_sums
        elif x.dim() == 4:  # a chunk of epochs: one batch at a time
            sums = torch.stack([self._l1_sums(batch)[0].transpose(1, 2) for batch in x])
        else:
            sums = self._l1_sums(x)[0].transpose(1, 2)
        real_feature = sums * jitter[..., 0:1]
        # bit-flips (before the 0-2 % noise) and the noise, from one uniform per entry
        flip, fresh = _split(u[..., 1 : 1 + D], flip_p)
        flipped = x + flip * self.bmask_f * (1.0 - 2.0 * x)  # 1 - x where flipped
        perturbed = (flipped + fresh * real_noise * (1.0 - 2.0 * flipped)) * self.fmask
        # dropout: three masks per hidden unit from one uniform
        keep = None
        if dropout > 0:
            scale, up, down = 1.0 / (1.0 - dropout), 1.0 / dropout, 1.0 / (1.0 - dropout)
            masks, left = [], u[..., 4 + D :]
            for call in range(3):
                kept = torch.ge(left, dropout).to(left.dtype)
                masks.append(kept * scale)
                if call < 2:  # the fresh uniform left by this split (see _split)
                    left = torch.lerp(left * up, (left - dropout) * down, kept)
            offsets = np.cumsum([0, *self.d_dims])
            keep = [
                [m[..., a:b] for a, b in zip(offsets[:-1], offsets[1:], strict=True)] for m in masks
            ]
        return x, perturbed, real_feature, jitter, keep

    def step(self, s: dict[str, Any], hp: dict[str, Any], log: torch.Tensor) -> None:
        """One discriminator update, then one generator update; losses into ``log[epoch]``.

        ``s`` holds the epoch's schedule values (floats, or 0-d device tensors when the
        step is captured in a CUDA graph) and ``epoch`` (a 1-element long tensor).
        """
        B, D = self.B, self.D
        bias = (s["bc1"], s["bc2_sqrt"])  # Adam's bias corrections (the plain-op Adam)
        z, real_in, jitter, d_keep, g_keep = self.prepare(s, hp)
        # one generator pass for both batches of the epoch (its weights change after)
        out_h, g_cache = self.generator.forward(z)
        out = torch.sigmoid(out_h)
        made_all = out * self.fmask
        fake, made = made_all[:, :B], made_all[:, B:]
        if hp["minibatch_reference"] == "row3":
            fake_sums, made_sums, made_order = self._row3(fake), self._row3(made), None
        else:
            both, order = self._l1_sums(made_all)  # one sort for both batches
            fake_sums, made_sums = both[:, 0].unsqueeze(2), both[:, 1].unsqueeze(2)
            made_order = order[:, :, 1]
        # discriminator: real -> 1, fake -> 0, in one pass
        d_in = torch.cat([real_in, torch.cat([fake, fake_sums * jitter[..., 1:2]], 2)], 1)
        logit, d_cache = self.discriminator.forward(d_in, d_keep)
        p = torch.sigmoid(logit)
        diff = p - self.d_target
        d_loss = (diff * diff * self.d_weight).sum(dim=(1, 2))
        grad = diff * p * (1.0 - p) * (2.0 * self.d_weight)
        self.discriminator.backward(d_cache, grad, weights=True, inputs=False)
        self.discriminator.adam(s["lr_d"], hp["betas"], 1e-8, s["adam_step"], bias)
        # generator: its second batch, scored by the updated discriminator against 1
        made_feature = made_sums * jitter[..., 2:3]
        logit, q_cache = self.discriminator.forward(torch.cat([made, made_feature], 2), g_keep)
        q = torch.sigmoid(logit)
        diff = q - 1.0
        g_loss = (diff * diff * self.g_weight).sum(dim=(1, 2))
        grad = diff * q * (1.0 - q) * (2.0 * self.g_weight)
        g_in = self.discriminator.backward(q_cache, grad, weights=False, inputs=True)
        g_made = g_in[..., :D]
        if hp["minibatch_gradient"] == "through":
            g_sums = g_in[..., D:] * jitter[..., 2:3]
            if made_order is None:  # row3
                g_made = g_made + self._row3_backward(g_sums, made)
            else:
                g_made = g_made + self._l1_backward(g_sums, made_order)
        o = out[:, B:]  # only the second batch has a gradient: back-propagate it alone
        g_out = g_made * self.fmask * o * (1.0 - o)
        made_cache = StackedMLP.rows_of(g_cache, slice(B, None))
        self.generator.backward(made_cache, g_out, weights=True, inputs=False)
        self.generator.adam(s["lr_g"], hp["betas"], 1e-8, s["adam_step"], bias)
        log.index_copy_(0, s["epoch"], torch.stack([d_loss, g_loss], 1).unsqueeze(0))

    def _row3_backward(self, g_sums: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Gradient at the rows of :meth:`_row3` (``g_sums`` its gradient, (K, B, 1))."""
        sign = torch.sign(x - x[:, 3:4]) * self.row_mask
        grad = sign.clone()
        grad[:, 3] -= sign.sum(dim=1)
        return grad * g_sums.sum(dim=1, keepdim=True)

    def _row3(self, x: torch.Tensor) -> torch.Tensor:
        """The authors' bug: distances to row index 3 only, one number for every row."""
        to_row3 = (x - x[..., 3:4, :]).abs().sum(dim=-1, keepdim=True) * self.row_mask
        return to_row3.sum(-2, True).expand(*x.shape[:-2], self.B, 1)


def _schedule(hp: dict[str, Any]) -> dict[str, np.ndarray]:
    epochs = int(hp["epochs"])
    restart = {
        "factor": hp["restart_factor"],
        "cycle": hp["restart_cycle"],
        "start_epoch": hp["restart_start_epoch"],
    }
    b1, b2 = hp["betas"]
    t = np.arange(1, epochs + 1, dtype=np.float64)
    return {
        "lr_d": np.array(
            [sgdr_learning_rate(e, hp["discriminator_lr"], **restart) for e in range(epochs)]
        ),
        "lr_g": np.array(
            [sgdr_learning_rate(e, hp["generator_lr"], **restart) for e in range(epochs)]
        ),
        "flip": np.array(
            [
                bit_flip_probability(e, hp["flip_start"], hp["flip_stop_epoch"])
                for e in range(epochs)
            ]
        ),
        "bc1": 1.0 - b1**t,
        "bc2_sqrt": np.sqrt(1.0 - b2**t),
        "step": t,  # Adam's step count
    }


def _check_finite(buckets, logs, members, labels, start: int, stop: int) -> None:  # noqa: ANN001
    """Raise :class:`TrainingDivergedError` for the first non-finite loss in [start, stop)."""
    first: tuple[int, int] | None = None
    for bucket_log, index in zip(logs, members, strict=True):
        finite = torch.isfinite(bucket_log[start:stop]).all(dim=2)  # (steps, K)
        if not bool(finite.all()):
            step, k = (~finite).nonzero()[0].tolist()
            if first is None or (start + step, index[k]) < first:
                first = (start + step, index[k])
    if first is not None:
        epoch, k = first
        raise TrainingDivergedError(labels[k], epoch, index=k)


def train_stack(
    reals: Sequence[torch.Tensor],
    binaries: Sequence[np.ndarray],
    gens: Sequence[torch.Generator],
    labels: Sequence[Any],
    hp: dict[str, Any],
    verbose: bool = False,
    device: str | torch.device = "cpu",
    random_source: str | None = None,
    graph: bool | None = None,
    timings: dict[str, float] | None = None,
    checkpoint: Checkpoint | None = None,
    stacks: Sequence[Sequence[int]] | None = None,
) -> list[TrainedGAN]:
    """Train one GAN per element of ``reals`` (rows already scaled into [0, 1]).

    ``gens[k]`` is GAN k's random generator (its weights are drawn from it first, then its
    training stream). ``random_source`` is ``"generator"`` (CPU default) or ``"counter"``
    (CUDA default); ``graph`` captures the epoch in a CUDA graph (default: on CUDA);
    ``timings``, a dict, receives the seconds of set-up and of the epoch loop. A list
    ``reals`` is emptied once its rows are copied into the padded stacks.
    ``checkpoint`` saves, resumes and stops training (:class:`Checkpoint`).
    ``stacks`` (indices into ``reals``, every GAN once) replaces :func:`plan_buckets`'
    grouping (worker processes train the stacks one process would, see ``_workers``).
    Raises :class:`TrainingDivergedError` naming the first GAN whose loss is not finite,
    :class:`TrainingInterrupted` when ``checkpoint.stop`` asked training to stop.
    """
    started = time.perf_counter()
    device = resolve_device(device)
    source, use_graph = random_source_and_graph(device, random_source, graph)
    if (
        hp["minibatch_reference"] == "row3"
        and min(
            int(r.shape[0])
            if hp["batch_size"] is None
            else min(int(r.shape[0]), int(hp["batch_size"]))
            for r in reals
        )
        < 4
    ):
        raise ValueError(
            "minibatch_reference='row3' (the authors' code) needs batches of at least 4 rows"
        )
    K = len(reals)
    n = [int(r.shape[0]) for r in reals]
    batch = [m if hp["batch_size"] is None else min(int(hp["batch_size"]), m) for m in n]
    members = (
        plan_buckets(batch, _BUCKET_OVERHEAD_ROWS[device.type])
        if stacks is None
        else [list(stack) for stack in stacks]
    )
    if sorted(k for stack in members for k in stack) != list(range(K)):
        raise ValueError(f"stacks must hold every index 0..{K - 1} once, got {stacks!r}")
    fingerprint = "" if checkpoint is None else _fingerprint(reals, gens, hp, source, device)
    buckets = [
        _Bucket(
            [reals[k] for k in group],
            [binaries[k] for k in group],
            [gens[k] for k in group],
            hp,
            device,
            source,
        )
        for group in members
    ]
    if isinstance(reals, list):
        reals.clear()  # the padded stacks hold the rows now; free the copies (large data)
    epochs = int(hp["epochs"])
    table = {
        key: torch.tensor(v, dtype=torch.float32, device=device) for key, v in _schedule(hp).items()
    }
    logs = [torch.zeros(epochs, b.K, 2, device=device) for b in buckets]
    counter = torch.zeros(1, dtype=torch.long, device=device)
    saved_at, start = time.perf_counter(), 0
    if checkpoint is not None:
        start = _restore_checkpoint(Path(checkpoint.path), fingerprint, buckets, logs)
        counter.fill_(start)

    def epoch_step() -> None:
        s = {key: v.index_select(0, counter).squeeze(0) for key, v in table.items()}
        s["epoch"] = counter
        s["adam_step"] = s["step"]
        s["flip_table"] = table["flip"]
        for bucket, log in zip(buckets, logs, strict=True):
            bucket.step(s, hp, log)
        counter.add_(1)

    if device.type == "cuda":
        torch.cuda.synchronize(device)
    looping = time.perf_counter()
    bar = tqdm(
        total=epochs,
        initial=start,
        disable=not verbose,
        desc=f"GAN-SMOTE x{K}" if K > 1 else f"GAN-SMOTE class {labels[0]}",
        leave=False,
        mininterval=1.0,
    )
    with single_thread() if device.type == "cpu" else contextlib.nullcontext():
        done, checked, stop = start, start, False
        schedule = GraphSchedule(epoch_step, device, use_graph)
        check_every = _CHECK_EVERY if device.type == "cpu" else 1000
        while done < epochs:
            advanced = schedule.advance(epochs - done)
            done += advanced
            bar.update(advanced)
            if done - checked >= check_every or done == epochs:
                _check_finite(buckets, logs, members, labels, checked, done)
                checked = done
                if verbose:
                    last = torch.cat([log[done - 1] for log in logs]).mean(dim=0).tolist()
                    bar.set_postfix(d_loss=f"{last[0]:.4f}", g_loss=f"{last[1]:.4f}")
            # a checkpoint where the random streams resume exactly: any epoch of the
            # counter source, the start of a chunk of the generator source
            if checkpoint is None or done == epochs:
                continue
            stop = stop or (checkpoint.stop is not None and bool(checkpoint.stop()))
            if source == "generator" and done % _CHUNK_STEPS:
                continue
            if stop or time.perf_counter() - saved_at >= checkpoint.every_s:
                _check_finite(buckets, logs, members, labels, checked, done)
                checked = done
                _save_checkpoint(Path(checkpoint.path), fingerprint, done, buckets, logs)
                saved_at = time.perf_counter()
                if stop:
                    bar.close()
                    raise TrainingInterrupted(Path(checkpoint.path), done, epochs)
    bar.close()
    if checkpoint is not None:
        Path(checkpoint.path).unlink(missing_ok=True)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    if timings is not None:
        timings["setup_s"] = looping - started
        timings["loop_s"] = time.perf_counter() - looping
    schedule = _schedule(hp)
    results: list[TrainedGAN | None] = [None] * K
    L, g_dims, d_dims = (
        int(hp["latent_dim"]),
        list(hp["generator_dims"]),
        list(hp["discriminator_dims"]),
    )
    for bucket, log, index in zip(buckets, logs, members, strict=True):
        history = log.cpu().numpy()
        for j, k in enumerate(index):
            d = bucket.d[j]
            results[k] = TrainedGAN(
                _extract(bucket.generator, j, [L, *g_dims, d], False),
                _extract(bucket.discriminator, j, [d + 1, *d_dims, 1], True),
                pd.DataFrame(
                    {
                        "epoch": np.arange(epochs),
                        "d_loss": history[:, j, 0],
                        "g_loss": history[:, j, 1],
                        "lr": schedule["lr_g"],
                        "flip_probability": schedule["flip"],
                    }
                ),
            )
    return results  # type: ignore[return-value]


def random_source_and_graph(
    device: torch.device,
    random_source: str | None,
    graph: bool | None,
    cpu_source: str = "generator",
) -> tuple[str, bool]:
    """Both engines' random source and CUDA-graph choice, defaults filled in and checked.

    Default source: ``cpu_source`` on the CPU, ``"counter"`` elsewhere; default graph: on
    CUDA with the counter source. A graph needs CUDA and the counter source.
    """
    source = random_source or (cpu_source if device.type == "cpu" else "counter")
    if source not in ("generator", "counter"):
        raise ValueError(f"random_source must be 'generator' or 'counter', got {source!r}")
    use_graph = (device.type == "cuda" and source == "counter") if graph is None else bool(graph)
    if use_graph and (device.type not in _GRAPH_DEVICES or source != "counter"):
        raise ValueError("graph=True needs device='cuda' and random_source='counter'")
    return source, use_graph


class GraphSchedule:
    """How both engines run their epochs: eagerly, or (``graph``) as CUDA graph replays.

    With ``graph``: three eager warm-up epochs on a side stream, then ``block``
    consecutive epochs captured once in a CUDA graph and replayed; epochs that do not
    fill a block run eagerly. ``epoch_step`` must be a function of device tensors only.
    """

    def __init__(
        self, epoch_step: Callable[[], None], device: torch.device, graph: bool, block: int = 0
    ) -> None:
        self.epoch_step, self.device, self.graph = epoch_step, device, graph
        self.block = block or _GRAPH_EPOCHS
        self.captured: Any = None
        self.warm = 0

    def advance(self, remaining: int) -> int:
        """Run the next epoch or block (at most ``remaining`` epochs); how many ran."""
        if self.graph and self.captured is None and self.warm >= 3 and remaining >= self.block:
            self.captured = _capture(self.epoch_step, self.device, self.block)
        if self.captured is not None and remaining >= self.block:
            self.captured.replay()
            return self.block
        if self.graph and self.warm < 3:
            _warm_up(self.epoch_step, self.device)
            self.warm += 1
            return 1
        self.epoch_step()
        return 1


def _warm_up(epoch_step: Any, device: torch.device) -> None:
    """One eager epoch on a side stream, as CUDA graph capture wants before it."""
    side = torch.cuda.Stream(device)
    side.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(side):
        epoch_step()
    torch.cuda.current_stream(device).wait_stream(side)


def _capture(epoch_step: Any, device: torch.device, epochs: int = _GRAPH_EPOCHS) -> Any:
    """A CUDA graph of ``epochs`` consecutive epochs (warmed up already)."""
    torch.cuda.synchronize(device)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for _ in range(epochs):
            epoch_step()
    return graph
