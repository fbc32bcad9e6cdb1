"""Each registered per-method pipeline, run in memory on a small mixed table."""

from __future__ import annotations

import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from imbalanced_gan.layout import layout_from_params
from imbalanced_gan.methods import method_names
from imbalanced_gan.params import SamplerParams
from imbalanced_gan.pipeline_registry import method_pipeline
from tests.imbalanced_gan.test_pipeline import PARAMS, TYPES, KeptDataset

GENERATIVE_METHODS = method_names("tabular", "sampler")

#: Tiny settings per generative sampler (a smoke test of the wiring, not of quality).
TINY_SAMPLERS = {
    "smotified_gan": {"epochs": 2},
    "vanilla_gan": {"epochs": 2},
    "cgan": {"epochs": 2},
}


def run_method(table: pd.DataFrame, method: str) -> DataCatalog:
    params = {**PARAMS, "gan_smote": {**PARAMS["gan_smote"], "compare_with": []}}
    layout = layout_from_params(params, "test")
    pipeline = method_pipeline(layout, (method,))
    catalog = DataCatalog({"toy.raw_table": MemoryDataset(table)})
    catalog["params:seed"] = params["seed"]
    for key, kind in TYPES.items():
        catalog[f"params:{key}"] = kind(**params[key])
    catalog["params:gan_smote.schedule"] = params["gan_smote"]["schedule"]
    tiny = {method: TINY_SAMPLERS[method]} if method in TINY_SAMPLERS else {}
    catalog["params:samplers"] = SamplerParams(**tiny)
    for name in pipeline.datasets():
        if name not in catalog:
            catalog[name] = KeptDataset(copy_mode="assign")
    SequentialRunner().run(pipeline, catalog)
    return catalog


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    from tests.conftest import make_mixed_table

    return make_mixed_table().assign(row_id=range(60))


@pytest.mark.parametrize(
    "method",
    ["adasyn", "borderline_smote", "smotenc", *GENERATIVE_METHODS],
)
def test_method_pipeline_tops_up_training_parts_only(table, method):
    catalog = run_method(table, method)
    for split in ("fold_00", "fold_01", "fold_02"):
        train = catalog.load(f"toy.{split}.train_encoded")
        topped = catalog.load(f"toy.{split}.{method}.train_topped_up")
        real = topped[~topped["is_synthetic"]]
        assert len(real) == len(train)
        counts = topped["label"].value_counts()
        if method == "adasyn":  # ADASYN's counts follow neighbourhood hardness, not exact
            assert counts.min() >= train["label"].value_counts().min()
        else:
            assert counts.nunique() == 1, counts.to_dict()
        metrics = catalog.load(f"toy.{split}.{method}.metrics")
        assert sum(metrics["test_class_counts"].values()) == len(
            catalog.load(f"toy.{split}.test_encoded")
        )
        assert {"roc_auc", "pr_auc", "f1_minority"} <= set(metrics["scores"])
    if method in GENERATIVE_METHODS:
        sampler = catalog.load(f"toy.fold_00.{method}.sampler")
        assert not sampler.history_.empty
        decoded = catalog.load(f"toy.fold_00.{method}.synthetic_rows")
        assert set(decoded["colour"].dropna()) <= {"red", "green", "blue"}


def test_every_registered_method_has_a_pipeline():
    from imbalanced_gan.pipeline_registry import register_pipelines

    registered = register_pipelines()
    assert set(method_names("tabular")) - {"gan_smote"} <= set(registered)
    assert set(method_names("image", "sampler")) <= set(registered)
    assert "benchmark" in registered


def test_a_run_builds_only_the_pipelines_it_asks_for():
    from kedro.framework.project import pipelines

    from imbalanced_gan.pipeline_registry import register_pipelines

    everything = register_pipelines()
    try:
        pipelines.set_requested(["smote"])  # as `kedro run --pipelines=smote` does
        only = register_pipelines()
        assert set(only) == {"smote"}
        assert only["smote"].describe() == everything["smote"].describe()
        pipelines.set_requested(["gan_smote"])
        assert set(register_pipelines()) == {"gan_smote", "__default__"}
        pipelines.set_requested(["deepsmote"])  # an image pipeline
        assert "deepsmote" in register_pipelines()
    finally:
        pipelines.set_requested(None)
