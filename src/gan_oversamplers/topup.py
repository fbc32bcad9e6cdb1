"""Top-up arithmetic shared by the samplers and the pipeline's top-up step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from imblearn.utils import check_sampling_strategy

__all__ = ["concat_top_up", "top_up_counts"]


def top_up_counts(y: Any, sampling_strategy: Any = "auto") -> dict[Any, int]:
    """Rows to add per class, imbalanced-learn's reading of ``sampling_strategy``.

    ``"auto"`` tops every class up to the largest class of ``y`` (paper 000's rule);
    a dict gives target counts per class. Every class of ``y`` is in the result
    (0 where nothing is added).
    """
    y = np.asarray(y)
    counts = dict.fromkeys(np.unique(y).tolist(), 0)
    strategy = check_sampling_strategy(sampling_strategy, y, "over-sampling")
    counts.update({k.item() if hasattr(k, "item") else k: int(v) for k, v in strategy.items()})
    return counts


def concat_top_up(
    train: pd.DataFrame,
    target: str,
    synthetic: Mapping[Any, np.ndarray],
) -> pd.DataFrame:
    """Append synthetic rows per class to ``train``, marked by an ``is_synthetic`` column.

    Real rows keep ``train``'s index (e.g. their row numbers in the source table);
    synthetic rows are numbered ``-1, -2, ...``, so no synthetic row can pass for a real one.

    Parameters
    ----------
    train : DataFrame
        Feature columns and the ``target`` column (real rows).
    target : str
        Name of the class column.
    synthetic : mapping
        Class label -> array of new rows with ``train``'s feature columns, in order.
    """
    features = [c for c in train.columns if c not in (target, "is_synthetic")]
    real = train[[*features, target]].assign(is_synthetic=False)
    parts, n_synthetic = [real], 0
    for label, rows in synthetic.items():
        rows = np.asarray(rows)
        if rows.size == 0:
            continue
        if rows.ndim != 2 or rows.shape[1] != len(features):
            raise ValueError(
                f"Synthetic rows of class {label!r} have shape {rows.shape}; expected "
                f"(n, {len(features)}) for the features of the training table"
            )
        block = pd.DataFrame(rows, columns=features).astype(real[features].dtypes.to_dict())
        block[target] = pd.Series([label] * len(block), dtype=real[target].dtype)
        block["is_synthetic"] = True
        block.index = -1 - np.arange(n_synthetic, n_synthetic + len(block))
        n_synthetic += len(block)
        parts.append(block)
    return pd.concat(parts)
