"""Folds pipeline."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from imbalanced_gan.layout import Layout

from .nodes import make_folds


def create_pipeline(layout: Layout) -> Pipeline:
    ns = layout.dataset
    return Pipeline(
        [
            Node(
                make_folds,
                inputs=[f"{ns}.validated_table", "params:dataset", "params:folds", "params:seed"],
                outputs=f"{ns}.fold_indices",
                name="make_folds",
                namespace=ns,
                tags=["folds"],
            )
        ]
    )
