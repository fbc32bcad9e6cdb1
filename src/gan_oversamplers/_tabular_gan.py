"""Shared machinery of the tabular GAN samplers (SMOTified-GAN, vanilla GAN, conditional GAN).

- min-max scaling into the generator's sigmoid range ``[0, 1]``, fitted on the training X the
  sampler is given, and its inverse (paper 001's code skipped it: see docs/methods/);
- seeded MLPs: ``torch.nn`` modules whose weights, biases and dropout masks all draw from an
  explicit ``torch.Generator`` (the global torch RNG is never used);
- the training goes to the batched engine (:mod:`gan_oversamplers._engine`: one BCE GAN
  per job, discriminator step then generator step per real minibatch, K GANs stacked);
- :class:`TableGANSampler`, the imbalanced-learn sampler around them (the protocol in
  docs/protocol.md: ``fit_generators``, ``generate``, ``_fit_resample``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
from scipy import sparse
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted
from torch import nn

from ._base import GANOverSampler
from ._engine import GANJob, train_gans
from ._random import derive_seed, plain, resolve_seed, single_thread, torch_generator
from ._tabular_reference import train_gan as reference_train_gan

__all__ = ["GANJob", "SeededDropout", "TableGANSampler", "build_mlp", "train_jobs"]


class SeededDropout(nn.Module):
    """Dropout whose mask draws from ``self.generator`` (set only while training)."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = float(p)
        self.generator: torch.Generator | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        if not self.training or self.p == 0.0:
            return x
        if self.generator is None:
            raise RuntimeError("SeededDropout needs a generator while training")
        keep = torch.rand(x.shape, generator=self.generator, device=x.device) >= self.p
        return x * keep / (1.0 - self.p)


def build_mlp(
    sizes: Sequence[int],
    generator: torch.Generator,
    *,
    activation: str = "leaky_relu",
    negative_slope: float = 0.2,
    batch_norm: bool = False,
    dropout: float = 0.0,
    output: str | None = None,
) -> nn.Sequential:
    """An MLP ``sizes[0] -> ... -> sizes[-1]``, initialised from ``generator`` only.

    Each hidden block is Linear [-> BatchNorm1d] -> activation [-> dropout]; the last
    layer is Linear [-> sigmoid when ``output="sigmoid"``]. Weights and biases follow
    PyTorch's default ``nn.Linear`` initialisation (uniform in ``+-1/sqrt(fan_in)``) but
    draw from ``generator`` (``skip_init`` leaves the global RNG untouched).
    """
    layers: list[nn.Module] = []
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    for i, (fan_in, fan_out) in enumerate(pairs):
        linear = torch.nn.utils.skip_init(nn.Linear, fan_in, fan_out)
        bound = 1.0 / math.sqrt(fan_in)
        with torch.no_grad():
            linear.weight.copy_((torch.rand(fan_out, fan_in, generator=generator) * 2 - 1) * bound)
            linear.bias.copy_((torch.rand(fan_out, generator=generator) * 2 - 1) * bound)
        layers.append(linear)
        if i == len(pairs) - 1:
            break
        if batch_norm:
            layers.append(nn.BatchNorm1d(fan_out))
        layers.append(nn.ReLU() if activation == "relu" else nn.LeakyReLU(negative_slope))
        if dropout > 0:
            layers.append(SeededDropout(dropout))
    if output == "sigmoid":
        layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)


#: Which trainer the samplers use: "engine" (:func:`~gan_oversamplers._engine.train_gans`)
#: or "reference" (the frozen one-model loop, for the tests and the benchmark).
TRAINER = "engine"


def train_jobs(
    jobs: Sequence[GANJob],
    hp: dict[str, Any],
    *,
    verbose: bool = False,
    name: str = "GAN",
    device: torch.device | None = None,
) -> list[pd.DataFrame]:
    """Train the GANs of ``jobs`` on :data:`TRAINER`; their loss histories (job order)."""
    if TRAINER == "reference":
        return [
            reference_train_gan(
                job.real,
                job.generator_net,
                job.discriminator_net,
                job.draw_input,
                job.gen,
                hp,
                label=job.label,
                condition=job.condition,
                row_weights=job.row_weights,
                verbose=verbose,
                name=name,
                device=device,
            )  # fmt: skip
            for job in jobs
        ]
    return train_gans(jobs, hp, verbose=verbose, name=name, device=device)


class TableGANSampler(GANOverSampler):
    """Base of the tabular GAN samplers: scaling, counts, seeds and the sampler protocol.

    Subclasses set ``PRESETS`` and ``_HYPERPARAMETERS`` (names resolved from the preset
    when the parameter is None) and implement ``_fit_models(X01, y)`` and
    ``_generate_scaled(label, n, seed)``.
    """

    PRESETS: dict[str, dict[str, Any]] = {}
    _HYPERPARAMETERS: tuple[str, ...] = ()
    _NAME = "GAN"

    # -- configuration --------------------------------------------------------------
    def _resolve_hyperparameters(self) -> dict[str, Any]:
        hp = dict(self.PRESETS[self.preset]) if self.PRESETS else {}
        for key in self._HYPERPARAMETERS:
            value = getattr(self, key)
            if value is not None:
                hp[key] = tuple(value) if isinstance(value, list) else value
        for key in ("generator_dims", "discriminator_dims", "betas"):
            if key in hp:
                values = tuple(hp[key])
                if key != "betas" and not all(int(v) >= 1 for v in values):
                    raise ValueError(f"{key} must be positive layer widths, got {values!r}")
                hp[key] = values
        if "betas" in hp and not (len(hp["betas"]) == 2 and all(0 <= b < 1 for b in hp["betas"])):
            raise ValueError(f"betas must be two numbers in [0, 1), got {hp['betas']!r}")
        return hp

    # -- the protocol ---------------------------------------------------------------
    def fit_generators(self, X: Any, y: Any, counts: dict[Any, int] | None = None) -> Any:
        """Train the generative model(s) on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows (finite numbers; NaN or inf is rejected).
        y : array-like of shape (n_samples,)
            Class labels.
        counts : dict, optional
            ``{label: new rows}``; default: from ``sampling_strategy`` via
            :func:`~gan_oversamplers.topup.top_up_counts`. Classes with 0 need no model.

        Returns
        -------
        self
        """
        self._validate_params()
        self.hyperparameters_ = self._resolve_hyperparameters()
        X = check_array(X, dtype=(np.float64, np.float32), ensure_all_finite=True)
        y = np.asarray(y).ravel()
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
        self.classes_ = np.unique(y)
        self.counts_ = self._new_counts(y, counts, [plain(c) for c in self.classes_])
        self.n_features_in_ = X.shape[1]
        self._dtype = X.dtype
        self._seed = self._fit_seed()
        self._device = self._fit_device()
        self.data_min_ = X.min(axis=0).astype(np.float64)
        self.data_range_ = X.max(axis=0).astype(np.float64) - self.data_min_
        divisor = np.where(self.data_range_ > 0, self.data_range_, 1.0)
        X01 = ((X - self.data_min_) / divisor).astype(np.float32)
        with single_thread():
            histories = self._fit_models(X01, y)
        columns = ["label", "epoch", "d_loss", "g_loss", "d_real", "d_fake"]
        self.history_ = (
            pd.concat(histories, ignore_index=True) if histories else pd.DataFrame(columns=columns)
        )
        return self

    def generate(
        self, counts: dict[Any, int] | None = None, random_state: Any = None
    ) -> dict[Any, np.ndarray]:
        """New rows per class, in the original feature space of the fitted X.

        Parameters
        ----------
        counts : dict, optional
            ``{label: n}``; default ``self.counts_``.
        random_state : int, RandomState instance or None
            Seed of the draw; None uses a seed derived from the fit's ``random_state``
            (so repeated calls give the same rows).

        Returns
        -------
        dict
            ``{label: ndarray of shape (counts[label], n_features)}``, X's dtype.
        """
        check_is_fitted(self, "counts_")
        counts = self.counts_ if counts is None else counts
        seed = (
            derive_seed(self._seed, "generate")
            if random_state is None
            else resolve_seed(check_random_state(random_state))
        )
        classes = [plain(c) for c in self.classes_]
        out: dict[Any, np.ndarray] = {}
        for label, n in counts.items():
            label, n = plain(label), int(n)
            if n < 0:
                raise ValueError(f"counts[{label!r}] must be >= 0, got {n}")
            if n == 0:
                out[label] = np.empty((0, self.n_features_in_), dtype=self._dtype)
                continue
            if label not in classes or not self._has_model(label):
                raise ValueError(
                    f"{self._NAME} has no model for class {label!r}: it was fitted with "
                    f"counts {self.counts_!r} (a class with 0 new rows gets no model)"
                )
            with single_thread(), torch.no_grad():
                unit = self._generate_scaled(label, n, derive_seed(seed, classes.index(label)))
            rows = unit.astype(np.float64) * self.data_range_ + self.data_min_
            out[label] = rows.astype(self._dtype, copy=False)
        return out

    def _fit_resample(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        counts = {plain(k): int(v) for k, v in self.sampling_strategy_.items()}
        self.fit_generators(X.toarray() if sparse.issparse(X) else X, y, counts)
        return self._append_new(X, y, self.generate())

    def _class_seed(self, label: Any) -> int:
        """The training seed of class ``label`` (independent of the other classes' counts)."""
        return derive_seed(self._seed, [plain(c) for c in self.classes_].index(label))

    # -- subclass hooks -------------------------------------------------------------
    def _fit_models(self, X01: np.ndarray, y: np.ndarray) -> list[pd.DataFrame]:
        raise NotImplementedError

    def _has_model(self, label: Any) -> bool:
        return label in getattr(self, "generators_", {})

    def _generate_scaled(self, label: Any, n: int, seed: int) -> np.ndarray:
        raise NotImplementedError

    def __sklearn_tags__(self):  # noqa: ANN204, D105
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags


def unit_noise(dim: int) -> Callable[[int, torch.Generator], torch.Tensor]:
    """``draw_input`` for a noise-fed generator: ``m`` rows of N(0, I) in ``dim`` dimensions."""

    def draw(m: int, gen: torch.Generator) -> torch.Tensor:
        return torch.randn(m, dim, generator=gen, device=gen.device)

    return draw


def seeded(seed: int) -> torch.Generator:
    """A fresh CPU generator (re-exported for the samplers)."""
    return torch_generator(seed)
