"""Image classifiers with the scikit-learn estimator API: a small CNN and a ResNet-18.

Both take flattened images (``(n, C*H*W)`` rows, pixels in [0, 1]) and an ``image_shape``
``(C, H, W)``, so they sit behind any over-sampler of this package. Training is seeded:
weights are initialised and minibatches shuffled from ``torch.Generator`` objects derived
from ``random_state``; the global torch and NumPy RNGs are never touched. On CPU, the same
seed and thread count give the same model bit for bit.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.nn import functional as F  # noqa: N812

from .._device import resolve_device
from .._random import derive_seed, resolve_seed, torch_generator

__all__ = ["ARCHITECTURES", "ImageClassifier", "ResNet18", "SmallCNN", "resolve_device"]

logger = logging.getLogger(__name__)


class SmallCNN(nn.Module):
    """A small CNN that trains in seconds on CPU for 8x8 or 28x28 images.

    Three 3x3 conv blocks (16, 32, 64 channels, BatchNorm, ReLU, two 2x2 max-pools),
    global average pooling and a linear layer.
    """

    def __init__(self, in_channels: int, n_classes: int, width: int = 16) -> None:
        super().__init__()
        w = width
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, w, 3, padding=1, bias=False),
            nn.BatchNorm2d(w),
            nn.ReLU(inplace=True),
            nn.Conv2d(w, 2 * w, 3, padding=1, bias=False),
            nn.BatchNorm2d(2 * w),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2, ceil_mode=True),
            nn.Conv2d(2 * w, 4 * w, 3, padding=1, bias=False),
            nn.BatchNorm2d(4 * w),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2, ceil_mode=True),
        )
        self.head = nn.Linear(4 * w, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(torch.flatten(F.adaptive_avg_pool2d(self.features(x), 1), 1))


class _BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = (
            nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
            if stride != 1 or cin != cout
            else nn.Identity()
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class ResNet18(nn.Module):
    """ResNet-18 (He et al. 2016; the classifier of paper 003) for small images.

    Four stages of two basic blocks (64, 128, 256, 512 channels, stride 2 from the second
    stage on) after a 3x3 stem without max-pooling, as is usual for 28x28 and 32x32
    inputs; global average pooling and a linear layer. ``width`` scales the channels
    (64 gives the standard network, 11 M parameters).
    """

    def __init__(self, in_channels: int, n_classes: int, width: int = 64) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, 1, 1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
        )
        layers, cin = [], width
        for stage in range(4):
            cout = width * 2**stage
            stride = 1 if stage == 0 else 2
            layers += [_BasicBlock(cin, cout, stride), _BasicBlock(cout, cout, 1)]
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.head = nn.Linear(cin, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.layers(self.stem(x))
        return self.head(torch.flatten(F.adaptive_avg_pool2d(out, 1), 1))


#: ``architecture`` name -> (network class, default width).
ARCHITECTURES: dict[str, tuple[type[nn.Module], int]] = {
    "small_cnn": (SmallCNN, 16),
    "resnet18": (ResNet18, 64),
}


def _init_weights(module: nn.Module, generator: torch.Generator) -> None:
    """He-uniform conv/linear weights, zero biases, unit BatchNorm, all from ``generator``."""
    for layer in module.modules():
        if isinstance(layer, nn.Conv2d | nn.Linear):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
        elif isinstance(layer, nn.BatchNorm2d):
            nn.init.ones_(layer.weight)
            nn.init.zeros_(layer.bias)


class ImageClassifier(ClassifierMixin, BaseEstimator):
    """A seeded PyTorch image classifier with ``fit`` / ``predict`` / ``predict_proba``.

    Parameters
    ----------
    image_shape : tuple (C, H, W)
        Shape of one image; ``X`` rows are images flattened in C, H, W order.
    architecture : {"small_cnn", "resnet18"}, default="small_cnn"
        ``small_cnn`` trains in seconds to minutes on CPU; ``resnet18`` is paper 003's
        network, for GPU runs.
    width : int or None, default=None
        Channels of the first layer (None: 16 for small_cnn, 64 for resnet18).
    epochs : int, default=15
    batch_size : int, default=64
    learning_rate : float, default=1e-3
        Adam's step size (cosine-annealed to zero over the epochs).
    weight_decay : float, default=1e-4
    device : {"cpu", "cuda", "auto"}, default="cpu"
    n_threads : int or None, default=1
        CPU threads torch may use while fitting and predicting (restored afterwards);
        None keeps torch's setting. One thread is the fastest for these small networks on
        a shared 2-core machine (measured: 0.3 s against 1.9 s for an epoch of ~1,000
        8x8 digits under load).
    random_state : int, RandomState instance or None, default=None
    verbose : bool, default=False
        Log the loss every epoch.

    Attributes
    ----------
    classes_ : ndarray
        Class labels, in the order of ``predict_proba``'s columns.
    network_ : torch.nn.Module
        The trained network, on CPU, in evaluation mode.
    history_ : list of float
        Mean training loss per epoch.
    """

    _parameter_constraints: dict = {
        "image_shape": ["array-like"],
        "architecture": [StrOptions(set(ARCHITECTURES))],
        "width": [Interval(Integral, 1, None, closed="left"), None],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["boolean"],
    }

    def __init__(
        self,
        image_shape: tuple[int, int, int] = (1, 28, 28),
        *,
        architecture: str = "small_cnn",
        width: int | None = None,
        epochs: int = 15,
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        weight_decay: float = 1e-4,
        device: str = "cpu",
        n_threads: int | None = 1,
        random_state: Any = None,
        verbose: bool = False,
    ) -> None:
        self.image_shape = image_shape
        self.architecture = architecture
        self.width = width
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    def _images(self, X: Any) -> torch.Tensor:
        shape = tuple(int(s) for s in self.image_shape)
        if len(shape) != 3 or min(shape) < 1:
            raise ValueError(
                f"image_shape must be (C, H, W) of positive ints, got {self.image_shape!r}"
            )
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != int(np.prod(shape)):
            raise ValueError(
                f"X must be (n, {int(np.prod(shape))}) flattened images of image_shape {shape}, "
                f"got shape {X.shape}"
            )
        if not np.isfinite(X).all():
            raise ValueError("X contains NaN or infinite pixel values")
        return torch.from_numpy(np.ascontiguousarray(X)).reshape(-1, *shape)

    @contextmanager
    def _threads(self) -> Iterator[None]:
        previous = torch.get_num_threads()
        if self.n_threads is not None:
            torch.set_num_threads(self.n_threads)
        try:
            yield
        finally:
            torch.set_num_threads(previous)

    def fit(self, X: Any, y: Any) -> ImageClassifier:
        """Train on flattened images ``X`` and labels ``y``."""
        self._validate_params()
        with self._threads():
            return self._fit(X, y)

    def _fit(self, X: Any, y: Any) -> ImageClassifier:
        images = self._images(X)
        y = np.asarray(y)
        if len(y) != len(images):
            raise ValueError(f"X has {len(images)} rows but y has {len(y)} labels")
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"y must hold at least two classes, got {self.classes_.tolist()}")
        device = resolve_device(self.device)
        seed = resolve_seed(self.random_state)
        network_class, default_width = ARCHITECTURES[self.architecture]
        network = network_class(images.shape[1], len(self.classes_), self.width or default_width)
        _init_weights(network, torch_generator(derive_seed(seed, "init")))
        network.to(device)
        targets = torch.from_numpy(codes.astype(np.int64))
        optimiser = torch.optim.Adam(
            network.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay
        )
        steps = self.epochs * math.ceil(len(images) / self.batch_size)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, max(steps, 1))
        shuffle = torch_generator(derive_seed(seed, "shuffle"))
        self.history_: list[float] = []
        network.train()
        for epoch in range(self.epochs):
            order = torch.randperm(len(images), generator=shuffle)
            total = 0.0
            for start in range(0, len(images), self.batch_size):
                batch = order[start : start + self.batch_size]
                if len(batch) == 1 and len(images) > 1:  # BatchNorm needs two rows
                    continue
                logits = network(images[batch].to(device))
                loss = F.cross_entropy(logits, targets[batch].to(device))
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                optimiser.step()
                schedule.step()
                total += float(loss.detach()) * len(batch)
            self.history_.append(total / len(images))
            if not math.isfinite(self.history_[-1]):
                raise FloatingPointError(
                    f"Classifier loss became {self.history_[-1]} at epoch {epoch}"
                )
            if self.verbose:
                logger.info("epoch %d: loss %.4f", epoch, self.history_[-1])
        self.network_ = network.to("cpu").eval()
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order (rows sum to 1)."""
        check_is_fitted(self, "network_")
        with self._threads(), torch.no_grad():
            return self._predict_proba(X)

    def _predict_proba(self, X: Any) -> np.ndarray:
        images = self._images(X)
        on_gpu = self.device in ("cuda", "auto") and torch.cuda.is_available()
        device = torch.device("cuda" if on_gpu else "cpu")  # a pickled model predicts anywhere
        network = self.network_.to(device)
        parts = [
            torch.softmax(network(images[i : i + 512].to(device)).double(), dim=1).cpu()
            for i in range(0, len(images), 512)
        ]
        self.network_ = network.to("cpu")
        return torch.cat(parts).numpy()

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each image."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
