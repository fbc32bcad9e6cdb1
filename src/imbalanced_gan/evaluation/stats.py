"""Comparing methods over many problems: ranks, Friedman, post-hoc tests, CD diagrams.

A *problem* is one row of a score table (for example one dataset with one classifier); a
*method* is one column (an over-sampler). The tests follow Demšar (2006):

- :func:`average_ranks`: rank the methods within each problem (1 = best, ties share the
  average rank), then average over problems;
- :func:`friedman_test`: do the methods differ at all? (Friedman's chi-square and the
  Iman-Davenport F, which is less conservative);
- :func:`nemenyi_critical_difference` and :func:`cd_diagram`: which average ranks differ;
- :func:`holm_wilcoxon`: paired Wilcoxon signed-rank tests, all pairs or each method against a
  control, with Holm's step-down correction;
- :func:`win_tie_loss`: per problem, does a method beat a baseline over the folds?

References
----------
.. [1] J. Demšar, "Statistical comparisons of classifiers over multiple data sets",
   Journal of Machine Learning Research 7 (2006) 1-30.
.. [2] S. Holm, "A simple sequentially rejective multiple test procedure", Scandinavian
   Journal of Statistics 6 (1979) 65-70.
"""

from __future__ import annotations

import itertools
import logging
import math

import numpy as np
import pandas as pd
from scipy import stats

from imbalanced_gan.evaluation._common import wilcoxon_two_sided
from imbalanced_gan.evaluation.cd_diagram import cd_diagram, nonsignificant_groups
from imbalanced_gan.evaluation.paired import paired_outcomes, score_matrix, win_tie_loss

__all__ = [
    "average_ranks",
    "cd_diagram",
    "friedman_test",
    "holm_adjust",
    "holm_wilcoxon",
    "nemenyi_critical_difference",
    "nonsignificant_groups",
    "paired_outcomes",
    "rank_table",
    "score_matrix",
    "win_tie_loss",
]

logger = logging.getLogger(__name__)

_NAN_POLICIES = ("raise", "drop")


def _check_scores(scores: pd.DataFrame, nan_policy: str) -> pd.DataFrame:
    """Validate a problems x methods table; drop or reject rows with NaN."""
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"scores must be a pandas DataFrame, got {type(scores).__name__}")
    if nan_policy not in _NAN_POLICIES:
        raise ValueError(f"nan_policy must be one of {_NAN_POLICIES}, got {nan_policy!r}")
    if scores.columns.duplicated().any():
        dupes = sorted(map(str, scores.columns[scores.columns.duplicated()]))
        raise ValueError(f"scores has duplicate method columns: {dupes}")
    if scores.shape[1] < 2:
        raise ValueError(f"scores needs at least 2 method columns, got {scores.shape[1]}")
    non_numeric = [c for c in scores.columns if not pd.api.types.is_numeric_dtype(scores[c])]
    if non_numeric:
        raise TypeError(f"scores columns must be numeric; not numeric: {non_numeric}")
    bad = scores.isna().any(axis=1)
    if bad.any():
        rows = list(scores.index[bad])
        if nan_policy == "raise":
            raise ValueError(
                f"scores has NaN in problem rows {rows}; fill them or pass nan_policy='drop'"
            )
        logger.warning("Dropping %d problem rows with NaN scores: %s", len(rows), rows)
        scores = scores.loc[~bad]
    if scores.shape[0] < 1:
        raise ValueError("scores has no complete problem row")
    return scores


def rank_table(
    scores: pd.DataFrame, higher_is_better: bool = True, nan_policy: str = "raise"
) -> pd.DataFrame:
    """Rank the methods within each problem: 1 = best, ties get the average of their ranks.

    Parameters
    ----------
    scores : DataFrame
        One row per problem, one numeric column per method.
    higher_is_better : bool, default=True
        False for losses and errors.
    nan_policy : {"raise", "drop"}, default="raise"
        What to do with a problem row holding a NaN: raise an error naming the rows, or drop
        the rows with a logged warning.

    Returns
    -------
    ranks : DataFrame
        Same shape as the checked ``scores``.
    """
    scores = _check_scores(scores, nan_policy)
    return scores.rank(axis=1, ascending=not higher_is_better, method="average")


def average_ranks(
    scores: pd.DataFrame, higher_is_better: bool = True, nan_policy: str = "raise"
) -> pd.Series:
    """Average rank of each method over the problems (1 = best; ties share ranks).

    Parameters
    ----------
    scores : DataFrame
        One row per problem (for example dataset x classifier), one column per method.
    higher_is_better : bool, default=True
        False for losses and errors.
    nan_policy : {"raise", "drop"}, default="raise"
        See :func:`rank_table`.

    Returns
    -------
    ranks : Series
        Indexed by method in the column order of ``scores``, named ``"average_rank"``.

    Examples
    --------
    >>> table = pd.DataFrame({"a": [0.9, 0.8], "b": [0.7, 0.8], "c": [0.1, 0.2]})
    >>> average_ranks(table).tolist()
    [1.25, 1.75, 3.0]
    """
    ranks = rank_table(scores, higher_is_better, nan_policy).mean(axis=0)
    return ranks.rename("average_rank")


def friedman_test(
    scores: pd.DataFrame,
    higher_is_better: bool = True,
    nan_policy: str = "raise",
    tie_correction: bool = False,
) -> dict[str, object]:
    """Friedman's test that all methods perform alike, with the Iman-Davenport F.

    ``chi2 = 12 N / (k (k + 1)) * (sum_j R_j**2 - k (k + 1)**2 / 4)`` with ``R_j`` the
    average ranks over ``N`` problems of ``k`` methods (k - 1 degrees of freedom), and
    ``F = (N - 1) chi2 / (N (k - 1) - chi2)`` with ``(k - 1, (k - 1)(N - 1))`` degrees of
    freedom [1]_. The chi-square approximation wants about N > 10 and k > 5; the F is
    less conservative. For ``k = 2`` the Friedman test is a sign test and is not offered:
    use the paired Wilcoxon signed-rank test (:func:`holm_wilcoxon`), which is stronger.

    Parameters
    ----------
    scores : DataFrame
        One row per problem, one column per method (at least 2 rows and 3 columns).
    higher_is_better : bool, default=True
    nan_policy : {"raise", "drop"}, default="raise"
    tie_correction : bool, default=False
        Divide chi2 by ``1 - sum(t**3 - t) / (N k (k**2 - 1))`` over the tie groups ``t``
        (as :func:`scipy.stats.friedmanchisquare` does). Demšar's formulas do not.

    Returns
    -------
    result : dict
        ``statistic`` (chi2), ``p_value``, ``f_statistic`` (Iman-Davenport), ``f_p_value``,
        ``n_problems``, ``n_methods``, ``average_ranks`` (dict method -> rank).

    References
    ----------
    .. [1] J. Demšar (2006), section 3.2.2.
    """
    ranks = rank_table(scores, higher_is_better, nan_policy)
    n, k = ranks.shape
    if k < 3:
        raise ValueError(
            f"the Friedman test needs at least 3 methods, got {k}; to compare 2 methods use "
            "the paired Wilcoxon signed-rank test (holm_wilcoxon)"
        )
    if n < 2:
        raise ValueError(f"the Friedman test needs at least 2 problems (rows), got {n}")
    mean_ranks = ranks.mean(axis=0)
    chi2 = 12.0 * n / (k * (k + 1)) * (float((mean_ranks**2).sum()) - k * (k + 1) ** 2 / 4.0)
    if tie_correction:
        ties = sum(
            float(((counts**3) - counts).sum())
            for counts in (row.value_counts().to_numpy() for _, row in ranks.iterrows())
        )
        factor = 1.0 - ties / (n * k * (k**2 - 1))
        chi2 = chi2 / factor if factor > 0 else 0.0
    chi2 = max(chi2, 0.0)  # rounding can leave -1e-15 when all methods tie
    p_value = float(stats.chi2.sf(chi2, k - 1))
    denominator = n * (k - 1) - chi2
    if denominator <= 0:  # every problem ranks the methods identically
        f_stat, f_p = math.inf, 0.0
    else:
        f_stat = (n - 1) * chi2 / denominator
        f_p = float(stats.f.sf(f_stat, k - 1, (k - 1) * (n - 1)))
    return {
        "statistic": float(chi2),
        "p_value": p_value,
        "f_statistic": float(f_stat),
        "f_p_value": f_p,
        "n_problems": int(n),
        "n_methods": int(k),
        "average_ranks": {str(m): float(r) for m, r in mean_ranks.items()},
    }


def nemenyi_critical_difference(k: int, n: int, alpha: float = 0.05) -> float:
    """Nemenyi's critical difference of average ranks, ``q_alpha sqrt(k (k + 1) / (6 n))``.

    ``q_alpha`` is the studentized range quantile for ``k`` groups and infinite degrees of
    freedom divided by ``sqrt(2)`` (Demšar 2006, table 5: k = 4, alpha = 0.05 gives 2.569).
    Two methods differ significantly when their average ranks differ by at least this.

    Parameters
    ----------
    k : int
        Number of methods (at least 2).
    n : int
        Number of problems (at least 1).
    alpha : float, default=0.05

    Returns
    -------
    cd : float
    """
    if int(k) != k or k < 2:
        raise ValueError(f"k (number of methods) must be an integer >= 2, got {k!r}")
    if int(n) != n or n < 1:
        raise ValueError(f"n (number of problems) must be an integer >= 1, got {n!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    q_alpha = stats.studentized_range.ppf(1 - alpha, k, np.inf) / math.sqrt(2)
    return float(q_alpha * math.sqrt(k * (k + 1) / (6.0 * n)))


def holm_adjust(p_values: np.ndarray | list[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values (same order as the input).

    The i-th smallest of m p-values becomes ``max_{j <= i} min(1, (m - j + 1) p_(j))``;
    a hypothesis is rejected at level alpha when its adjusted p-value is <= alpha.
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ValueError("p_values must be one-dimensional")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError(f"p_values must be in [0, 1] without NaN, got {p.tolist()}")
    m = p.size
    order = np.argsort(p, kind="stable")
    stepped = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(stepped)
    return adjusted


#: Columns of :func:`holm_wilcoxon`'s table (also of the empty table where there is no test).
HOLM_WILCOXON_COLUMNS = (
    "method_a",
    "method_b",
    "n_problems",
    "mean_difference",
    "better",
    "statistic",
    "p_value",
    "p_holm",
    "significant",
)


def holm_wilcoxon(
    scores: pd.DataFrame,
    control: str | None = None,
    alpha: float = 0.05,
    higher_is_better: bool = True,
    zero_method: str = "zsplit",
    nan_policy: str = "raise",
) -> pd.DataFrame:
    """Paired Wilcoxon signed-rank tests over problems, with Holm's correction.

    Parameters
    ----------
    scores : DataFrame
        One row per problem, one column per method.
    control : str, optional
        Compare every other method with this one (k - 1 tests). By default every pair is
        compared (k (k - 1) / 2 tests).
    alpha : float, default=0.05
        Family-wise level for the ``significant`` column.
    higher_is_better : bool, default=True
        Decides the ``better`` column; the tests are two-sided either way.
    zero_method : {"zsplit", "wilcox", "pratt"}, default="zsplit"
        How zero differences count (:func:`scipy.stats.wilcoxon`). ``"zsplit"`` splits
        their ranks between the two sums, as Demšar (2006) recommends.
    nan_policy : {"raise", "drop"}, default="raise"

    Returns
    -------
    tests : DataFrame
        Columns ``method_a``, ``method_b``, ``n_problems``, ``mean_difference`` (a - b),
        ``better`` (the method with the better mean score, or None when equal),
        ``statistic`` (scipy's: min(R+, R-) for the two-sided test), ``p_value``,
        ``p_holm`` and ``significant`` (``p_holm <= alpha``).
    """
    scores = _check_scores(scores, nan_policy)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    methods = list(scores.columns)
    if control is None:
        pairs = list(itertools.combinations(methods, 2))
    elif control not in methods:
        raise ValueError(f"control {control!r} is not a method column; methods: {methods}")
    else:
        pairs = [(control, m) for m in methods if m != control]
    rows = []
    for a, b in pairs:
        diff = scores[a].to_numpy(float) - scores[b].to_numpy(float)
        statistic, p_value = wilcoxon_two_sided(diff, zero_method)
        mean_diff = float(diff.mean())
        sign = mean_diff if higher_is_better else -mean_diff
        better = a if sign > 0 else b if sign < 0 else None
        rows.append(
            {
                "method_a": a,
                "method_b": b,
                "n_problems": len(diff),
                "mean_difference": mean_diff,
                "better": better,
                "statistic": statistic,
                "p_value": p_value,
            }
        )
    table = pd.DataFrame(rows, columns=list(HOLM_WILCOXON_COLUMNS[:-2]))
    table["p_holm"] = holm_adjust(table["p_value"].to_numpy())
    table["significant"] = table["p_holm"] <= alpha
    return table[list(HOLM_WILCOXON_COLUMNS)]
