"""Project pipelines, laid out from ``conf/`` (see :mod:`imbalanced_gan.layout`)."""

from __future__ import annotations

from kedro.pipeline import Pipeline

from imbalanced_gan.hooks import REGISTERED
from imbalanced_gan.layout import (
    GENERATIVE_METHODS,
    KNOWN_METHODS,
    Layout,
    active_env,
    benchmark_layout_from_params,
    layout_from_params,
    read_parameters,
)
from imbalanced_gan.pipelines import (
    benchmark,
    classification,
    encoding,
    folds,
    ingestion,
    oversampling,
    reporting,
)


def method_pipeline(layout: Layout, methods: tuple[str, ...]) -> Pipeline:
    """Ingestion -> folds -> encoding -> over-sampling -> classifier -> report, for ``methods``."""
    pipeline = (
        ingestion.pipeline.create_pipeline(layout)
        + folds.pipeline.create_pipeline(layout)
        + encoding.pipeline.create_pipeline(layout)
    )
    for method in methods:
        if method == "gan_smote":
            pipeline += oversampling.pipeline.gan_smote_pipeline(layout)
        elif method in GENERATIVE_METHODS:
            pipeline += oversampling.pipeline.sampler_pipeline(layout, method)
        else:
            pipeline += oversampling.pipeline.baseline_pipeline(layout, method)
    return (
        pipeline
        + classification.pipeline.create_pipeline(layout, methods)
        + reporting.pipeline.create_pipeline(layout, methods)
    )


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
    for method in KNOWN_METHODS[1:]:  # one pipeline per method, on the configured dataset
        pipelines[method] = method_pipeline(layout, (method,))
    from imbalanced_gan.pipelines.images.pipeline import register_image_pipelines

    pipelines.update(register_image_pipelines())  # image_benchmark, deepsmote, dcgan, ...
    grid = benchmark_layout_from_params(params)
    REGISTERED["benchmark"] = grid
    pipelines["benchmark"] = benchmark.pipeline.create_pipeline(grid)
    pipelines["__default__"] = pipelines["gan_smote"]
    return pipelines
