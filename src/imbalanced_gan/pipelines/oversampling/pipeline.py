"""Over-sampling pipeline: a training node per (split, class), a top-up node per split."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from imbalanced_gan.layout import Layout, slug
from imbalanced_gan.pipelines.wiring import bind

from .nodes import (
    decode_synthetic_rows,
    top_up_with_baseline,
    top_up_with_generators,
    train_class_generator,
)


def gan_smote_pipeline(layout: Layout) -> Pipeline:
    ds, nodes = layout.dataset, []
    common = ["params:dataset", "params:top_up"]
    for split in layout.splits:
        ns = f"{ds}.{split}.gan_smote"
        generators = [f"{ns}.generator_{slug(label)}" for label in layout.classes]
        for label, output in zip(layout.classes, generators, strict=True):
            nodes.append(
                Node(
                    bind(train_class_generator, split=split, label=label),
                    inputs=[
                        f"{ds}.{split}.train_encoded",
                        *common,
                        "params:gan_smote",
                        "params:seed",
                    ],
                    outputs=output,
                    name=f"train_generator_{slug(label)}",
                    namespace=ns,
                    tags=["gan_smote", "train_generator", split],
                )
            )
        nodes.append(
            Node(
                bind(top_up_with_generators, split=split),
                inputs=[f"{ds}.{split}.train_encoded", *common, "params:seed", *generators],
                outputs=f"{ns}.train_topped_up",
                name="top_up",
                namespace=ns,
                tags=["gan_smote", "top_up", split],
            )
        )
        nodes.append(
            Node(
                decode_synthetic_rows,
                inputs=[f"{ns}.train_topped_up", f"{ds}.{split}.encoder", "params:dataset"],
                outputs=f"{ns}.synthetic_rows",
                name="decode_synthetic_rows",
                namespace=ns,
                tags=["gan_smote", split],
            )
        )
    return Pipeline(nodes)


def baseline_pipeline(layout: Layout, method: str) -> Pipeline:
    ds = layout.dataset
    return Pipeline(
        [
            Node(
                bind(top_up_with_baseline, split=split, method=method),
                inputs=[
                    f"{ds}.{split}.train_encoded",
                    "params:dataset",
                    "params:top_up",
                    "params:baselines",
                    "params:seed",
                ],
                outputs=f"{ds}.{split}.{method}.train_topped_up",
                name="top_up",
                namespace=f"{ds}.{split}.{method}",
                tags=[method, "top_up", split],
            )
            for split in layout.splits
        ]
    )
