"""Paired comparison of two methods on the same cross-validation splits: corrected t-test.

Two methods scored on the same J splits give J paired differences ``d_j``. Their naive
t-test treats the splits as independent, but the training parts of cross-validation
overlap heavily, so the differences are positively correlated and the naive variance is
far too small (too many "significant" differences). Nadeau & Bengio [1]_ correct it:

``t = mean(d) / sqrt((1 / J + n_test / n_train) * var(d))``

with ``var(d)`` the sample variance (ddof = 1), ``n_test / n_train`` the ratio of test to
training rows of one split, and ``J - 1`` degrees of freedom. Bouckaert & Frank [2]_ apply
the same correction to r-times repeated k-fold cross-validation with ``J = k r``; that is
the case here. The 95 % interval is ``mean(d) ± t_{0.975, J-1} sqrt((1/J + n_test/n_train)
var(d))``, and a method is called **better** or **worse** than the baseline only when that
interval excludes zero (equivalently p < 0.05); otherwise "no detectable difference".

References
----------
.. [1] C. Nadeau and Y. Bengio, "Inference for the generalization error", Machine
   Learning 52 (2003) 239-281.
.. [2] R. R. Bouckaert and E. Frank, "Evaluating the replicability of significance tests
   for comparing learning algorithms", PAKDD 2004, LNAI 3056, 3-12.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "BETTER",
    "NO_DIFFERENCE",
    "WORSE",
    "corrected_resampled_t",
    "interval_cells",
    "paired_comparison",
]

BETTER = "better"
WORSE = "worse"
NO_DIFFERENCE = "no detectable difference"


def corrected_resampled_t(
    differences: np.ndarray | list[float],
    test_train_ratio: float,
    confidence: float = 0.95,
) -> dict[str, float]:
    """Nadeau & Bengio's corrected resampled t-test on J paired differences.

    Parameters
    ----------
    differences : array-like of shape (J,)
        Score of the method minus score of the baseline, one per split (same splits).
    test_train_ratio : float
        ``n_test / n_train`` of one split (for k-fold: about ``1 / (k - 1)``).
    confidence : float, default=0.95
        Level of the two-sided interval.

    Returns
    -------
    result : dict
        ``n_splits`` (J), ``mean_difference``, ``std_difference`` (ddof = 1),
        ``standard_error`` (corrected), ``t_statistic``, ``df`` (J - 1), ``p_value``
        (two-sided), ``ci_low`` and ``ci_high``. All differences equal: the standard
        error is 0; the interval is that value, p is 1 when it is 0, else 0.

    Examples
    --------
    >>> r = corrected_resampled_t([0.02, 0.04, 0.00, 0.06], test_train_ratio=1 / 9)
    >>> round(r["mean_difference"], 3), round(r["p_value"], 3)
    (0.03, 0.149)
    """
    d = np.asarray(differences, dtype=float)
    if d.ndim != 1:
        raise ValueError(f"differences must be one-dimensional, got shape {d.shape}")
    if not np.isfinite(d).all():
        raise ValueError("differences hold NaN or infinite values; drop those splits first")
    if d.size < 2:
        raise ValueError(f"the corrected t-test needs at least 2 paired splits, got {d.size}")
    if not (test_train_ratio > 0 and math.isfinite(test_train_ratio)):
        raise ValueError(f"test_train_ratio must be a positive number, got {test_train_ratio!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    j = d.size
    mean = float(d.mean())
    std = 0.0 if np.all(d == d[0]) else float(d.std(ddof=1))  # no rounding residue
    se = math.sqrt((1.0 / j + test_train_ratio) * std**2)
    df = j - 1
    if se == 0.0:
        t_stat = 0.0 if mean == 0 else math.copysign(math.inf, mean)
        p_value = 1.0 if mean == 0 else 0.0
        low = high = mean
    else:
        t_stat = mean / se
        p_value = float(2.0 * stats.t.sf(abs(t_stat), df))
        half = float(stats.t.ppf(0.5 + confidence / 2.0, df)) * se
        low, high = mean - half, mean + half
    return {
        "n_splits": j,
        "mean_difference": mean,
        "std_difference": std,
        "standard_error": se,
        "t_statistic": t_stat,
        "df": df,
        "p_value": p_value,
        "ci_low": low,
        "ci_high": high,
    }


def verdict(ci_low: float, ci_high: float, higher_is_better: bool = True) -> str:
    """``"better"`` / ``"worse"`` when the interval excludes zero, else no detectable difference."""
    if ci_low > 0:
        return BETTER if higher_is_better else WORSE
    if ci_high < 0:
        return WORSE if higher_is_better else BETTER
    return NO_DIFFERENCE


def paired_comparison(
    scores: pd.DataFrame,
    split_sizes: pd.DataFrame,
    baselines: Iterable[str],
    metrics: Iterable[str],
    confidence: float = 0.95,
    lower_is_better: Iterable[str] = (),
) -> pd.DataFrame:
    """Every method against each baseline, per metric: corrected t interval and verdict.

    Parameters
    ----------
    scores : DataFrame
        Long: one row per (method, split, metric) with columns ``method``, ``split``,
        ``metric`` and ``value`` (the layout of the reporting pipeline's ``fold_metrics``).
        An optional ``group`` column (e.g. a dataset, or dataset / classifier) makes one
        comparison per group.
    split_sizes : DataFrame
        ``split``, ``n_train`` and ``n_test`` of every split (and ``group`` when
        ``scores`` has it). The ratio used is ``mean(n_test) / mean(n_train)``.
    baselines : iterable of str
        Methods each other method is compared with (those present in ``scores``), in
        order; a pair is compared once: a baseline is not compared again with a baseline
        listed before it (no mirrored rows).
    metrics : iterable of str
        Metrics compared (those present in ``scores``).
    confidence : float, default=0.95
    lower_is_better : iterable of str
        Metrics for which a lower score is better (verdicts flip).

    Returns
    -------
    table : DataFrame
        One row per (group,) metric, baseline and other method: ``metric``, ``method``,
        ``baseline``, ``n_splits`` (splits where both scores are defined),
        ``mean_method``, ``mean_baseline``, ``mean_difference`` (method - baseline),
        ``ci_low``, ``ci_high``, ``t_statistic``, ``p_value``, ``test_train_ratio`` and
        ``verdict``. Fewer than 2 shared splits: NaN statistics and verdict
        ``"not enough splits"``.
    """
    need = {"method", "split", "metric", "value"}
    missing = sorted(need - set(scores.columns))
    if missing:
        raise ValueError(f"scores lacks columns {missing}; has {list(scores.columns)}")
    size_missing = sorted({"split", "n_train", "n_test"} - set(split_sizes.columns))
    if size_missing:
        raise ValueError(f"split_sizes lacks columns {size_missing}")
    lower = set(lower_is_better)
    grouped = "group" in scores.columns
    score_groups = scores.groupby("group", sort=False) if grouped else [(None, scores)]
    rows = []
    for group, part in score_groups:
        sizes = split_sizes[split_sizes["group"] == group] if grouped else split_sizes
        if sizes.empty:
            raise ValueError(f"split_sizes has no row for group {group!r}")
        ratio = float(sizes["n_test"].mean() / sizes["n_train"].mean())
        methods = list(dict.fromkeys(part["method"]))
        for metric in (m for m in metrics if m in set(part["metric"])):
            wide = part[part["metric"] == metric].pivot_table(
                index="split", columns="method", values="value", aggfunc="first"
            )
            present = [b for b in dict.fromkeys(baselines) if b in wide.columns]
            for position, baseline in enumerate(present):
                earlier = set(present[:position])  # (b, a) was already compared as (a, b)
                for method in (
                    m for m in methods if m != baseline and m not in earlier and m in wide.columns
                ):
                    pair = wide[[method, baseline]].astype(float).dropna()
                    row = {
                        **({"group": group} if grouped else {}),
                        "metric": metric,
                        "method": method,
                        "baseline": baseline,
                        "n_splits": len(pair),
                        "mean_method": float(pair[method].mean()) if len(pair) else math.nan,
                        "mean_baseline": float(pair[baseline].mean()) if len(pair) else math.nan,
                        "test_train_ratio": ratio,
                    }
                    if len(pair) < 2:
                        rows.append(
                            row
                            | {
                                "mean_difference": math.nan,
                                "ci_low": math.nan,
                                "ci_high": math.nan,
                                "t_statistic": math.nan,
                                "p_value": math.nan,
                                "verdict": "not enough splits",
                            }
                        )
                        continue
                    result = corrected_resampled_t(
                        pair[method].to_numpy() - pair[baseline].to_numpy(), ratio, confidence
                    )
                    rows.append(
                        row
                        | {
                            key: result[key]
                            for key in (
                                "mean_difference",
                                "ci_low",
                                "ci_high",
                                "t_statistic",
                                "p_value",
                            )
                        }
                        | {
                            "verdict": verdict(
                                result["ci_low"], result["ci_high"], metric not in lower
                            )
                        }
                    )
    columns = [
        *(["group"] if grouped else []),
        "metric",
        "method",
        "baseline",
        "n_splits",
        "mean_method",
        "mean_baseline",
        "mean_difference",
        "ci_low",
        "ci_high",
        "t_statistic",
        "p_value",
        "test_train_ratio",
        "verdict",
    ]
    return pd.DataFrame(rows, columns=columns)


def interval_cells(comparison: pd.DataFrame, scale: float = 1.0, digits: int = 3) -> list[str]:
    """``mean [low, high]`` per row of a :func:`paired_comparison` table (``n/a`` if undefined).

    ``scale`` multiplies the three numbers (100 for percentage points).
    """
    return [
        "n/a"
        if np.isnan(d)
        else f"{scale * d:+.{digits}f} [{scale * lo:+.{digits}f}, {scale * hi:+.{digits}f}]"
        for d, lo, hi in zip(
            comparison["mean_difference"], comparison["ci_low"], comparison["ci_high"], strict=True
        )
    ]
