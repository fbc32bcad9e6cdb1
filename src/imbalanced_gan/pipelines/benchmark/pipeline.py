"""Benchmark pipeline: the experiment template per dataset, namespaced ``benchmark``, then
statistics over the grid.

Per dataset of ``benchmark.datasets``: the template (validate -> folds -> per split:
encode -> per method: sampler / top-up -> per classifier: train, score), plus the
benchmark's own nodes (fully synthetic training, fold results, diagnostics), made a
namespaced instance with ``Pipeline(..., namespace="benchmark", parameters=...)``.
"""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from imbalanced_gan.layout import BenchmarkLayout, Layout, slug
from imbalanced_gan.methods import get_method
from imbalanced_gan.pipelines.classification.pipeline import (
    SYNTHETIC_ONLY,
    classifier_blocks,
    output_prefix,
    trainings,
)
from imbalanced_gan.pipelines.template import experiment_pipeline, namespaced
from imbalanced_gan.pipelines.wiring import bind

from .nodes import collect_fold_results, collect_training_rows, diagnose, synthetic_only
from .report import (
    benchmark_statistics,
    collect_diagnostics,
    collect_results,
    render_benchmark_report,
    render_reproduction_report,
)

NAMESPACE = "benchmark"


def _oversamplers(layout: Layout, split: str, method: str) -> list[str]:
    """The fitted models of ``method`` in ``split`` (datasets of the template)."""
    ds, family = layout.dataset, get_method(method, "tabular").family
    if family == "per_class_gans":
        return [f"{ds}.{split}.{method}.generator_{slug(c)}" for c in layout.classes]
    if family == "sampler":
        return [f"{ds}.{split}.{method}.sampler"]
    return []


def _synthetic_only_nodes(layout: Layout) -> Pipeline:
    """Per split, a training part of generated rows only for ``layout.synthetic_only``."""
    ds = layout.dataset
    return Pipeline(
        [
            Node(
                bind(synthetic_only, split=split, method=method),
                inputs=[
                    f"{ds}.{split}.train_encoded",
                    "params:dataset",
                    "params:gan_smote",
                    "params:gan_smote.schedule",
                    "params:samplers",
                    "params:seed",
                ],
                outputs=f"{ds}.{split}.{method}.train_synthetic_only",
                name="train_synthetic_only",
                namespace=f"{ds}.{method}.{split}",
                tags=[method, split, SYNTHETIC_ONLY],
            )
            for method in layout.synthetic_only
            for split in layout.splits
        ]
    )


def _summary_nodes(layout: Layout) -> list[Node]:
    """Per method: its scores in one table; its training rows, samplers and diagnostics."""
    ds, nodes = layout.dataset, []
    for method in layout.methods:
        metrics, keys = [], []
        for split in layout.splits:
            for training in trainings(layout, method):
                for label, _ in classifier_blocks(layout):
                    metrics.append(
                        f"{output_prefix(layout, split, method, training, label)}.metrics"
                    )
                    keys.append(
                        {
                            "dataset": ds,
                            "method": method,
                            "classifier": label,
                            "training": training or "real",
                            "split": split,
                            "repeat": layout.repeat(split),
                        }
                    )
        tags = [method, "diagnostics"]
        nodes.append(
            Node(
                bind(collect_fold_results, keys=keys),
                inputs=metrics,
                outputs=f"{ds}.{method}.fold_results",
                name="collect_fold_results",
                namespace=f"{ds}.{method}",
                tags=[method, "metrics"],
            )
        )
        models = [m for split in layout.splits for m in _oversamplers(layout, split, method)]
        nodes.append(
            Node(
                bind(
                    collect_training_rows,
                    splits=layout.splits,
                    n_generators=len(models) // len(layout.splits),
                ),
                inputs=[f"{ds}.{split}.{method}.train_topped_up" for split in layout.splits]
                + models,
                outputs=[f"{ds}.{method}.training_rows", f"{ds}.{method}.models"],
                name="collect_training_rows",
                namespace=f"{ds}.{method}",
                tags=tags,
            )
        )
        if method == "no_oversampling":
            continue
        nodes.append(
            Node(
                bind(diagnose, dataset=ds, method=method),
                inputs=[
                    f"{ds}.{method}.training_rows",
                    f"{ds}.{method}.models",
                    "params:dataset",
                    "params:benchmark",
                ],
                outputs=[
                    f"{ds}.{method}.privacy",
                    f"{ds}.{method}.quality",
                    f"{ds}.{method}.pca_plot",
                    f"{ds}.{method}.loss_plot",
                ],
                name="diagnose",
                namespace=f"{ds}.{method}",
                tags=tags,
            )
        )
    return nodes


def instance(layout: Layout) -> Pipeline:
    """The template for one benchmark dataset, namespaced ``benchmark``."""
    template = experiment_pipeline(layout, extra_nodes=_synthetic_only_nodes(layout))
    nodes = [*template.nodes, *_summary_nodes(layout)]
    parameters = {
        "dataset": f"benchmark_datasets.{layout.dataset}",
        "folds": "benchmark.folds",
        "gan_smote.schedule": "benchmark.gan_smote_schedule",
        **{key: f"benchmark_{key}" for _, key in classifier_blocks(layout)},
    }
    return namespaced(nodes, NAMESPACE, parameters)


def create_pipeline(grid: BenchmarkLayout) -> Pipeline:
    instances = [instance(layout) for layout in grid.experiments]
    results = [
        f"{NAMESPACE}.{layout.dataset}.{m}.fold_results"
        for layout in grid.experiments
        for m in layout.methods
    ]
    diagnosed = [
        f"{NAMESPACE}.{layout.dataset}.{m}"
        for layout in grid.experiments
        for m in layout.methods
        if m != "no_oversampling"
    ]
    privacy = [f"{name}.privacy" for name in diagnosed]
    quality = [f"{name}.quality" for name in diagnosed]

    def report_node(func, inputs, outputs, name):  # noqa: ANN001, ANN202
        return Node(
            func, inputs, outputs, name=name, namespace="benchmark.report", tags=["benchmark"]
        )

    report = Pipeline(
        [
            report_node(collect_results, results, "benchmark.results", "collect_results"),
            report_node(
                benchmark_statistics,
                ["benchmark.results", "params:benchmark"],
                [
                    "benchmark.average_ranks",
                    "benchmark.friedman",
                    "benchmark.posthoc",
                    "benchmark.cd_diagram",
                    "benchmark.win_tie_loss",
                ],
                "statistics",
            ),
            report_node(
                bind(collect_diagnostics, n_privacy=len(privacy)),
                privacy + quality,
                ["benchmark.privacy_table", "benchmark.quality_table"],
                "collect_diagnostics",
            ),
            report_node(
                render_benchmark_report,
                [
                    "benchmark.results",
                    "benchmark.average_ranks",
                    "benchmark.friedman",
                    "benchmark.posthoc",
                    "benchmark.win_tie_loss",
                    "benchmark.privacy_table",
                    "benchmark.quality_table",
                    "params:benchmark",
                ],
                "benchmark.report_markdown",
                "render_report",
            ),
            report_node(
                render_reproduction_report,
                ["benchmark.results", "params:benchmark"],
                "benchmark.reproduction_markdown",
                "render_reproduction",
            ),
        ]
    )
    return Pipeline([*instances, report])
