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
    ClassifierParams,
    DatasetParams,
    FoldParams,
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
        "gan_smote_schedule": "tiny",
        "fully_synthetic": {"datasets": ["toy_numeric"], "methods": ["gan_smote"]},
        "primary_metric": "f1_macro",
        "alpha": 0.05,
        "compare_against": ["no_oversampling"],
        "diagnostics_split": "fold_00",
    },
    "benchmark_datasets": {
        "toy": {
            "name": "toy",
            "target": "label",
            "classes": ["a", "b", "c"],
            "categorical_columns": ["colour"],
        },
        "toy_numeric": {
            "name": "toy_numeric",
            "target": "label",
            "classes": ["a", "b", "c"],
            "positive_label": "c",
        },
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


#: The typed blocks Kedro's parameter validation hands the benchmark instances' nodes.
TYPED = {
    "benchmark_datasets.": DatasetParams,
    "benchmark_classifiers.": ClassifierParams,
    "benchmark.folds": FoldParams,
}


def nested(params: dict, key: str):
    """``params:a.b`` as Kedro resolves it (typed where a node's hint asks for it)."""
    value = params
    for part in key.split("."):
        value = value[part]
    for prefix, cls in TYPED.items():
        if key.startswith(prefix):
            return cls(**value)
    return value


def run_benchmark(params: dict = PARAMS, edit=None) -> DataCatalog:
    grid = benchmark_layout_from_params(params)
    pipeline = create_pipeline(grid)
    if edit is not None:
        pipeline = edit(pipeline)
    catalog = DataCatalog(
        {f"benchmark.{name}.raw_table": MemoryDataset(t) for name, t in tables().items()}
    )
    catalog["params:top_up"] = TopUpParams()
    catalog["params:baselines"] = BaselineParams(smote={"k_neighbors": 3})
    catalog["params:samplers"] = SamplerParams()
    catalog["params:gan_smote"] = GanSmoteParams(
        schedule="tiny", schedules={"tiny": TINY}, network={"generator_dims": [8, 8]}
    )
    for name in sorted(pipeline.inputs()):
        if name.startswith("params:") and name not in catalog:
            catalog[name] = nested(params, name[len("params:") :])
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


def test_every_split_has_its_own_saved_sampler_and_classifiers(catalog):
    """The template's intermediates are datasets of their own, per split and classifier."""
    models = catalog.load("benchmark.toy_numeric.gan_smote.models")
    assert set(models) == {f"fold_{i:02d}" for i in range(6)}
    assert len(models["fold_00"]["oversampler"]) == 3  # a GAN-SMOTE generator per class
    for split in models:
        for clf in ("tree", "mlp"):
            assert hasattr(
                catalog.load(f"benchmark.toy_numeric.{split}.gan_smote.{clf}.classifier"),
                "predict",
            )
    metrics = catalog.load("benchmark.toy_numeric.fold_00.gan_smote.tree.metrics")
    assert metrics["positive_label"] == "c"  # positive_label from the dataset's block


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


@pytest.mark.parametrize("training", ["per_run", "per_fold", "per_class"])
def test_the_benchmark_graph_is_the_template_namespaced(training):
    """Per dataset and split: encoder, sampler, top-up and classifier nodes of their own,
    all under the ``benchmark`` namespace, whatever the GAN-SMOTE training layout."""
    import warnings

    params = {**PARAMS, "benchmark": {**PARAMS["benchmark"], "training": training}}
    grid = benchmark_layout_from_params(params)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Kedro warns when a namespace is interrupted
        pipeline = create_pipeline(grid)
        groups = pipeline.group_nodes_by(group_by="namespace")
    assert [g.name for g in groups] == ["benchmark"]
    names = {n.name for n in pipeline.nodes}
    for ds in ("toy", "toy_numeric"):
        for split in (f"fold_{i:02d}" for i in range(6)):
            assert f"benchmark.{ds}.encoding.{split}.encode_fold" in names
            assert f"benchmark.{ds}.cgan.{split}.fit_sampler" not in names  # not in the grid
            assert f"benchmark.{ds}.smote.{split}.top_up" in names
            for clf in ("tree", "mlp"):
                assert f"benchmark.{ds}.smote.{split}.train_classifier_{clf}" in names
    generators = {
        "per_run": "benchmark.toy.gan_smote.train_generators",
        "per_fold": "benchmark.toy.gan_smote.fold_03.train_generators",
        "per_class": "benchmark.toy.gan_smote.fold_03.train_generator_b",
    }
    assert generators[training] in names
    # the template's parameters are mapped to the benchmark's blocks, the rest shared
    assert {p for p in pipeline.inputs() if p.startswith("params:")} == {
        "params:seed",
        "params:top_up",
        "params:baselines",
        "params:samplers",
        "params:gan_smote",
        "params:benchmark",
        "params:benchmark.folds",
        "params:benchmark.gan_smote_schedule",
        "params:benchmark_datasets.toy",
        "params:benchmark_datasets.toy_numeric",
        "params:benchmark_classifiers.tree",
        "params:benchmark_classifiers.mlp",
    }


def test_a_benchmark_dataset_block_names_itself():
    specs = {**PARAMS["benchmark_datasets"], "toy": {**PARAMS["benchmark_datasets"]["toy"]}}
    specs["toy"]["name"] = "other"
    with pytest.raises(ValueError, match=r"benchmark_datasets\.toy\.name must be 'toy'"):
        benchmark_layout_from_params({**PARAMS, "benchmark_datasets": specs})
    bad = {**PARAMS, "benchmark": {**PARAMS["benchmark"], "classifiers": ["tree", "svm"]}}
    with pytest.raises(ValueError, match="svm"):
        benchmark_layout_from_params(bad)


def test_every_fitted_object_of_the_benchmark_saw_only_its_splits_training_rows(catalog):
    """The lineage check of the gan_smote pipeline holds for every benchmark instance:
    encoders, samplers, generators, topped-up sets and classifiers (fully synthetic ones
    too) learnt only from their own split's training part."""
    from imbalanced_gan.lineage import check_lineage, fitted_datasets

    names = [n for n in catalog.filter() if n.startswith("benchmark.")]
    for dataset in ("toy", "toy_numeric"):
        objects = {
            key: catalog.load(name)
            for key, name in fitted_datasets(n for n in names if f".{dataset}." in n).items()
        }
        kinds = {what.split(".")[-1] for _, what in objects}
        assert {"encoder", "train_topped_up", "classifier"} <= kinds
        assert any(k.startswith("generator_") for k in kinds)
        assert any("synthetic_only" in what for _, what in objects) == (dataset == "toy_numeric")
        folds = catalog.load(f"benchmark.{dataset}.fold_indices")
        assert check_lineage(folds, objects) == len(objects)


def test_the_benchmark_lineage_check_fails_when_a_sampler_sees_another_splits_rows():
    """Mutation: fold_00's SMOTE top-up reads fold_01's training part (which holds fold_00's
    test rows); the same check must name the leak."""
    from kedro.pipeline import Node, Pipeline

    from imbalanced_gan.lineage import LeakageError, check_lineage, fitted_datasets

    bench = {
        **PARAMS["benchmark"],
        "datasets": ["toy_numeric"],
        "methods": ["no_oversampling", "smote"],
        "classifiers": ["tree"],
        "folds": {"n_splits": 3, "n_repeats": 1},
        "fully_synthetic": {},
    }
    wrong, right = "benchmark.toy_numeric.fold_01.", "benchmark.toy_numeric.fold_00."

    def edit(pipeline):
        nodes = []
        for node in pipeline.nodes:
            if f"{right}smote.train_topped_up" in node.outputs:
                inputs = [
                    i.replace(f"{right}train_encoded", f"{wrong}train_encoded") for i in node.inputs
                ]
                node = Node(
                    node.func, inputs, node.outputs[0], name=node.name, namespace=node.namespace
                )
            nodes.append(node)
        return Pipeline(nodes)

    catalog = run_benchmark({**PARAMS, "benchmark": bench}, edit)
    names = [n for n in catalog.filter() if n.startswith("benchmark.toy_numeric.")]
    objects = {key: catalog.load(name) for key, name in fitted_datasets(names).items()}
    with pytest.raises(LeakageError, match=r"fold_00/smote\.(train_topped_up|tree\.classifier)"):
        check_lineage(catalog.load("benchmark.toy_numeric.fold_indices"), objects)
