"""Project pipelines, laid out from ``conf/`` (see :mod:`imbalanced_gan.layout`)."""

from __future__ import annotations

from dataclasses import replace

from kedro.pipeline import Pipeline

from imbalanced_gan.hooks import REGISTERED
from imbalanced_gan.layout import (
    Layout,
    active_env,
    benchmark_layout_from_params,
    layout_from_params,
    read_parameters,
)
from imbalanced_gan.methods import method_names
from imbalanced_gan.pipelines import benchmark, folds, ingestion, reporting
from imbalanced_gan.pipelines.template import experiment_pipeline


def method_pipeline(layout: Layout, methods: tuple[str, ...]) -> Pipeline:
    """The experiment template on ``dataset`` for ``methods``, then its report."""
    layout = replace(layout, methods=methods)
    return experiment_pipeline(layout) + reporting.pipeline.create_pipeline(layout, methods)


def register_pipelines() -> dict[str, Pipeline]:
    """``gan_smote`` (GAN-SMOTE beside its baselines, the default) and one per baseline.

    Only the pipelines a run asks for are built (``kedro run --pipelines=...`` and
    ``KedroSession.run(pipeline_names=...)`` tell Kedro's lazy registry which, through
    ``pipelines.set_requested``): the benchmark grid alone has thousands of nodes in its
    full configuration, and an Airflow task needs one pipeline.
    """
    params = read_parameters()
    layout = layout_from_params(params, active_env())
    REGISTERED["layout"] = layout
    grid = benchmark_layout_from_params(params)
    REGISTERED["benchmark"] = grid
    tabular = [method for method in method_names("tabular") if method != "gan_smote"]
    builders = {
        "data_ingestion": lambda: {
            "data_ingestion": ingestion.pipeline.create_pipeline(layout)
            + folds.pipeline.create_pipeline(layout)
        },
        "gan_smote": lambda: {"gan_smote": method_pipeline(layout, layout.methods)},
        # one pipeline per method, on the configured dataset
        **{
            method: (lambda method=method: {method: method_pipeline(layout, (method,))})
            for method in tabular
        },
        "images": _image_pipelines,  # image_benchmark, deepsmote, dcgan, ...
        "benchmark": lambda: {"benchmark": benchmark.pipeline.create_pipeline(grid)},
    }
    requested = _requested()
    # the image pipelines are named in their own module: built unless surely not asked for
    not_images = set(builders) - {"images"} | {"__default__"}
    pipelines: dict[str, Pipeline] = {}
    for name, build in builders.items():
        if name == "images":
            wanted = requested is None or not requested <= not_images
        else:
            wanted = requested is None or name in requested
        if wanted:
            pipelines.update(build())
    if requested is None or "__default__" in requested or "gan_smote" in requested:
        pipelines.setdefault("gan_smote", builders["gan_smote"]()["gan_smote"])
        pipelines["__default__"] = pipelines["gan_smote"]
    return pipelines


def _image_pipelines() -> dict[str, Pipeline]:
    from imbalanced_gan.pipelines.images.pipeline import register_image_pipelines

    return register_image_pipelines()


def _requested() -> set[str] | None:
    """The pipelines this run asked for, or None for all (Kedro's lazy-registry filter)."""
    from kedro.framework.project import pipelines

    requested = getattr(pipelines, "_requested_pipelines", None)
    return None if requested is None else set(requested)
