"""imbalanced-learn's ADASYN, Borderline-SMOTE, SMOTENC and SMOTEN, made safe for small classes.

Each runs class by class with the neighbourhood size reduced to what the class can give
(``k = min(k, n_class - 1)``, with a warning) and copies the row of a single-row class
(with a warning), :class:`~gan_oversamplers.SafeSMOTE`'s rule. ADASYN and Borderline-SMOTE
also get exact counts and a documented fallback where the method itself produces nothing
(docs/methods/baselines.md).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from numbers import Integral
from typing import Any

import numpy as np
from imblearn.over_sampling import ADASYN, SMOTE, SMOTEN, SMOTENC, BorderlineSMOTE
from scipy import sparse
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ._random import derive_seed, plain, resolve_seed

__all__ = ["SafeADASYN", "SafeBorderlineSMOTE", "SafeSMOTEN", "SafeSMOTENC"]

#: What ADASYN and Borderline-SMOTE do when they cannot make a class's rows.
FALLBACK_POLICY = (
    "ADASYN weights a class's rows by the share of other classes among their neighbours; "
    "Borderline-SMOTE interpolates only rows 'in danger' (half or more, not all, of their "
    "neighbours in other classes). When no row of the class qualifies, imbalanced-learn "
    "raises (ADASYN) or silently adds nothing (Borderline-SMOTE); with fallback='smote' "
    "(default) that class's rows come from plain SMOTE with the same k (with a warning), "
    "with fallback='raise' a ValueError names the class."
)


def _per_class(
    sampler: Any,
    X: Any,
    y: np.ndarray,
    resample: Callable[[Any, np.ndarray], tuple[Any, np.ndarray]],
    *,
    k_param: str,
    name: str,
    finish: Callable[..., np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Run ``resample`` (the parent's ``_fit_resample``) one class at a time.

    For each class the sampler's ``sampling_strategy_``, ``k_param`` and ``random_state``
    are set to that class's values (and restored afterwards); ``finish(label, rows,
    n_new, k, seed)`` may fix the class's new rows (count, fallback).
    """
    strategy, k_requested = sampler.sampling_strategy_, getattr(sampler, k_param)
    random_state = sampler.random_state
    seed = resolve_seed(check_random_state(random_state))
    sampler.k_neighbors_ = {}
    original, X_parts, y_parts = None, [], []
    try:
        for index, (label, n_new) in enumerate(sorted(strategy.items())):
            if n_new == 0:
                continue
            rows_of_class = np.flatnonzero(y == label)
            k = min(k_requested, len(rows_of_class) - 1)
            sampler.k_neighbors_[plain(label)] = max(k, 0)
            class_seed = derive_seed(seed, index)
            if k < 1:
                warnings.warn(
                    f"{name}: class {plain(label)!r} has a single row; its {n_new} new rows "
                    "are copies of it (random over-sampling fallback)",
                    UserWarning,
                    stacklevel=3,
                )
                X_parts.append(_dense(_safe_indexing(X, np.repeat(rows_of_class, n_new)), X))
                y_parts.append(np.full(n_new, label, dtype=y.dtype))
                continue
            if k < k_requested:
                warnings.warn(
                    f"{name}: class {plain(label)!r} has {len(rows_of_class)} rows, fewer than "
                    f"{k_param} + 1 = {k_requested + 1}; using {k_param}={k}",
                    UserWarning,
                    stacklevel=3,
                )
            sampler.sampling_strategy_ = {label: n_new}
            setattr(sampler, k_param, k)
            sampler.random_state = class_seed
            X_res, _ = resample(X, y)
            original = X_res[: len(y)] if original is None else original
            new = X_res[len(y) :]
            if finish is not None:
                new = finish(X, y, label, new, n_new, k, class_seed)
            X_parts.append(_dense(new, X))
            y_parts.append(np.full(new.shape[0], label, dtype=y.dtype))
    finally:
        sampler.sampling_strategy_ = strategy
        setattr(sampler, k_param, k_requested)
        sampler.random_state = random_state
    y_out = np.concatenate([y, *y_parts])
    if sparse.issparse(X):  # sparse in, sparse out (same format)
        return sparse.vstack([X, *X_parts], format=X.format), y_out
    first = np.asarray(X) if original is None else np.asarray(original)
    return np.concatenate([first, *(p.astype(first.dtype, copy=False) for p in X_parts)]), y_out


def _dense(rows: Any, X: Any) -> Any:
    """``rows`` as an ndarray, or as a sparse matrix when ``X`` is sparse."""
    return rows if sparse.issparse(X) else np.asarray(rows)


def _smote_fallback(
    name: str, why: str, fallback: str, X: Any, y: np.ndarray, label: Any, n: int, k: int, seed: int
) -> np.ndarray:
    """``n`` plain-SMOTE rows of ``label`` (with a warning), or a ValueError naming the class."""
    if fallback == "raise":
        raise ValueError(f"{name} cannot over-sample class {plain(label)!r}: {why}")
    warnings.warn(
        f"{name}: {why} for class {plain(label)!r}; its {n} rows come from SMOTE "
        f"(k_neighbors={k}) instead",
        UserWarning,
        stacklevel=4,
    )
    n_class = int(np.sum(y == label))
    smote = SMOTE(sampling_strategy={label: n_class + n}, k_neighbors=k, random_state=seed)
    return smote.fit_resample(X, y)[0][len(y) :]


class SafeADASYN(ADASYN):
    """ADASYN, class by class, with exact counts and a fallback for 'safe' classes.

    Parameters are ADASYN's, plus:

    exact_counts : bool, default=True
        ADASYN rounds each row's share of the new rows, so its total can miss the
        requested count. True asks ADASYN for ``n_new + n_class`` rows (rounding loses at
        most half a row per class row) and keeps a seeded random ``n_new`` of them, which
        keeps ADASYN's weighting in expectation; False returns ADASYN's own count.
    fallback : {'smote', 'raise'}, default='smote'
        What to do for a class none of whose rows has a neighbour of another class
        (ADASYN's weights are all 0); see :data:`FALLBACK_POLICY`.

    Attributes
    ----------
    k_neighbors_ : dict
        The ``n_neighbors`` used per resampled class (0 means copies).
    fallback_classes_ : list
        Classes whose rows came from the SMOTE fallback.
    """

    _parameter_constraints: dict = {
        **ADASYN._parameter_constraints,
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "exact_counts": ["boolean"],
        "fallback": [StrOptions({"smote", "raise"})],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        n_neighbors: int = 5,
        exact_counts: bool = True,
        fallback: str = "smote",
    ) -> None:
        super().__init__(
            sampling_strategy=sampling_strategy, random_state=random_state, n_neighbors=n_neighbors
        )
        self.exact_counts = exact_counts
        self.fallback = fallback

    def _fit_resample(self, X: Any, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.fallback_classes_: list[Any] = []
        parent = super()._fit_resample

        def resample(X: Any, y: np.ndarray) -> tuple[Any, np.ndarray]:
            if self.exact_counts:
                label, n_new = next(iter(self.sampling_strategy_.items()))
                self.sampling_strategy_ = {label: n_new + int(np.sum(y == label))}
            try:
                return parent(X, y)
            except (RuntimeError, ValueError) as error:
                if not any(s in str(error) for s in ("neigbours", "neighbours", "No samples")):
                    raise
                return X, y  # no new rows: `finish` falls back

        def finish(X: Any, y: np.ndarray, label: Any, new: Any, n_new: int, k: int, seed: int):
            if new.shape[0] == 0:
                self.fallback_classes_.append(plain(label))
                why = "no row has a neighbour of another class (ADASYN's weights are all 0)"
                return _smote_fallback("ADASYN", why, self.fallback, X, y, label, n_new, k, seed)
            if self.exact_counts and new.shape[0] > n_new:
                keep = np.random.default_rng(derive_seed(seed, "subset")).choice(
                    new.shape[0], n_new, replace=False
                )
                new = new[np.sort(keep)]
            if self.exact_counts and new.shape[0] < n_new:  # cannot happen (see docstring)
                raise RuntimeError(f"ADASYN made {new.shape[0]} < {n_new} rows for {label!r}")
            return new

        return _per_class(self, X, y, resample, k_param="n_neighbors", name="ADASYN", finish=finish)


class SafeBorderlineSMOTE(BorderlineSMOTE):
    """Borderline-SMOTE, class by class, with exact counts when no row is 'in danger'.

    Parameters are BorderlineSMOTE's (``k_neighbors`` reduced per class,
    ``m_neighbors`` capped at ``n_samples - 1``), plus ``fallback`` as in
    :class:`SafeADASYN`.

    Attributes
    ----------
    k_neighbors_ : dict
        The ``k_neighbors`` used per resampled class (0 means copies).
    fallback_classes_ : list
        Classes whose rows came from the SMOTE fallback.
    """

    _parameter_constraints: dict = {
        **BorderlineSMOTE._parameter_constraints,
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
        "m_neighbors": [Interval(Integral, 1, None, closed="left")],
        "fallback": [StrOptions({"smote", "raise"})],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        k_neighbors: int = 5,
        m_neighbors: int = 10,
        kind: str = "borderline-1",
        fallback: str = "smote",
    ) -> None:
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            k_neighbors=k_neighbors,
            m_neighbors=m_neighbors,
            kind=kind,
        )
        self.fallback = fallback

    def _fit_resample(self, X: Any, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.fallback_classes_: list[Any] = []
        m_requested = self.m_neighbors
        self.m_neighbors = min(m_requested, len(y) - 1)

        def finish(X: Any, y: np.ndarray, label: Any, new: Any, n_new: int, k: int, seed: int):
            if new.shape[0] == 0:
                self.fallback_classes_.append(plain(label))
                why = "no row is in danger (near the border with other classes)"
                return _smote_fallback(
                    "Borderline-SMOTE", why, self.fallback, X, y, label, n_new, k, seed
                )
            return new

        try:
            return _per_class(
                self, X, y, super()._fit_resample, k_param="k_neighbors",
                name="Borderline-SMOTE", finish=finish,
            )  # fmt: skip
        finally:
            self.m_neighbors = m_requested


class SafeSMOTENC(SMOTENC):
    """SMOTENC (numeric and categorical columns), class by class, safe for small classes.

    Parameters are SMOTENC's: ``categorical_features`` (indices, a boolean mask, column
    names of a DataFrame, or ``'auto'`` for a DataFrame's category columns) is required.

    Attributes
    ----------
    k_neighbors_ : dict
        The ``k_neighbors`` used per resampled class (0 means copies).
    """

    def _fit_resample(self, X: Any, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _per_class(self, X, y, super()._fit_resample, k_param="k_neighbors", name="SMOTENC")


class SafeSMOTEN(SMOTEN):
    """SMOTEN (categorical columns only), class by class, safe for small classes.

    Attributes
    ----------
    k_neighbors_ : dict
        The ``k_neighbors`` used per resampled class (0 means copies).
    """

    def _fit_resample(self, X: Any, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _per_class(self, X, y, super()._fit_resample, k_param="k_neighbors", name="SMOTEN")
