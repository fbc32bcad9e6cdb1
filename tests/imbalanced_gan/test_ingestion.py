"""Bad input gets an error that names the dataset and the column, class or parameter."""

import numpy as np
import pandas as pd
import pytest
from kedro.io import DatasetError

from imbalanced_gan.datasets import PackageTableDataset, read_keel
from imbalanced_gan.params import DatasetParams
from imbalanced_gan.pipelines.ingestion.nodes import DataValidationError, validate_table


def params(**overrides):
    base = {
        "name": "toy",
        "target": "label",
        "classes": ["a", "b", "c"],
        "categorical_columns": ["colour", "shape"],
    }
    return DatasetParams(**{**base, **overrides})


def test_valid_table_is_typed_and_profiled(mixed_table):
    validated, profile = validate_table(mixed_table, params())
    assert list(validated.columns) == ["colour", "shape", "size", "weight", "label"]
    assert validated["size"].dtype == np.float64
    assert profile["class_counts"] == {"a": 30, "b": 20, "c": 10}
    assert profile["numeric_columns"] == ["size", "weight"]


@pytest.mark.parametrize(
    ("mutate", "overrides", "message"),
    [
        (lambda t: t.drop(columns="label"), {}, "target column 'label' not found"),
        (lambda t: t.assign(label="a"), {"classes": ["a"]}, "single class"),
        (lambda t: t.assign(size=t["size"].where(t.index != 3)), {}, "column 'size' has 1 missing"),
        (
            lambda t: t.assign(weight=t["weight"].where(t.index != 5, np.inf)),
            {},
            "column 'weight' has infinite",
        ),
        (
            lambda t: t.assign(size=t["size"].astype(object).where(t.index != 7, "ten")),
            {},
            "numeric column 'size' holds the non-numeric value 'ten' \\(row 7\\)",
        ),
        (
            lambda t: t,
            {"categorical_columns": ["colour", "texture"]},
            "categorical_columns names column\\(s\\) \\['texture'\\]",
        ),
        (lambda t: t, {"classes": ["a", "b"]}, "undeclared \\['c'\\]"),
        (lambda t: t, {"classes": ["a", "b", "c", "d"]}, "absent \\['d'\\]"),
        (lambda t: t.iloc[:0], {}, "the table is empty"),
        (lambda t: t, {"drop_columns": ["id"]}, "drop_columns names column\\(s\\) \\['id'\\]"),
        (
            lambda t: t.assign(label=t["label"].where(t.index != 0)),
            {},
            "target column 'label' has 1 missing label",
        ),
        (
            lambda t: t.assign(colour=t["colour"].where(t.index != 2)),
            {},
            "categorical column 'colour' has 1 missing",
        ),
    ],
    ids=[
        "missing-target",
        "one-class",
        "nan",
        "inf",
        "text-in-numeric",
        "absent-categorical",
        "undeclared-class",
        "absent-class",
        "empty",
        "absent-drop-column",
        "missing-label",
        "nan-categorical",
    ],
)
def test_bad_inputs_name_the_problem(mixed_table, mutate, overrides, message):
    with pytest.raises(DataValidationError, match="Dataset 'toy': .*" + message):
        validate_table(mutate(mixed_table.copy()), params(**overrides))


def test_unknown_package_dataset_name_lists_the_known_ones():
    with pytest.raises(DatasetError, match="Unknown dataset name 'lymfography'.*lymphography"):
        PackageTableDataset(name="lymfography")


def test_lymphography_loads_offline_with_the_documented_shape():
    table = PackageTableDataset(name="lymphography").load()
    assert table.shape == (148, 19)
    assert table["Class"].value_counts().to_dict() == {
        "metastases": 81,
        "malign_lymph": 61,
        "fibrosis": 4,
        "normal": 2,
    }
    validated, _ = validate_table(
        table,
        DatasetParams(
            name="lymphography",
            target="Class",
            classes=["metastases", "malign_lymph", "fibrosis", "normal"],
            categorical_columns="all",
        ),
    )
    assert pd.get_dummies(validated.drop(columns="Class")).shape[1] == 59
    with pytest.raises(DatasetError, match="read-only"):
        PackageTableDataset(name="lymphography").save(table)


def test_read_keel_rejects_a_file_that_is_not_keel(tmp_path):
    path = tmp_path / "x.dat"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DatasetError, match="not a KEEL file"):
        read_keel(path)


def test_typed_parameters_reject_bad_values():
    with pytest.raises(ValueError, match="categorical_columns must be a list or 'all'"):
        params(categorical_columns="some")
    with pytest.raises(TypeError, match="colums"):
        DatasetParams(name="x", target="y", classes=[0, 1], colums=[])
