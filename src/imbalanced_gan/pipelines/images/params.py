"""Typed parameters of the image pipelines (``images:`` in ``conf/base/parameters_images.yml``).

Kedro checks each ``params:images.*`` block against these dataclasses before a run: an
unknown key fails with ``ParameterValidationError`` naming it; values are checked here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from imbalanced_gan.methods import method_names
from imbalanced_gan.params import method_blocks

__all__ = [
    "GENERATIVE_METHODS",
    "IMAGE_BASELINES",
    "IMAGE_METHODS",
    "ImageClassifierParams",
    "ImageDatasetParams",
    "ImageFoldParams",
    "ImageSamplerParams",
    "ImbalanceParams",
]

#: Image methods of the registry (:data:`imbalanced_gan.methods.METHODS`): generative
#: samplers trained per split, then the pixel-space baselines.
GENERATIVE_METHODS = method_names("image", "sampler")
IMAGE_BASELINES = method_names("image", "resample")
IMAGE_METHODS = GENERATIVE_METHODS + IMAGE_BASELINES


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@dataclass
class ImageDatasetParams:
    """``images.dataset``: which images (``<name>.images.raw`` in the catalog).

    ``classes`` fixes the order in which ``images.imbalance.class_sizes`` are given (the
    first class gets the first size); ``None`` takes the sorted labels of the source.
    """

    name: str
    classes: list[Any] | None = None

    def __post_init__(self) -> None:
        _require(bool(self.name), "images.dataset.name must name a <name>.images.raw catalog entry")
        if self.classes is not None:
            _require(
                len(self.classes) >= 2 and len({str(c) for c in self.classes}) == len(self.classes),
                f"images.dataset.classes must list at least two distinct labels, got {self.classes!r}",
            )


@dataclass
class ImbalanceParams:
    """``images.imbalance``: paper 003's imposed class sizes, scaled to the source.

    ``scale: auto`` takes the largest factor <= 1 that still leaves
    ``balanced_test_per_class`` images of every class out of the draw (they form the
    balanced test set); no class gets fewer than ``min_class_size`` images.
    """

    class_sizes: list[int]
    scale: Any = "auto"
    min_class_size: int = 10
    balanced_test_per_class: int = 30

    def __post_init__(self) -> None:
        _require(
            len(self.class_sizes) >= 2 and all(int(s) >= 1 for s in self.class_sizes),
            f"images.imbalance.class_sizes must list >= 2 positive sizes, got {self.class_sizes!r}",
        )
        _require(
            self.scale == "auto" or (isinstance(self.scale, int | float) and 0 < self.scale <= 1),
            f"images.imbalance.scale must be 'auto' or a number in (0, 1], got {self.scale!r}",
        )
        _require(
            self.min_class_size >= 2,
            f"images.imbalance.min_class_size must be >= 2, got {self.min_class_size}",
        )
        _require(
            self.balanced_test_per_class >= 1,
            "images.imbalance.balanced_test_per_class must be >= 1, got "
            f"{self.balanced_test_per_class}",
        )


@dataclass
class ImageFoldParams:
    """``images.folds``: stratified K-fold on the imbalanced set (paper 003: 5)."""

    n_splits: int = 5

    def __post_init__(self) -> None:
        _require(self.n_splits >= 2, f"images.folds.n_splits must be >= 2, got {self.n_splits}")


@dataclass(init=False)
class ImageSamplerParams:
    """``images.samplers``: keyword arguments per method (the sampler's own parameters).

    ``sampling_strategy`` is imbalanced-learn's ("auto": every class up to the fold's
    largest, as paper 003 tops every class up to 4000); every other key is an image method
    of the registry whose parameters live under ``images.samplers``.
    """

    sampling_strategy: Any
    device: str
    blocks: dict[str, dict[str, Any]]

    def __init__(
        self, sampling_strategy: Any = "auto", device: str = "auto", **blocks: dict[str, Any]
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.device = device
        _require(
            device in ("auto", "cpu", "cuda"),
            f"images.samplers.device must be 'auto', 'cpu' or 'cuda', got {device!r}",
        )
        self.blocks = method_blocks("images.samplers", blocks, kind="image")

    def of(self, method: str) -> dict[str, Any]:
        """The keyword arguments of ``method`` (empty for ``no_oversampling``).

        The generative samplers also get ``device`` (a method's own block overrides it).
        """
        _require(
            method in IMAGE_METHODS,
            f"Unknown image method {method!r}; choose from {list(IMAGE_METHODS)}",
        )
        shared = {"device": self.device} if method in GENERATIVE_METHODS else {}
        return {**shared, **self.blocks.get(method, {})}


@dataclass
class ImageClassifierParams:
    """``images.classifier``: :class:`gan_oversamplers.images.classifiers.ImageClassifier`."""

    architecture: str = "small_cnn"
    width: int | None = None
    epochs: int = 15
    batch_size: int = 64
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    device: str = "cpu"
    n_threads: int | None = 1

    def __post_init__(self) -> None:
        _require(
            self.architecture in ("small_cnn", "resnet18"),
            "images.classifier.architecture must be 'small_cnn' or 'resnet18', got "
            f"{self.architecture!r}",
        )
        _require(
            self.device in ("cpu", "cuda", "auto"),
            f"images.classifier.device must be 'cpu', 'cuda' or 'auto', got {self.device!r}",
        )
        _require(self.epochs >= 1, f"images.classifier.epochs must be >= 1, got {self.epochs}")

    def kwargs(self) -> dict[str, Any]:
        return {
            "architecture": self.architecture,
            "width": self.width,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "learning_rate": self.learning_rate,
            "weight_decay": self.weight_decay,
            "device": self.device,
            "n_threads": self.n_threads,
        }
