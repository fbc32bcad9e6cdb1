import numpy as np
import pandas as pd
import pytest

from gan_oversamplers import TableEncoder, concat_top_up, top_up_counts


def test_encoder_round_trip_and_unseen_categories(mixed_table):
    train, test = mixed_table.iloc[:40], mixed_table.iloc[40:]
    encoder = TableEncoder(["colour", "shape"], ["size", "weight"]).fit(train)
    encoded = encoder.transform(train)
    assert encoded.columns[0].startswith("colour=")
    assert encoded[["size", "weight"]].min().min() == pytest.approx(0)
    assert encoded[["size", "weight"]].max().max() == pytest.approx(1)
    back = encoder.inverse_transform(encoded)
    pd.testing.assert_frame_equal(
        back[["colour", "shape"]].astype(str), train[["colour", "shape"]].reset_index(drop=True)
    )
    np.testing.assert_allclose(back[["size", "weight"]], train[["size", "weight"]])
    odd = test.assign(colour="purple")
    assert (encoder.transform(odd).filter(like="colour=") == 0).all().all()
    assert encoder.inverse_transform(encoder.transform(odd))["colour"].isna().all()
    with pytest.raises(KeyError, match="height"):
        TableEncoder(["height"]).fit(train)


def test_top_up_counts_follow_imbalanced_learn():
    y = np.array(["a"] * 10 + ["b"] * 4 + ["c"] * 1)
    assert top_up_counts(y) == {"a": 0, "b": 6, "c": 9}
    assert top_up_counts(y, {"c": 5}) == {"a": 0, "b": 0, "c": 4}


def test_concat_top_up_marks_synthetic_rows_and_checks_width():
    train = pd.DataFrame({"x": [0.0, 1.0], "y": ["a", "b"]})
    out = concat_top_up(train, "y", {"b": np.array([[0.5], [0.25]])})
    assert out["is_synthetic"].tolist() == [False, False, True, True]
    assert out["y"].tolist() == ["a", "b", "b", "b"]
    with pytest.raises(ValueError, match="class 'b' have shape"):
        concat_top_up(train, "y", {"b": np.zeros((2, 3))})
