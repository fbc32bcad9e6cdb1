"""Minibatch discrimination by Manhattan distance (paper 000, section 2.3)."""

from __future__ import annotations

import torch

__all__ = ["manhattan_distance_sums", "minibatch_feature"]


def manhattan_distance_sums(batch: torch.Tensor, reference: str = "all") -> torch.Tensor:
    """Sum of Manhattan (L1) distances from each row of ``batch`` to the others.

    Parameters
    ----------
    batch : Tensor of shape (n_rows, n_features)
    reference : {"all", "row3"}
        ``"all"`` is the paper: row ``i`` gets ``sum_j ||x_i - x_j||_1`` over every
        other row ``j`` of its batch. ``"row3"`` reproduces the authors' notebook bug,
        which sums distances to row index 3 only and gives that one number to every
        row (it needs at least 4 rows).

    Returns
    -------
    sums : Tensor of shape (n_rows,)
    """
    if reference == "all":
        # (n, n) pairwise L1 distances; the diagonal is 0 so "every other row" holds.
        return torch.cdist(batch, batch, p=1.0).sum(dim=1)
    if reference == "row3":
        if batch.shape[0] < 4:
            raise ValueError(
                "minibatch_reference='row3' (the authors' code) needs batches of at "
                f"least 4 rows, got {batch.shape[0]}"
            )
        total = (batch - batch[3]).abs().sum()
        return total.expand(batch.shape[0])
    raise ValueError(f"reference must be 'all' or 'row3', got {reference!r}")


def minibatch_feature(
    batch: torch.Tensor,
    *,
    noise: float,
    generator: torch.Generator,
    reference: str = "all",
) -> torch.Tensor:
    """The extra discriminator input column: normalised L1 sums with multiplicative noise.

    The sums are divided by ``(n_rows - 1) * n_features`` so that the column is the mean
    per-feature distance to the other rows (in ``[0, 1]`` for data in ``[0, 1]``), then
    each row is multiplied by ``U(1 - noise, 1 + noise)`` (the paper's 30 % noise).

    Returns
    -------
    feature : Tensor of shape (n_rows, 1)
    """
    n_rows, n_features = batch.shape
    sums = manhattan_distance_sums(batch, reference)
    if n_rows > 1:
        sums = sums / ((n_rows - 1) * n_features)
    jitter = 1.0 + noise * (2.0 * torch.rand(n_rows, generator=generator, dtype=batch.dtype) - 1.0)
    return (sums * jitter).unsqueeze(1)
