"""Vanilla GAN over-sampling: one MLP GAN per class, fed 100-d Gaussian noise.

Tanaka & Aranha, "Data Augmentation Using GANs", 2019 (paper 002). Mapping paper -> code
-> parameter, and where we depart from the paper and the authors' code:
docs/methods/vanilla_gan.md.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BASE_CONSTRAINTS
from ._random import derive_seed, plain
from ._tabular_gan import GANJob, TableGANSampler, build_mlp, seeded, train_jobs, unit_noise

__all__ = ["VanillaGAN", "check_layer_order"]


def check_layer_order(dims: tuple[int, ...], name: str, ascending: bool) -> None:
    """Raise a ValueError naming ``name`` unless ``dims`` are ordered as the paper says."""
    pairs = list(zip(dims[:-1], dims[1:], strict=True))
    ordered = all(a <= b for a, b in pairs) if ascending else all(a >= b for a, b in pairs)
    if not ordered:
        order = "ascending" if ascending else "descending"
        raise ValueError(f"{name} must be in {order} order (paper 002, 3.1), got {dims!r}")


class VanillaGAN(TableGANSampler):
    """Over-sample with one vanilla GAN per class (paper 002's MLP GAN).

    For each class that gets new rows, a GAN learns that class's rows from 100-d
    Gaussian noise: generator hidden layers in ascending width, discriminator hidden
    layers descending (by default the generator's in reverse), leaky ReLU (0.2), BCE
    loss, Adam (lr 2e-4), minibatches of 5 real rows, dropout 0.3 in the generator (the
    paper; ``dropout_placement="code"`` puts it in the discriminator, as the authors'
    code does). Features are min-max scaled into the generator's sigmoid range
    ``[0, 1]`` on the X given to ``fit_generators``/``fit_resample`` and scaled back.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        As in imbalanced-learn; ``'auto'`` tops every class up to the largest class.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, noise, minibatches, dropout masks and ``generate``.
    latent_dim : int, default=100
        Noise dimension.
    generator_dims : tuple of int, default=(256, 512)
        Generator hidden widths, ascending (the paper's best architecture: 256/512).
    discriminator_dims : tuple of int or None, default=None
        Discriminator hidden widths, descending; None: ``generator_dims`` reversed.
    dropout : float, default=0.3
        Dropout probability after each hidden layer of the network ``dropout_placement``
        names (0 disables it).
    dropout_placement : {'paper', 'code'}, default='paper'
        ``'paper'``: in the generator; ``'code'``: in the discriminator.
    negative_slope : float, default=0.2
        Leaky ReLU slope (both networks).
    epochs : int, default=1500
        Passes over the class's rows (paper, experiment 1).
    batch_size : int, default=5
        Real rows per minibatch.
    generator_lr, discriminator_lr : float, default=2e-4
        Adam learning rates.
    betas : tuple of float, default=(0.9, 0.999)
        Adam's betas (the code's: PyTorch defaults).
    verbose : bool, default=False
        A progress bar with the current losses.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where the networks train (``"auto"``: CUDA when available); sampling runs on the CPU.

    Attributes
    ----------
    generators_ : dict
        Class label -> trained generator (``torch.nn.Sequential``, eval mode, CPU).
    hyperparameters_ : dict
        The resolved hyper-parameters.
    counts_ : dict
        Rows to add per class.
    history_ : DataFrame
        ``label, epoch, d_loss, g_loss, d_real, d_fake`` per class and epoch.
    data_min_, data_range_ : ndarray
        The min-max scaling fitted on X.

    Examples
    --------
    >>> import numpy as np
    >>> from gan_oversamplers import VanillaGAN
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(30, 3)), np.array([0] * 20 + [1] * 10)
    >>> sampler = VanillaGAN(epochs=2, generator_dims=(8,), random_state=0)
    >>> np.bincount(sampler.fit_resample(X, y)[1]).tolist()
    [20, 20]
    """

    _HYPERPARAMETERS = (
        "latent_dim",
        "generator_dims",
        "discriminator_dims",
        "dropout",
        "dropout_placement",
        "negative_slope",
        "epochs",
        "batch_size",
        "generator_lr",
        "discriminator_lr",
        "betas",
    )
    _NAME = "Vanilla GAN"

    _parameter_constraints: dict = {
        **BASE_CONSTRAINTS,
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "generator_dims": ["array-like"],
        "discriminator_dims": ["array-like", None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "dropout_placement": [StrOptions({"paper", "code"})],
        "negative_slope": [Interval(Real, 0, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "generator_lr": [Interval(Real, 0, 1, closed="right")],
        "discriminator_lr": [Interval(Real, 0, 1, closed="right")],
        "betas": ["array-like"],
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
        dropout_placement: str = "paper",
        negative_slope: float = 0.2,
        epochs: int = 1500,
        batch_size: int = 5,
        generator_lr: float = 2e-4,
        discriminator_lr: float = 2e-4,
        betas: tuple[float, float] = (0.9, 0.999),
        verbose: bool = False,
        device: str = "auto",
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.latent_dim = latent_dim
        self.generator_dims = generator_dims
        self.discriminator_dims = discriminator_dims
        self.dropout = dropout
        self.dropout_placement = dropout_placement
        self.negative_slope = negative_slope
        self.epochs = epochs
        self.batch_size = batch_size
        self.generator_lr = generator_lr
        self.discriminator_lr = discriminator_lr
        self.betas = betas
        self.verbose = verbose
        self.device = device

    def _resolve_hyperparameters(self) -> dict[str, Any]:
        hp = super()._resolve_hyperparameters()
        if hp.get("discriminator_dims") is None:
            hp["discriminator_dims"] = tuple(reversed(hp["generator_dims"]))
        check_layer_order(hp["generator_dims"], "generator_dims", ascending=True)
        check_layer_order(hp["discriminator_dims"], "discriminator_dims", ascending=False)
        return hp

    def _networks(self, d: int, gen: torch.Generator) -> tuple[torch.nn.Sequential, ...]:
        """The generator and discriminator of one class, initialised from ``gen``."""
        hp = self.hyperparameters_
        in_generator = hp["dropout_placement"] == "paper"
        common = {"negative_slope": hp["negative_slope"]}
        generator_net = build_mlp(
            [hp["latent_dim"], *hp["generator_dims"], d],
            gen,
            dropout=hp["dropout"] if in_generator else 0.0,
            output="sigmoid",
            **common,
        )
        discriminator_net = build_mlp(
            [d, *hp["discriminator_dims"], 1],
            gen,
            dropout=0.0 if in_generator else hp["dropout"],
            **common,
        )
        return generator_net, discriminator_net

    def _fit_models(self, X01: np.ndarray, y: np.ndarray) -> list[pd.DataFrame]:
        hp = self.hyperparameters_
        self.generators_: dict[Any, torch.nn.Sequential] = {}
        jobs = []
        for label in (plain(c) for c in self.classes_):
            if self.counts_.get(label, 0) == 0:
                continue
            gen = seeded(derive_seed(self._class_seed(label), "train"))
            generator_net, discriminator_net = self._networks(X01.shape[1], gen)
            real = torch.as_tensor(X01[y == label])
            noise = unit_noise(hp["latent_dim"])
            jobs.append(GANJob(real, generator_net, discriminator_net, noise, gen, label))
            self.generators_[label] = generator_net
        return train_jobs(jobs, hp, verbose=self.verbose, name=self._NAME, device=self._device)

    def _generate_scaled(self, label: Any, n: int, seed: int) -> np.ndarray:
        z = torch.randn(n, self.hyperparameters_["latent_dim"], generator=seeded(seed))
        return self.generators_[label](z).numpy()
