"""Baseline over-samplers from imbalanced-learn, made safe for very small classes."""

from __future__ import annotations

import warnings
from numbers import Integral
from typing import Any

import numpy as np
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval

from ._random import derive_seed, plain, resolve_seed
from .safe_samplers import SafeADASYN, SafeBorderlineSMOTE, SafeSMOTEN, SafeSMOTENC

__all__ = ["BASELINES", "SMALL_CLASS_POLICY", "SafeSMOTE", "make_baseline"]

_CATEGORICAL_FEATURES_REQUIRED = (
    "make_baseline('smotenc') needs categorical_features= (indices, a boolean mask or column "
    "names of the categorical columns)"
)

#: What :class:`SafeSMOTE` does for a class with few rows (also in docs/methods/baselines.md).
SMALL_CLASS_POLICY = (
    "SMOTE needs k_neighbors + 1 rows of a class. A class with n rows, 2 <= n <= k, "
    "uses k = n - 1 (with a warning); a class with a single row cannot be "
    "interpolated, so its new rows are copies of that row (random over-sampling, "
    "with a warning)."
)


class SafeSMOTE(BaseOverSampler):
    """SMOTE whose neighbourhood size adapts to each class's size.

    imbalanced-learn's ``SMOTE`` fails when a class has ``k_neighbors`` rows or fewer,
    which happens in every fold of a small data set. This sampler runs SMOTE class
    by class with ``k = min(k_neighbors, n_class - 1)``; see :data:`SMALL_CLASS_POLICY`.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
    random_state : int, RandomState instance or None, default=None
    k_neighbors : int, default=5
        Nearest neighbours used to interpolate, where the class is large enough.

    Attributes
    ----------
    k_neighbors_ : dict
        The ``k`` actually used per resampled class (0 means copies).
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self, *, sampling_strategy: Any = "auto", random_state: Any = None, k_neighbors: int = 5
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.k_neighbors = k_neighbors

    def _fit_resample(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        seed = resolve_seed(check_random_state(self.random_state))
        self.k_neighbors_: dict[Any, int] = {}
        X_parts, y_parts = [X], [y]
        for index, (label, n_new) in enumerate(sorted(self.sampling_strategy_.items())):
            if n_new == 0:
                continue
            n_class = int(np.sum(y == label))
            label = plain(label)
            k = min(self.k_neighbors, n_class - 1)
            self.k_neighbors_[label] = k
            class_seed = derive_seed(seed, index)
            if k < 1:
                warnings.warn(
                    f"SMOTE: class {label!r} has a single row; its {n_new} new rows are "
                    "copies of it (random over-sampling fallback)",
                    UserWarning,
                    stacklevel=2,
                )
                X_new = np.repeat(X[y == label], n_new, axis=0)
            else:
                if k < self.k_neighbors:
                    warnings.warn(
                        f"SMOTE: class {label!r} has {n_class} rows, fewer than "
                        f"k_neighbors + 1 = {self.k_neighbors + 1}; using k_neighbors={k}",
                        UserWarning,
                        stacklevel=2,
                    )
                smote = SMOTE(
                    sampling_strategy={label: n_class + n_new},
                    k_neighbors=k,
                    random_state=class_seed,
                )
                X_new = smote.fit_resample(X, y)[0][len(X) :]
            X_parts.append(X_new.astype(X.dtype, copy=False))
            y_parts.append(np.full(n_new, label, dtype=y.dtype))
        return np.concatenate(X_parts), np.concatenate(y_parts)

    def __sklearn_tags__(self):  # noqa: ANN204
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags


#: Baseline names accepted by :func:`make_baseline`.
BASELINES = (
    "no_oversampling",
    "random_oversampling",
    "smote",
    "adasyn",
    "borderline_smote",
    "smotenc",
    "smoten",
)


def make_baseline(
    name: str, *, sampling_strategy: Any = "auto", random_state: Any = None, **params: Any
) -> BaseOverSampler | None:
    """An imbalanced-learn sampler for a baseline name (``None`` for no over-sampling).

    Parameters
    ----------
    name : str
        One of :data:`BASELINES`. ``adasyn``, ``borderline_smote``, ``smotenc`` and
        ``smoten`` are the small-class-safe samplers of
        :mod:`gan_oversamplers.safe_samplers`.
    sampling_strategy, random_state
        Passed to the sampler.
    **params
        Extra sampler parameters (``k_neighbors`` for SMOTE; ``n_neighbors``,
        ``exact_counts``, ``fallback`` for ADASYN; ``categorical_features``, required, for
        SMOTENC).
    """
    safe = {
        "adasyn": SafeADASYN,
        "borderline_smote": SafeBorderlineSMOTE,
        "smotenc": SafeSMOTENC,
        "smoten": SafeSMOTEN,
    }
    if name == "smotenc" and "categorical_features" not in params:
        raise ValueError(_CATEGORICAL_FEATURES_REQUIRED)
    if name in safe:
        return safe[name](sampling_strategy=sampling_strategy, random_state=random_state, **params)
    if name == "no_oversampling":
        return None
    if name == "random_oversampling":
        return RandomOverSampler(
            sampling_strategy=sampling_strategy, random_state=random_state, **params
        )
    if name == "smote":
        return SafeSMOTE(sampling_strategy=sampling_strategy, random_state=random_state, **params)
    raise ValueError(f"Unknown baseline {name!r}; choose one of {list(BASELINES)}")
