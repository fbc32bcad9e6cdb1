"""DeepSMOTE: an encoder/decoder with a permutation penalty, then SMOTE in latent space.

Dablain, Krawczyk & Chawla, "DeepSMOTE: Fusing Deep Learning and SMOTE for Imbalanced
Data", IEEE TNNLS 2022 (paper 003). The penalty follows the paper's text (section IV-B):
the embeddings of a one-class batch are decoded in a shifted order and compared with the
images in their original order, so the encoder gets its gradient too. The authors'
released code compares against identically shifted images with detached embeddings, a
second reconstruction loss that never reaches the encoder; ``penalty="code"`` keeps that
behaviour as an ablation (see docs/methods/deepsmote.md).
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.neighbors import NearestNeighbors
from sklearn.utils._param_validation import Interval, StrOptions
from torch import nn
from torch.nn import functional as F

from .._loop import train_epochs
from .._random import derive_seed, single_thread
from . import _nets, _reference
from ._nets import (
    COMMON_CONSTRAINTS,
    ConvDecoder,
    ConvEncoder,
    ImageOverSampler,
    init_weights,
    to_device,
)

__all__ = ["DeepSMOTE", "penalty_loss"]


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


def smote_latent(embeddings: np.ndarray, n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """SMOTE in latent space: random base rows, one of their ``k`` neighbours, a U(0,1) gap."""
    if len(embeddings) == 1 or k == 0:
        return np.repeat(embeddings[:1], n, axis=0)
    neighbours = NearestNeighbors(n_neighbors=k + 1).fit(embeddings)
    nearest = neighbours.kneighbors(embeddings, return_distance=False)[:, 1:]
    base = rng.integers(0, len(embeddings), n)
    other = nearest[base, rng.integers(0, k, n)]
    gap = rng.random((n, 1))
    return embeddings[base] + gap * (embeddings[other] - embeddings[base])


class DeepSMOTE(ImageOverSampler):
    """DeepSMOTE over-sampler for images (paper 003).

    One encoder/decoder (DCGAN-style, see ``_nets``) is trained on the images of every
    class with ``reconstruction MSE + penalty_weight * permutation penalty`` (see
    :func:`penalty_loss`); each step draws the penalty batch, as many images as the
    reconstruction batch (or the whole class if smaller), from one class picked at
    random. After training, each class's images are encoded and SMOTE (``k_neighbors``
    nearest neighbours in latent space, a U(0, 1) gap per new image) makes new
    embeddings, which the decoder turns into images.

    The paper's settings (MNIST / Fashion-MNIST): latent dimension 300 (600 for CIFAR-10,
    SVHN, CelebA), 64 channels in the first of four convolutions, Adam with learning rate
    2e-4, 50 to 350 epochs until the training loss plateaus (code: 200, batch 100).
    The defaults here are lighter so that scikit-learn's 8x8 digits train in seconds on
    a CPU; pass ``latent_dim=300, conv_dim=64, epochs=200`` for the paper's.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        As in imbalanced-learn; ``'auto'`` tops every class up to the largest.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, batch order, penalty classes and SMOTE draws.
    image_shape : tuple (C, H, W) or None, default=None
        Layout of the flattened rows of X; ``None`` means one square channel.
    latent_dim : int, default=64
        Size of the embedding (paper: 300).
    conv_dim : int, default=32
        Channels of the first convolution, doubled per layer (paper: 64).
    epochs : int, default=30
        Passes over the training images (paper: 50-350; code: 200).
    batch_size : int, default=100
        Images per reconstruction batch and per penalty batch (code: 100).
    learning_rate : float, default=2e-4
        Adam's learning rate for encoder and decoder (paper).
    penalty : {'paper', 'code'}, default='paper'
        The permutation penalty as the paper describes it, or the released code's.
    penalty_weight : float, default=1.0
        Weight of the penalty (code: 1); 0 trains on reconstruction only.
    k_neighbors : int, default=5
        SMOTE's neighbours (paper); a class of n <= k images uses k = n - 1, with a
        warning; a class of one image gets copies of its decoded embedding.
    verbose : bool, default=False
        A progress bar with the losses.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where the networks train (``"auto"``: CUDA when available); sampling runs on the CPU.

    Attributes
    ----------
    encoder_, decoder_ : dict
        ``state_dict`` s of the trained networks (CPU tensors).
    embeddings_ : dict
        Class label -> latent codes of its training images (float32).
    k_neighbors_ : dict
        The ``k`` used per class with new images.
    history_ : DataFrame
        ``label`` (None: one model for all classes), ``epoch``, ``d_loss`` (NaN, no
        discriminator), ``g_loss`` (the total loss), ``reconstruction_loss``,
        ``penalty_loss``; epoch means.
    counts_, classes_, image_shape_, data_min_, data_max_ :
        New images per class, the classes, the image layout and the training pixel range.
    """

    _parameter_constraints: dict = {
        **COMMON_CONSTRAINTS,
        "conv_dim": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "penalty": [StrOptions({"paper", "code"})],
        "penalty_weight": [Interval(Real, 0, None, closed="left")],
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
    }
    _method = "DeepSMOTE"

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        image_shape: tuple[int, int, int] | None = None,
        latent_dim: int = 64,
        conv_dim: int = 32,
        epochs: int = 30,
        batch_size: int = 100,
        learning_rate: float = 2e-4,
        penalty: str = "paper",
        penalty_weight: float = 1.0,
        k_neighbors: int = 5,
        verbose: bool = False,
        device: str = "auto",
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.image_shape = image_shape
        self.latent_dim = latent_dim
        self.conv_dim = conv_dim
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.penalty = penalty
        self.penalty_weight = penalty_weight
        self.k_neighbors = k_neighbors
        self.verbose = verbose
        self.device = device

    def _nets(self) -> tuple[nn.Module, nn.Module]:
        encoder = ConvEncoder(self.image_shape_, self.conv_dim, self.latent_dim)
        return encoder, ConvDecoder(self.image_shape_, self.conv_dim, self.latent_dim)

    def _fit(self, X: torch.Tensor, y: np.ndarray, seed: int) -> None:
        rng = torch.Generator().manual_seed(derive_seed(seed, "fit"))
        encoder, decoder = self._nets()
        init_weights(encoder, rng)
        init_weights(decoder, rng)
        with single_thread():
            self.history_ = self._train(encoder, decoder, X, y, rng)
        encoder.cpu()
        decoder.cpu()
        encoder.eval()
        self.encoder_ = {k: v.detach().clone() for k, v in encoder.state_dict().items()}
        self.decoder_ = {k: v.detach().clone() for k, v in decoder.state_dict().items()}
        with torch.no_grad():
            self.embeddings_ = {
                c: encoder(X[torch.as_tensor(y == c)]).numpy() for c in self.classes_
            }
        self.k_neighbors_ = {}
        for label, n in self.counts_.items():
            size = len(self.embeddings_[label])
            k = min(self.k_neighbors, size - 1)
            if n > 0 and k < self.k_neighbors:
                warnings.warn(
                    f"DeepSMOTE: class {label!r} has {size} image(s); SMOTE uses k_neighbors={k}"
                    + (" (copies of the decoded embedding)" if k == 0 else ""),
                    UserWarning,
                    stacklevel=3,
                )
            if n > 0:
                self.k_neighbors_[label] = k

    def _train(
        self,
        encoder: nn.Module,
        decoder: nn.Module,
        X: torch.Tensor,
        y: np.ndarray,
        rng: torch.Generator,
    ) -> pd.DataFrame:
        if _nets.TRAINER == "reference":
            return _reference.train_deepsmote(self, encoder, decoder, X, y, rng)
        encoder, decoder, X, _, rng = to_device(
            self._fit_device(), (encoder, decoder), X, None, rng
        )
        params = [*encoder.parameters(), *decoder.parameters()]
        optimiser = torch.optim.Adam(params, lr=self.learning_rate)
        rows = {c: torch.as_tensor(np.flatnonzero(y == c), device=X.device) for c in self.classes_}
        eligible = [c for c in self.classes_ if len(rows[c]) >= 2]  # a shift needs 2 images

        def step(idx: torch.Tensor) -> torch.Tensor:
            x = X[idx]
            reconstruction = F.mse_loss(decoder(encoder(x)), x)
            penalty = torch.zeros((), device=X.device)
            if eligible and self.penalty_weight > 0:  # the input sampler: one class's batch
                label = eligible[int(torch.randint(len(eligible), (1,), generator=rng))]
                order = torch.randperm(len(rows[label]), generator=rng, device=rng.device)
                pick = rows[label][order[: len(idx)]]
                penalty = penalty_loss(encoder, decoder, X[pick], self.penalty)
            loss = reconstruction + self.penalty_weight * penalty
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            return torch.stack([reconstruction.detach(), penalty.detach()])

        frame = train_epochs(
            len(X), step, rng,
            epochs=self.epochs, batch_size=self.batch_size,
            columns=("reconstruction_loss", "penalty_loss"),
            method="DeepSMOTE", label=None, verbose=self.verbose, device=X.device,
        )  # fmt: skip
        frame.insert(2, "d_loss", np.nan)
        frame.insert(
            3, "g_loss", frame["reconstruction_loss"] + self.penalty_weight * frame["penalty_loss"]
        )
        return frame

    def _has_model(self, label: Any) -> bool:
        return label in self.embeddings_

    def _generate_class(self, label: Any, n: int, rng: torch.Generator) -> np.ndarray:
        embeddings = self.embeddings_[label]
        k = self.k_neighbors_.get(label, min(self.k_neighbors, len(embeddings) - 1))
        draws = np.random.default_rng(int(torch.randint(2**31, (1,), generator=rng)))
        latent = smote_latent(embeddings, n, k, draws).astype(np.float32)
        _, decoder = self._nets()
        decoder.load_state_dict(self.decoder_)
        decoder.eval()
        return decoder(torch.as_tensor(latent)).numpy()
