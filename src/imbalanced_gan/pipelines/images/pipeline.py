"""Image pipelines: the tabular shape (ingestion, folds, per-split samplers, top-up,
classifier, report) for images, laid out from ``images:`` in ``conf/``.

Dataset names all carry ``.images.`` after the dataset name
(``{image_dataset}.images.{split}.{method}.metrics``) so they never match the tabular
factories; node namespaces are ``{dataset}.images.{method}.{split}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kedro.pipeline import Node, Pipeline

from imbalanced_gan.layout import read_parameters, slug
from imbalanced_gan.pipelines.wiring import bind

from .nodes import (
    collect_image_metrics,
    evaluate_image_classifier,
    fit_image_sampler,
    generate_images,
    impose_imbalance,
    make_image_folds,
    plot_image_grid,
    plot_image_summary,
    plot_pca,
    render_image_report,
    sum_confusion_matrices,
    summarise_image_metrics,
    top_up_images_baseline,
    train_image_classifier,
)
from .params import GENERATIVE_METHODS, IMAGE_METHODS

#: The split whose images are drawn (grids and PCA).
PICTURE_SPLIT = "fold_00"


@dataclass(frozen=True)
class ImageLayout:
    """What the image pipelines are built for: ``images.dataset.name``, ``images.methods``,
    ``images.folds.n_splits``."""

    dataset: str
    methods: tuple[str, ...]
    n_splits: int

    @property
    def splits(self) -> list[str]:
        return [f"fold_{i:02d}" for i in range(self.n_splits)]


def image_layout_from_params(params: dict[str, Any]) -> ImageLayout:
    """Build the layout from the ``images`` parameters; errors name the key."""
    images = params.get("images")
    if not images:
        raise KeyError(
            "Parameter 'images' is missing from conf (see conf/base/parameters_images.yml)"
        )
    try:
        name = images["dataset"]["name"]
    except (KeyError, TypeError):
        raise KeyError("Parameter 'images.dataset.name' is missing from conf") from None
    methods = tuple(images.get("methods", IMAGE_METHODS))
    unknown = [m for m in methods if m not in IMAGE_METHODS]
    if unknown or not methods:
        raise ValueError(
            f"images.methods has unknown method(s) {unknown or methods}; choose from {list(IMAGE_METHODS)}"
        )
    return ImageLayout(
        dataset=slug(name),
        methods=methods,
        n_splits=int(images.get("folds", {}).get("n_splits", 5)),
    )


def read_image_layout(env: str | None = None, project_path: Path | None = None) -> ImageLayout:
    """Read the image layout from ``conf/base`` overlaid with ``conf/<env>``."""
    return image_layout_from_params(read_parameters(env, project_path))


def ingestion_pipeline(layout: ImageLayout) -> Pipeline:
    ds = f"{layout.dataset}.images"
    return Pipeline(
        [
            Node(
                impose_imbalance,
                inputs=[
                    f"{ds}.raw",
                    "params:images.dataset",
                    "params:images.imbalance",
                    "params:seed",
                ],
                outputs=[f"{ds}.imbalanced", f"{ds}.balanced_test", f"{ds}.data_profile"],
                name="impose_imbalance",
                namespace=ds,
                tags=["images", "ingestion"],
            ),
            Node(
                bind(make_image_folds, laid_out=(layout.dataset, layout.n_splits)),
                inputs=[
                    f"{ds}.imbalanced",
                    "params:images.dataset",
                    "params:images.folds",
                    "params:seed",
                ],
                outputs=f"{ds}.fold_indices",
                name="make_folds",
                namespace=ds,
                tags=["images", "folds"],
            ),
        ]
    )


def method_nodes(layout: ImageLayout, method: str) -> list[Node]:
    """Per split: sampler (generative methods) -> new images -> CNN -> metrics; pictures."""
    ds = f"{layout.dataset}.images"
    data = [f"{ds}.imbalanced", f"{ds}.fold_indices"]
    nodes = []
    for split in layout.splits:
        out = f"{ds}.{split}.{method}"

        def node(func: Any, inputs: list[str], outputs: Any, name: str, split: str = split) -> Node:
            return Node(
                bind(func, split=split, method=method),
                inputs=inputs,
                outputs=outputs,
                name=name,
                namespace=f"{ds}.{method}.{split}",
                tags=["images", method, name, split],
            )

        if method in GENERATIVE_METHODS:
            nodes += [
                node(
                    fit_image_sampler,
                    [*data, "params:images.samplers", "params:seed"],
                    f"{out}.sampler",
                    "train_sampler",
                ),
                node(
                    generate_images,
                    [f"{out}.sampler", *data, "params:images.samplers", "params:seed"],
                    f"{out}.synthetic",
                    "top_up",
                ),
            ]
        else:
            nodes.append(
                node(
                    top_up_images_baseline,
                    [*data, "params:images.samplers", "params:seed"],
                    f"{out}.synthetic",
                    "top_up",
                )
            )
        nodes += [
            node(
                train_image_classifier,
                [*data, f"{out}.synthetic", "params:images.classifier", "params:seed"],
                f"{out}.classifier",
                "train_classifier",
            ),
            node(
                evaluate_image_classifier,
                [f"{out}.classifier", *data, f"{ds}.balanced_test", f"{out}.synthetic"],
                f"{out}.metrics",
                "evaluate_classifier",
            ),
        ]
    if method != "no_oversampling" and PICTURE_SPLIT in layout.splits:
        synthetic = f"{ds}.{PICTURE_SPLIT}.{method}.synthetic"
        for func, name in ((plot_image_grid, "image_grid"), (plot_pca, "pca_plot")):
            nodes.append(
                Node(
                    bind(func, split=PICTURE_SPLIT, method=method),
                    inputs=[*data, synthetic],
                    outputs=f"{ds}.{method}.{name}",
                    name=f"plot_{name}",
                    namespace=f"{ds}.{method}",
                    tags=["images", method, "pictures"],
                )
            )
    return nodes


def reporting_pipeline(layout: ImageLayout, methods: tuple[str, ...]) -> Pipeline:
    ds = f"{layout.dataset}.images"
    metrics = [f"{ds}.{split}.{m}.metrics" for m in methods for split in layout.splits]

    def node(func: Any, inputs: Any, outputs: Any, name: str) -> Node:
        return Node(
            func,
            inputs,
            outputs,
            name=name,
            namespace=f"{ds}.reporting",
            tags=["images", "reporting"],
        )

    return Pipeline(
        [
            node(
                collect_image_metrics,
                metrics,
                [f"{ds}.fold_metrics", f"{ds}.per_class_metrics"],
                "collect_metrics",
            ),
            node(
                sum_confusion_matrices,
                metrics,
                f"{ds}.confusion_matrices",
                "sum_confusion_matrices",
            ),
            node(
                summarise_image_metrics,
                [f"{ds}.fold_metrics", f"{ds}.per_class_metrics"],
                f"{ds}.summary_table",
                "summarise_metrics",
            ),
            node(
                render_image_report,
                [
                    f"{ds}.summary_table",
                    f"{ds}.data_profile",
                    f"{ds}.confusion_matrices",
                    "params:images.folds",
                    "params:images.classifier",
                ],
                f"{ds}.report_markdown",
                "render_report",
            ),
            node(plot_image_summary, f"{ds}.summary_table", f"{ds}.summary_plot", "plot_summary"),
        ]
    )


def image_pipeline(layout: ImageLayout, methods: tuple[str, ...]) -> Pipeline:
    """Ingestion -> folds -> per (split, method) top-up, CNN, metrics -> report, pictures."""
    nodes = [n for m in methods for n in method_nodes(layout, m)]
    return ingestion_pipeline(layout) + Pipeline(nodes) + reporting_pipeline(layout, methods)


def register_image_pipelines(layout: ImageLayout | None = None) -> dict[str, Pipeline]:
    """``image_benchmark`` (every method of ``images.methods`` on the same folds) and one
    pipeline per generative method (``deepsmote``, ``dcgan``, ``cgan_images``,
    ``vanilla_gan_images``: that method alone)."""
    layout = layout or read_image_layout()
    pipelines = {"image_benchmark": image_pipeline(layout, layout.methods)}
    for method in GENERATIVE_METHODS:
        pipelines[method] = image_pipeline(layout, (method,))
    return pipelines
