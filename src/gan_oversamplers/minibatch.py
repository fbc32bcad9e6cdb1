"""Minibatch discrimination by Manhattan distance (paper 000, section 2.3)."""

from __future__ import annotations

import torch

__all__ = ["manhattan_distance_sums", "stacked_minibatch_feature"]


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


def stacked_minibatch_feature(
    x: torch.Tensor,
    row_mask: torch.Tensor,
    norm: torch.Tensor,
    jitter: torch.Tensor,
    noise: float,
    reference: str = "all",
) -> torch.Tensor:
    """The discriminator's extra input column, for K padded batches at once.

    Each row's sum of L1 distances to the other valid rows of its batch
    (:func:`manhattan_distance_sums`), divided by ``(n_rows - 1) * n_features`` (the mean
    per-feature distance, in ``[0, 1]`` for data in ``[0, 1]``), times
    ``U(1 - noise, 1 + noise)`` per row (the paper's 30 % noise).

    Parameters
    ----------
    x : Tensor (K, B, D)
        K batches, padded to B rows and D features (padded features are 0).
    row_mask : Tensor (K, B)
        1 for the real rows of each batch, 0 for padding; padding never counts.
    norm : Tensor (K, 1)
        ``(n_rows - 1) * n_features`` of each batch (1 for a single row).
    jitter : Tensor (K, B)
        Uniform draws in [0, 1) that make the multiplicative noise.

    Returns
    -------
    feature : Tensor (K, B, 1)
    """
    if reference == "all":
        sums = _sorted_l1_sums(x, row_mask)
    elif reference == "row3":
        if int(row_mask.sum(dim=1).min()) < 4:
            raise ValueError(
                "minibatch_reference='row3' (the authors' code) needs batches of at least 4 rows"
            )
        to_row3 = ((x - x[:, 3:4]).abs().sum(dim=2) * row_mask).sum(dim=1, keepdim=True)
        sums = to_row3.expand_as(row_mask)
    else:
        raise ValueError(f"reference must be 'all' or 'row3', got {reference!r}")
    return (sums / norm * (1.0 + noise * (2.0 * jitter - 1.0))).unsqueeze(2)


def _sorted_l1_sums(x: torch.Tensor, row_mask: torch.Tensor) -> torch.Tensor:
    """``sum_j ||x_i - x_j||_1`` over the valid rows j of each batch, in O(B log B).

    Per feature, with the valid values sorted ascending as ``s`` and ``c`` their running
    sum, the element at sorted position ``i`` of ``n`` has
    ``sum_j |s_i - s_j| = i s_i - (c_i - s_i) + (c_n - c_i) - (n - 1 - i) s_i``.
    This equals the pairwise (``torch.cdist``) sums without the B x B x D work, and
    padded rows (sorted last, behind a sentinel) never count.
    """
    valid = row_mask.bool().unsqueeze(2)  # (K, B, 1)
    sentinel = x.detach().max() + 1.0
    values, order = torch.where(valid, x, sentinel).sort(dim=1)
    position = torch.arange(x.shape[1], dtype=x.dtype).view(1, -1, 1)
    n = row_mask.sum(dim=1).view(-1, 1, 1)
    values = values * (position < n)  # padded (sorted last) contribute nothing
    running = values.cumsum(dim=1)
    total = running[:, -1:, :]
    per_sorted = (
        position * values - (running - values) + (total - running) - (n - 1 - position) * values
    )
    per_row = torch.zeros_like(per_sorted).scatter(1, order, per_sorted)
    return per_row.sum(dim=2) * row_mask
