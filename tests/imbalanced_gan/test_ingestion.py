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


# ---- files as users bring them (issue 14): each error or warning leads to the fix ----------
def load_csv(path, **load_args):
    from kedro_datasets.pandas import CSVDataset

    return CSVDataset(filepath=str(path), load_args=load_args or None).load()


def test_a_copy_of_the_target_is_an_error(tmp_path, mixed_table):
    path = tmp_path / "twice.csv"
    mixed_table.assign(label2=mixed_table["label"]).rename(columns={"label2": "label"}).to_csv(
        path, index=False
    )  # the header repeats the target: the reader renames the copy label.1
    table = load_csv(path)
    assert "label.1" in table.columns
    with pytest.raises(DataValidationError, match="\\['label.1'\\] repeat the target column"):
        validate_table(table, params(categorical_columns="all"))
    # the documented fix works
    validate_table(table, params(categorical_columns="all", drop_columns=["label.1"]))


def test_a_column_equal_to_the_target_or_relabelling_it_is_an_error(mixed_table):
    copied = mixed_table.assign(klass=mixed_table["label"])
    with pytest.raises(DataValidationError, match="'klass' is a copy of the target"):
        validate_table(copied, params())
    coded = mixed_table.assign(code=mixed_table["label"].map({"a": 1, "b": 2, "c": 3}))
    with pytest.raises(DataValidationError, match="'code' is the target relabelled one to one"):
        validate_table(coded, params())


def test_duplicate_rows_are_counted_in_a_warning(mixed_table):
    doubled = pd.concat([mixed_table, mixed_table.iloc[:40]], ignore_index=True)
    with pytest.warns(UserWarning, match="40 row\\(s\\) of 100 repeat an earlier row.*test part"):
        validated, _ = validate_table(doubled, params())
    assert len(validated) == 100  # kept


@pytest.mark.parametrize(("sep", "yaml"), [(";", '";"'), ("\t", '"\\\\t"')], ids=["semi", "tab"])
def test_a_file_with_another_separator_gets_the_load_args_that_fix_it(
    tmp_path, mixed_table, sep, yaml
):
    path = tmp_path / "other_sep.csv"
    mixed_table.to_csv(path, index=False, sep=sep)
    with pytest.raises(DataValidationError, match=f"load_args: {{sep: {yaml}}}"):
        validate_table(load_csv(path), params())
    import yaml as pyyaml

    load_args = pyyaml.safe_load(f"{{sep: {yaml.replace(chr(92) * 2, chr(92))}}}")
    validate_table(load_csv(path, **load_args), params())  # the hint, as YAML, fixes it


def test_thousands_separators_get_the_load_args_that_fix_them(tmp_path, mixed_table):
    path = tmp_path / "thousands.csv"
    table = mixed_table.assign(size=[f"{1000 + 37 * i:,}" for i in range(60)])
    table.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="load_args: \\{thousands: ','\\}"):
        validate_table(load_csv(path), params())
    validated, _ = validate_table(load_csv(path, thousands=","), params())
    assert validated["size"].iloc[1] == 1037.0


def test_dates_get_an_accurate_hint(mixed_table):
    dated = mixed_table.assign(size=pd.date_range("2024-01-01", periods=60).astype(str))
    with pytest.raises(DataValidationError, match="looks like dates.*drop_columns: \\[size\\]"):
        validate_table(dated, params())


def test_yaml_booleans_in_classes_are_explained(mixed_table):
    import yaml

    classes = yaml.safe_load("classes: [no, yes]")["classes"]
    assert classes == [False, True]
    table = mixed_table.assign(label=["no"] * 40 + ["yes"] * 20)
    with pytest.raises(DataValidationError, match='booleans.*classes: \\["no", "yes"\\]'):
        validate_table(table, params(classes=classes))
    validate_table(table, params(classes=yaml.safe_load('c: ["no", "yes"]')["c"]))


def test_labels_the_reader_made_floats_match_the_declared_classes(tmp_path, mixed_table):
    path = tmp_path / "float_labels.csv"
    mixed_table.assign(label=[1.5] * 30 + [2.5] * 20 + [3] * 10).to_csv(path, index=False)
    table = load_csv(path)
    assert table["label"].iloc[-1] == 3.0  # the reader's float
    validated, profile = validate_table(table, params(classes=[1.5, 2.5, 3]))
    assert profile["class_counts"] == {"1.5": 30, "2.5": 20, "3": 10}
    assert set(validated["label"]) == {"1.5", "2.5", "3"}


def test_a_numeric_target_with_many_values_gets_a_short_error(mixed_table):
    with pytest.raises(DataValidationError) as info:
        validate_table(mixed_table, params(target="weight", categorical_columns=["colour"]))
    message = str(info.value)
    assert "target column 'weight' holds 60 distinct numeric values (first [" in message
    assert len(message) < 600 and message.count("\n") == 0


def test_yaml_numbers_in_classes_that_match_no_label_are_explained(mixed_table):
    with pytest.raises(DataValidationError, match="YAML reads unquoted numbers as numbers"):
        validate_table(mixed_table, params(classes=[1, 2, 3]))
    # labels equal as numbers are matched: "01" in the file, 1 in dataset.classes
    table = mixed_table.assign(label=["01"] * 30 + ["02"] * 20 + ["03"] * 10)
    _, profile = validate_table(table, params(classes=[1, 2, 3]))
    assert profile["class_counts"] == {"1": 30, "2": 20, "3": 10}
