"""Classification pipeline: per (split, method) a training and an evaluation node."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from imbalanced_gan.layout import Layout
from imbalanced_gan.pipelines.wiring import bind

from .nodes import evaluate_classifier, train_classifier


def create_pipeline(layout: Layout, methods: tuple[str, ...]) -> Pipeline:
    ds, nodes = layout.dataset, []
    for split in layout.splits:
        for method in methods:
            ns = f"{ds}.{split}.{method}"  # datasets: per split, then method
            node_ns = f"{ds}.{method}.{split}"  # nodes: per method, then split
            nodes += [
                Node(
                    bind(train_classifier, split=split, method=method),
                    inputs=[
                        f"{ns}.train_topped_up",
                        f"{ds}.{split}.valid_encoded",
                        "params:dataset",
                        "params:classifier",
                        "params:seed",
                    ],
                    outputs=f"{ns}.classifier",
                    name="train_classifier",
                    namespace=node_ns,
                    tags=[method, "classifier", split],
                ),
                Node(
                    bind(evaluate_classifier, split=split, method=method),
                    inputs=[f"{ns}.classifier", f"{ds}.{split}.test_encoded", "params:dataset"],
                    outputs=f"{ns}.metrics",
                    name="evaluate_classifier",
                    namespace=node_ns,
                    tags=[method, "metrics", split],
                ),
            ]
    return Pipeline(nodes)
