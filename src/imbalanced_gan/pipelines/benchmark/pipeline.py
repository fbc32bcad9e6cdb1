"""Benchmark pipeline: methods x datasets x classifiers on identical folds, then statistics."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from imbalanced_gan.layout import BenchmarkLayout
from imbalanced_gan.pipelines.wiring import bind

from .nodes import benchmark_folds, run_method_on_dataset, validate_benchmark_table
from .report import (
    benchmark_statistics,
    collect_diagnostics,
    collect_results,
    diagnose_method,
    render_benchmark_report,
    render_reproduction_report,
)


def create_pipeline(grid: BenchmarkLayout) -> Pipeline:
    nodes: list[Node] = []
    results, privacy, quality = [], [], []
    for ds in grid.datasets:
        ns = f"benchmark.{ds}"
        nodes += [
            Node(
                bind(validate_benchmark_table, dataset=ds),
                inputs=[f"{ns}.raw_table", "params:benchmark_datasets"],
                outputs=[f"{ns}.validated_table", f"{ns}.data_profile"],
                name="validate_table",
                namespace=ns,
                tags=["benchmark", "ingestion"],
            ),
            Node(
                bind(benchmark_folds, dataset=ds),
                inputs=[
                    f"{ns}.validated_table",
                    "params:benchmark_datasets",
                    "params:benchmark",
                    "params:seed",
                ],
                outputs=f"{ns}.fold_indices",
                name="make_folds",
                namespace=ns,
                tags=["benchmark", "folds"],
            ),
        ]
        for method in grid.methods:
            mns = f"{ns}.{method}"
            nodes.append(
                Node(
                    bind(run_method_on_dataset, dataset=ds, method=method),
                    inputs=[
                        f"{ns}.validated_table",
                        f"{ns}.fold_indices",
                        "params:benchmark_datasets",
                        "params:benchmark_classifiers",
                        "params:benchmark",
                        "params:top_up",
                        "params:baselines",
                        "params:gan_smote",
                        "params:samplers",
                        "params:seed",
                    ],
                    outputs=[f"{mns}.fold_results", f"{mns}.models", f"{mns}.training_rows"],
                    name="run_method",
                    namespace=mns,
                    tags=["benchmark", method],
                )
            )
            results.append(f"{mns}.fold_results")
            if method == "no_oversampling":
                continue
            nodes.append(
                Node(
                    bind(diagnose_method, dataset=ds, method=method),
                    inputs=[
                        f"{mns}.training_rows",
                        f"{mns}.models",
                        "params:benchmark_datasets",
                        "params:benchmark",
                    ],
                    outputs=[
                        f"{mns}.privacy",
                        f"{mns}.quality",
                        f"{mns}.pca_plot",
                        f"{mns}.loss_plot",
                    ],
                    name="diagnose",
                    namespace=mns,
                    tags=["benchmark", method, "diagnostics"],
                )
            )
            privacy.append(f"{mns}.privacy")
            quality.append(f"{mns}.quality")

    def report_node(func, inputs, outputs, name):  # noqa: ANN001, ANN202
        return Node(
            func, inputs, outputs, name=name, namespace="benchmark.report", tags=["benchmark"]
        )

    nodes += [
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
    return Pipeline(nodes)
