"""Conditional GAN for tables: ONE model for every class, conditioned on the label.

Mirza & Osindero's conditional GAN (the conditional GAN of paper 004, there for images) on
tabular rows: the one-hot label is concatenated to the generator's noise and to the
discriminator's input. Asking for class ``c`` generates class ``c`` directly: no rejection
sampling. Mapping and choices: docs/methods/conditional_gan.md.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.utils._param_validation import Interval

from ._base import BASE_CONSTRAINTS
from ._random import derive_seed, plain
from ._tabular_gan import GANJob, TableGANSampler, build_mlp, seeded, train_jobs, unit_noise

__all__ = ["ConditionalTableGAN"]


class ConditionalTableGAN(TableGANSampler):
    """Over-sample with one conditional GAN trained on every class at once.

    The generator maps ``[noise, one-hot label]`` to a row; the discriminator scores
    ``[row, one-hot label]``. Both are trained on all the training rows (the majority
    class too: the shared layers learn from every row), in minibatches drawn so that
    every class is seen equally often by default (``balanced_batches``); the fake rows
    of a minibatch carry the labels of its real rows. ``generate({c: n})`` feeds the
    one-hot of ``c``, so it returns exactly ``n`` rows of class ``c``. Features are
    min-max scaled into the generator's sigmoid range ``[0, 1]`` on the X given to
    ``fit_generators``/``fit_resample`` and scaled back.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        As in imbalanced-learn; ``'auto'`` tops every class up to the largest class.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, noise, minibatches, dropout masks and ``generate``.
    latent_dim : int, default=100
        Noise dimension (the label's one-hot is appended to it).
    generator_dims : tuple of int, default=(256, 512)
        Generator hidden widths (leaky ReLU).
    discriminator_dims : tuple of int or None, default=None
        Discriminator hidden widths (leaky ReLU, dropout); None: ``generator_dims``
        reversed.
    dropout : float, default=0.3
        Dropout after each hidden discriminator layer.
    negative_slope : float, default=0.2
        Leaky ReLU slope.
    epochs : int, default=300
        Passes over the training rows (an epoch draws as many rows as there are).
    batch_size : int, default=64
        Real rows per minibatch.
    generator_lr, discriminator_lr : float, default=2e-4
        Adam learning rates.
    betas : tuple of float, default=(0.5, 0.999)
        Adam's betas.
    balanced_batches : bool, default=True
        Draw minibatch rows with probability ``1 / class size`` (every class equally
        often, CTGAN's training-by-sampling idea); False: plain shuffled epochs.
    verbose : bool, default=False
        A progress bar with the current losses.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where the networks train (``"auto"``: CUDA when available); sampling runs on the CPU.

    Attributes
    ----------
    generator_ : torch.nn.Sequential or None
        The trained generator (eval mode, CPU); None when no class needed rows.
    hyperparameters_ : dict
        The resolved hyper-parameters.
    counts_ : dict
        Rows to add per class.
    history_ : DataFrame
        ``label, epoch, d_loss, g_loss, d_real, d_fake``; ``label`` is ``"all"`` (one
        model).
    data_min_, data_range_ : ndarray
        The min-max scaling fitted on X.

    Examples
    --------
    >>> import numpy as np
    >>> from gan_oversamplers import ConditionalTableGAN
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(30, 3)), np.array([0] * 20 + [1] * 10)
    >>> sampler = ConditionalTableGAN(epochs=2, generator_dims=(8,), random_state=0)
    >>> np.bincount(sampler.fit_resample(X, y)[1]).tolist()
    [20, 20]
    """

    _HYPERPARAMETERS = (
        "latent_dim",
        "generator_dims",
        "discriminator_dims",
        "dropout",
        "negative_slope",
        "epochs",
        "batch_size",
        "generator_lr",
        "discriminator_lr",
        "betas",
        "balanced_batches",
    )
    _NAME = "Conditional GAN"

    _parameter_constraints: dict = {
        **BASE_CONSTRAINTS,
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "generator_dims": ["array-like"],
        "discriminator_dims": ["array-like", None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "negative_slope": [Interval(Real, 0, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "generator_lr": [Interval(Real, 0, 1, closed="right")],
        "discriminator_lr": [Interval(Real, 0, 1, closed="right")],
        "betas": ["array-like"],
        "balanced_batches": ["boolean"],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        latent_dim: int = 100,
        generator_dims: tuple[int, ...] = (256, 512),
        discriminator_dims: tuple[int, ...] | None = None,
        dropout: float = 0.3,
        negative_slope: float = 0.2,
        epochs: int = 300,
        batch_size: int = 64,
        generator_lr: float = 2e-4,
        discriminator_lr: float = 2e-4,
        betas: tuple[float, float] = (0.5, 0.999),
        balanced_batches: bool = True,
        verbose: bool = False,
        device: str = "auto",
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.latent_dim = latent_dim
        self.generator_dims = generator_dims
        self.discriminator_dims = discriminator_dims
        self.dropout = dropout
        self.negative_slope = negative_slope
        self.epochs = epochs
        self.batch_size = batch_size
        self.generator_lr = generator_lr
        self.discriminator_lr = discriminator_lr
        self.betas = betas
        self.balanced_batches = balanced_batches
        self.verbose = verbose
        self.device = device

    def _resolve_hyperparameters(self) -> dict[str, Any]:
        hp = super()._resolve_hyperparameters()
        if hp.get("discriminator_dims") is None:
            hp["discriminator_dims"] = tuple(reversed(hp["generator_dims"]))
        return hp

    def _one_hot(self, codes: np.ndarray) -> torch.Tensor:
        return torch.nn.functional.one_hot(
            torch.as_tensor(codes, dtype=torch.long), len(self.classes_)
        ).float()

    def _fit_models(self, X01: np.ndarray, y: np.ndarray) -> list[pd.DataFrame]:
        hp = self.hyperparameters_
        self.generator_: torch.nn.Sequential | None = None
        if not any(self.counts_.values()):
            return []
        codes = np.searchsorted(self.classes_, y)
        k, d = len(self.classes_), X01.shape[1]
        gen = seeded(derive_seed(self._seed, "train"))
        common = {"negative_slope": hp["negative_slope"]}
        generator_net = build_mlp(
            [hp["latent_dim"] + k, *hp["generator_dims"], d], gen, output="sigmoid", **common
        )
        discriminator_net = build_mlp(
            [d + k, *hp["discriminator_dims"], 1], gen, dropout=hp["dropout"], **common
        )
        weights = None
        if hp["balanced_batches"]:
            weights = torch.as_tensor(1.0 / np.bincount(codes)[codes], dtype=torch.float64)
        job = GANJob(
            torch.as_tensor(X01), generator_net, discriminator_net, unit_noise(hp["latent_dim"]),
            gen, "all", condition=self._one_hot(codes), row_weights=weights,
        )  # fmt: skip
        history = train_jobs([job], hp, verbose=self.verbose, name=self._NAME, device=self._device)
        self.generator_ = generator_net
        return history

    def _has_model(self, label: Any) -> bool:
        return getattr(self, "generator_", None) is not None

    def _generate_scaled(self, label: Any, n: int, seed: int) -> np.ndarray:
        code = [plain(c) for c in self.classes_].index(label)
        z = torch.randn(n, self.hyperparameters_["latent_dim"], generator=seeded(seed))
        condition = self._one_hot(np.full(n, code))
        return self.generator_(torch.cat([z, condition], dim=1)).numpy()
