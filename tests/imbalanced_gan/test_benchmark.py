"""The benchmark pipeline in memory: identical folds, honest splits, statistics, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from imbalanced_gan.layout import benchmark_layout_from_params
from imbalanced_gan.params import (
    BaselineParams,
    GanSmoteParams,
    SamplerParams,
    TopUpParams,
)
from imbalanced_gan.pipelines.benchmark.pipeline import create_pipeline
from imbalanced_gan.pipelines.oversampling import nodes as oversampling_nodes
from tests.conftest import TINY, make_mixed_table

METHODS = ["no_oversampling", "random_oversampling", "smote", "gan_smote"]
PARAMS = {
    "seed": 5,
    "benchmark": {
        "datasets": ["toy", "toy_numeric"],
        "methods": METHODS,
        "classifiers": ["tree", "mlp"],
        "folds": {"n_splits": 3, "n_repeats": 2},
        "fully_synthetic": {"datasets": ["toy_numeric"], "methods": ["gan_smote"]},
        "primary_metric": "f1_macro",
        "alpha": 0.05,
        "compare_against": ["no_oversampling"],
        "diagnostics_split": "fold_00",
    },
    "benchmark_datasets": {
        "toy": {"target": "label", "classes": ["a", "b", "c"], "categorical_columns": ["colour"]},
        "toy_numeric": {"target": "label", "classes": ["a", "b", "c"], "positive_label": "c"},
    },
    "benchmark_classifiers": {
        "tree": {"name": "decision_tree", "decision_tree": {"max_depth": 3}},
        "mlp": {"name": "mlp", "mlp": {"max_iter": 20, "early_stopping": False}},
    },
}


class KeptDataset(MemoryDataset):
    def _release(self) -> None:
        pass


def tables() -> dict[str, pd.DataFrame]:
    mixed = make_mixed_table().drop(columns="shape")
    return {"toy": mixed, "toy_numeric": mixed.drop(columns="colour")}


def run_benchmark(params: dict = PARAMS) -> DataCatalog:
    grid = benchmark_layout_from_params(params)
    pipeline = create_pipeline(grid)
    catalog = DataCatalog(
        {f"benchmark.{name}.raw_table": MemoryDataset(t) for name, t in tables().items()}
    )
    catalog["params:seed"] = params["seed"]
    for key in ("benchmark", "benchmark_datasets", "benchmark_classifiers"):
        catalog[f"params:{key}"] = params[key]
    catalog["params:top_up"] = TopUpParams()
    catalog["params:baselines"] = BaselineParams(smote={"k_neighbors": 3})
    catalog["params:samplers"] = SamplerParams()
    catalog["params:gan_smote"] = GanSmoteParams(
        schedule="tiny", schedules={"tiny": TINY}, network={"generator_dims": [8, 8]}
    )
    for name in pipeline.datasets():
        if name not in catalog:
            catalog[name] = KeptDataset(copy_mode="assign")
    SequentialRunner().run(pipeline, catalog)
    return catalog


@pytest.fixture(scope="module")
def catalog() -> DataCatalog:
    return run_benchmark()


def test_every_cell_of_the_grid_is_scored_on_the_same_splits(catalog):
    results = catalog.load("benchmark.results")
    real = results[results["training"] == "real"]
    # 2 datasets x 4 methods x 2 classifiers x (3 folds x 2 repeats)
    assert len(real) == 2 * 4 * 2 * 6
    splits = real.groupby(["dataset", "method", "classifier"])["split"].apply(frozenset)
    assert splits.nunique() == 1 and len(splits.iloc[0]) == 6
    assert set(real["repeat"]) == {0, 1}
    for column in ("f1_macro", "balanced_accuracy", "f1_minority", "roc_auc", "pr_auc"):
        assert real[column].between(0, 1).all(), column


def test_methods_see_identical_test_rows(catalog):
    """Every method's classifiers are scored on the same test rows of each split."""
    for dataset in ("toy", "toy_numeric"):
        folds = catalog.load(f"benchmark.{dataset}.fold_indices")
        rows = catalog.load(f"benchmark.{dataset}.no_oversampling.training_rows")
        for split, part in rows.groupby("split"):
            train = set(folds[(folds["split"] == split) & (folds["part"] == "train")]["row"])
            test = set(folds[(folds["split"] == split) & (folds["part"] == "test")]["row"])
            assert set(part["row"]) == train and not (train & test)
        smote = catalog.load(f"benchmark.{dataset}.smote.training_rows")
        real = smote[~smote["is_synthetic"]]
        assert (smote[smote["is_synthetic"]]["row"] == -1).all()
        assert (
            real.groupby("split")["row"].apply(set).equals(rows.groupby("split")["row"].apply(set))
        )


def test_synthetic_rows_only_in_training_parts_and_counts_follow_the_top_up(catalog):
    rows = catalog.load("benchmark.toy.smote.training_rows")
    for _, part in rows.groupby("split"):
        real = part[~part["is_synthetic"]]
        counts = part["label"].value_counts()
        assert counts.nunique() == 1  # every class topped up to the largest
        assert real["label"].value_counts().max() == counts.max()
    baseline = catalog.load("benchmark.toy.no_oversampling.training_rows")
    assert not baseline["is_synthetic"].any()


def test_positive_label_from_conf_is_used(catalog):
    models = catalog.load("benchmark.toy_numeric.gan_smote.models")
    assert set(models) == {f"fold_{i:02d}" for i in range(6)}
    assert set(models["fold_00"]["classifiers"]) == {"tree", "mlp"}
    assert len(models["fold_00"]["oversampler"]) == 3  # a GAN-SMOTE generator per class


def test_fully_synthetic_training_is_scored_where_configured(catalog):
    results = catalog.load("benchmark.results")
    synthetic = results[results["training"] == "synthetic_only"]
    assert set(synthetic["dataset"]) == {"toy_numeric"}
    assert set(synthetic["method"]) == {"gan_smote"}
    assert len(synthetic) == 2 * 6  # classifiers x splits


def test_statistics_and_reports(catalog):
    ranks = catalog.load("benchmark.average_ranks")
    assert set(ranks["method"]) == set(METHODS)
    # 2 problems (one per dataset, classifiers averaged): ranks average to (k + 1) / 2
    assert ranks["average_rank"].mean() == pytest.approx((len(METHODS) + 1) / 2)
    friedman = catalog.load("benchmark.friedman")
    assert friedman["n_problems"] == 2 and 0 <= friedman["p_value"] <= 1
    assert set(friedman["per_classifier"]) == {"tree", "mlp"}
    posthoc = catalog.load("benchmark.posthoc")
    assert len(posthoc) == len(METHODS) * (len(METHODS) - 1) // 2
    wtl = catalog.load("benchmark.win_tie_loss")
    assert (wtl[["wins", "ties", "losses"]].sum(axis=1) == 2).all()
    privacy = catalog.load("benchmark.privacy_table")
    ros = privacy[
        (privacy["method"] == "random_oversampling") & (privacy["class"] == "(all classes)")
    ]
    assert (ros["copy_share"] == 1).all()  # random over-sampling copies real rows
    report = catalog.load("benchmark.report_markdown")
    assert "## Friedman test" in report and "synthetic rows only" in report
    assert "## Paired differences per dataset (corrected resampled t-test)" in report
    assert "Reproduction" in catalog.load("benchmark.reproduction_markdown")
    assert catalog.load("benchmark.cd_diagram").axes


def test_the_benchmark_is_reproducible(catalog):
    again = run_benchmark()
    first, second = catalog.load("benchmark.results"), again.load("benchmark.results")
    cols = [c for c in first.columns if not c.startswith("seconds_")]
    pd.testing.assert_frame_equal(first[cols], second[cols])


def test_unknown_method_or_dataset_spec_is_named():
    bad = {**PARAMS, "benchmark": {**PARAMS["benchmark"], "methods": ["smote", "gan-smote"]}}
    with pytest.raises(ValueError, match="gan-smote"):
        benchmark_layout_from_params(bad)
    missing = {**PARAMS, "benchmark": {**PARAMS["benchmark"], "datasets": ["toy", "pima"]}}
    with pytest.raises(ValueError, match="pima"):
        benchmark_layout_from_params(missing)


def test_categorical_baselines_decode_and_reencode(mixed_table):
    """SMOTENC works on the decoded columns; its new rows are valid one-hot rows."""
    from gan_oversamplers import TableEncoder
    from imbalanced_gan.params import DatasetParams

    train = mixed_table.drop(columns="shape")
    encoder = TableEncoder(["colour"], ["size", "weight"]).fit(train)
    encoded = encoder.transform(train).assign(label=train["label"])
    dataset = DatasetParams(name="toy", target="label", classes=["a", "b", "c"])

    def top_up(method):
        return oversampling_nodes.top_up_on_original_columns(
            encoded,
            encoder,
            dataset,
            TopUpParams(),
            BaselineParams(),
            1,
            split="fold_00",
            method=method,
        )

    topped = top_up("smotenc")
    new = topped[topped["is_synthetic"]]
    assert new["label"].value_counts().to_dict() == {"b": 10, "c": 20}
    onehot = new[[c for c in new.columns if c.startswith("colour=")]].to_numpy()
    assert np.array_equal(onehot.sum(axis=1), np.ones(len(new)))
    with pytest.raises(ValueError, match="SMOTEN is for categorical columns only"):
        top_up("smoten")
