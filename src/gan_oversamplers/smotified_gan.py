"""SMOTified-GAN: a GAN whose generator refines SMOTE rows instead of noise.

Sharma, Singh & Chandra, "SMOTified-GAN for class imbalanced pattern classification
problems", IEEE Access 2022 (paper 001). Mapping paper -> code -> parameter, and where we
depart from the paper and the authors' code: docs/methods/smotified_gan.md.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BASE_CONSTRAINTS
from ._random import derive_seed, plain
from ._tabular_gan import GANJob, TableGANSampler, build_mlp, seeded, train_jobs
from .baselines import SafeSMOTE

__all__ = ["SMOTIFIED_GAN_PRESETS", "SMOTifiedGAN"]

#: Hyper-parameter sets: ``paper`` (paper 001, section IV.B), ``authors_code`` (the
#: authors' "Misc" script, the one whose lr matches the paper) and ``authors_module``
#: (their later refactor's optimiser and epochs). See docs/methods/smotified_gan.md.
SMOTIFIED_GAN_PRESETS: dict[str, dict[str, Any]] = {
    "paper": {
        "generator_dims": (128, 128, 128),
        "discriminator_dims": (128,),
        "batch_norm": False,
        "negative_slope": 0.2,
        "epochs": 2000,
        "batch_size": 128,
        "generator_lr": 1e-5,
        "discriminator_lr": 1e-5,
        "betas": (0.9, 0.999),
    },
    "authors_code": {
        "generator_dims": (128, 256, 512, 1024),
        "discriminator_dims": (512, 256, 128),
        "batch_norm": True,
        "negative_slope": 0.2,
        "epochs": 1000,
        "batch_size": 128,
        "generator_lr": 1e-5,
        "discriminator_lr": 1e-5,
        "betas": (0.9, 0.999),
    },
    "authors_module": {
        "generator_dims": (128, 256, 512, 1024),
        "discriminator_dims": (512, 256, 128),
        "batch_norm": True,
        "negative_slope": 0.2,
        "epochs": 150,
        "batch_size": 128,
        "generator_lr": 2e-4,
        "discriminator_lr": 2e-4,
        "betas": (0.5, 0.999),
    },
}

_HYPERPARAMETERS = tuple(SMOTIFIED_GAN_PRESETS["paper"])


class SMOTifiedGAN(TableGANSampler):
    """Over-sample with SMOTified-GAN: SMOTE rows, refined by a GAN's generator.

    For each class that gets new rows, one model (multiclass is done one class at a
    time, each class against its own real rows; the authors' multiclass code indexed the
    SMOTE rows by label value, a bug): SMOTE (:class:`~gan_oversamplers.SafeSMOTE`,
    ``k_neighbors``) makes as many rows as the class needs; a generator that takes a
    SMOTE row in place of the noise vector and a discriminator are trained on the
    class's real rows, the SMOTE rows fed in minibatches beside the real minibatches;
    ``generate`` passes fresh SMOTE rows of the class through the trained generator, so
    every class gets exactly the rows it asks for.

    Features are min-max scaled into ``[0, 1]`` (the generator's sigmoid range) on the
    X given to ``fit_generators``/``fit_resample``, i.e. per training fold, and the
    generated rows are scaled back, so they lie in the range of X's columns (the
    authors' sigmoid on unscaled features confined every synthetic row to (0, 1)).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        As in imbalanced-learn; ``'auto'`` tops every class up to the largest class.
    random_state : int, RandomState instance or None, default=None
        Seeds SMOTE, the weights, the minibatches and ``generate``.
    preset : {'paper', 'authors_code', 'authors_module'}, default='paper'
        Hyper-parameter set (:data:`SMOTIFIED_GAN_PRESETS`); the parameters below
        override it where not None.
    k_neighbors : int, default=5
        SMOTE's neighbours (paper: k = 5); reduced for small classes, see
        :data:`~gan_oversamplers.SMALL_CLASS_POLICY`.
    generator_dims, discriminator_dims : tuple of int, optional
        Hidden widths (generator: ReLU; discriminator: leaky ReLU, logit output).
    batch_norm : bool, optional
        Batch norm after each hidden generator layer (the authors' code).
    negative_slope : float, optional
        Leaky ReLU slope of the discriminator.
    epochs, batch_size : int, optional
        Passes over the class's real rows, and real rows per minibatch.
    generator_lr, discriminator_lr : float, optional
        Adam learning rates.
    betas : tuple of float, optional
        Adam's betas.
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
    k_neighbors_ : dict
        SMOTE's k per class (0: the class has a single row, SMOTE copies it).
    counts_ : dict
        Rows to add per class.
    history_ : DataFrame
        ``label, epoch, d_loss, g_loss, d_real, d_fake`` (d_real/d_fake: mean
        discriminator probability on real and generated rows).
    data_min_, data_range_ : ndarray
        The min-max scaling fitted on X.

    Examples
    --------
    >>> import numpy as np
    >>> from gan_oversamplers import SMOTifiedGAN
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(30, 3)), np.array([0] * 20 + [1] * 10)
    >>> sampler = SMOTifiedGAN(epochs=2, random_state=0)
    >>> np.bincount(sampler.fit_resample(X, y)[1]).tolist()
    [20, 20]
    """

    PRESETS = SMOTIFIED_GAN_PRESETS
    _HYPERPARAMETERS = _HYPERPARAMETERS
    _NAME = "SMOTified-GAN"

    _parameter_constraints: dict = {
        **BASE_CONSTRAINTS,
        "preset": [StrOptions(set(SMOTIFIED_GAN_PRESETS))],
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
        "generator_dims": ["array-like", None],
        "discriminator_dims": ["array-like", None],
        "batch_norm": ["boolean", None],
        "negative_slope": [Interval(Real, 0, None, closed="left"), None],
        "epochs": [Interval(Integral, 1, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "generator_lr": [Interval(Real, 0, 1, closed="right"), None],
        "discriminator_lr": [Interval(Real, 0, 1, closed="right"), None],
        "betas": ["array-like", None],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        preset: str = "paper",
        k_neighbors: int = 5,
        generator_dims: tuple[int, ...] | None = None,
        discriminator_dims: tuple[int, ...] | None = None,
        batch_norm: bool | None = None,
        negative_slope: float | None = None,
        epochs: int | None = None,
        batch_size: int | None = None,
        generator_lr: float | None = None,
        discriminator_lr: float | None = None,
        betas: tuple[float, float] | None = None,
        verbose: bool = False,
        device: str = "auto",
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.preset = preset
        self.k_neighbors = k_neighbors
        self.generator_dims = generator_dims
        self.discriminator_dims = discriminator_dims
        self.batch_norm = batch_norm
        self.negative_slope = negative_slope
        self.epochs = epochs
        self.batch_size = batch_size
        self.generator_lr = generator_lr
        self.discriminator_lr = discriminator_lr
        self.betas = betas
        self.verbose = verbose
        self.device = device

    def _smote(
        self, X: np.ndarray, y: np.ndarray, label: Any, n: int, seed: int
    ) -> tuple[np.ndarray, int]:
        """``n`` SMOTE rows of class ``label`` (only its own rows are interpolated)."""
        n_class = int(np.sum(y == label))
        smote = SafeSMOTE(
            sampling_strategy={label: n_class + n}, k_neighbors=self.k_neighbors, random_state=seed
        )
        rows = smote.fit_resample(X, y)[0][len(X) :]
        return rows.astype(np.float32, copy=False), smote.k_neighbors_[label]

    def _fit_models(self, X01: np.ndarray, y: np.ndarray) -> list[pd.DataFrame]:
        hp = self.hyperparameters_
        d = X01.shape[1]
        self.generators_: dict[Any, torch.nn.Sequential] = {}
        self.k_neighbors_: dict[Any, int] = {}
        self._class_rows: dict[Any, np.ndarray] = {}
        jobs = []
        for label in (plain(c) for c in self.classes_):
            n_new = self.counts_.get(label, 0)
            if n_new == 0:
                continue
            seed = self._class_seed(label)
            pool, self.k_neighbors_[label] = self._smote(
                X01, y, label, n_new, derive_seed(seed, "smote")
            )
            pool_t = torch.as_tensor(pool, device=self._device)

            def draw(m: int, gen: torch.Generator, pool_t: torch.Tensor = pool_t) -> torch.Tensor:
                return pool_t[torch.randint(len(pool_t), (m,), generator=gen, device=gen.device)]

            gen = seeded(derive_seed(seed, "train"))
            generator_net = build_mlp(
                [d, *hp["generator_dims"], d],
                gen,
                activation="relu",
                batch_norm=hp["batch_norm"],
                output="sigmoid",
            )
            discriminator_net = build_mlp(
                [d, *hp["discriminator_dims"], 1], gen, negative_slope=hp["negative_slope"]
            )
            real = torch.as_tensor(X01[y == label])
            jobs.append(
                GANJob(real, generator_net, discriminator_net, draw, gen, label, pool=pool_t)
            )
            self.generators_[label] = generator_net
            self._class_rows[label] = X01[y == label]
        return train_jobs(jobs, hp, verbose=self.verbose, name=self._NAME, device=self._device)

    def _generate_scaled(self, label: Any, n: int, seed: int) -> np.ndarray:
        rows = self._class_rows[label]
        # SMOTE needs a second class to run: one placeholder row that it never reads
        X = np.vstack([rows, rows[:1]])
        y = np.r_[np.ones(len(rows), dtype=int), 0]
        with warnings.catch_warnings():  # fit_generators already warned about small classes
            warnings.simplefilter("ignore", UserWarning)
            smote_rows, _ = self._smote(X, y, 1, n, seed)
        return self.generators_[label](torch.as_tensor(smote_rows)).numpy()
