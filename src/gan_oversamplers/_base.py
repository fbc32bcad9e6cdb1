"""The one sampler base of the library's GAN samplers (tabular and image alike).

:class:`GANOverSampler` is imbalanced-learn's ``BaseOverSampler`` plus what every GAN
sampler shares: the constraints of ``sampling_strategy``, ``random_state``, ``verbose``
and ``device`` (:data:`BASE_CONSTRAINTS`, checked by scikit-learn's ``_validate_params``),
the fit's seed and device, the validation of the ``counts`` a protocol call asks for
(:meth:`GANOverSampler._new_counts`) and the stacking of the new rows under the old ones
(:meth:`GANOverSampler._append_new`). :class:`~gan_oversamplers.GANSMOTE`, the tabular
base :class:`~gan_oversamplers._tabular_gan.TableGANSampler` and the image base
:class:`~gan_oversamplers.images._nets.ImageOverSampler` all subclass it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from imblearn.over_sampling.base import BaseOverSampler
from scipy import sparse
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions

from ._device import DEVICES, resolve_device
from ._random import plain, resolve_seed
from .topup import top_up_counts

__all__ = ["BASE_CONSTRAINTS", "GANOverSampler"]

#: Parameter constraints every GAN sampler shares (scikit-learn's validation).
BASE_CONSTRAINTS: dict[str, list[Any]] = {
    **BaseOverSampler._parameter_constraints,
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "device": [StrOptions(set(DEVICES))],
}


class GANOverSampler(BaseOverSampler):
    """imbalanced-learn's ``BaseOverSampler`` with the validation the GAN samplers share.

    Subclasses declare ``_parameter_constraints`` starting from :data:`BASE_CONSTRAINTS`
    and set ``_NOUN`` (what a row is called in error messages: ``"rows"``, ``"images"``).
    """

    _sampling_type = "over-sampling"
    _parameter_constraints: dict = dict(BASE_CONSTRAINTS)
    _NOUN = "rows"

    def _fit_seed(self) -> int:
        """The fit's seed: ``random_state`` through ``check_random_state``, then one draw."""
        return resolve_seed(check_random_state(self.random_state))

    def _fit_device(self) -> torch.device:
        """Where the fit trains (``device`` resolved; CPU for samplers without one)."""
        return resolve_device(getattr(self, "device", "cpu"))

    def _new_counts(
        self, y: np.ndarray, counts: Mapping[Any, Any] | None, classes: list[Any]
    ) -> dict[Any, int]:
        """``{label: new rows}``: ``counts`` checked, or the ``sampling_strategy`` top-up.

        Raises a ValueError naming the class for a count that is not a non-negative
        integer, or a positive count for a class with no rows in ``y``.
        """
        counts = top_up_counts(y, self.sampling_strategy) if counts is None else counts
        bad = {plain(k): v for k, v in counts.items() if not (int(v) == v and v >= 0)}
        if bad:
            raise ValueError(
                f"counts must be non-negative integers (the number of new {self._NOUN} per "
                f"class), got {bad!r}"
            )
        new = {plain(k): int(v) for k, v in counts.items()}
        for label, n in new.items():
            if n > 0 and label not in classes:
                raise ValueError(
                    f"Class {label!r} has no {self._NOUN} in y; cannot generate {n} for it"
                )
        return new

    @staticmethod
    def _append_new(X: Any, y: np.ndarray, new: Mapping[Any, np.ndarray]) -> tuple[Any, np.ndarray]:
        """``X`` and ``y`` with the new rows of each class below them, classes in sorted order.

        Sparse in, sparse out (same format); the new rows take ``X``'s dtype.
        """
        labels = sorted(label for label in new if len(new[label]))
        X_parts = [X, *(new[label].astype(X.dtype, copy=False) for label in labels)]
        y_parts = [y, *(np.full(len(new[label]), label, dtype=y.dtype) for label in labels)]
        if not labels:
            return X, y
        if sparse.issparse(X):
            return sparse.vstack(X_parts, format=X.format), np.concatenate(y_parts)
        return np.concatenate(X_parts), np.concatenate(y_parts)
