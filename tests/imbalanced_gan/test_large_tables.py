"""Defaults that scale: ``network.batch_size: auto`` and ``top_up.max_rows_per_class``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from imbalanced_gan.params import (
    BaselineParams,
    ClassifierParams,
    DatasetParams,
    GanSmoteParams,
    TopUpParams,
)
from imbalanced_gan.pipelines.oversampling.nodes import _class_model, top_up_with_baseline
from tests.conftest import PROJECT, TINY


def gan(**network) -> GanSmoteParams:
    return GanSmoteParams(
        schedule="tiny", schedules={"tiny": TINY}, network=network, auto_batch_rows=50
    )


def test_auto_batch_size_is_the_whole_class_up_to_the_limit_then_minibatches():
    assert gan(batch_size="auto").hyperparameters()["batch_size"] == 50
    assert gan(batch_size=None).hyperparameters()["batch_size"] is None
    assert gan(batch_size=70).hyperparameters()["batch_size"] == 70
    with pytest.raises(ValueError, match="batch_size must be auto, null or a positive integer"):
        gan(batch_size="big")
    # the node builds the library's generator with the resolved size
    rng = np.random.default_rng(0)
    train = pd.DataFrame(rng.uniform(size=(130, 3)), columns=["x", "y", "z"])
    train["label"] = ["a"] * 100 + ["b"] * 30
    dataset = DatasetParams(name="t", target="label", classes=["a", "b"])
    model, rows = _class_model(
        train, dataset, TopUpParams(), gan(batch_size="auto"), 0, "fold_00", "b"
    )
    assert model.hyperparameters["batch_size"] == 50
    assert rows.shape == (30, 3)  # 30 rows: the whole class is one batch


def test_max_rows_per_class_bounds_the_top_up_for_every_method():
    y = np.array(["a"] * 100 + ["b"] * 10 + ["c"] * 3)
    assert TopUpParams().strategy(y) == "auto"
    assert TopUpParams(max_rows_per_class=50).strategy(y) == {"a": 100, "b": 50, "c": 50}
    assert TopUpParams(max_rows_per_class=5).strategy(y) == {"a": 100, "b": 10, "c": 5}
    with pytest.raises(ValueError, match="max_rows_per_class must be a positive integer"):
        TopUpParams(max_rows_per_class=0)
    rng = np.random.default_rng(1)
    train = pd.DataFrame(rng.uniform(size=(113, 2)), columns=["x", "y"]).assign(label=y)
    dataset = DatasetParams(name="t", target="label", classes=["a", "b", "c"])
    for method in ("random_oversampling", "smote"):
        out = top_up_with_baseline(
            train,
            dataset,
            TopUpParams(max_rows_per_class=40),
            BaselineParams(),
            0,
            split="fold_00",
            method=method,
        )
        assert out["label"].value_counts().to_dict() == {"a": 100, "b": 40, "c": 40}


def _part(rows: int, classes: int, seed: int) -> pd.DataFrame:
    """A topped-up-like training part: ``rows`` rows, 3 features, ``is_synthetic`` column."""
    rng = np.random.default_rng(seed)
    part = pd.DataFrame(rng.uniform(size=(rows, 3)), columns=["x", "y", "z"])
    part["label"] = [f"c{i % classes}" for i in range(rows)]
    part["is_synthetic"] = np.arange(rows) >= rows // 2
    return part


def test_classifier_budget_caps_epochs_on_a_large_part():
    from imbalanced_gan.pipelines.classification.nodes import epoch_budget, train_classifier

    adam = {"solver": "adam", "max_iter": 200}
    assert epoch_budget(adam, 260, 1000) == 200  # Lymphography-sized: 2 updates an epoch
    assert epoch_budget(adam, 1000, 1000) == 200  # 5 updates x 200 epochs: just inside
    assert epoch_budget(adam, 1001, 1000) == 166  # 6 updates an epoch
    assert epoch_budget(adam, 252_000, 1000) == 1  # 1,260 updates an epoch: one epoch
    assert epoch_budget({**adam, "batch_size": 16}, 1000, 1000) == 15
    assert epoch_budget(adam, 252_000, None) == 200
    assert epoch_budget({**adam, "solver": "lbfgs"}, 252_000, 1000) == 200
    with pytest.raises(ValueError, match="classifier.max_updates must be a positive integer"):
        ClassifierParams(max_updates=0)
    dataset = DatasetParams(name="t", target="label", classes=["c0", "c1", "c2"])
    large = _part(30_000, 3, 0)  # 150 updates an epoch (batch 200)
    model = train_classifier(
        large,
        pd.DataFrame(),
        dataset,
        ClassifierParams(max_updates=400),
        0,
        split="fold_00",
        method="m",
    )
    assert model.n_iter_ == 2  # 2 x 150 <= 400 < 3 x 150
    assert model.selection_["epochs_budget"] == 2 and model.selection_["max_updates"] == 400
    assert model.t_ == 30_000 * 2  # scikit-learn's count of rows seen: two epochs


def test_classifier_budget_is_inert_on_lymphography_sized_parts():
    """The project's default budget (conf/base) leaves a 260-row part's fit unchanged."""
    import yaml

    from imbalanced_gan.pipelines.classification.nodes import train_classifier

    conf = yaml.safe_load((PROJECT / "conf/base/parameters.yml").read_text())
    default = conf["classifier"]["max_updates"]
    assert isinstance(default, int)
    dataset = DatasetParams(name="t", target="label", classes=["c0", "c1", "c2", "c3"])
    part = _part(260, 4, 1)
    fits = [
        train_classifier(
            part,
            pd.DataFrame(),
            dataset,
            ClassifierParams(mlp={"max_iter": 60}, max_updates=budget),
            3,
            split="fold_01",
            method="m",
        )
        for budget in (default, None)
    ]
    assert fits[0].n_iter_ == fits[1].n_iter_ > 0
    assert "epochs_budget" not in fits[0].selection_
    for a, b in zip(fits[0].coefs_, fits[1].coefs_, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.filterwarnings("ignore:One or more dataset names contain")
def test_the_node_start_line_of_a_node_with_many_outputs_is_short():
    import logging

    from kedro.pipeline import Node

    from imbalanced_gan.hooks import _ShortNodeLineFilter

    def train(*args):
        return args

    outputs = [f"ds.fold_{s:02d}.gan_smote.generator_c{c}" for s in range(10) for c in range(6)]
    big = Node(train, ["params:seed", "ds.fold_00.train_encoded"], outputs, name="train_generators")
    small = Node(train, ["a", "b"], ["c"], name="small")
    lines = []
    for node in (big, small):
        record = logging.LogRecord(
            "kedro.pipeline.node", 20, "", 0, "Running node: %s", (str(node),), None
        )
        assert _ShortNodeLineFilter().filter(record)
        lines.append(record.getMessage())
    assert lines[0] == (
        "Running node: train_generators: train([params:seed;ds.fold_00.train_encoded]) -> "
        "[ds.fold_00.gan_smote.generator_c0; ... (60 outputs) ...; ds.fold_09.gan_smote.generator_c5]"
    )
    assert lines[1] == f"Running node: {small}"  # a short line is left alone


def test_gans_over_the_memory_budget_train_in_groups_of_splits_and_resume_by_group(
    tmp_path, monkeypatch
):
    from gan_oversamplers import stack_memory_mb
    from imbalanced_gan import checkpoints
    from imbalanced_gan.pipelines.oversampling import nodes

    hp = gan(batch_size="auto").hyperparameters()
    one = stack_memory_mb([(40, 3)], hp)
    assert stack_memory_mb([(40, 3)] * 4, hp) == pytest.approx(4 * one)
    assert stack_memory_mb([(400, 3), (40, 3)], hp) > 2 * one  # padded to the largest class
    shapes = [("fold_00", (40, 3)), ("fold_00", (9, 3)), ("fold_01", (40, 3))]
    assert nodes.memory_groups(shapes, hp, 1e6) == [[0, 1, 2]]
    assert nodes.memory_groups(shapes, hp, 1e-6) == [[0, 1], [2]]  # whole splits, in order

    rng = np.random.default_rng(3)
    dataset = DatasetParams(name="t", target="label", classes=["a", "b", "c"])
    trains = []
    for _ in range(2):
        train = pd.DataFrame(rng.uniform(size=(70, 3)), columns=["x", "y", "z"])
        train["label"] = ["a"] * 45 + ["b"] * 15 + ["c"] * 10
        trains.append(train)
    splits = ["fold_00", "fold_01"]
    monkeypatch.setitem(checkpoints.ROOT, "path", tmp_path)
    together = nodes.train_generators(dataset, TopUpParams(), gan(), 0, *trains, splits=splits)
    grouped = gan()
    grouped.max_stack_mb = 1e-6  # every split its own group

    real_checkpoint_for = nodes.checkpoint_for

    def stop_in_the_second_group(name, node, every_s):
        checkpoint = real_checkpoint_for(name, node, every_s)
        checkpoint.stop = lambda: "group_01" in node
        return checkpoint

    monkeypatch.setattr(nodes, "checkpoint_for", stop_in_the_second_group)
    with pytest.raises(checkpoints.TrainingStoppedError, match="stopped on request at epoch 16"):
        nodes.train_generators(dataset, TopUpParams(), grouped, 0, *trains, splits=splits)
    folder = tmp_path / "data/10_checkpoints/t"
    assert sorted(p.name for p in folder.iterdir()) == [
        "gan_smote_tiny_fold_00-fold_01.group_00_of_02.done.pkl",  # finished: kept for the resume
        "gan_smote_tiny_fold_00-fold_01.group_01_of_02.pt",  # stopped at epoch 16
    ]
    monkeypatch.setattr(nodes, "checkpoint_for", real_checkpoint_for)
    resumed = nodes.train_generators(dataset, TopUpParams(), grouped, 0, *trains, splits=splits)
    assert not list(folder.iterdir())
    for a, b in zip(together, resumed, strict=True):
        assert hasattr(a, "generator_params_") == hasattr(b, "generator_params_")
        if hasattr(a, "generator_params_"):  # the same GAN whichever group it trained in
            for p, q in zip(a.generator_params_, b.generator_params_, strict=True):
                torch.testing.assert_close(p, q, atol=1e-4, rtol=1e-4)
