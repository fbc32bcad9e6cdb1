import numpy as np
import pandas as pd
import pytest

from imbalanced_gan.params import DatasetParams, FoldParams
from imbalanced_gan.pipelines.folds.nodes import make_folds

DATASET = DatasetParams(name="toy", target="label", classes=["a", "b", "c"])


def table(counts):
    labels = [label for label, n in counts.items() for _ in range(n)]
    return pd.DataFrame({"x": np.arange(len(labels), dtype=float), "label": labels})


def test_each_split_partitions_the_rows_and_is_stratified():
    data = table({"a": 50, "b": 30, "c": 20})
    folds = make_folds(data, DATASET, FoldParams(n_splits=5, n_repeats=2), seed=0)
    assert folds["split"].nunique() == 10
    for _, split in folds.groupby("split"):
        train, test = (set(split.loc[split["part"] == p, "row"]) for p in ("train", "test"))
        assert not train & test and train | test == set(range(100))
        assert data.loc[sorted(test), "label"].value_counts().to_dict() == {"a": 10, "b": 6, "c": 4}
    for _, repeat in folds[folds["part"] == "test"].groupby(
        "repeat"
    ):  # each row tested once per repeat
        assert sorted(repeat["row"]) == list(range(100))


def test_same_seed_same_folds_and_other_seed_differs():
    data = table({"a": 30, "b": 20, "c": 10})
    a = make_folds(data, DATASET, FoldParams(n_splits=5), seed=1)
    pd.testing.assert_frame_equal(a, make_folds(data, DATASET, FoldParams(n_splits=5), seed=1))
    assert not a.equals(make_folds(data, DATASET, FoldParams(n_splits=5), seed=2))


def test_small_class_is_kept_with_a_warning_naming_it():
    data = table({"a": 40, "b": 30, "c": 2})
    with pytest.warns(UserWarning, match="class 'c' has 2 row\\(s\\) < folds.n_splits=10"):
        folds = make_folds(data, DATASET, FoldParams(n_splits=10), seed=0)
    tests = folds[(folds["part"] == "test")]
    assert (data.loc[tests["row"], "label"] == "c").sum() == 2  # in two test parts, once each


def test_small_class_can_be_dropped():
    data = table({"a": 40, "b": 30, "c": 2})
    with pytest.warns(UserWarning, match="dropped"):
        folds = make_folds(
            data, DATASET, FoldParams(n_splits=10, small_class_policy="drop"), seed=0
        )
    assert not set(folds["row"]) & set(data.index[data["label"] == "c"])


def test_more_folds_than_rows_is_a_parameter_error():
    with pytest.raises(ValueError, match="folds.n_splits=20 exceeds the 6 rows"):
        make_folds(table({"a": 3, "b": 3}), DATASET, FoldParams(n_splits=20), seed=0)
    with pytest.raises(ValueError, match="folds.n_splits must be >= 2"):
        FoldParams(n_splits=1)
