"""Typed parameters: Kedro checks every ``params:`` block against these before a run.

A misspelt or unknown key fails the run before its first node, with Kedro's
``ParameterValidationError`` naming the key; values are range-checked here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "BaselineParams",
    "ClassifierParams",
    "DatasetParams",
    "EvaluationParams",
    "FoldParams",
    "GanSmoteParams",
    "TopUpParams",
    "SamplerParams",
]


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@dataclass
class DatasetParams:
    """``dataset``: which table, which column is the class, how columns are typed.

    ``categorical_columns`` is a list of column names or ``"all"`` (every feature);
    ``numeric_columns`` is a list or ``"auto"`` (every feature not categorical).
    ``positive_label`` is the class that minority F1, ROC-AUC and PR-AUC are about
    (default: the class with the fewest training rows of each split).
    ``classes`` lists the labels of the target column: each gets its own training
    node per fold.
    """

    name: str
    target: str
    classes: list[Any]
    categorical_columns: list[str] | str = field(default_factory=list)
    numeric_columns: list[str] | str = "auto"
    drop_columns: list[str] = field(default_factory=list)
    positive_label: Any = None

    def __post_init__(self) -> None:
        _require(bool(self.target), "dataset.target must name the class column")
        _require(
            self.positive_label is None
            or str(self.positive_label) in [str(c) for c in self.classes],
            f"dataset.positive_label {self.positive_label!r} is not one of dataset.classes "
            f"{self.classes!r}",
        )
        _require(
            isinstance(self.categorical_columns, list) or self.categorical_columns == "all",
            f"dataset.categorical_columns must be a list or 'all', got {self.categorical_columns!r}",
        )
        _require(
            isinstance(self.numeric_columns, list) or self.numeric_columns == "auto",
            f"dataset.numeric_columns must be a list or 'auto', got {self.numeric_columns!r}",
        )


@dataclass
class FoldParams:
    """``folds``: repeated stratified K-fold, tiny classes, and the inner validation part.

    ``validation_fraction`` > 0 holds that share of each class's training rows of every
    split out *before* over-sampling, as real rows that only classifier selection (early
    stopping) may look at; samplers and the classifier's fit never see them.
    """

    n_splits: int = 10
    n_repeats: int = 1
    small_class_policy: str = "keep"
    validation_fraction: float = 0.0

    def __post_init__(self) -> None:
        _require(self.n_splits >= 2, f"folds.n_splits must be >= 2, got {self.n_splits}")
        _require(self.n_repeats >= 1, f"folds.n_repeats must be >= 1, got {self.n_repeats}")
        _require(
            self.small_class_policy in ("keep", "drop"),
            f"folds.small_class_policy must be 'keep' or 'drop', got {self.small_class_policy!r}",
        )
        _require(
            0.0 <= self.validation_fraction < 0.5,
            f"folds.validation_fraction must be in [0, 0.5), got {self.validation_fraction}",
        )

    def get(self, key: str, default: Any = None) -> Any:
        """Read a field as from the plain block.

        ``benchmark.folds`` is handed over typed inside ``params:benchmark`` once the
        benchmark's instances map ``params:folds`` to it.
        """
        return getattr(self, key, default)


@dataclass
class TopUpParams:
    """``top_up``: imbalanced-learn's ``sampling_strategy`` ("auto": up to the largest class).

    ``max_rows_per_class`` (``None``: no cap) bounds each class after the top-up: a class
    is grown to at most that many rows (never below its real rows), so the classifier's
    training part stays bounded on large tables. Every method gets the same counts.
    """

    sampling_strategy: Any = "auto"
    max_rows_per_class: int | None = None

    def __post_init__(self) -> None:
        _require(
            self.max_rows_per_class is None or int(self.max_rows_per_class) >= 1,
            f"top_up.max_rows_per_class must be a positive integer or null, got "
            f"{self.max_rows_per_class!r}",
        )

    def strategy(self, y: Any) -> Any:
        """The ``sampling_strategy`` for training labels ``y``, with the cap applied.

        Without ``max_rows_per_class`` this is ``sampling_strategy`` itself; with it, a
        dict of target counts per class (imbalanced-learn's reading), each at most the cap
        unless the class already holds more real rows.
        """
        if self.max_rows_per_class is None:
            return self.sampling_strategy
        from gan_oversamplers.topup import top_up_counts

        labels, real = np.unique(np.asarray(y), return_counts=True)
        new = top_up_counts(y, self.sampling_strategy)
        cap = int(self.max_rows_per_class)
        return {
            label: n + min(new.get(label, 0), max(0, cap - n))
            for label, n in zip(labels.tolist(), real.tolist(), strict=True)
        }


@dataclass
class GanSmoteParams:
    """``gan_smote``: named epoch schedules and the per-class GAN's hyper-parameters."""

    schedule: str
    schedules: dict[str, dict[str, int]]
    network: dict[str, Any] = field(default_factory=dict)
    compare_with: list[str] = field(default_factory=list)
    verbose: bool = False
    training: str = "per_run"
    on_divergence: str = "raise"
    max_restarts: int = 2
    restart_lr_factor: float = 0.1
    auto_batch_rows: int = 128
    device: str = "auto"
    checkpoint_every_s: float = 300.0
    max_stack_mb: float = 1024.0
    n_jobs: int = -1

    def __post_init__(self) -> None:
        _require(
            isinstance(self.n_jobs, int) and not isinstance(self.n_jobs, bool) and self.n_jobs != 0,
            "gan_smote.n_jobs must be a non-zero integer (-1: every core, 1: one process), "
            f"got {self.n_jobs!r}",
        )
        _require(
            isinstance(self.max_stack_mb, int | float) and self.max_stack_mb > 0,
            f"gan_smote.max_stack_mb must be a positive number of MB, got {self.max_stack_mb!r}",
        )
        _require(
            isinstance(self.checkpoint_every_s, int | float) and self.checkpoint_every_s >= 0,
            "gan_smote.checkpoint_every_s must be a number of seconds >= 0, got "
            f"{self.checkpoint_every_s!r}",
        )
        _require(
            self.device in ("auto", "cpu", "cuda"),
            f"gan_smote.device must be 'auto', 'cpu' or 'cuda', got {self.device!r}",
        )
        _require(
            self.auto_batch_rows >= 1,
            f"gan_smote.auto_batch_rows must be >= 1, got {self.auto_batch_rows}",
        )
        batch = self.network.get("batch_size")
        _require(
            batch is None or batch == "auto" or (isinstance(batch, int) and batch >= 1),
            f"gan_smote.network.batch_size must be auto, null or a positive integer, got {batch!r}",
        )
        _require(
            self.on_divergence in ("raise", "restart"),
            f"gan_smote.on_divergence must be 'raise' or 'restart', got {self.on_divergence!r}",
        )
        _require(
            0 < self.restart_lr_factor < 1,
            f"gan_smote.restart_lr_factor must be in (0, 1), got {self.restart_lr_factor}",
        )
        _require(
            self.schedule in self.schedules,
            f"gan_smote.schedule {self.schedule!r} is not one of gan_smote.schedules "
            f"{sorted(self.schedules)}",
        )
        for name, values in self.schedules.items():
            _require(
                int(values.get("epochs", 0)) > 0,
                f"gan_smote.schedules.{name}.epochs must be a positive integer, got "
                f"{values.get('epochs')!r}",
            )

    def hyperparameters(self) -> dict[str, Any]:
        """Keyword arguments for ``GANSMOTEGenerator``: network plus the chosen schedule.

        ``network.batch_size: auto`` becomes ``auto_batch_rows``: a class of up to that many
        training rows is one batch per epoch (the same as ``null``), a larger class trains
        on minibatches of that many rows, so an epoch's cost stops growing with the class.
        """
        network = dict(self.network)
        if network.get("batch_size") == "auto":
            network["batch_size"] = int(self.auto_batch_rows)
        return {**network, **self.schedules[self.schedule]}


def method_blocks(block: str, blocks: dict[str, Any], kind: str = "tabular") -> dict:
    """Check that every key of conf block ``block`` names a method configured there."""
    from imbalanced_gan.methods import methods_configured_under

    allowed = methods_configured_under(block, kind)
    unknown = sorted(set(blocks) - set(allowed))
    _require(
        not unknown,
        f"{block} has unknown method(s) {unknown}; its keys are methods of "
        f"imbalanced_gan.methods.METHODS: {list(allowed)}",
    )
    for name, value in blocks.items():
        _require(
            isinstance(value, dict),
            f"{block}.{name} must be a mapping of keyword arguments, got {value!r}",
        )
    return {name: dict(value) for name, value in blocks.items()}


@dataclass(init=False)
class BaselineParams:
    """``baselines``: extra arguments per imbalanced-learn baseline (e.g. SMOTE's k_neighbors).

    Its keys are the registry's methods whose parameters live under ``baselines``
    (:data:`imbalanced_gan.methods.METHODS`); a missing one takes no extra arguments.
    """

    blocks: dict[str, dict[str, Any]]

    def __init__(self, **blocks: dict[str, Any]) -> None:
        self.blocks = method_blocks("baselines", blocks)

    def of(self, method: str) -> dict[str, Any]:
        """The keyword arguments of ``method``'s sampler."""
        return dict(self.blocks.get(method, {}))


@dataclass
class ClassifierParams:
    """``classifier``: which model to train on each topped-up fold, and its settings.

    ``max_updates``: the MLP's budget of gradient updates (minibatches) per fit; on a
    training part so large that ``max_iter`` epochs would exceed it, the MLP trains
    fewer epochs (at least one). ``None``: no budget (the benchmark's classifiers).
    """

    name: str = "mlp"
    mlp: dict[str, Any] = field(default_factory=dict)
    mlp_paper000: dict[str, Any] = field(default_factory=dict)
    decision_tree: dict[str, Any] = field(default_factory=dict)
    max_updates: int | None = None

    def __post_init__(self) -> None:
        _require(
            self.name in ("mlp", "mlp_paper000", "decision_tree"),
            f"classifier.name must be 'mlp', 'mlp_paper000' or 'decision_tree', got {self.name!r}",
        )
        _require(
            self.max_updates is None
            or (isinstance(self.max_updates, int) and self.max_updates >= 1),
            f"classifier.max_updates must be a positive integer or null, got {self.max_updates!r}",
        )


@dataclass(init=False)
class SamplerParams:
    """``samplers``: hyper-parameters of the generative table samplers, by method name.

    Each block is passed as keyword arguments to the method's sampler (its factory in
    :data:`imbalanced_gan.methods.METHODS`); scikit-learn's parameter validation names a
    wrong key or value when the sampler is built. ``verbose`` applies to all.
    """

    verbose: bool
    device: str
    blocks: dict[str, dict[str, Any]]

    def __init__(
        self, verbose: bool = False, device: str = "auto", **blocks: dict[str, Any]
    ) -> None:
        self.verbose = bool(verbose)
        self.device = device
        _require(
            device in ("auto", "cpu", "cuda"),
            f"samplers.device must be 'auto', 'cpu' or 'cuda', got {device!r}",
        )
        self.blocks = method_blocks("samplers", blocks)

    def for_method(self, method: str) -> dict[str, Any]:
        """The keyword arguments of ``method``'s sampler (``verbose`` and ``device`` included)."""
        return {"device": self.device, **self.blocks.get(method, {}), "verbose": self.verbose}


@dataclass
class EvaluationParams:
    """``evaluation``: the report's paired comparison.

    ``compare_metrics`` are compared method against baseline with the corrected
    resampled t-test (``confidence`` interval). The papers' optimistic protocols are not
    options of a run: see :mod:`imbalanced_gan.evaluation.paper_protocols`.
    """

    confidence: float = 0.95
    compare_metrics: list[str] = field(
        default_factory=lambda: ["accuracy", "f1_macro", "balanced_accuracy", "g_mean"]
    )

    def __post_init__(self) -> None:
        _require(
            0 < self.confidence < 1,
            f"evaluation.confidence must be in (0, 1), got {self.confidence!r}",
        )
        _require(
            bool(self.compare_metrics), "evaluation.compare_metrics must name at least one metric"
        )
