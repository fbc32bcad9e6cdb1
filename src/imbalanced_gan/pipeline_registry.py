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
    """``gan_smote`` (GAN-SMOTE beside its baselines, the default) and one per baseline."""
    params = read_parameters()
    layout = layout_from_params(params, active_env())
    REGISTERED["layout"] = layout
    pipelines = {
        "data_ingestion": ingestion.pipeline.create_pipeline(layout)
        + folds.pipeline.create_pipeline(layout),
        "gan_smote": method_pipeline(layout, layout.methods),
    }
    for method in method_names("tabular"):  # one pipeline per method, on the configured dataset
        if method == "gan_smote":
            continue
        pipelines[method] = method_pipeline(layout, (method,))
    from imbalanced_gan.pipelines.images.pipeline import register_image_pipelines

    pipelines.update(register_image_pipelines())  # image_benchmark, deepsmote, dcgan, ...
    grid = benchmark_layout_from_params(params)
    REGISTERED["benchmark"] = grid
    pipelines["benchmark"] = benchmark.pipeline.create_pipeline(grid)
    pipelines["__default__"] = pipelines["gan_smote"]
    return pipelines
