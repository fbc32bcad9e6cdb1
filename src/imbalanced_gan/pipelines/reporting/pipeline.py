"""Reporting pipeline."""

from __future__ import annotations

from kedro.pipeline import Node as KedroNode
from kedro.pipeline import Pipeline

from imbalanced_gan.layout import Layout, slug
from imbalanced_gan.pipelines.wiring import bind

from .nodes import (
    assess_generators,
    collect_fold_metrics,
    compare_methods,
    plot_gan_losses,
    plot_summary,
    render_report,
    summarise_metrics,
    write_manifest,
)


def create_pipeline(layout: Layout, methods: tuple[str, ...]) -> Pipeline:
    ds = layout.dataset

    def Node(func, inputs, outputs, name):  # noqa: ANN001, ANN202, N802
        return KedroNode(
            func, inputs, outputs, name=name, namespace=f"{ds}.reporting", tags=["reporting"]
        )

    metrics = [f"{ds}.{split}.{method}.metrics" for method in methods for split in layout.splits]
    nodes = [
        Node(
            collect_fold_metrics,
            metrics,
            [f"{ds}.fold_metrics", f"{ds}.per_class_metrics"],
            name="collect_fold_metrics",
        ),
        Node(
            summarise_metrics,
            [f"{ds}.fold_metrics", f"{ds}.per_class_metrics"],
            f"{ds}.summary_table",
            name="summarise_metrics",
        ),
        Node(
            bind(compare_methods, baselines=[m for m in methods if m != "gan_smote"]),
            [f"{ds}.fold_metrics", f"{ds}.fold_indices", "params:evaluation"],
            f"{ds}.paired_comparison",
            name="compare_methods",
        ),
        Node(
            render_report,
            {
                "summary": f"{ds}.summary_table",
                "data_profile": f"{ds}.data_profile",
                "folds": "params:folds",
                "classifier": "params:classifier",
                "fold_metrics": f"{ds}.fold_metrics",
                "paired": f"{ds}.paired_comparison",
                "evaluation": "params:evaluation",
            }
            | ({"generator_health": f"{ds}.generator_health"} if "gan_smote" in methods else {}),
            f"{ds}.report_markdown",
            name="render_report",
        ),
        Node(plot_summary, f"{ds}.summary_table", f"{ds}.summary_plot", name="plot_summary"),
        Node(
            write_manifest,
            [
                "params:seed",
                "params:dataset",
                "params:folds",
                "params:gan_smote",
                "params:classifier",
                "params:evaluation",
            ],
            f"{ds}.run_manifest",
            name="write_manifest",
        ),
    ]
    if "gan_smote" in methods:
        generators = [
            f"{ds}.{split}.gan_smote.generator_{slug(c)}"
            for split in layout.splits
            for c in layout.classes
        ]
        names = [(split, c) for split in layout.splits for c in layout.classes]
        nodes += [
            Node(plot_gan_losses, generators, f"{ds}.gan_loss_plot", name="plot_gan_losses"),
            Node(
                bind(assess_generators, names=names),
                generators,
                f"{ds}.generator_health",
                name="assess_generators",
            ),
        ]
    return Pipeline(nodes)
