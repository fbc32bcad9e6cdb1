"""Ingestion pipeline: ``<dataset>.raw_table`` -> validated table and profile."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from imbalanced_gan.layout import Layout

from .nodes import validate_table


def create_pipeline(layout: Layout) -> Pipeline:
    ns = layout.dataset
    return Pipeline(
        [
            Node(
                validate_table,
                inputs=[f"{ns}.raw_table", "params:dataset"],
                outputs=[f"{ns}.validated_table", f"{ns}.data_profile"],
                name="validate_table",
                namespace=ns,
                tags=["ingestion"],
            )
        ]
    )
