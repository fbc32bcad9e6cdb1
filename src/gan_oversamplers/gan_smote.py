"""GAN-SMOTE: one small GAN per class for one-hot (binary) tabular data.

Scott & Plested, "GAN-SMOTE: A Generative Adversarial Network approach to Synthetic
Minority Oversampling for One-Hot Encoded Data", ICONIP 2019 (paper 000). Where the
paper is silent the defaults are those of the authors' notebook (see docs/methods/gan_smote.md).
"""

from __future__ import annotations

import logging
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from scipy import sparse
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array

from ._base import BASE_CONSTRAINTS, GANOverSampler
from ._batched import Checkpoint, TrainingInterrupted, resolve_device, train_stack
from ._mlp import mlp_forward
from ._random import derive_seed, plain, resolve_seed, single_thread, torch_generator
from ._workers import effective_jobs, train_parallel
from .errors import TrainingDivergedError

__all__ = [
    "stack_memory_mb",
    "Checkpoint",
    "TrainingInterrupted",
    "fit_generators",
    "GANSMOTE",
    "GANSMOTEGenerator",
    "GAN_SMOTE_DEFAULTS",
    "MODE_COLLAPSE_RATIO",
    "TrainingDivergedError",
]

#: A generator whose samples spread less than this fraction of its real rows' spread
#: (mean pairwise L1 distance) is flagged as collapsed by :meth:`GANSMOTEGenerator.diversity`.
MODE_COLLAPSE_RATIO = 0.2


def _mean_l1_spread(rows: np.ndarray, max_rows: int = 2000) -> float:
    """Mean Manhattan distance between distinct rows, per feature (0 for one row).

    Above ``max_rows`` rows a fixed, seeded subsample stands in (it is a diagnostic).
    """
    if len(rows) > max_rows:
        rows = rows[np.random.default_rng(0).choice(len(rows), max_rows, replace=False)]
    if len(rows) < 2:
        return 0.0
    t = torch.as_tensor(rows, dtype=torch.float64)
    return float(torch.cdist(t, t, p=1.0).sum() / (len(rows) * (len(rows) - 1) * rows.shape[1]))


logger = logging.getLogger(__name__)

#: Hyper-parameters of one per-class GAN, with their defaults. The schedule values
#: (epochs, flip_stop_epoch, restart_*) are the authors' 40,000-epoch schedule scaled
#: down 20x; ``GANSMOTEGenerator.AUTHORS_SCHEDULE`` holds the original.
GAN_SMOTE_DEFAULTS: dict[str, Any] = {
    "latent_dim": 16,
    "generator_dims": (16, 32),
    "discriminator_dims": (32, 16),
    "dropout": 0.3,
    "negative_slope": 0.2,
    "epochs": 2000,
    "batch_size": None,
    "generator_lr": 1e-4,
    "discriminator_lr": 1e-4,
    "betas": (0.9, 0.999),
    "restart_factor": 10.0,
    "restart_cycle": 50,
    "restart_start_epoch": 100,
    "real_noise": 0.02,
    "flip_start": 0.30,
    "flip_stop_epoch": 1850,
    "minibatch_noise": 0.30,
    "minibatch_reference": "all",
    "minibatch_gradient": "through",
    "round_binary": True,
}

_CONSTRAINTS: dict[str, list[Any]] = {
    "latent_dim": [Interval(Integral, 1, None, closed="left")],
    "generator_dims": ["array-like"],
    "discriminator_dims": ["array-like"],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "negative_slope": [Interval(Real, 0, None, closed="left")],
    "epochs": [Interval(Integral, 1, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left"), None],
    "generator_lr": [Interval(Real, 0, 1, closed="right")],
    "discriminator_lr": [Interval(Real, 0, 1, closed="right")],
    "betas": ["array-like"],
    "restart_factor": [Interval(Real, 1, None, closed="left")],
    "restart_cycle": [Interval(Integral, 1, None, closed="left")],
    "restart_start_epoch": [Interval(Integral, 0, None, closed="left")],
    "real_noise": [Interval(Real, 0, 0.5, closed="both")],
    "flip_start": [Interval(Real, 0, 1, closed="both")],
    "flip_stop_epoch": [Interval(Integral, 0, None, closed="left")],
    "minibatch_noise": [Interval(Real, 0, 1, closed="both")],
    "minibatch_reference": [StrOptions({"all", "row3"})],
    "minibatch_gradient": [StrOptions({"through", "detached"})],
    "round_binary": ["boolean"],
    "verbose": ["verbose"],
}


def _check_hyperparameters(params: dict[str, Any]) -> None:
    """Raise a ValueError naming the first hyper-parameter outside its range."""
    from sklearn.utils._param_validation import validate_parameter_constraints

    unknown = sorted(set(params) - set(_CONSTRAINTS) - {"random_state", "label"})
    if unknown:
        raise TypeError(f"Unknown GAN-SMOTE hyper-parameter(s): {unknown}")
    validate_parameter_constraints(
        {k: v for k, v in _CONSTRAINTS.items() if k in params}, params, "GAN-SMOTE"
    )


class GANSMOTEGenerator:
    """The GAN of one class: ``fit`` on that class's rows, then ``sample`` new rows.

    This object is what the Kedro pipeline trains and saves per (fold, class). It works
    on any numeric matrix: binary columns (only 0 and 1 seen in ``fit``) get the
    paper's bit-flips and rounding; other columns are min-max scaled into the
    sigmoid's range ``[0, 1]`` and scaled back in ``sample``.

    Parameters
    ----------
    random_state : int or None
        Seed of every random draw of ``fit`` (weights, noise, flips, dropout).
    label : object, optional
        The class this model is for; used in messages only.
    verbose : bool
        Show a progress bar with the current losses.
    device : {"auto", "cpu", "cuda"}
        Where to train: ``"auto"`` is CUDA when available. Sampling runs on the CPU.
    **hyperparameters
        Any key of :data:`GAN_SMOTE_DEFAULTS`.

    Attributes
    ----------
    generator_params_ : list of Tensor
        Weights and biases of the generator.
    binary_columns_ : ndarray of bool
        Which columns were binary in the fitted rows.
    data_min_, data_range_ : ndarray
        Per-column scaling into ``[0, 1]``.
    history_ : DataFrame
        One row per epoch: ``epoch, d_loss, g_loss, lr, flip_probability``.
    n_rows_ : int
        Number of rows the model was fitted on.
    """

    #: The authors' schedule (paper 000's notebook), to pass as ``**AUTHORS_SCHEDULE``.
    AUTHORS_SCHEDULE: dict[str, int] = {
        "epochs": 40_000,
        "flip_stop_epoch": 37_000,
        "restart_start_epoch": 2_000,
        "restart_cycle": 1_000,
    }

    def __init__(
        self,
        *,
        random_state: int | None = None,
        label: Any = None,
        verbose: bool = False,
        device: str = "auto",
        **hyperparameters: Any,
    ) -> None:
        self.random_state = random_state
        self.label = label
        self.verbose = verbose
        self.device = device
        self.hyperparameters = {**GAN_SMOTE_DEFAULTS, **hyperparameters}

    # -- fitting -----------------------------------------------------------------
    def fit(self, X: Any) -> GANSMOTEGenerator:
        """Train the GAN on the rows ``X`` of one class."""
        return fit_generators([self], [X])[0]

    def _prepare(self, X: Any) -> torch.Tensor:
        """Validate, learn the column scaling, and return the rows scaled into [0, 1]."""
        _check_hyperparameters({**self.hyperparameters, "verbose": self.verbose})
        # float32 input stays float32 (training is float32): no float64 copy of big data
        X = check_array(X, dtype=(np.float64, np.float32), ensure_min_samples=1)
        self.n_rows_, self.n_features_in_ = X.shape
        self.binary_columns_ = np.all((X == 0) | (X == 1), axis=0)
        self.data_min_ = np.where(self.binary_columns_, 0.0, X.min(axis=0)).astype(np.float64)
        # a constant non-binary column has range 0: sampling returns the constant
        maxima = X.max(axis=0).astype(np.float64)
        self.data_range_ = np.where(self.binary_columns_, 1.0, maxima - self.data_min_)
        divisor = np.where(self.data_range_ > 0, self.data_range_, 1.0)
        scaled = ((X - self.data_min_.astype(X.dtype)) / divisor.astype(X.dtype)).astype(
            np.float32, copy=False
        )
        self.real_spread_ = _mean_l1_spread(scaled)
        self.real_unique_rows_ = len(np.unique(X[:2000], axis=0))
        self._seed = resolve_seed(self.random_state)
        return torch.as_tensor(scaled, dtype=torch.float32)

    def _generate(self, n: int, gen: torch.Generator) -> torch.Tensor:
        z = torch.randn(n, self.hyperparameters["latent_dim"], generator=gen)
        return mlp_forward(
            self.generator_params_, z, negative_slope=self.hyperparameters["negative_slope"]
        )

    # -- sampling ----------------------------------------------------------------
    def sample(self, n_samples: int, random_state: int | None = None) -> np.ndarray:
        """Draw ``n_samples`` synthetic rows in the units of the fitted data.

        Binary columns are rounded to 0/1 (paper 000, section 2.1) unless
        ``round_binary=False``; other columns are scaled back from ``[0, 1]``.
        """
        if not hasattr(self, "generator_params_"):
            raise RuntimeError(f"GAN-SMOTE generator of class {self.label!r} is not fitted")
        if n_samples < 0:
            raise ValueError(f"n_samples must be >= 0, got {n_samples}")
        seed = (
            derive_seed(self._seed, "sample")
            if random_state is None
            else resolve_seed(random_state)
        )
        with torch.no_grad():
            out = self._generate(n_samples, torch_generator(seed)).numpy().astype(np.float64)
        if self.hyperparameters["round_binary"]:
            out[:, self.binary_columns_] = np.round(out[:, self.binary_columns_])
        return out * self.data_range_ + self.data_min_

    def diversity(self, n_samples: int = 200, random_state: int = 0) -> dict[str, Any]:
        """Mode-collapse check: spread of ``n_samples`` synthetic rows against the real rows.

        Returns the mean pairwise L1 distance per feature of the real rows
        (``real_spread``) and of the samples (``synthetic_spread``, both in the model's
        ``[0, 1]`` scale), their ``spread_ratio``, the share of distinct sampled rows,
        and ``collapsed``: the ratio is below :data:`MODE_COLLAPSE_RATIO`, or every
        sample is the same row while the real rows are not.
        """
        divisor = np.where(self.data_range_ > 0, self.data_range_, 1.0)
        samples = (self.sample(n_samples, random_state=random_state) - self.data_min_) / divisor
        synthetic = _mean_l1_spread(samples)
        ratio = synthetic / self.real_spread_ if self.real_spread_ > 0 else float("nan")
        unique = len(np.unique(samples, axis=0))
        collapsed = bool(
            (self.real_spread_ > 0 and ratio < MODE_COLLAPSE_RATIO)
            or (unique == 1 and self.real_unique_rows_ > 1)
        )
        return {
            "real_spread": self.real_spread_,
            "synthetic_spread": synthetic,
            "spread_ratio": ratio,
            "unique_fraction": unique / n_samples,
            "collapsed": collapsed,
        }

    def __getstate__(self) -> dict[str, Any]:
        """Pickle with detached CPU tensors only (no optimiser or autograd state)."""
        state = self.__dict__.copy()
        for key in ("generator_params_", "_discriminator_params"):
            if key in state:
                state[key] = [p.detach().cpu().clone() for p in state[key]]
        return state


def _device_of(model: GANSMOTEGenerator) -> str:
    """The model's ``device`` (models pickled before it existed train on ``"auto"``)."""
    return getattr(model, "device", "auto")


def stack_memory_mb(shapes: list[tuple[int, int]], hyperparameters: dict[str, Any]) -> float:
    """About how much memory (MB) :func:`fit_generators` takes for GANs of these shapes.

    ``shapes``: (rows, columns) per GAN. The engine pads every GAN of a stack to the
    stack's largest class and widest table (its real rows stay in memory for minibatch
    draws), and keeps per GAN buffers of random numbers, activations and loss logs; this
    bounds it from above assuming one stack (the engine may split it into smaller ones).
    """
    if not shapes:
        return 0.0
    hp = {**GAN_SMOTE_DEFAULTS, **hyperparameters}
    rows, width = max(n for n, _ in shapes), max(d for _, d in shapes)
    batch = rows if hp["batch_size"] is None else min(int(hp["batch_size"]), rows)
    hidden = sum(hp["discriminator_dims"]) + sum(hp["generator_dims"])
    per_gan = (
        4 * rows * width  # the padded real rows
        + 4 * 16 * batch * (1 + width + 3 + hidden + 2 * int(hp["latent_dim"]))  # random numbers
        + 4 * 2 * batch * (width + 1 + hidden) * 12  # activations, gradients, sort keys
        + 8 * int(hp["epochs"])  # the loss log
    )
    return len(shapes) * per_gan / 2**20


def fit_generators(
    models: list[GANSMOTEGenerator],
    Xs: list[Any],
    checkpoint: Checkpoint | None = None,
    n_jobs: int | None = None,
) -> list[GANSMOTEGenerator]:
    """Train several :class:`GANSMOTEGenerator` together as one vectorised model.

    Each model is trained on its own rows with its own ``random_state``, exactly as its
    ``fit`` would (``fit`` is this function with one model), but the K small GANs share
    every matrix product, which is many times faster than a loop over them. The
    models must share every hyper-parameter (their seeds, labels and data may differ).
    ``checkpoint`` (:class:`Checkpoint`) saves training's state every few minutes,
    resumes from it, and stops on request (:class:`TrainingInterrupted`). ``n_jobs``
    (scikit-learn's convention: ``None`` one process, -1 every core) splits the GANs
    over worker processes on the CPU when the work is large enough
    (:mod:`gan_oversamplers._workers`); the result agrees with one process up to float
    rounding.

    Returns the fitted models.
    """
    if not models:
        return []
    if len(models) != len(Xs):
        raise ValueError(f"{len(models)} models but {len(Xs)} data sets")
    hp = models[0].hyperparameters
    for model in models[1:]:
        if model.hyperparameters != hp or _device_of(model) != _device_of(models[0]):
            raise ValueError(
                "fit_generators needs models with the same hyper-parameters and device; class "
                f"{model.label!r} differs from class {models[0].label!r}"
            )
    reals = [
        model._prepare(X) for model, X in zip(models, Xs, strict=True)
    ]  # emptied by train_stack
    gens = [torch_generator(model._seed) for model in models]
    device = resolve_device(_device_of(models[0]))
    binaries, labels = [m.binary_columns_ for m in models], [m.label for m in models]
    verbose = any(m.verbose for m in models)
    jobs = effective_jobs(n_jobs, len(models), len(models) * int(hp["epochs"]), device.type)
    if jobs > 1:
        trained = train_parallel(reals, binaries, gens, labels, hp, jobs, verbose, checkpoint)
    else:
        with single_thread():
            trained = train_stack(
                reals,
                binaries,
                gens,
                labels,
                hp,
                verbose=verbose,
                device=device,
                **({} if checkpoint is None else {"checkpoint": checkpoint}),
            )
    for model, result in zip(models, trained, strict=True):
        model.generator_params_ = result.generator_params
        model._discriminator_params = result.discriminator_params
        model.history_ = result.history
    return models


class GANSMOTE(GANOverSampler):
    """Over-sample with one GAN-SMOTE generator per class (imbalanced-learn API).

    Each class selected by ``sampling_strategy`` gets its own
    :class:`GANSMOTEGenerator`, trained on that class's rows only; the default tops
    every class up to the majority class's count, the paper's rule.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        As in imbalanced-learn's over-samplers.
    random_state : int, RandomState instance or None, default=None
        Seeds every generator (each class gets a seed derived from it).
    verbose : bool, default=False
        Progress bars while training.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where the GANs train (``"auto"``: CUDA when available).
    n_jobs : int or None, default=None
        CPU worker processes for the per-class GANs (``None``: one; -1: every core);
        small trainings stay in one process.
    **see GAN_SMOTE_DEFAULTS** : the hyper-parameters of the per-class GANs.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of rows to add per class.
    generators_ : dict
        Class label -> fitted :class:`GANSMOTEGenerator`.

    Examples
    --------
    >>> from collections import Counter
    >>> import numpy as np
    >>> from gan_oversamplers import GANSMOTE
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 2, size=(30, 6)).astype(float)
    >>> y = np.array([0] * 20 + [1] * 10)
    >>> X_res, y_res = GANSMOTE(epochs=20, random_state=0).fit_resample(X, y)
    >>> Counter(y_res.tolist())
    Counter({0: 20, 1: 20})
    """

    _parameter_constraints: dict = {
        **BASE_CONSTRAINTS,
        **_CONSTRAINTS,
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        latent_dim: int = 16,
        generator_dims: tuple[int, ...] = (16, 32),
        discriminator_dims: tuple[int, ...] = (32, 16),
        dropout: float = 0.3,
        negative_slope: float = 0.2,
        epochs: int = 2000,
        batch_size: int | None = None,
        generator_lr: float = 1e-4,
        discriminator_lr: float = 1e-4,
        betas: tuple[float, float] = (0.9, 0.999),
        restart_factor: float = 10.0,
        restart_cycle: int = 50,
        restart_start_epoch: int = 100,
        real_noise: float = 0.02,
        flip_start: float = 0.30,
        flip_stop_epoch: int = 1850,
        minibatch_noise: float = 0.30,
        minibatch_reference: str = "all",
        minibatch_gradient: str = "through",
        round_binary: bool = True,
        device: str = "auto",
        n_jobs: int | None = None,
        verbose: bool = False,
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.n_jobs = n_jobs
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
        self.restart_factor = restart_factor
        self.restart_cycle = restart_cycle
        self.restart_start_epoch = restart_start_epoch
        self.real_noise = real_noise
        self.flip_start = flip_start
        self.flip_stop_epoch = flip_stop_epoch
        self.minibatch_noise = minibatch_noise
        self.minibatch_reference = minibatch_reference
        self.minibatch_gradient = minibatch_gradient
        self.round_binary = round_binary
        self.device = device
        self.verbose = verbose

    def _hyperparameters(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in GAN_SMOTE_DEFAULTS}

    def _fit_resample(self, X: Any, y: np.ndarray) -> tuple[Any, np.ndarray]:
        seed = self._fit_seed()
        dense = X.toarray() if sparse.issparse(X) else X
        self.generators_: dict[Any, GANSMOTEGenerator] = {}
        todo = [
            (i, label, n)
            for i, (label, n) in enumerate(sorted(self.sampling_strategy_.items()))
            if n > 0
        ]
        models = [
            GANSMOTEGenerator(
                random_state=derive_seed(seed, index),
                label=plain(label),
                verbose=self.verbose,
                device=self.device,
                **self._hyperparameters(),
            )
            for index, label, _ in todo
        ]
        fit_generators(  # all classes at once
            models, [dense[y == label] for _, label, _ in todo], n_jobs=self.n_jobs
        )
        new = {}
        for model, (_, label, n_new) in zip(models, todo, strict=True):
            self.generators_[plain(label)] = model
            new[label] = model.sample(n_new)
        return self._append_new(X, y, new)
