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
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any

from imbalanced_gan.methods import check_methods

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
    "benchmark.classifiers",
    "benchmark.folds.n_splits",
    "benchmark.folds.n_repeats",
    "benchmark.training",
    "benchmark.fully_synthetic.datasets",
    "benchmark.fully_synthetic.methods",
)


#: How GAN-SMOTE's per-class GANs are spread over nodes (``gan_smote.training``).
TRAINING_LAYOUTS = ("per_run", "per_fold", "per_class")


@dataclass(frozen=True)
class Layout:
    """What one instance of the experiment template is built for.

    ``methods``: the over-samplers, in report order; ``classifiers``: the named classifier
    blocks each topped-up split trains (empty: the one ``classifier`` block);
    ``synthetic_only``: methods also scored with classifiers trained on generated rows only
    (paper 002's first experiment).
    """

    dataset: str
    classes: tuple[str, ...]
    n_splits: int
    n_repeats: int
    methods: tuple[str, ...]
    env: str
    training: str = "per_run"
    classifiers: tuple[str, ...] = ()
    synthetic_only: tuple[str, ...] = ()

    @property
    def splits(self) -> list[str]:
        """Names of the (repeat, fold) splits: ``fold_00``, ``fold_01``, ..."""
        return [f"fold_{i:02d}" for i in range(self.n_splits * self.n_repeats)]

    def repeat(self, split: str) -> int:
        """The repeat a split belongs to (``fold_07`` of 5 folds: repeat 1)."""
        return int(split.rsplit("_", 1)[1]) // self.n_splits

    def key(self) -> tuple:
        """Everything that shapes the graph (the env aside)."""
        return (
            self.dataset,
            self.classes,
            self.n_splits,
            self.n_repeats,
            self.methods,
            self.training,
            self.classifiers,
            self.synthetic_only,
        )

    @property
    def baselines(self) -> tuple[str, ...]:
        """The methods GAN-SMOTE is compared with (``gan_smote.compare_with``)."""
        return tuple(m for m in self.methods if m != "gan_smote")


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
    """The benchmark's grid: one instance of the experiment template per dataset."""

    datasets: tuple[str, ...]
    methods: tuple[str, ...]
    classifiers: tuple[str, ...]
    experiments: tuple[Layout, ...]


def _plain(value: Any) -> Any:
    """A parameters block as a dict (Kedro may hand it over as its typed dataclass)."""
    return asdict(value) if is_dataclass(value) else dict(value or {})


def _classes(classes: Any, key: str) -> tuple[str, ...]:
    if not classes or len(classes) < 2:
        raise ValueError(f"{key} must list at least two class labels, got {classes!r}")
    slugs = [slug(c) for c in classes]
    if len(set(slugs)) != len(slugs):
        raise ValueError(f"{key} {classes!r} are not distinct as node names: {slugs}")
    return tuple(str(c) for c in classes)


def _training(value: str, key: str) -> str:
    if value not in TRAINING_LAYOUTS:
        raise ValueError(f"{key} must be one of {list(TRAINING_LAYOUTS)}, got {value!r}")
    return value


def benchmark_layout_from_params(params: dict[str, Any]) -> BenchmarkLayout:
    """The benchmark grid from ``benchmark`` and ``benchmark_datasets``; errors name the key.

    Every dataset of ``benchmark.datasets`` is one instance of the experiment template,
    with ``benchmark.methods``, ``benchmark.classifiers``, ``benchmark.folds`` and
    ``benchmark.training`` (how GAN-SMOTE's GANs are grouped over nodes; default
    ``per_fold``).
    """
    bench = params.get("benchmark") or {}
    datasets = tuple(slug(d) for d in bench.get("datasets", ()))
    methods = check_methods(bench.get("methods", ()), "tabular", "benchmark.methods")
    specs = {k: _plain(v) for k, v in (params.get("benchmark_datasets") or {}).items()}
    missing = [d for d in datasets if d not in specs]
    if missing:
        raise ValueError(
            f"benchmark.datasets {missing} have no entry in benchmark_datasets "
            "(target, classes, column types): add them to conf/base/parameters_benchmark.yml"
        )
    for name in datasets:
        if specs[name].get("name") != name:
            raise ValueError(
                f"benchmark_datasets.{name}.name must be {name!r} (a benchmark dataset block "
                f"has the keys of `dataset:`), got {specs[name].get('name')!r}"
            )
    classifiers = tuple(bench.get("classifiers", ()))
    known = params.get("benchmark_classifiers")
    if known is not None:
        unknown = [c for c in classifiers if c not in known]
        if unknown:
            raise ValueError(
                f"benchmark.classifiers {unknown} have no entry in benchmark_classifiers "
                f"(known: {sorted(known)})"
            )
    folds = _plain(bench.get("folds"))
    synth = _plain(bench.get("fully_synthetic"))
    check_methods(synth.get("methods", ()), "tabular", "benchmark.fully_synthetic.methods")
    training = _training(bench.get("training", "per_fold"), "benchmark.training")
    experiments = tuple(
        Layout(
            dataset=name,
            classes=_classes(specs[name].get("classes"), f"benchmark_datasets.{name}.classes"),
            n_splits=int(folds.get("n_splits", 5)),
            n_repeats=int(folds.get("n_repeats", 1)),
            methods=methods,
            env="benchmark",
            training=training,
            classifiers=classifiers,
            synthetic_only=tuple(
                m
                for m in methods
                if name in synth.get("datasets", ()) and m in synth.get("methods", ())
            ),
        )
        for name in datasets
    )
    return BenchmarkLayout(
        datasets=datasets, methods=methods, classifiers=classifiers, experiments=experiments
    )


def layout_from_params(params: dict[str, Any], env: str) -> Layout:
    """Build a :class:`Layout` from a parameters dict; errors name the missing key."""
    try:
        dataset, folds = _plain(params["dataset"]), _plain(params["folds"])
        name, classes = dataset["name"], dataset["classes"]
    except KeyError as exc:
        raise KeyError(
            f"Parameter {exc.args[0]!r} is missing from conf (env {env!r}); the pipeline "
            "layout needs dataset.name, dataset.classes and folds"
        ) from None
    gan_smote = _plain(params.get("gan_smote"))
    baselines = check_methods(
        gan_smote.get("compare_with", ()), "tabular", "gan_smote.compare_with"
    )
    if "gan_smote" in baselines:
        raise ValueError("gan_smote.compare_with lists gan_smote itself")
    return Layout(
        dataset=slug(name),
        classes=_classes(classes, "dataset.classes"),
        n_splits=int(folds.get("n_splits", 10)),
        n_repeats=int(folds.get("n_repeats", 1)),
        methods=("gan_smote", *baselines),
        env=env,
        training=_training(gan_smote.get("training", "per_run"), "gan_smote.training"),
    )
