"""Classification pipeline: per (split, method, classifier) a training and an evaluation node."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from imbalanced_gan.layout import Layout
from imbalanced_gan.pipelines.wiring import bind

from .nodes import evaluate_classifier, train_classifier

#: The training set a classifier learns from besides the topped-up training part:
#: generated rows only (``Layout.synthetic_only``, paper 002's first experiment).
SYNTHETIC_ONLY = "synthetic_only"


def classifier_blocks(layout: Layout) -> list[tuple[str, str]]:
    """(label, parameters key) of each classifier: ``("", "classifier")`` for the one block,
    else ``(name, "classifiers.<name>")`` (an instance maps that key to its own block)."""
    if not layout.classifiers:
        return [("", "classifier")]
    return [(name, f"classifiers.{name}") for name in layout.classifiers]


def trainings(layout: Layout, method: str) -> list[str]:
    """The training sets of ``method``: ``""`` (the topped-up part) and maybe synthetic only."""
    return ["", SYNTHETIC_ONLY] if method in layout.synthetic_only else [""]


def output_prefix(layout: Layout, split: str, method: str, training: str, label: str) -> str:
    """``<dataset>.<split>.<method>[.synthetic_only][.<classifier>]``: a classifier's outputs."""
    return ".".join(p for p in (layout.dataset, split, method, training, label) if p)


def create_pipeline(layout: Layout, methods: tuple[str, ...] | None = None) -> Pipeline:
    ds, nodes = layout.dataset, []
    for split in layout.splits:
        for method in methods or layout.methods:
            node_ns = f"{ds}.{method}.{split}"  # nodes: per method, then split
            for training in trainings(layout, method):
                train_set = f"{ds}.{split}.{method}." + (
                    "train_synthetic_only" if training else "train_topped_up"
                )
                for label, key in classifier_blocks(layout):
                    out = output_prefix(layout, split, method, training, label)
                    suffix = "".join(f"_{p}" for p in (label, training) if p)
                    tags = [method, split, *([label] if label else [])]
                    nodes += [
                        Node(
                            bind(train_classifier, split=split, method=method),
                            inputs=[
                                train_set,
                                f"{ds}.{split}.valid_encoded",  # real rows, held out before top-up
                                "params:dataset",
                                f"params:{key}",
                                "params:seed",
                            ],
                            outputs=f"{out}.classifier",
                            name=f"train_classifier{suffix}",
                            namespace=node_ns,
                            tags=[*tags, "classifier"],
                        ),
                        Node(
                            bind(evaluate_classifier, split=split, method=method),
                            inputs=[
                                f"{out}.classifier",
                                f"{ds}.{split}.test_encoded",
                                "params:dataset",
                            ],
                            outputs=f"{out}.metrics",
                            name=f"evaluate_classifier{suffix}",
                            namespace=node_ns,
                            tags=[*tags, "metrics"],
                        ),
                    ]
    return Pipeline(nodes)
