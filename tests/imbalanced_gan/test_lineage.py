"""The leakage proof: every fitted object saw only its own split's training rows.

Each node stamps what it fits with the row numbers it learnt from
(:mod:`imbalanced_gan.lineage`); these tests read every stamp of a whole run and check
it against the folds, and show that the check fails when one node is fed another
split's rows (a mutation test: a proof that cannot fail proves nothing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Node, Pipeline
from kedro.runner import SequentialRunner

from imbalanced_gan.layout import layout_from_params
from imbalanced_gan.lineage import (
    LeakageError,
    check_lineage,
    fitted_datasets,
    record_rows,
    rows_seen,
)
from imbalanced_gan.params import SamplerParams
from imbalanced_gan.pipeline_registry import method_pipeline
from tests.conftest import make_mixed_table
from tests.imbalanced_gan.test_pipeline import PARAMS, TYPES, KeptDataset

LINEAGE_PARAMS = {
    **PARAMS,
    "folds": {"n_splits": 3, "n_repeats": 1, "validation_fraction": 0.2},
    "classifier": {"name": "mlp_paper000", "mlp_paper000": {"max_iter": 30, "n_iter_no_change": 5}},
    "samplers": {"vanilla_gan": {"epochs": 2, "batch_size": 16}},
    "gan_smote": {
        **PARAMS["gan_smote"],
        "compare_with": ["no_oversampling", "random_oversampling", "smote", "vanilla_gan"],
    },
}


def run(pipeline_edit=None) -> tuple[DataCatalog, Pipeline]:
    layout = layout_from_params(LINEAGE_PARAMS, "test")
    pipeline = method_pipeline(layout, layout.methods)
    if pipeline_edit is not None:
        pipeline = pipeline_edit(pipeline)
    table = make_mixed_table().drop(columns="weight").assign(row_id=range(60))
    catalog = DataCatalog({"toy.raw_table": MemoryDataset(table)})
    catalog["params:seed"] = LINEAGE_PARAMS["seed"]
    for key, kind in {**TYPES, "samplers": SamplerParams}.items():
        catalog[f"params:{key}"] = kind(**LINEAGE_PARAMS[key])
    catalog["params:gan_smote.schedule"] = LINEAGE_PARAMS["gan_smote"]["schedule"]
    for name in pipeline.datasets():
        if name not in catalog:
            catalog[name] = KeptDataset(copy_mode="assign")
    SequentialRunner().run(pipeline, catalog)
    return catalog, pipeline


def fitted(catalog: DataCatalog, pipeline: Pipeline) -> dict[tuple[str, str], object]:
    return {key: catalog.load(name) for key, name in fitted_datasets(pipeline.datasets()).items()}


@pytest.fixture(scope="module")
def honest_run():
    return run()


def test_every_fitted_object_of_a_run_saw_only_its_splits_training_rows(honest_run):
    catalog, pipeline = honest_run
    objects = fitted(catalog, pipeline)
    kinds = {what.split(".")[-1] for _, what in objects}
    # every family of fitted object is covered, for every split
    assert {"encoder", "sampler", "classifier", "train_topped_up"} <= kinds
    assert any(k.startswith("generator_") for k in kinds)
    assert {split for split, _ in objects} == {"fold_00", "fold_01", "fold_02"}
    assert check_lineage(catalog.load("toy.fold_indices"), objects) == len(objects)


def test_classifiers_are_selected_on_real_rows_held_out_before_over_sampling(honest_run):
    catalog, _ = honest_run
    folds = catalog.load("toy.fold_indices")
    for split in ("fold_00", "fold_01", "fold_02"):
        valid = set(folds[(folds["split"] == split) & (folds["part"] == "valid")]["row"])
        train = catalog.load(f"toy.{split}.train_encoded")
        assert valid and not valid & set(train.index)  # held out before any sampler
        for method in ("gan_smote", "smote", "vanilla_gan"):
            clf = catalog.load(f"toy.{split}.{method}.classifier")
            assert set(rows_seen(clf)["selection"]) == valid
            assert clf.selection_["validation_rows"] == len(valid)
            assert 1 <= clf.selection_["best_epoch"] <= clf.selection_["epochs_run"]
            topped = catalog.load(f"toy.{split}.{method}.train_topped_up")
            real = topped.index[~topped["is_synthetic"].to_numpy(dtype=bool)]
            assert set(rows_seen(clf)["fit"]) == set(real) == set(train.index)
            assert (topped.index[topped["is_synthetic"].to_numpy(dtype=bool)] < 0).all()


def _feed_fold_01_rows_to_fold_00(method: str):
    """Rewire fold_00's ``method`` top-up node to read fold_01's training part."""

    def edit(pipeline: Pipeline) -> Pipeline:
        nodes = []
        for node in pipeline.nodes:
            if f"toy.fold_00.{method}.train_topped_up" in node.outputs:
                inputs = [
                    i.replace("toy.fold_00.train_encoded", "toy.fold_01.train_encoded")
                    for i in node.inputs
                ]
                (output,) = node.outputs  # a top-up node writes one table
                node = Node(node.func, inputs, output, name=node.name, namespace=node.namespace)
            nodes.append(node)
        return Pipeline(nodes)

    return edit


@pytest.mark.parametrize("method", ["smote", "random_oversampling"])
def test_the_check_fails_when_a_sampler_is_fed_another_splits_rows(method):
    catalog, pipeline = run(_feed_fold_01_rows_to_fold_00(method))
    objects = fitted(catalog, pipeline)
    with pytest.raises(LeakageError, match=rf"fold_00/{method}\.(train_topped_up|classifier)"):
        check_lineage(catalog.load("toy.fold_indices"), objects)


def test_check_lineage_names_the_object_the_role_and_the_rows():
    folds = pd.DataFrame(
        {
            "split": ["fold_00"] * 6,
            "row": [0, 1, 2, 3, 4, 5],
            "part": ["train", "train", "train", "valid", "test", "test"],
        }
    )
    ok = record_rows(record_rows(object.__new__(type("M", (), {})), [0, 1, 2]), [3], "selection")
    assert check_lineage(folds, {("fold_00", "clf"): ok}) == 1
    with pytest.raises(LeakageError, match=r"fold_00/enc: 1 fit row.*\[4\].*'test': \[4\]"):
        check_lineage(folds, {("fold_00", "enc"): record_rows(pd.DataFrame(index=[0, 4]), [0, 4])})
    with pytest.raises(LeakageError, match=r"selection row.*\[2\]"):  # a training row selecting
        check_lineage(
            folds, {("fold_00", "clf"): record_rows(type("M", (), {})(), [2], "selection")}
        )
    with pytest.raises(LeakageError, match="no record"):
        check_lineage(folds, {("fold_00", "clf"): object()})
    with pytest.raises(ValueError, match="role"):
        record_rows(pd.DataFrame(), [], "peek")


def test_stamps_survive_the_catalogs_file_formats(tmp_path):
    from kedro_datasets.pandas import ParquetDataset
    from kedro_datasets.pickle import PickleDataset

    table = record_rows(pd.DataFrame({"x": [1.0, 2.0]}, index=[7, -1]), [7])
    ParquetDataset(filepath=str(tmp_path / "t.parquet")).save(table)
    back = ParquetDataset(filepath=str(tmp_path / "t.parquet")).load()
    assert rows_seen(back) == {"fit": [7]} and back.index.tolist() == [7, -1]
    from sklearn.tree import DecisionTreeClassifier

    model = record_rows(DecisionTreeClassifier().fit(np.eye(2), [0, 1]), [3, 1])
    PickleDataset(filepath=str(tmp_path / "m.pkl")).save(model)
    assert rows_seen(PickleDataset(filepath=str(tmp_path / "m.pkl")).load()) == {"fit": [1, 3]}


def test_report_says_how_the_classifier_was_selected_and_how_well_it_fits(honest_run):
    catalog, _ = honest_run
    report = catalog.load("toy.report_markdown")
    assert "real rows held out from each split's training part before over-sampling" in report
    assert "20 % per class" in report and "Accuracy on its real training rows (%)" in report
    train_acc = catalog.load("toy.fold_metrics").query("metric == 'train_accuracy_real'")
    assert len(train_acc) == 3 * 5 and train_acc["value"].between(0, 1).all()


def test_a_classifier_that_selects_nothing_says_so():
    from imbalanced_gan.params import ClassifierParams
    from imbalanced_gan.pipelines.classification.nodes import selection_in_words

    assert "fixed 200 epochs" in selection_in_words(ClassifierParams(), 0.0)
    paper = ClassifierParams(name="mlp_paper000")
    assert "patience 50" in selection_in_words(paper, 0.1)
    assert "selects nothing" in selection_in_words(ClassifierParams(name="decision_tree"), 0)
