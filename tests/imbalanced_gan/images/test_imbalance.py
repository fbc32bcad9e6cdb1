"""Paper 003's imposed imbalance, scaled to the source, and the held-out balanced test set."""

from __future__ import annotations

import numpy as np
import pytest

from imbalanced_gan.pipelines.images.nodes import imbalanced_sizes, impose_imbalance
from imbalanced_gan.pipelines.images.params import ImageDatasetParams, ImbalanceParams

PAPER = [4000, 2000, 1000, 750, 500, 350, 200, 100, 60, 40]


def raw(per_class: int = 50, n_classes: int = 10) -> dict:
    labels = np.repeat([str(c) for c in range(n_classes)], per_class)
    images = np.arange(len(labels), dtype=np.float32)[:, None, None, None] * np.ones((1, 1, 2, 2))
    return {"images": images / len(labels), "labels": labels, "source": "toy"}


def test_paper_sizes_unscaled_when_the_source_holds_them():
    available = {str(c): 6000 for c in range(10)}
    sizes, scale = imbalanced_sizes(
        available, ImbalanceParams(PAPER, balanced_test_per_class=1000), list(available)
    )
    assert scale == 1 and list(sizes.values()) == PAPER


def test_auto_scale_fits_the_smallest_source_and_keeps_a_minimum():
    available = {str(c): 500 for c in range(10)}  # the MNIST 5k subset
    params = ImbalanceParams(PAPER, min_class_size=10, balanced_test_per_class=100)
    sizes, scale = imbalanced_sizes(available, params, list(available))
    assert scale == pytest.approx(0.1)
    assert list(sizes.values()) == [400, 200, 100, 75, 50, 35, 20, 10, 10, 10]


def test_too_small_a_class_is_an_error_naming_it():
    available = {"a": 100, "b": 12}
    with pytest.raises(ValueError, match="Class 'b' has 12 images"):
        imbalanced_sizes(
            available, ImbalanceParams([80, 40], balanced_test_per_class=5), ["a", "b"]
        )
    with pytest.raises(ValueError, match="class_sizes has 2 sizes but the data has 3"):
        imbalanced_sizes({"a": 9, "b": 9, "c": 9}, ImbalanceParams([5, 4]), ["a", "b", "c"])


def test_draw_is_seeded_disjoint_and_ordered_by_class():
    params = ImbalanceParams(PAPER, min_class_size=4, balanced_test_per_class=10)
    dataset = ImageDatasetParams(name="toy")
    first, balanced, profile = impose_imbalance(raw(), dataset, params, seed=1)
    again, _, _ = impose_imbalance(raw(), dataset, params, seed=1)
    other, _, _ = impose_imbalance(raw(), dataset, params, seed=2)
    np.testing.assert_array_equal(first["source_index"], again["source_index"])
    assert not np.array_equal(first["source_index"], other["source_index"])
    counts = {c: int(np.sum(first["labels"] == c)) for c in first["classes"]}
    assert (
        counts
        == profile["class_sizes"]
        == {"0": 40, "1": 20, "2": 10, "3": 8, "4": 5, "5": 4, "6": 4, "7": 4, "8": 4, "9": 4}
    )
    # the balanced test set: 10 per class, none of them in the imbalanced set
    assert set(np.unique(balanced["labels"], return_counts=True)[1]) == {10}
    assert not set(first["source_index"]) & set(balanced["source_index"])
    np.testing.assert_array_equal(first["images"], raw()["images"][first["source_index"]])


def test_classes_in_conf_fix_the_order_and_must_exist():
    params = ImbalanceParams([30, 5], min_class_size=5, balanced_test_per_class=5)
    data, _, _ = impose_imbalance(
        raw(40, 3), ImageDatasetParams("toy", classes=["2", "0"]), params, 0
    )
    assert {c: int(np.sum(data["labels"] == c)) for c in ("2", "0", "1")} == {
        "2": 30,
        "0": 5,
        "1": 0,
    }
    with pytest.raises(ValueError, match=r"\['7'\] are not labels"):
        impose_imbalance(raw(40, 3), ImageDatasetParams("toy", classes=["0", "7"]), params, 0)
