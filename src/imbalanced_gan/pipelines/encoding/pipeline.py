"""Encoding pipeline: one node per split."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from imbalanced_gan.layout import Layout
from imbalanced_gan.pipelines.wiring import bind

from .nodes import encode_fold


def create_pipeline(layout: Layout) -> Pipeline:
    ns = layout.dataset
    return Pipeline(
        [
            Node(
                bind(encode_fold, split=split),
                inputs=[f"{ns}.validated_table", f"{ns}.fold_indices", "params:dataset"],
                outputs=[
                    f"{ns}.{split}.encoder",
                    f"{ns}.{split}.train_encoded",
                    f"{ns}.{split}.valid_encoded",
                    f"{ns}.{split}.test_encoded",
                ],
                name="encode_fold",
                namespace=f"{ns}.encoding.{split}",
                tags=["encoding", split],
            )
            for split in layout.splits
        ]
    )
