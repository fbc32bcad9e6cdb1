"""Benchmark nodes: what the benchmark adds to the experiment template.

The benchmark is the experiment template (``pipelines/template.py``) once per dataset,
namespaced ``benchmark``: every split's encoder, sampler, topped-up set, classifier and
scores are nodes and versioned datasets of their own. These nodes add what only the
benchmark needs: classifiers trained on generated rows only (paper 002), one table of
scores per (dataset, method), the rows and samplers the diagnostics read, and the
diagnostics themselves.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, is_dataclass, replace
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from gan_oversamplers._random import derive_seed
from imbalanced_gan.lineage import record_rows
from imbalanced_gan.params import DatasetParams, GanSmoteParams, SamplerParams, TopUpParams
from imbalanced_gan.pipelines.oversampling.nodes import (
    fit_sampler,
    split_index,
    top_up_with_generators,
    train_generators,
)

from .report import diagnose_method

logger = logging.getLogger(__name__)

#: Identifying columns of a fold-results row (the scores follow).
ID_COLUMNS = ["dataset", "method", "classifier", "training", "split", "repeat"]


def synthetic_only(
    train: pd.DataFrame,
    dataset: DatasetParams,
    gan_smote: GanSmoteParams,
    schedule: str,
    samplers: SamplerParams,
    seed: int,
    *,
    split: str,
    method: str,
) -> pd.DataFrame:
    """A training part made only of generated rows, class for class as large as the real one.

    Paper 002's first experiment: a classifier trained on this and tested on real rows
    shows how much of the class structure the generator learnt.
    """
    y = train[dataset.target].astype(str).to_numpy()
    counts = dict(zip(*np.unique(y, return_counts=True), strict=True))
    counts = {str(k): int(v) for k, v in counts.items()}
    features = [c for c in train.columns if c not in (dataset.target, "is_synthetic")]
    if method == "gan_smote":
        gan_smote = replace(gan_smote, schedule=schedule)
        # every class gets a GAN (the largest one too), asked for as many rows as it has
        strategy = TopUpParams(sampling_strategy={k: 2 * v for k, v in counts.items()})
        generators = train_generators(dataset, strategy, gan_smote, seed, train, splits=[split])
        topped = top_up_with_generators(train, dataset, strategy, seed, *generators, split=split)
        return topped[topped["is_synthetic"]]  # negative row numbers, stamped with its rows
    sampler = fit_sampler(
        train,
        dataset,
        TopUpParams(),
        samplers,
        seed,
        split=split,
        method=method,
        counts=counts,
    )
    rows = sampler.generate(counts, random_state=derive_seed(seed, split_index(split), "synth"))
    parts = [
        pd.DataFrame(np.asarray(block, dtype=np.float64), columns=features).assign(
            **{dataset.target: label}
        )
        for label, block in rows.items()
    ]
    synthetic = pd.concat(parts, ignore_index=True).assign(is_synthetic=True)
    synthetic.index = -1 - np.arange(len(synthetic))  # no synthetic row passes for a real one
    return record_rows(synthetic, train)  # what its sampler learnt from


def collect_fold_results(*metrics: dict[str, Any], keys: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per (classifier, training, split) of one (dataset, method).

    ``keys[i]`` identifies ``metrics[i]`` (``training``: ``real``, the topped-up part, or
    ``synthetic_only``); its scores and AUC notes follow.
    """
    rows = []
    for ids, record in zip(keys, metrics, strict=True):
        rows.append({**ids, **record["scores"], **record.get("probability", {})})
    return pd.DataFrame(rows)


def collect_training_rows(
    *parts: Any, splits: list[str], n_generators: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every split's topped-up training part in one table, and each split's fitted sampler.

    ``parts``: the topped-up parts of ``splits``, then per split its ``n_generators``
    fitted models (GAN-SMOTE: one per class; a sampler: one; a baseline: none). The table
    has ``split`` and ``row`` columns (``row``: the validated table's row of a real row,
    -1 for a synthetic row), for the privacy and quality diagnostics.
    """
    n = len(splits)
    topped, models = parts[:n], parts[n:]
    samples, samplers = [], {}
    for i, split in enumerate(splits):
        real = ~topped[i]["is_synthetic"].to_numpy(dtype=bool)
        rows = np.where(real, topped[i].index.to_numpy(), -1)
        samples.append(topped[i].assign(split=split, row=rows))
        fitted = list(models[i * n_generators : (i + 1) * n_generators])
        samplers[split] = {"oversampler": fitted if n_generators > 1 else (fitted or [None])[0]}
    table = pd.concat(samples)
    table.columns = [str(c) for c in table.columns]
    return table.reset_index(drop=True), samplers


def diagnose(
    training_rows: pd.DataFrame,
    models: dict[str, Any],
    dataset_params: DatasetParams,
    benchmark: dict[str, Any],
    *,
    dataset: str,
    method: str,
) -> tuple[pd.DataFrame, pd.DataFrame, plt.Figure, plt.Figure]:
    """:func:`~imbalanced_gan.pipelines.benchmark.report.diagnose_method` of one instance."""
    spec = asdict(dataset_params) if is_dataclass(dataset_params) else dict(dataset_params)
    return diagnose_method(
        training_rows, models, {dataset: spec}, benchmark, dataset=dataset, method=method
    )
