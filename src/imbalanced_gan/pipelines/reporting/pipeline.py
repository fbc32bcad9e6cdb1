"""Reporting pipeline."""

from __future__ import annotations

from kedro.pipeline import Node as KedroNode
from kedro.pipeline import Pipeline

from imbalanced_gan.layout import Layout, slug

from .nodes import (
    collect_fold_metrics,
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
            render_report,
            [f"{ds}.summary_table", f"{ds}.data_profile", "params:folds", "params:classifier"],
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
        nodes.append(
            Node(plot_gan_losses, generators, f"{ds}.gan_loss_plot", name="plot_gan_losses")
        )
    return Pipeline(nodes)
