"""The one training loop of the models that do not stack (image GANs, DeepSMOTE).

A method supplies its networks (already built, initialised and on the device), its step
(``step(idx)``: one update on the rows ``idx``, returning its losses as one detached
tensor) and its input sampler (inside the step, from the same generator). The loop owns
the rest: epochs, the shuffled minibatches of each epoch drawn from the model's own
``torch.Generator``, the loss sums kept on the device (one host sync per epoch), the
divergence check raising :class:`~gan_oversamplers.errors.TrainingDivergedError`
(method, class and epoch), the progress bar and the loss-history DataFrame.

K = 1 model per call: convolutional networks with batch norm do not stack along a
leading axis as the table MLPs of :mod:`gan_oversamplers._engine` do (see
docs/methods/table_gan_engine.md, "What stacks").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from .errors import TrainingDivergedError

__all__ = ["minibatches", "train_epochs"]


def minibatches(n: int, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, ...]:
    """Shuffled row indices in ``max(1, n // batch_size)`` near-equal batches (none of 1 row)."""
    order = torch.randperm(n, generator=generator, device=generator.device)
    return order.tensor_split(max(1, n // batch_size))


def train_epochs(
    n_rows: int,
    step: Callable[[torch.Tensor], torch.Tensor],
    rng: torch.Generator,
    *,
    epochs: int,
    batch_size: int,
    columns: Sequence[str],
    method: str,
    label: Any,
    verbose: bool,
    device: torch.device,
) -> pd.DataFrame:
    """Train one model for ``epochs`` passes over ``n_rows`` rows; its loss history.

    Parameters
    ----------
    n_rows : int
        Rows of the training set (the minibatches index into it).
    step : callable
        ``step(idx) -> losses``: one update on rows ``idx`` (a LongTensor on ``device``),
        returning a detached tensor of ``len(columns)`` losses.
    rng : torch.Generator
        The model's generator (on ``device``): each epoch's order is drawn from it,
        before that epoch's steps draw theirs.
    epochs, batch_size : int
        Passes over the data; rows per minibatch (``n_rows // batch_size`` batches).
    columns : sequence of str
        Names of the step's losses in the history.
    method, label : str, Any
        Name the model in the progress bar and in a :class:`TrainingDivergedError`.
    verbose : bool
        Show a progress bar with the last epoch's losses.
    device : torch.device
        Where the loss sums live.

    Returns
    -------
    DataFrame
        ``label``, ``epoch`` and one column per loss: the epoch's mean over its steps.
    """
    log = np.zeros((epochs, len(columns)))
    desc = method if label is None else f"{method} class {label}"
    bar = tqdm(range(epochs), disable=not verbose, desc=desc, leave=False)
    for epoch in bar:
        sums = torch.zeros(len(columns), device=device)
        steps = minibatches(n_rows, batch_size, rng)
        for idx in steps:
            sums = sums + step(idx)
        log[epoch] = sums.cpu().numpy() / len(steps)  # one host sync per epoch
        if not np.isfinite(log[epoch]).all():
            raise TrainingDivergedError(label, epoch, method=method)
        bar.set_postfix(
            {name: f"{value:.4f}" for name, value in zip(columns, log[epoch], strict=True)},
            refresh=False,
        )
    frame = pd.DataFrame({"label": [label] * epochs, "epoch": np.arange(epochs)})
    for i, name in enumerate(columns):
        frame[name] = log[:, i]
    return frame
