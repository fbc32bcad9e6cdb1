"""Defaults that scale: ``network.batch_size: auto`` and ``top_up.max_rows_per_class``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from imbalanced_gan.params import BaselineParams, DatasetParams, GanSmoteParams, TopUpParams
from imbalanced_gan.pipelines.oversampling.nodes import _class_model, top_up_with_baseline
from tests.conftest import TINY


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
