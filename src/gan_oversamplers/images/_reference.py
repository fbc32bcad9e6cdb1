"""The image training loops as they were before the shared loop: the loop's test oracle.

Frozen copies of ``images._nets.train_gan`` (the image GANs) and ``DeepSMOTE._train``
(DeepSMOTE's encoder/decoder), with the helpers they called, as the image samplers
trained before :func:`gan_oversamplers._loop.train_epochs`. Not used by the samplers
(unless a test sets ``images._nets.TRAINER = "reference"``): the tests train the same
networks here and on the loop and compare loss histories and generated images. Do not
change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from .._random import torch_generator
from ..errors import TrainingDivergedError

__all__ = ["train_deepsmote", "train_gan"]


def batches(n: int, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, ...]:
    """Shuffled row indices in ``max(1, n // batch_size)`` near-equal batches (none of 1 row)."""
    order = torch.randperm(n, generator=generator, device=generator.device)
    return order.tensor_split(max(1, n // batch_size))


def _gradient_penalty(
    discriminator: nn.Module,
    real: torch.Tensor,
    fake: torch.Tensor,
    cond: torch.Tensor | None,
    rng: torch.Generator,
) -> torch.Tensor:
    """WGAN-GP's penalty: the discriminator's gradient norm at interpolates, pulled to 1."""
    share = torch.rand(len(real), 1, generator=rng, device=rng.device)
    mixed = (share * real + (1 - share) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(discriminator(mixed, cond).sum(), mixed, create_graph=True)
    return ((grad.norm(2, dim=1) - 1) ** 2).mean()


def to_device(
    device: torch.device | None,
    nets: tuple[nn.Module, ...],
    images: torch.Tensor,
    cond: torch.Tensor | None,
    rng: torch.Generator,
) -> tuple[Any, ...]:
    """Move ``nets`` (in place), ``images`` and ``cond`` to ``device``, with a generator there.

    On the CPU (or ``device=None``) everything is returned as it is, so CPU results
    do not depend on this step; elsewhere the device generator is seeded from ``rng``.
    """
    if device is None or device.type == "cpu":
        return (*nets, images, cond, rng)
    for net in nets:
        net.to(device)
    seed = int(torch.randint(0, 2**62, (1,), generator=rng))
    moved = None if cond is None else cond.to(device)
    return (*nets, images.to(device), moved, torch_generator(seed, device))


def train_gan(
    generator: nn.Module,
    discriminator: nn.Module,
    real: torch.Tensor,
    cond: torch.Tensor | None,
    hp: Mapping[str, Any],
    rng: torch.Generator,
    *,
    method: str,
    label: Any,
    verbose: bool,
    device: torch.device | None = None,
) -> pd.DataFrame:
    """Non-saturating GAN training (BCE on logits, Adam); returns the per-epoch loss history.

    Each step updates the discriminator on a real batch (target 1) and the same number
    of fakes (target 0), then the generator against target 1. A conditional model gets
    the real batch's one-hot labels ``cond`` for its fakes too. ``hp["gradient_penalty"]``
    (optional, default 0) adds ``weight * E[(||grad D(x_hat)|| - 1)^2]`` on random
    interpolates of real and fake images (Gulrajani et al., 2017) to the discriminator loss.
    On a CUDA ``device`` the networks and images move there and train with a device
    generator seeded from ``rng``; the networks come back to the CPU at the end. Losses
    stay on the device until the end of each epoch (one host sync per epoch).
    """
    generator, discriminator, real, cond, rng = to_device(
        device, (generator, discriminator), real, cond, rng
    )
    betas = (hp["beta1"], 0.999)
    opt_g = torch.optim.Adam(generator.parameters(), lr=hp["generator_lr"], betas=betas)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=hp["discriminator_lr"], betas=betas)
    bce = F.binary_cross_entropy_with_logits
    log = np.zeros((hp["epochs"], 2))
    bar = tqdm(
        range(hp["epochs"]),
        disable=not verbose,
        desc=method if label is None else f"{method} class {label}",
        leave=False,
    )
    for epoch in bar:
        d_sum = g_sum = torch.zeros((), device=real.device)
        steps = batches(len(real), hp["batch_size"], rng)
        for idx in steps:
            x, c = real[idx], None if cond is None else cond[idx]
            z = torch.randn(len(idx), hp["latent_dim"], generator=rng, device=rng.device)
            fake = generator(z, c)
            d_real, d_fake = discriminator(x, c), discriminator(fake.detach(), c)
            d_loss = bce(d_real, torch.ones_like(d_real)) + bce(d_fake, torch.zeros_like(d_fake))
            if hp.get("gradient_penalty", 0.0) > 0:
                d_loss = d_loss + hp["gradient_penalty"] * _gradient_penalty(
                    discriminator, x, fake.detach(), c, rng
                )
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            d_out = discriminator(fake, c)
            g_loss = bce(d_out, torch.ones_like(d_out))
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()
            d_sum, g_sum = d_sum + d_loss.detach(), g_sum + g_loss.detach()
        log[epoch] = torch.stack([d_sum, g_sum]).cpu().numpy() / len(steps)
        if not np.isfinite(log[epoch]).all():
            raise TrainingDivergedError(label, epoch, method=method)
        bar.set_postfix(d_loss=f"{log[epoch, 0]:.4f}", g_loss=f"{log[epoch, 1]:.4f}", refresh=False)
    generator.cpu()
    discriminator.cpu()
    return pd.DataFrame(
        {
            "label": [label] * len(log),
            "epoch": np.arange(len(log)),
            "d_loss": log[:, 0],
            "g_loss": log[:, 1],
        }
    )


def penalty_loss(
    encoder: nn.Module, decoder: nn.Module, x_class: torch.Tensor, penalty: str = "paper"
) -> torch.Tensor:
    """DeepSMOTE's permutation penalty on a batch ``x_class`` of images of one class.

    ``"paper"``: decode the embeddings shifted by one place (D1, D2, ..., D0) and take
    the MSE against the images in their own order, so decoded image i comes from the
    embedding of image i+1 "as if SMOTEd" (paper 003, section IV-B); the gradient
    reaches encoder and decoder. ``"code"``: the released code's variant, embeddings
    detached and images shifted alike, i.e. a reconstruction loss of the decoder only.
    """
    z = encoder(x_class)
    if penalty == "paper":
        return F.mse_loss(decoder(torch.roll(z, 1, dims=0)), x_class)
    return F.mse_loss(decoder(torch.roll(z.detach(), 1, dims=0)), torch.roll(x_class, 1, dims=0))


def train_deepsmote(
    self: Any,
    encoder: nn.Module,
    decoder: nn.Module,
    X: torch.Tensor,
    y: np.ndarray,
    rng: torch.Generator,
) -> pd.DataFrame:
    """``DeepSMOTE._train`` as it was (``self``: the sampler, read for its settings)."""
    encoder, decoder, X, _, rng = to_device(self._fit_device(), (encoder, decoder), X, None, rng)
    params = [*encoder.parameters(), *decoder.parameters()]
    optimiser = torch.optim.Adam(params, lr=self.learning_rate)
    rows = {c: torch.as_tensor(np.flatnonzero(y == c), device=X.device) for c in self.classes_}
    eligible = [c for c in self.classes_ if len(rows[c]) >= 2]  # a shift needs 2 images
    log = np.zeros((self.epochs, 2))
    bar = tqdm(range(self.epochs), disable=not self.verbose, desc="DeepSMOTE", leave=False)
    for epoch in bar:
        steps = batches(len(X), self.batch_size, rng)
        sums = torch.zeros(2, device=X.device)
        for idx in steps:
            x = X[idx]
            reconstruction = F.mse_loss(decoder(encoder(x)), x)
            penalty = torch.zeros((), device=X.device)
            if eligible and self.penalty_weight > 0:
                label = eligible[int(torch.randint(len(eligible), (1,), generator=rng))]
                order = torch.randperm(len(rows[label]), generator=rng, device=rng.device)
                pick = rows[label][order[: len(idx)]]
                penalty = penalty_loss(encoder, decoder, X[pick], self.penalty)
            loss = reconstruction + self.penalty_weight * penalty
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            sums += torch.stack([reconstruction.detach(), penalty.detach()])
        log[epoch] = sums.cpu().numpy() / len(steps)  # one host sync per epoch
        if not np.isfinite(log[epoch]).all():
            raise TrainingDivergedError(None, epoch, method="DeepSMOTE")
        bar.set_postfix(rec=f"{log[epoch, 0]:.4f}", pen=f"{log[epoch, 1]:.4f}", refresh=False)
    return pd.DataFrame(
        {
            "label": [None] * self.epochs,
            "epoch": np.arange(self.epochs),
            "d_loss": np.nan,
            "g_loss": log[:, 0] + self.penalty_weight * log[:, 1],
            "reconstruction_loss": log[:, 0],
            "penalty_loss": log[:, 1],
        }
    )
