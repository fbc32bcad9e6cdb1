"""The experiment template: one dataset, its folds, and per split every method and classifier.

``validate -> folds -> per split: encode (fitted on the split's training part) -> per
method: sampler training and top-up (as the method's registry family says) ->
classifier(s) -> scores``. Every tabular pipeline is an instance of it:

- ``gan_smote`` and each per-method pipeline (``smote``, ``cgan``, ...): the template on
  ``dataset``, plus the reporting pipeline;
- ``benchmark``: the template once per dataset of ``benchmark.datasets``, namespaced
  ``benchmark`` with Kedro's ``Pipeline(template, namespace=..., parameters=...)``, which
  maps the template's ``params:dataset``, ``params:folds``, ``params:classifiers.<name>``
  and ``params:gan_smote.schedule`` to the benchmark's blocks, plus the statistics.

Dataset names are ``<dataset>.<split>.<method>...``; node namespaces
``<dataset>.<method>.<split>`` so that kedro-viz folds a method's nodes into one group.
"""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from imbalanced_gan.layout import Layout
from imbalanced_gan.pipelines import classification, encoding, folds, ingestion, oversampling


def experiment_pipeline(layout: Layout, *, extra_nodes: Pipeline | None = None) -> Pipeline:
    """The template laid out for ``layout`` (validate -> ... -> scores), without its report."""
    parts = [
        ingestion.pipeline.create_pipeline(layout),
        folds.pipeline.create_pipeline(layout),
        encoding.pipeline.create_pipeline(layout),
        *(oversampling.pipeline.method_pipeline(layout, m) for m in layout.methods),
        *([extra_nodes] if extra_nodes is not None else []),
        classification.pipeline.create_pipeline(layout),
    ]
    return Pipeline([node for part in parts for node in part.nodes])


def namespaced(
    template: Pipeline | list[Node], namespace: str, parameters: dict[str, str] | None = None
) -> Pipeline:
    """``template`` as a namespaced instance: its nodes and datasets get ``namespace.``.

    Parameters keep their names (``params:seed`` stays shared) unless ``parameters`` maps
    them (``{"dataset": "benchmark_datasets.ecoli4"}``); a mapping of a parameter that no
    node reads (``gan_smote.schedule`` without GAN-SMOTE) is ignored.
    """
    nodes = template.nodes if isinstance(template, Pipeline) else template
    used = {name[7:] for node in nodes for name in node.inputs if name.startswith("params:")}
    mapping = {p: (parameters or {}).get(p, p) for p in used}  # maps only what is read
    return Pipeline(nodes, namespace=namespace, parameters=mapping)
