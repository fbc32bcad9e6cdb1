"""Win / tie / loss counts against a baseline, from per-fold scores.

For each problem (dataset x classifier), a method is compared with the baseline on the same
splits (folds and repeats) with a paired Wilcoxon signed-rank test; see :func:`win_tie_loss`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pandas as pd

from imbalanced_gan.evaluation._common import wilcoxon_two_sided

__all__ = ["paired_outcomes", "score_matrix", "win_tie_loss"]

logger = logging.getLogger(__name__)


def _long_values(
    per_fold: pd.DataFrame,
    metric: str,
    columns: Mapping[str, str],
) -> pd.DataFrame:
    """Rows problem/method/split/value for one metric, from either long layout."""
    if not isinstance(per_fold, pd.DataFrame):
        raise TypeError(f"per_fold must be a pandas DataFrame, got {type(per_fold).__name__}")
    problem, method, split = columns["problem"], columns["method"], columns["split"]
    missing = [c for c in (problem, method, split) if c not in per_fold.columns]
    if missing:
        raise ValueError(f"per_fold lacks columns {missing}; has {list(per_fold.columns)}")
    if metric in per_fold.columns:  # wide: one column per metric
        values = per_fold[metric]
        frame = per_fold
    else:  # long: a metric-name column and a value column
        metric_col, value_col = columns["metric"], columns["value"]
        if metric_col not in per_fold.columns or value_col not in per_fold.columns:
            raise ValueError(
                f"metric {metric!r} is not a column of per_fold, and per_fold has no "
                f"{metric_col!r}/{value_col!r} columns to look it up in"
            )
        frame = per_fold[per_fold[metric_col] == metric]
        if frame.empty:
            known = sorted(map(str, per_fold[metric_col].unique()))
            raise ValueError(f"metric {metric!r} not found in per_fold; metrics: {known}")
        values = frame[value_col]
    out = pd.DataFrame(
        {
            "problem": frame[problem].to_numpy(),
            "method": frame[method].to_numpy(),
            "split": frame[split].to_numpy(),
            "value": values.to_numpy(dtype=float),
        }
    )
    dupes = out.duplicated(["problem", "method", "split"])
    if dupes.any():
        raise ValueError(
            f"per_fold has several {metric!r} rows for the same problem/method/split, e.g. "
            f"{out.loc[dupes].iloc[0][['problem', 'method', 'split']].to_dict()}"
        )
    return out


_DEFAULT_COLUMNS = {
    "problem": "problem",
    "method": "method",
    "split": "split",
    "metric": "metric",
    "value": "value",
}


def score_matrix(
    per_fold: pd.DataFrame, metric: str, columns: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Mean score over the splits of each problem: the problems x methods table of the tests.

    ``per_fold`` is long: one row per problem, method and split, with either a column named
    ``metric`` or a metric-name column and a value column (names set by ``columns``, a
    mapping from ``problem/method/split/metric/value`` to the column names).
    """
    long = _long_values(per_fold, metric, {**_DEFAULT_COLUMNS, **(columns or {})})
    table = long.pivot_table(index="problem", columns="method", values="value", aggfunc="mean")
    table.columns.name = None
    return table


def paired_outcomes(
    per_fold: pd.DataFrame,
    baseline: str,
    metric: str,
    alpha: float = 0.05,
    higher_is_better: bool = True,
    zero_method: str = "zsplit",
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Per problem and method, the paired Wilcoxon over splits against ``baseline``.

    See :func:`win_tie_loss` for the definitions. Returns one row per (problem, method other
    than the baseline): ``n_pairs``, ``mean_difference`` (method - baseline),
    ``p_value`` and ``outcome`` (``"win"``, ``"tie"`` or ``"loss"``).
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    long = _long_values(per_fold, metric, {**_DEFAULT_COLUMNS, **(columns or {})})
    if baseline not in set(long["method"]):
        raise ValueError(
            f"baseline {baseline!r} not found; methods: {sorted(map(str, long['method'].unique()))}"
        )
    rows = []
    for problem, part in long.groupby("problem", sort=True):
        wide = part.pivot(index="split", columns="method", values="value")
        if baseline not in wide.columns:
            raise ValueError(f"problem {problem!r} has no {baseline!r} (baseline) rows")
        if 2.0 / 2.0 ** len(wide) > alpha:
            logger.warning(
                "Problem %r: %d paired splits cannot reach p < %s in a two-sided "
                "Wilcoxon test; every comparison is a tie",
                problem,
                len(wide),
                alpha,
            )
        for method in (m for m in wide.columns if m != baseline):
            pair = wide[[method, baseline]].dropna()
            if len(pair) < len(wide):
                logger.warning(
                    "Problem %r: %s and %s share %d of %d splits; pairing on those",
                    problem,
                    method,
                    baseline,
                    len(pair),
                    len(wide),
                )
            if pair.empty:
                raise ValueError(f"problem {problem!r}: {method!r} and {baseline!r} share no split")
            diff = pair[method].to_numpy() - pair[baseline].to_numpy()
            if not higher_is_better:
                diff = -diff
            _, p_value = wilcoxon_two_sided(diff, zero_method)
            mean_diff = float(diff.mean())
            if p_value >= alpha or mean_diff == 0:
                outcome = "tie"
            else:
                outcome = "win" if mean_diff > 0 else "loss"
            rows.append(
                {
                    "problem": problem,
                    "method": method,
                    "n_pairs": len(diff),
                    "mean_difference": mean_diff if higher_is_better else -mean_diff,
                    "p_value": p_value,
                    "outcome": outcome,
                }
            )
    return pd.DataFrame(rows)


def win_tie_loss(
    per_fold: pd.DataFrame,
    baseline: str,
    metric: str,
    alpha: float = 0.05,
    higher_is_better: bool = True,
    zero_method: str = "zsplit",
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Wins, ties and losses of each method against a baseline, counted over problems.

    Definition: for each problem, the method's and the baseline's scores on the same
    splits (folds and repeats, matched by the ``split`` column) are compared with a
    two-sided paired Wilcoxon signed-rank test. It is a **tie** when ``p >= alpha`` (or when
    every paired difference is 0, i.e. equal means); otherwise a **win** when the method's
    mean score is better than the baseline's, a **loss** when worse. Note that with n pairs
    the smallest two-sided exact p is ``2 / 2**n``: 5 folds can never give p < 0.05
    (a warning is logged), 10 folds can.

    Parameters
    ----------
    per_fold : DataFrame
        Long format, one row per problem, method and split, with columns ``problem``,
        ``method``, ``split`` and either a column named ``metric`` or the pair
        ``metric`` (metric name) / ``value``. Other names through ``columns``.
    baseline : str
        The method the others are compared with.
    metric : str
    alpha : float, default=0.05
    higher_is_better : bool, default=True
    zero_method : {"zsplit", "wilcox", "pratt"}, default="zsplit"
        How zero differences count in :func:`scipy.stats.wilcoxon`.
    columns : mapping, optional
        Column names for ``problem``, ``method``, ``split``, ``metric``, ``value``.

    Returns
    -------
    table : DataFrame
        One row per method other than the baseline: ``method``, ``wins``, ``ties``,
        ``losses``, ``n_problems``.
    """
    outcomes = paired_outcomes(
        per_fold, baseline, metric, alpha, higher_is_better, zero_method, columns
    )
    if outcomes.empty:
        raise ValueError(f"per_fold has no method besides the baseline {baseline!r}")
    counts = (
        pd.crosstab(outcomes["method"], outcomes["outcome"])
        .reindex(columns=["win", "tie", "loss"], fill_value=0)
        .rename(columns={"win": "wins", "tie": "ties", "loss": "losses"})
    )
    counts["n_problems"] = counts.sum(axis=1)
    counts.columns.name = None
    return counts.reset_index()
