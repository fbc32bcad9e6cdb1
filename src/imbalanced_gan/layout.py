"""The experiment's shape (dataset, folds, classes, methods), read from ``conf/``.

Kedro builds pipelines before any node runs, so the nodes that depend on the data's
shape (one training node per fold and class) are laid out from the configuration:
``dataset.name``, ``dataset.classes``, ``folds.n_splits``, ``folds.n_repeats``,
``gan_smote.compare_with`` and ``gan_smote.training``. The run checks, before its first node, that the data and
the configuration of the run still agree with this layout.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Parameters that shape the pipeline graph: read when the pipelines are built, so they
#: must come from conf/ (base plus the run's env), never from ``--params``.
GRAPH_KEYS = (
    "dataset.name",
    "dataset.classes",
    "folds.n_splits",
    "folds.n_repeats",
    "gan_smote.compare_with",
    "gan_smote.training",
    "benchmark.datasets",
    "benchmark.methods",
)

#: How GAN-SMOTE's per-class GANs are spread over nodes (``gan_smote.training``).
TRAINING_LAYOUTS = ("per_run", "per_fold", "per_class")

#: imbalanced-learn baselines (``gan_oversamplers.baselines.make_baseline``).
BASELINE_METHODS = (
    "no_oversampling",
    "random_oversampling",
    "smote",
    "adasyn",
    "borderline_smote",
    "smotenc",
    "smoten",
)

#: Generative table samplers trained per split (``gan_oversamplers.registry``).
GENERATIVE_METHODS = ("smotified_gan", "vanilla_gan", "cgan")

#: Every tabular method; GAN-SMOTE first, as the reports list it.
KNOWN_METHODS = ("gan_smote", *BASELINE_METHODS, *GENERATIVE_METHODS)


@dataclass(frozen=True)
class Layout:
    """What the pipelines are built for."""

    dataset: str
    classes: tuple[str, ...]
    n_splits: int
    n_repeats: int
    baselines: tuple[str, ...]
    env: str
    training: str = "per_run"

    @property
    def splits(self) -> list[str]:
        """Names of the (repeat, fold) splits: ``fold_00``, ``fold_01``, ..."""
        return [f"fold_{i:02d}" for i in range(self.n_splits * self.n_repeats)]

    def key(self) -> tuple:
        """Everything that shapes the graph (the env aside)."""
        return (
            self.dataset,
            self.classes,
            self.n_splits,
            self.n_repeats,
            self.baselines,
            self.training,
        )

    @property
    def methods(self) -> tuple[str, ...]:
        return ("gan_smote", *self.baselines)


def slug(label: Any) -> str:
    """A class label as a name part that Kedro accepts (letters, digits, underscore)."""
    text = re.sub(r"[^0-9A-Za-z_]+", "_", str(label)).strip("_")
    return text or "empty"


def active_env(env: str | None = None) -> str:
    """The run's configuration environment: given, else ``KEDRO_ENV``, else ``local``."""
    return env or os.environ.get("KEDRO_ENV") or "local"


def read_parameters(env: str | None = None, project_path: Path | None = None) -> dict[str, Any]:
    """The parameters of ``conf/base`` overlaid with ``conf/<env>``, as Kedro will see them."""
    env = active_env(env)
    conf = (project_path or Path.cwd()) / "conf"
    from imbalanced_gan.settings import CONFIG_LOADER_ARGS, CONFIG_LOADER_CLASS

    loader = CONFIG_LOADER_CLASS(
        conf_source=str(conf), **{**CONFIG_LOADER_ARGS, "default_run_env": env}
    )
    return loader["parameters"]


def read_layout(env: str | None = None, project_path: Path | None = None) -> Layout:
    """Read the layout from ``conf/base`` overlaid with ``conf/<env>``."""
    return layout_from_params(read_parameters(env, project_path), active_env(env))


@dataclass(frozen=True)
class BenchmarkLayout:
    """The benchmark's grid: a node per (dataset, method)."""

    datasets: tuple[str, ...]
    methods: tuple[str, ...]


def benchmark_layout_from_params(params: dict[str, Any]) -> BenchmarkLayout:
    """The benchmark grid from ``benchmark.datasets`` and ``benchmark.methods``."""
    bench = params.get("benchmark") or {}
    datasets = tuple(slug(d) for d in bench.get("datasets", ()))
    methods = tuple(bench.get("methods", ()))
    unknown = [m for m in methods if m not in KNOWN_METHODS]
    if unknown:
        raise ValueError(
            f"benchmark.methods has unknown method(s) {unknown}; choose from {list(KNOWN_METHODS)}"
        )
    specs = params.get("benchmark_datasets") or {}
    missing = [d for d in datasets if d not in specs]
    if missing:
        raise ValueError(
            f"benchmark.datasets {missing} have no entry in benchmark_datasets "
            "(target, classes, column types): add them to conf/base/parameters_benchmark.yml"
        )
    return BenchmarkLayout(datasets=datasets, methods=methods)


def layout_from_params(params: dict[str, Any], env: str) -> Layout:
    """Build a :class:`Layout` from a parameters dict; errors name the missing key."""
    try:
        dataset, folds = params["dataset"], params["folds"]
        name, classes = dataset["name"], dataset["classes"]
    except KeyError as exc:
        raise KeyError(
            f"Parameter {exc.args[0]!r} is missing from conf (env {env!r}); the pipeline "
            "layout needs dataset.name, dataset.classes and folds"
        ) from None
    if not classes or len(classes) < 2:
        raise ValueError(f"dataset.classes must list at least two class labels, got {classes!r}")
    slugs = [slug(c) for c in classes]
    if len(set(slugs)) != len(slugs):
        raise ValueError(f"dataset.classes {classes!r} are not distinct as node names: {slugs}")
    baselines = tuple(params.get("gan_smote", {}).get("compare_with", ()))
    unknown = [m for m in baselines if m not in KNOWN_METHODS[1:]]
    if unknown:
        raise ValueError(
            f"gan_smote.compare_with has unknown method(s) {unknown}; "
            f"choose from {list(KNOWN_METHODS[1:])}"
        )
    training = params.get("gan_smote", {}).get("training", "per_run")
    if training not in TRAINING_LAYOUTS:
        raise ValueError(
            f"gan_smote.training must be one of {list(TRAINING_LAYOUTS)}, got {training!r}"
        )
    return Layout(
        dataset=slug(name),
        classes=tuple(str(c) for c in classes),
        n_splits=int(folds.get("n_splits", 10)),
        n_repeats=int(folds.get("n_repeats", 1)),
        baselines=baselines,
        env=env,
        training=training,
    )
