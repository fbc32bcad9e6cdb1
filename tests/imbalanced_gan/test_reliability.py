"""Bad input, failed training and collapsed generators: clear errors, nothing silent."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
import torch
from kedro.io import DatasetError
from kedro_datasets.pandas import CSVDataset, ParquetDataset

from gan_oversamplers import GANSMOTE, GANSMOTEGenerator, SafeSMOTE
from imbalanced_gan.layout import layout_from_params
from imbalanced_gan.params import (
    ClassifierParams,
    DatasetParams,
    FoldParams,
    GanSmoteParams,
    TopUpParams,
)
from imbalanced_gan.pipelines.encoding.nodes import encode_fold
from imbalanced_gan.pipelines.folds.nodes import make_folds
from imbalanced_gan.pipelines.ingestion.nodes import DataValidationError, validate_table
from imbalanced_gan.pipelines.oversampling.nodes import (
    GeneratorTrainingError,
    train_class_generator,
)
from imbalanced_gan.pipelines.reporting.nodes import assess_generators, render_report
from tests.conftest import TINY

DATASET = DatasetParams(
    name="toy", target="label", classes=["a", "b", "c"], categorical_columns=["colour", "shape"]
)


def gan_params(**overrides) -> GanSmoteParams:
    return GanSmoteParams(schedule="tiny", schedules={"tiny": TINY}, **overrides)


# ---- bad input files ---------------------------------------------------------------------
def test_empty_file_names_the_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(DatasetError, match="empty.csv"):
        CSVDataset(filepath=str(path)).load()


def test_wrong_file_format_names_the_file(tmp_path):
    path = tmp_path / "table.parquet"
    path.write_text("a,b\n1,2\n")  # a CSV under a Parquet entry
    with pytest.raises(DatasetError, match="table.parquet"):
        ParquetDataset(filepath=str(path)).load()


def test_duplicate_column_names_are_an_error(mixed_table):
    doubled = pd.concat([mixed_table, mixed_table[["size"]]], axis=1)
    with pytest.raises(DataValidationError, match="duplicate column name\\(s\\) \\['size'\\]"):
        validate_table(doubled, DATASET)


def test_columns_renamed_by_the_csv_reader_are_reported(tmp_path, mixed_table):
    path = tmp_path / "dupes.csv"
    mixed_table.rename(columns={"weight": "size"}).to_csv(
        path, index=False
    )  # header repeats "size"
    table = CSVDataset(filepath=str(path)).load()
    with pytest.warns(UserWarning, match="renamed the repeats to \\['size.1'\\]"):
        validate_table(table, DATASET)


def test_constant_columns_are_reported(mixed_table):
    with pytest.warns(UserWarning, match="constant column\\(s\\) \\['shape'\\]"):
        validate_table(mixed_table.assign(shape="round"), DATASET)


def test_category_seen_only_in_a_test_fold_is_reported(mixed_table):
    table = mixed_table.copy()
    table.loc[59, "colour"] = "purple"  # one row; it is in exactly one test part
    validated, _ = validate_table(table, DATASET)
    folds = make_folds(validated, DATASET, FoldParams(n_splits=3), seed=0)
    split = folds.loc[(folds["row"] == 59) & (folds["part"] == "test"), "split"].item()
    with pytest.warns(
        UserWarning, match="Column 'colour': category \\['purple'\\] not seen in the training part"
    ):
        _, train, _, test = encode_fold(validated, folds, DATASET, split=split)
    assert (test.loc[59].filter(like="colour=") == 0).all()
    assert "colour=purple" not in train.columns


def test_class_with_one_row_goes_through_with_warnings(mixed_table):
    table = mixed_table.iloc[:51].copy()  # class c keeps a single row
    validated, profile = validate_table(table, DATASET)
    assert profile["class_counts"]["c"] == 1
    with pytest.warns(UserWarning, match="class 'c' has 1 row"):
        folds = make_folds(validated, DATASET, FoldParams(n_splits=3), seed=0)
    split = folds.loc[(folds["row"] == 50) & (folds["part"] == "train"), "split"].iloc[0]
    _, train, _, _ = encode_fold(validated, folds, DATASET, split=split)
    model = train_class_generator(
        train, DATASET, TopUpParams(), gan_params(), 0, split=split, label="c"
    )
    assert model.n_rows_ == 1 and model.sample(5).shape == (5, train.shape[1] - 1)


@pytest.mark.parametrize(
    "sampler",
    [GANSMOTE(**TINY, random_state=0), SafeSMOTE(random_state=0)],
    ids=["gan_smote", "smote"],
)
def test_a_one_to_ten_thousand_imbalance_is_topped_up(sampler):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(10_001, 4)).astype(float)
    y = np.array([0] * 10_000 + [1])
    with pytest.warns(UserWarning) if isinstance(sampler, SafeSMOTE) else _no_warning():
        X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [10_000, 10_000]
    assert np.isfinite(X_res).all()


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# ---- bad parameters ------------------------------------------------------------------------
def test_unknown_method_classifier_and_epochs_are_parameter_errors():
    params = {
        "dataset": {"name": "x", "classes": [0, 1]},
        "folds": {},
        "gan_smote": {"compare_with": ["smote", "smoote"]},
    }
    with pytest.raises(
        ValueError, match="gan_smote.compare_with has unknown method\\(s\\) \\['smoote'\\]"
    ):
        layout_from_params(params, "base")
    with pytest.raises(
        ValueError,
        match="classifier.name must be 'mlp', 'mlp_paper000' or 'decision_tree', got 'svm'",
    ):
        ClassifierParams(name="svm")
    for epochs in (0, -5):
        with pytest.raises(
            ValueError, match="gan_smote.schedules.tiny.epochs must be a positive integer"
        ):
            GanSmoteParams(schedule="tiny", schedules={"tiny": {"epochs": epochs}})
    with pytest.raises(ValueError, match="gan_smote.schedule 'fast' is not one of"):
        GanSmoteParams(schedule="fast", schedules={"tiny": TINY})
    with pytest.raises(ValueError, match="'epochs' parameter"):
        GANSMOTE(epochs=-1).fit_resample(np.zeros((4, 2)), np.array([0, 0, 0, 1]))


# ---- training health -----------------------------------------------------------------------
def _train(mixed_table):
    validated, _ = validate_table(mixed_table, DATASET)
    folds = make_folds(validated, DATASET, FoldParams(n_splits=3), seed=0)
    return encode_fold(validated, folds, DATASET, split="fold_01")[1]


def test_a_diverging_gan_stops_with_an_error_naming_where(mixed_table):
    train = _train(mixed_table)
    exploding = gan_params(network={"generator_lr": 1.0, "discriminator_lr": 1.0})
    exploding.schedules["tiny"] = {
        **TINY,
        "restart_factor": 1e30,
    }  # SGDR peak 1e30: NaN at the restart
    with pytest.raises(GeneratorTrainingError, match="dataset 'toy', fold_01, class 'c', epoch 5"):
        train_class_generator(
            train, DATASET, TopUpParams(), exploding, 0, split="fold_01", label="c"
        )


def test_a_diverging_gan_can_restart_with_lower_rates(mixed_table, caplog):
    train = _train(mixed_table)
    exploding = gan_params(
        network={"generator_lr": 1.0, "discriminator_lr": 1.0, "restart_factor": 1e30},
        on_divergence="restart",
        restart_lr_factor=1e-30,
    )
    exploding.schedules["tiny"] = TINY
    with caplog.at_level(logging.WARNING):
        model = train_class_generator(
            train, DATASET, TopUpParams(), exploding, 0, split="fold_01", label="c"
        )
    assert "GAN-SMOTE diverged in dataset 'toy', fold_01, class 'c'" in caplog.text
    assert "restarting with generator_lr=1e-30" in caplog.text
    assert np.isfinite(model.history_[["d_loss", "g_loss"]].to_numpy()).all()


def test_mode_collapse_is_measured_and_flagged_in_the_report():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(20, 6)).astype(float)
    healthy = GANSMOTEGenerator(random_state=0, label="b", **TINY).fit(X)
    collapsed = GANSMOTEGenerator(random_state=0, label="c", **TINY).fit(X)
    with torch.no_grad():  # the last layer ignores its input: every sample is the same row
        collapsed.generator_params_[-2].zero_()
    unfitted = GANSMOTEGenerator(label="a")
    health = assess_generators(
        unfitted, healthy, collapsed, names=[("fold_00", "a"), ("fold_00", "b"), ("fold_00", "c")]
    )
    assert health["trained"].tolist() == [False, True, True]
    assert health.loc[2, "collapsed"] and health.loc[2, "unique_fraction"] == pytest.approx(1 / 200)
    assert not health.loc[1, "collapsed"]
    summary = pd.DataFrame(
        {
            "method": ["gan_smote"],
            "class": ["(all classes)"],
            "metric": ["accuracy"],
            "mean": [0.5],
            "std": [0.1],
            "count": [3],
        }
    )
    report = render_report(
        summary,
        {"dataset": "toy", "n_rows": 60, "class_counts": {}},
        FoldParams(n_splits=3),
        ClassifierParams(),
        health,
    )
    assert "1 generator(s) flagged for mode collapse" in report and "| fold_00 | c |" in report


def test_batched_training_names_the_diverged_gan_and_can_fall_back_to_restarts(mixed_table, caplog):
    from imbalanced_gan.pipelines.oversampling.nodes import train_generators

    train = _train(mixed_table)
    exploding = gan_params(
        network={"generator_lr": 1.0, "discriminator_lr": 1.0, "restart_factor": 1e30}
    )
    with pytest.raises(GeneratorTrainingError, match="dataset 'toy', fold_01, class 'b', epoch 5"):
        train_generators(DATASET, TopUpParams(), exploding, 0, train, splits=["fold_01"])
    exploding.on_divergence, exploding.restart_lr_factor = "restart", 1e-30
    with caplog.at_level(logging.WARNING):
        models = train_generators(DATASET, TopUpParams(), exploding, 0, train, splits=["fold_01"])
    assert "training these generators one by one, with restarts" in caplog.text
    assert [hasattr(m, "history_") for m in models] == [False, True, True]  # a is the majority
