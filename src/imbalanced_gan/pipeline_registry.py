"""Project pipelines, laid out from ``conf/`` (see :mod:`imbalanced_gan.layout`)."""

from __future__ import annotations

from kedro.pipeline import Pipeline

from imbalanced_gan.hooks import REGISTERED
from imbalanced_gan.layout import Layout, read_layout
from imbalanced_gan.pipelines import (
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
        else:
            pipeline += oversampling.pipeline.baseline_pipeline(layout, method)
    return (
        pipeline
        + classification.pipeline.create_pipeline(layout, methods)
        + reporting.pipeline.create_pipeline(layout, methods)
    )


def register_pipelines() -> dict[str, Pipeline]:
    """``gan_smote`` (GAN-SMOTE beside its baselines, the default) and one per baseline."""
    layout = read_layout()
    REGISTERED["layout"] = layout
    pipelines = {
        "data_ingestion": ingestion.pipeline.create_pipeline(layout)
        + folds.pipeline.create_pipeline(layout),
        "gan_smote": method_pipeline(layout, layout.methods),
    }
    for method in layout.baselines:
        pipelines[method] = method_pipeline(layout, (method,))
    pipelines["__default__"] = pipelines["gan_smote"]
    return pipelines
