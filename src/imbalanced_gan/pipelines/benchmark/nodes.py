"""Benchmark nodes: every method on every dataset, on identical folds, with statistics.

One node per (dataset, method) runs all of that dataset's splits: it encodes each
training part (fitted on it alone), tops it up with the method, trains every
configured classifier and scores it on the untouched test part. The pieces are the
same functions the per-method pipelines use, called in a loop, so that a grid of
datasets x methods stays a few hundred nodes instead of tens of thousands.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from gan_oversamplers._random import derive_seed
from imbalanced_gan.layout import BASELINE_METHODS, GENERATIVE_METHODS
from imbalanced_gan.params import (
    BaselineParams,
    ClassifierParams,
    DatasetParams,
    FoldParams,
    GanSmoteParams,
    SamplerParams,
    TopUpParams,
)
from imbalanced_gan.pipelines.classification.nodes import evaluate_classifier, train_classifier
from imbalanced_gan.pipelines.encoding.nodes import encode_fold
from imbalanced_gan.pipelines.folds.nodes import make_folds
from imbalanced_gan.pipelines.ingestion.nodes import validate_table
from imbalanced_gan.pipelines.oversampling.nodes import (
    CATEGORICAL_BASELINES,
    fit_sampler,
    split_index,
    top_up_on_original_columns,
    top_up_with_baseline,
    top_up_with_generators,
    top_up_with_sampler,
    train_generators,
)

logger = logging.getLogger(__name__)

#: Score columns of a fold-results row (besides the identifying columns).
ID_COLUMNS = ["dataset", "method", "classifier", "training", "split", "repeat"]


def dataset_params(name: str, specs: dict[str, dict[str, Any]]) -> DatasetParams:
    """The :class:`DatasetParams` of benchmark dataset ``name`` from ``benchmark_datasets``."""
    if name not in specs:
        raise KeyError(
            f"Benchmark dataset {name!r} has no entry in benchmark_datasets "
            f"(known: {sorted(specs)}); add its target and classes to conf/"
        )
    return DatasetParams(name=name, **specs[name])


def classifier_params(name: str, specs: dict[str, dict[str, Any]]) -> ClassifierParams:
    """The :class:`ClassifierParams` of benchmark classifier ``name``."""
    if name not in specs:
        raise KeyError(
            f"Benchmark classifier {name!r} has no entry in benchmark_classifiers "
            f"(known: {sorted(specs)})"
        )
    return ClassifierParams(**specs[name])


def validate_benchmark_table(
    raw_table: pd.DataFrame, specs: dict[str, dict[str, Any]], *, dataset: str
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """:func:`~imbalanced_gan.pipelines.ingestion.nodes.validate_table` for one dataset."""
    return validate_table(raw_table, dataset_params(dataset, specs))


def benchmark_folds(
    table: pd.DataFrame,
    specs: dict[str, dict[str, Any]],
    benchmark: dict[str, Any],
    seed: int,
    *,
    dataset: str,
) -> pd.DataFrame:
    """Repeated stratified K-fold of one dataset; every method is scored on these."""
    folds = FoldParams(**benchmark.get("folds", {}))
    return make_folds(table, dataset_params(dataset, specs), folds, derive_seed(seed, dataset))


def _splits(fold_indices: pd.DataFrame) -> list[tuple[str, int]]:
    pairs = fold_indices[["split", "repeat"]].drop_duplicates().sort_values("split")
    return [(str(s), int(r)) for s, r in pairs.itertuples(index=False)]


def _gan_smote_top_up(
    train: pd.DataFrame,
    dataset: DatasetParams,
    top_up: TopUpParams,
    gan_smote: GanSmoteParams,
    seed: int,
    split: str,
) -> tuple[pd.DataFrame, list[Any]]:
    generators = train_generators(dataset, top_up, gan_smote, seed, train, splits=[split])
    topped = top_up_with_generators(train, dataset, top_up, seed, *generators, split=split)
    return topped, generators


def oversample(
    method: str,
    train: pd.DataFrame,
    encoder: Any,
    dataset: DatasetParams,
    top_up: TopUpParams,
    baselines: BaselineParams,
    gan_smote: GanSmoteParams,
    samplers: SamplerParams,
    seed: int,
    split: str,
) -> tuple[pd.DataFrame, Any]:
    """Top up one split's training part with ``method``; returns it and the fitted model."""
    if method == "gan_smote":
        return _gan_smote_top_up(train, dataset, top_up, gan_smote, seed, split)
    if method in CATEGORICAL_BASELINES:
        topped = top_up_on_original_columns(
            train, encoder, dataset, top_up, baselines, seed, split=split, method=method
        )
        return topped, None
    if method in BASELINE_METHODS:
        topped = top_up_with_baseline(
            train, dataset, top_up, baselines, seed, split=split, method=method
        )
        return topped, None
    if method in GENERATIVE_METHODS:
        sampler = fit_sampler(train, dataset, top_up, samplers, seed, split=split, method=method)
        topped = top_up_with_sampler(
            train, dataset, top_up, seed, sampler, split=split, method=method
        )
        return topped, sampler
    raise ValueError(f"Unknown benchmark method {method!r}")


def synthetic_only(
    method: str,
    train: pd.DataFrame,
    dataset: DatasetParams,
    gan_smote: GanSmoteParams,
    samplers: SamplerParams,
    seed: int,
    split: str,
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
        # every class gets a GAN (the largest one too), asked for as many rows as it has
        strategy = TopUpParams(sampling_strategy={k: 2 * v for k, v in counts.items()})
        generators = train_generators(dataset, strategy, gan_smote, seed, train, splits=[split])
        topped = top_up_with_generators(train, dataset, strategy, seed, *generators, split=split)
        return topped[topped["is_synthetic"]].reset_index(drop=True)
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
    return pd.concat(parts, ignore_index=True).assign(is_synthetic=True)


def _score_rows(
    record: dict[str, Any], ids: dict[str, Any], seconds: dict[str, float]
) -> dict[str, Any]:
    row = {**ids, **record["scores"], **seconds}
    for key, value in record.get("probability", {}).items():
        row[key] = value
    return row


def run_method_on_dataset(
    table: pd.DataFrame,
    fold_indices: pd.DataFrame,
    specs: dict[str, dict[str, Any]],
    classifier_specs: dict[str, dict[str, Any]],
    benchmark: dict[str, Any],
    top_up: TopUpParams,
    baselines: BaselineParams,
    gan_smote: GanSmoteParams,
    samplers: SamplerParams,
    seed: int,
    *,
    dataset: str,
    method: str,
) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame]:
    """Score ``method`` on every split of ``dataset`` with every benchmark classifier.

    Returns
    -------
    fold_results : DataFrame
        One row per (classifier, training, split): ``training`` is ``real`` (the
        topped-up training part) or ``synthetic_only`` (where configured).
    models : dict
        Per split: the fitted over-sampler (``None`` for the imbalanced-learn
        baselines) and the fitted classifiers.
    synthetic_rows : DataFrame
        Every split's training part with its synthetic rows (encoded, ``split`` and
        ``is_synthetic`` columns), for the privacy and quality diagnostics.
    """
    params = dataset_params(dataset, specs)
    if benchmark.get("gan_smote_schedule"):
        gan_smote = replace(gan_smote, schedule=benchmark["gan_smote_schedule"], verbose=False)
    classifiers = {
        name: classifier_params(name, classifier_specs) for name in benchmark["classifiers"]
    }
    synth_cfg = benchmark.get("fully_synthetic", {}) or {}
    wants_synthetic = dataset in synth_cfg.get("datasets", []) and method in synth_cfg.get(
        "methods", []
    )
    results, models, samples = [], {}, []
    splits = _splits(fold_indices)
    started_all = time.perf_counter()
    for position, (split, repeat) in enumerate(splits, start=1):
        encoder, train, valid, test = encode_fold(table, fold_indices, params, split=split)
        started = time.perf_counter()
        topped, model = oversample(
            method, train, encoder, params, top_up, baselines, gan_smote, samplers, seed, split
        )
        seconds = {"seconds_oversampling": time.perf_counter() - started}
        fitted = {}
        training_sets = {"real": topped}
        if wants_synthetic:
            training_sets["synthetic_only"] = synthetic_only(
                method, train, params, gan_smote, samplers, seed, split
            )
        for training, part in training_sets.items():
            for name, clf_params in classifiers.items():
                started = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    clf = train_classifier(
                        part,
                        valid,
                        params,
                        clf_params,
                        derive_seed(seed, split_index(split), name),
                        split=split,
                        method=method,
                    )
                record = evaluate_classifier(clf, test, params, split=split, method=method)
                ids = {
                    "dataset": dataset,
                    "method": method,
                    "classifier": name,
                    "training": training,
                    "split": split,
                    "repeat": repeat,
                }
                timing = {**seconds, "seconds_classifier": time.perf_counter() - started}
                results.append(_score_rows(record, ids, timing))
                if training == "real":
                    fitted[name] = clf
        models[split] = {"oversampler": model, "classifiers": fitted}
        # real rows come first, unchanged: keep their row numbers (-1: synthetic)
        rows = np.full(len(topped), -1)
        rows[: len(train)] = train.index.to_numpy()
        samples.append(topped.assign(split=split, row=rows))
        logger.info(
            "benchmark %s/%s: split %d/%d done (%.0f s so far)",
            dataset,
            method,
            position,
            len(splits),
            time.perf_counter() - started_all,
        )
    synthetic_rows = pd.concat(samples)
    synthetic_rows.columns = [str(c) for c in synthetic_rows.columns]
    return pd.DataFrame(results), models, synthetic_rows.reset_index(drop=True)
