"""Over-sampling pipeline: GAN training nodes (grouped per ``gan_smote.training``), top-up per split."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from imbalanced_gan.layout import Layout, slug
from imbalanced_gan.methods import get_method
from imbalanced_gan.pipelines.wiring import bind

from .nodes import (
    decode_synthetic_rows,
    fit_sampler,
    top_up_on_original_columns,
    top_up_with_baseline,
    top_up_with_generators,
    top_up_with_sampler,
    train_class_generator_on_schedule,
    train_generators_on_schedule,
)


def _generator_names(layout: Layout, split: str) -> list[str]:
    return [f"{layout.dataset}.{split}.gan_smote.generator_{slug(c)}" for c in layout.classes]


def _training_nodes(layout: Layout) -> list[Node]:
    """Per ``gan_smote.training``: a node per (split, class), per split, or one per run.

    All three write the same versioned generator per (split, class); only the grouping
    (and so the speed and what Airflow can spread over machines) differs.
    """
    ds = layout.dataset
    params = [
        "params:dataset",
        "params:top_up",
        "params:gan_smote",
        "params:gan_smote.schedule",  # an instance may map it (the benchmark's schedule)
        "params:seed",
    ]
    if layout.training == "per_class":
        return [
            Node(
                bind(train_class_generator_on_schedule, split=split, label=label),
                inputs=[f"{ds}.{split}.train_encoded", *params],
                outputs=output,
                name=f"train_generator_{slug(label)}",
                namespace=f"{ds}.gan_smote.{split}",
                tags=["gan_smote", "train_generator", split],
            )
            for split in layout.splits
            for label, output in zip(layout.classes, _generator_names(layout, split), strict=True)
        ]
    groups = (
        [[split] for split in layout.splits] if layout.training == "per_fold" else [layout.splits]
    )
    return [
        Node(
            bind(train_generators_on_schedule, splits=group),
            inputs=[*params, *(f"{ds}.{split}.train_encoded" for split in group)],
            outputs=[name for split in group for name in _generator_names(layout, split)],
            name="train_generators",
            namespace=f"{ds}.gan_smote.{group[0]}" if len(group) == 1 else f"{ds}.gan_smote",
            tags=["gan_smote", "train_generator", *group],
        )
        for group in groups
    ]


def gan_smote_pipeline(layout: Layout) -> Pipeline:
    ds, nodes = layout.dataset, _training_nodes(layout)
    for split in layout.splits:
        ns = f"{ds}.{split}.gan_smote"  # datasets: per split, then method
        node_ns = f"{ds}.gan_smote.{split}"  # nodes: per method, then split (kedro-viz groups)
        nodes.append(
            Node(
                bind(top_up_with_generators, split=split),
                inputs=[
                    f"{ds}.{split}.train_encoded",
                    "params:dataset",
                    "params:top_up",
                    "params:seed",
                    *_generator_names(layout, split),
                ],
                outputs=f"{ns}.train_topped_up",
                name="top_up",
                namespace=node_ns,
                tags=["gan_smote", "top_up", split],
            )
        )
        nodes.append(
            Node(
                decode_synthetic_rows,
                inputs=[f"{ns}.train_topped_up", f"{ds}.{split}.encoder", "params:dataset"],
                outputs=f"{ns}.synthetic_rows",
                name="decode_synthetic_rows",
                namespace=node_ns,
                tags=["gan_smote", split],
            )
        )
    return Pipeline(nodes)


def method_pipeline(layout: Layout, method: str) -> Pipeline:
    """Per split, ``method``'s top-up of the training part, as its registry family says."""
    family = get_method(method, "tabular").family
    if family == "per_class_gans":
        return gan_smote_pipeline(layout)
    if family == "sampler":
        return sampler_pipeline(layout, method)
    return baseline_pipeline(layout, method)


def sampler_pipeline(layout: Layout, method: str) -> Pipeline:
    """A generative table sampler per split: fit (saved), top up, decode the new rows."""
    ds, nodes = layout.dataset, []
    for split in layout.splits:
        ns, node_ns = f"{ds}.{split}.{method}", f"{ds}.{method}.{split}"
        tags = [method, split]
        nodes += [
            Node(
                bind(fit_sampler, split=split, method=method),
                inputs=[
                    f"{ds}.{split}.train_encoded",
                    "params:dataset",
                    "params:top_up",
                    "params:samplers",
                    "params:seed",
                ],
                outputs=f"{ns}.sampler",
                name="fit_sampler",
                namespace=node_ns,
                tags=[*tags, "train_generator"],
            ),
            Node(
                bind(top_up_with_sampler, split=split, method=method),
                inputs=[
                    f"{ds}.{split}.train_encoded",
                    "params:dataset",
                    "params:top_up",
                    "params:seed",
                    f"{ns}.sampler",
                ],
                outputs=f"{ns}.train_topped_up",
                name="top_up",
                namespace=node_ns,
                tags=[*tags, "top_up"],
            ),
            Node(
                decode_synthetic_rows,
                inputs=[f"{ns}.train_topped_up", f"{ds}.{split}.encoder", "params:dataset"],
                outputs=f"{ns}.synthetic_rows",
                name="decode_synthetic_rows",
                namespace=node_ns,
                tags=tags,
            ),
        ]
    return Pipeline(nodes)


def baseline_pipeline(layout: Layout, method: str) -> Pipeline:
    """A top-up node per split; SMOTENC / SMOTEN also read the split's encoder."""
    ds = layout.dataset
    categorical = get_method(method, "tabular").original_columns
    func = top_up_on_original_columns if categorical else top_up_with_baseline
    return Pipeline(
        [
            Node(
                bind(func, split=split, method=method),
                inputs=[
                    f"{ds}.{split}.train_encoded",
                    *([f"{ds}.{split}.encoder"] if categorical else []),
                    "params:dataset",
                    "params:top_up",
                    "params:baselines",
                    "params:seed",
                ],
                outputs=f"{ds}.{split}.{method}.train_topped_up",
                name="top_up",
                namespace=f"{ds}.{method}.{split}",
                tags=[method, "top_up", split],
            )
            for split in layout.splits
        ]
    )
