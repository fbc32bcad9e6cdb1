"""K copies of one MLP trained as one: the network half of every table GAN's engine.

GAN-SMOTE's engine (:mod:`gan_oversamplers._batched`) and the BCE table GANs' engine
(:mod:`gan_oversamplers._engine`) both stack their per-class networks with this class:
weights along a leading model axis (stored ``(K, in, out)`` for ``baddbmm``) in one flat
buffer, so that every layer is one batched matrix product and one Adam step updates every
network. The forward and backward passes are written out (no autograd): Linear, optional
batch norm over the valid rows (running statistics kept as ``torch.nn.BatchNorm1d`` keeps
them), ReLU / leaky ReLU and dropout multipliers given by the caller. The output layer has
no activation: the caller applies its sigmoid and loss.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch.nn import functional as F

__all__ = ["BatchNorm", "StackedMLP"]


@dataclass(frozen=True)
class BatchNorm:
    """Batch norm after a hidden Linear layer (``torch.nn.BatchNorm1d``'s settings)."""

    eps: float = 1e-5
    momentum: float = 0.1


class StackedMLP:
    """K MLPs of widths ``widths``; hidden layer ``l`` has ``slopes[l]`` (0: ReLU).

    Parameters live in :attr:`flat` (weights of every layer, then biases, then batch-norm
    scales and shifts), with gradients in :attr:`grad` and Adam's moments in :attr:`m`,
    :attr:`v`; :attr:`W`, :attr:`b`, :attr:`gamma`, :attr:`beta` are views into it.
    """

    def __init__(
        self,
        K: int,
        widths: Sequence[int],
        slopes: Sequence[float],
        batch_norm: Sequence[BatchNorm | None] | None = None,
        device: torch.device | None = None,
    ) -> None:
        self.K, self.widths, self.layers = K, list(widths), len(widths) - 1
        if len(slopes) != self.layers - 1:
            raise ValueError(f"{self.layers - 1} hidden layers need as many slopes, got {slopes}")
        self.slopes = [float(s) for s in slopes]
        self.batch_norm = list(batch_norm or [None] * (self.layers - 1))
        outs = self.widths[1:]
        self.shapes = [(K, i, o) for i, o in zip(self.widths[:-1], outs, strict=True)]
        self.shapes += [(K, 1, o) for o in outs]
        normed = [o for o, bn in zip(outs, self.batch_norm, strict=False) if bn is not None]
        self.shapes += [(K, 1, o) for o in normed] * 2  # scales, then shifts
        self.flat = torch.zeros(sum(math.prod(s) for s in self.shapes))
        self.running: list[tuple[torch.Tensor, torch.Tensor] | None] = [
            None if bn is None else (torch.zeros(K, 1, o), torch.ones(K, 1, o))
            for o, bn in zip(outs, self.batch_norm, strict=False)
        ]
        self.batches_tracked = 0
        self.step_count = torch.zeros((), dtype=torch.float32)
        self.to(torch.device("cpu") if device is None else device)

    def to(self, device: torch.device) -> None:
        """Move the parameters to ``device``; fresh gradient and Adam buffers there."""
        self.flat = self.flat.to(device)
        self.grad, self.m, self.v = (torch.zeros_like(self.flat) for _ in range(3))
        self.step_count = self.step_count.to(device)
        self.running = [
            None if r is None else (r[0].to(device), r[1].to(device)) for r in self.running
        ]
        views, grads, start = [], [], 0
        for shape in self.shapes:
            size = math.prod(shape)
            views.append(self.flat[start : start + size].view(shape))
            grads.append(self.grad[start : start + size].view(shape))
            start += size
        n = self.layers
        self.W, self.b = views[:n], views[n : 2 * n]
        self.gW, self.gb = grads[:n], grads[n : 2 * n]
        normed = [j for j, bn in enumerate(self.batch_norm) if bn is not None]
        self.gamma: list[torch.Tensor | None] = [None] * (n - 1)
        self.beta: list[torch.Tensor | None] = [None] * (n - 1)
        self.g_gamma: list[torch.Tensor | None] = [None] * (n - 1)
        self.g_beta: list[torch.Tensor | None] = [None] * (n - 1)
        for i, j in enumerate(normed):
            self.gamma[j], self.g_gamma[j] = views[2 * n + i], grads[2 * n + i]
            self.beta[j] = views[2 * n + len(normed) + i]
            self.g_beta[j] = grads[2 * n + len(normed) + i]

    def forward(
        self,
        x: torch.Tensor,
        keep: Sequence[torch.Tensor | None] | None = None,
        rows: torch.Tensor | None = None,
        count: torch.Tensor | None = None,
        train_stats: bool = False,
    ) -> tuple[torch.Tensor, list[Any]]:
        """The output layer's pre-activation (K, R, out) and the cache for :meth:`backward`.

        ``keep[l]``: hidden layer ``l``'s dropout multipliers (0 or ``1/(1-p)``; None: no
        dropout); ``rows`` (K, R, 1) the valid-row mask and ``count`` (K, 1, 1) the valid
        rows, for batch-norm statistics; ``train_stats`` updates the running statistics.
        The cache holds every layer's input (``cache[0]``: ``x``) and, per hidden layer,
        its batch-norm terms and dropout multipliers.
        """
        acts, extra = [x], []
        h = x
        for layer in range(self.layers):
            h = torch.baddbmm(self.b[layer], h, self.W[layer])
            if layer == self.layers - 1:
                break
            bn, bn_cache = self.batch_norm[layer], None
            if bn is not None:
                mean = (h * rows).sum(1, keepdim=True) / count
                centred = h - mean
                var = (centred * centred * rows).sum(1, keepdim=True) / count
                inv = torch.rsqrt(var + bn.eps)
                xhat = centred * inv
                h = torch.addcmul(self.beta[layer], xhat, self.gamma[layer])
                bn_cache = (xhat, inv)
                if train_stats:
                    rm, rv = self.running[layer]
                    rm.lerp_(mean, bn.momentum)
                    rv.lerp_(var * count / (count - 1), bn.momentum)
            slope = self.slopes[layer]
            h = F.leaky_relu(h, slope) if slope else F.relu(h)
            mask = None if keep is None else keep[layer]
            if mask is not None:
                h = h * mask
            acts.append(h)
            extra.append((bn_cache, mask))
        return h, [acts, extra]

    @staticmethod
    def rows_of(cache: list[Any], rows: slice) -> list[Any]:
        """The cache of a forward pass restricted to ``rows`` (no batch norm in it)."""
        acts, extra = cache
        return [
            [a[:, rows] for a in acts],
            [(None, None if mask is None else mask[:, rows]) for _, mask in extra],
        ]

    def backward(
        self,
        cache: list[Any],
        grad: torch.Tensor,
        rows: torch.Tensor | None = None,
        count: torch.Tensor | None = None,
        weights: bool = True,
        inputs: bool = False,
    ) -> torch.Tensor | None:
        """Back-propagate ``grad`` (at the output's pre-activation).

        Weight gradients go into :attr:`grad` (``weights``); returns the gradient at the
        input (``inputs``).
        """
        acts, extra = cache
        for layer in reversed(range(self.layers)):
            if weights:
                torch.bmm(acts[layer].transpose(1, 2), grad, out=self.gW[layer])
                torch.sum(grad, dim=1, keepdim=True, out=self.gb[layer])
            if layer == 0 and not inputs:
                return None
            grad = torch.bmm(grad, self.W[layer].transpose(1, 2))
            if layer == 0:
                return grad
            bn_cache, mask = extra[layer - 1]
            if mask is not None:
                grad = grad * mask
            grad = torch.ops.aten.leaky_relu_backward(
                grad, acts[layer], self.slopes[layer - 1], True
            )
            if bn_cache is not None:
                xhat, inv = bn_cache
                j = layer - 1
                if weights:
                    torch.sum(grad * xhat, dim=1, keepdim=True, out=self.g_gamma[j])
                    torch.sum(grad, dim=1, keepdim=True, out=self.g_beta[j])
                g_hat = grad * self.gamma[j] * rows
                mean_g = g_hat.sum(1, keepdim=True) / count
                mean_gx = (g_hat * xhat).sum(1, keepdim=True) / count
                grad = (g_hat - mean_g - xhat * mean_gx) * inv * rows
        return None

    def adam(
        self,
        lr: Any,
        betas: Sequence[float],
        eps: float = 1e-8,
        step: torch.Tensor | None = None,
        bias: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> None:
        """One Adam step on the flat buffer (``torch.optim.Adam``'s arithmetic).

        ``step``: Adam's step count as a tensor (default: this network's own counter,
        advanced here). PyTorch's fused kernel, one pass; with ``bias`` (the bias
        corrections ``1 - beta1**t`` and ``sqrt(1 - beta2**t)`` as device tensors, for
        a step captured in a CUDA graph) off the CPU, the same arithmetic in plain ops.
        """
        b1, b2 = betas
        if bias is not None and self.flat.device.type != "cpu":
            bc1, bc2_sqrt = bias
            self.m.lerp_(self.grad, 1.0 - b1)
            self.v.mul_(b2).addcmul_(self.grad, self.grad, value=1.0 - b2)
            denom = (self.v.sqrt() / bc2_sqrt).add_(eps)
            self.flat.sub_(self.m / denom * (lr / bc1))
            return
        if step is None:
            self.step_count += 1
            step = self.step_count
        torch._fused_adam_(
            [self.flat], [self.grad], [self.m], [self.v], [], [step],
            amsgrad=False, lr=lr, beta1=b1, beta2=b2, weight_decay=0.0, eps=eps,
            maximize=False,
        )  # fmt: skip
