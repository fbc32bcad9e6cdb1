"""The gan_smote pipeline run in memory with SequentialRunner, and the leakage guarantees."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

import gan_oversamplers
from imbalanced_gan.layout import layout_from_params
from imbalanced_gan.params import (
    BaselineParams,
    ClassifierParams,
    DatasetParams,
    EvaluationParams,
    FoldParams,
    GanSmoteParams,
    TopUpParams,
)
from imbalanced_gan.pipeline_registry import method_pipeline
from tests.conftest import TINY, make_mixed_table

PARAMS = {
    "seed": 3,
    "dataset": {
        "name": "toy",
        "target": "label",
        "classes": ["a", "b", "c"],
        "categorical_columns": ["colour", "shape"],
        "drop_columns": ["row_id"],
    },
    "folds": {"n_splits": 3, "n_repeats": 1},
    "evaluation": {"compare_metrics": ["accuracy", "f1_macro"]},
    "top_up": {"sampling_strategy": "auto"},
    "baselines": {"smote": {"k_neighbors": 5}},
    "classifier": {"name": "mlp", "mlp": {"max_iter": 40}},
    "gan_smote": {
        "schedule": "tiny",
        "schedules": {"tiny": TINY},
        "network": {"generator_dims": [8, 8]},
        "compare_with": ["no_oversampling", "random_oversampling", "smote"],
    },
}
TYPES = {
    "dataset": DatasetParams,
    "folds": FoldParams,
    "evaluation": EvaluationParams,
    "top_up": TopUpParams,
    "baselines": BaselineParams,
    "classifier": ClassifierParams,
    "gan_smote": GanSmoteParams,
}


class KeptDataset(MemoryDataset):
    """A MemoryDataset that the runner cannot release, so a test can inspect it."""

    def _release(self) -> None:
        pass


def run_pipeline(table: pd.DataFrame, params: dict = PARAMS) -> tuple[DataCatalog, dict]:
    layout = layout_from_params(params, "test")
    pipeline = method_pipeline(layout, layout.methods)
    catalog = DataCatalog({"toy.raw_table": MemoryDataset(table)})
    catalog["params:seed"] = params["seed"]
    for key, kind in TYPES.items():
        catalog[f"params:{key}"] = kind(**params[key])
    catalog["params:gan_smote.schedule"] = params["gan_smote"]["schedule"]
    for name in pipeline.datasets():  # keep every intermediate for inspection
        if name not in catalog:
            catalog[name] = KeptDataset(copy_mode="assign")
    SequentialRunner().run(pipeline, catalog)
    return catalog, {"layout": layout, "pipeline": pipeline}


@pytest.fixture(scope="module")
def toy_table() -> pd.DataFrame:
    return make_mixed_table().drop(columns="weight").assign(row_id=range(60))  # dropped by conf


@pytest.fixture(scope="module")
def spied_run(toy_table):
    """Run once, recording what every encoder and generator was fitted on."""
    seen = {"encoder": [], "generator": []}
    mp = pytest.MonkeyPatch()
    encoder_fit, prepare = (
        gan_oversamplers.TableEncoder.fit,
        gan_oversamplers.GANSMOTEGenerator._prepare,
    )

    def spy_encoder(self, table):
        seen["encoder"].append(table.index.to_numpy())
        return encoder_fit(self, table)

    def spy_generator(self, X):  # every GAN's rows pass through _prepare before training
        seen["generator"].append((self.label, np.asarray(X)))
        return prepare(self, X)

    mp.setattr(gan_oversamplers.TableEncoder, "fit", spy_encoder)
    mp.setattr(gan_oversamplers.GANSMOTEGenerator, "_prepare", spy_generator)
    try:
        catalog, info = run_pipeline(toy_table)
    finally:
        mp.undo()
    return catalog, info, seen


def with_training(training: str) -> dict:
    return {**PARAMS, "gan_smote": {**PARAMS["gan_smote"], "training": training}}


def test_pipeline_shape_follows_the_training_layout(spied_run):
    _, info, _ = spied_run  # the default: per_run, one node trains every GAN
    names = {n.name for n in info["pipeline"].nodes}
    assert "toy.gan_smote.train_generators" in names and "toy.reporting.summarise_metrics" in names
    per_class = {
        n.name
        for n in method_pipeline(
            layout_from_params(with_training("per_class"), "t"), ("gan_smote",)
        ).nodes
    }
    per_fold = {
        n.name
        for n in method_pipeline(
            layout_from_params(with_training("per_fold"), "t"), ("gan_smote",)
        ).nodes
    }
    for split in ("fold_00", "fold_01", "fold_02"):
        assert f"toy.gan_smote.{split}.train_generators" in per_fold
        for label in "abc":
            assert f"toy.gan_smote.{split}.train_generator_{label}" in per_class


def test_per_class_nodes_train_the_same_generators_as_one_batched_node(spied_run, toy_table):
    batched, _, _ = spied_run
    one_by_one, _ = run_pipeline(toy_table, with_training("per_class"))
    for split in ("fold_00", "fold_01", "fold_02"):
        for label in "bc":
            a = batched.load(f"toy.{split}.gan_smote.generator_{label}")
            b = one_by_one.load(f"toy.{split}.gan_smote.generator_{label}")
            for p, q in zip(a.generator_params_, b.generator_params_, strict=True):
                np.testing.assert_allclose(p.numpy(), q.numpy(), atol=1e-4)


def test_every_method_gets_metrics_for_every_split(spied_run):
    catalog, _, _ = spied_run
    fold_metrics = catalog.load("toy.fold_metrics")
    counts = fold_metrics.groupby("method")["split"].nunique().to_dict()
    assert counts == {"gan_smote": 3, "no_oversampling": 3, "random_oversampling": 3, "smote": 3}
    assert fold_metrics["value"].between(0, 1).all()
    summary = catalog.load("toy.summary_table")
    acc = summary[(summary["method"] == "smote") & (summary["metric"] == "accuracy")]
    values = fold_metrics[
        (fold_metrics["method"] == "smote") & (fold_metrics["metric"] == "accuracy")
    ]["value"]
    assert acc["mean"].item() == pytest.approx(values.mean())
    assert acc["std"].item() == pytest.approx(values.std(ddof=1))
    assert "| gan_smote |" in catalog.load("toy.report_markdown")


def test_classifier_seeds_vary_with_the_split_and_are_shared_by_the_methods(spied_run):
    catalog, info, _ = spied_run
    seeds = {
        split: {
            m: catalog.load(f"toy.{split}.{m}.classifier").random_state
            for m in info["layout"].methods
        }
        for split in info["layout"].splits
    }
    assert all(len(set(per_method.values())) == 1 for per_method in seeds.values())
    assert len({next(iter(s.values())) for s in seeds.values()}) == len(seeds)


def test_report_compares_every_method_with_each_baseline(spied_run):
    catalog, _, _ = spied_run
    paired = catalog.load("toy.paired_comparison")
    pairs = set(zip(paired["method"], paired["baseline"], strict=True))
    assert ("gan_smote", "no_oversampling") in pairs and ("smote", "random_oversampling") in pairs
    assert ("random_oversampling", "smote") not in pairs  # each pair once
    assert set(paired["metric"]) == {"accuracy", "f1_macro"} and (paired["n_splits"] == 3).all()
    report = catalog.load("toy.report_markdown")
    assert "## Paired differences against each baseline" in report
    assert "corrected resampled t-test" in report and "k = 3, r = 1" in report


def test_top_up_brings_each_class_to_the_fold_majority(spied_run):
    catalog, _, _ = spied_run
    for split in ("fold_00", "fold_01", "fold_02"):
        train = catalog.load(f"toy.{split}.train_encoded")
        majority = train["label"].value_counts().max()
        for method in ("gan_smote", "random_oversampling", "smote"):
            topped = catalog.load(f"toy.{split}.{method}.train_topped_up")
            assert set(topped["label"].value_counts()) == {majority}
            assert (~topped["is_synthetic"]).sum() == len(train)
        unchanged = catalog.load(f"toy.{split}.no_oversampling.train_topped_up")
        assert not unchanged["is_synthetic"].any() and len(unchanged) == len(train)


def test_no_encoder_or_generator_ever_sees_a_test_row(spied_run, toy_table):
    catalog, _, seen = spied_run
    folds = catalog.load("toy.fold_indices")
    test_rows = {s: set(g.loc[g["part"] == "test", "row"]) for s, g in folds.groupby("split")}
    train_rows = {s: set(g.loc[g["part"] == "train", "row"]) for s, g in folds.groupby("split")}
    # one encoder per split, fitted on exactly that split's training rows
    assert sorted(map(frozenset, seen["encoder"]), key=min) == sorted(
        (frozenset(r) for r in train_rows.values()), key=min
    )
    for split, rows in test_rows.items():
        train = catalog.load(f"toy.{split}.train_encoded")
        test = catalog.load(f"toy.{split}.test_encoded")
        assert set(test.index) == rows and not set(train.index) & rows
    # each generator was fitted on one class's training rows of one split, nothing else
    all_train = {s: catalog.load(f"toy.{s}.train_encoded") for s in train_rows}
    for label, X in seen["generator"]:
        matches = [
            s
            for s, t in all_train.items()
            if len(t[t["label"] == label]) == len(X)
            and np.allclose(t[t["label"] == label].drop(columns="label").to_numpy(), X)
        ]
        assert matches, (
            f"a generator of class {label} was fitted on rows that are no split's training rows"
        )
    assert len(seen["generator"]) == 6  # classes b and c in 3 splits; a is the majority


def test_test_parts_hold_real_rows_only(spied_run, toy_table):
    catalog, _, _ = spied_run
    for split in ("fold_00", "fold_01", "fold_02"):
        metrics = catalog.load(f"toy.{split}.gan_smote.metrics")
        test = catalog.load(f"toy.{split}.test_encoded")
        assert metrics["predictions"]["row"] == test.index.tolist()
        assert sum(metrics["test_class_counts"].values()) == len(test)


def test_same_seed_gives_identical_metrics(spied_run, toy_table):
    catalog, _, _ = spied_run
    again, _ = run_pipeline(toy_table)
    pd.testing.assert_frame_equal(catalog.load("toy.fold_metrics"), again.load("toy.fold_metrics"))


def test_synthetic_rows_decode_to_the_original_columns(spied_run):
    catalog, _, _ = spied_run
    decoded = catalog.load("toy.fold_00.gan_smote.synthetic_rows")
    assert list(decoded.columns) == ["colour", "shape", "size", "label"]
    assert set(decoded["label"]) == {"b", "c"}
    assert set(decoded["colour"].dropna()) <= {"red", "green", "blue"}


@pytest.mark.parametrize("training", ["per_run", "per_fold", "per_class"])
def test_namespaces_are_valid_groups_for_every_training_layout(training):
    import warnings

    layout = layout_from_params(with_training(training), "t")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Kedro warns when a namespace is interrupted
        pipeline = method_pipeline(layout, layout.methods)
        groups = pipeline.group_nodes_by(group_by="namespace")
    assert [g.name for g in groups] == ["toy"] and len(groups[0].nodes) == len(pipeline.nodes)
