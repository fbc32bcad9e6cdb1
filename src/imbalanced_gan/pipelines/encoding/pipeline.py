"""Encoding pipeline: one node per split."""

from __future__ import annotations

from functools import partial, update_wrapper

from kedro.pipeline import Node, Pipeline

from imbalanced_gan.layout import Layout

from .nodes import encode_fold


def bind(func, **kwargs):  # noqa: ANN001, ANN201
    """``functools.partial`` that keeps the function's name and docs (for kedro-viz)."""
    return update_wrapper(partial(func, **kwargs), func)


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
                    f"{ns}.{split}.test_encoded",
                ],
                name="encode_fold",
                namespace=f"{ns}.{split}",
                tags=["encoding", split],
            )
            for split in layout.splits
        ]
    )
