"""Critical-difference diagram (Demšar 2006, figure 1) and the groups it draws."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["cd_diagram", "nonsignificant_groups"]


def nonsignificant_groups(avg_ranks: Mapping[str, float] | pd.Series, cd: float) -> list[list[str]]:
    """Maximal runs of methods (sorted by average rank) whose ranks differ by less than ``cd``.

    These are the bars of a critical-difference diagram; groups of one method are left out.
    """
    ranks = pd.Series(avg_ranks, dtype=float).sort_values(kind="stable")
    values, names = ranks.to_numpy(), list(map(str, ranks.index))
    groups: list[list[str]] = []
    last_end = 0
    for i in range(len(values)):
        end = i
        while end + 1 < len(values) and values[end + 1] - values[i] < cd:
            end += 1
        if end > i and end > last_end:
            groups.append(names[i : end + 1])
            last_end = end
    return groups


def cd_diagram(
    avg_ranks: Mapping[str, float] | pd.Series,
    cd: float,
    title: str | None = None,
    width: float = 7.0,
) -> Figure:
    """Critical-difference diagram (Demšar 2006, figure 1).

    An axis of average ranks (1 = best, on the left); the better half of the methods is named
    on the left, the rest on the right; thick bars join methods whose average ranks differ by
    less than ``cd`` (not significantly different); the ``CD`` segment is drawn above.

    Parameters
    ----------
    avg_ranks : Series or mapping
        Method -> average rank (from :func:`average_ranks`).
    cd : float
        Critical difference (from :func:`nemenyi_critical_difference`).
    title : str, optional
    width : float, default=7.0
        Figure width in inches; widened when the method names need more room.

    Returns
    -------
    fig : matplotlib Figure
    """
    ranks = pd.Series(avg_ranks, dtype=float).sort_values(kind="stable")
    if ranks.size < 2 or ranks.isna().any():
        raise ValueError("avg_ranks needs at least 2 methods and no NaN")
    if not cd > 0:
        raise ValueError(f"cd must be positive, got {cd!r}")
    k = max(int(math.ceil(ranks.max())), ranks.size)
    groups = nonsignificant_groups(ranks, cd)
    n_left = (ranks.size + 1) // 2
    step, group_step = 0.32, 0.14
    first_label = 0.3 + len(groups) * group_step + 0.15
    bottom = first_label + step * max(n_left, ranks.size - n_left)
    # Room for the longest label on each side (about 0.075 in per character at 10 pt).
    label_in = 0.075 * max(len(f"{name} (0.00)") for name in map(str, ranks.index)) + 0.35
    axis_in = max(width - 2 * label_in, 0.5 * (k - 1), 2.5)
    per_in = (k - 1) / axis_in  # rank units per inch
    fig = Figure(figsize=(axis_in + 2 * label_in, 0.9 + 0.45 * bottom + (0.3 if title else 0)))
    ax = fig.add_axes((0.0, 0.0, 1.0, 0.88 if title else 1.0))
    ax.set_xlim(1 - label_in * per_in, k + label_in * per_in)
    ax.set_ylim(bottom + 0.1, -0.75)
    ax.axis("off")
    ax.plot([1, k], [0, 0], color="black", lw=1.2)
    for tick in np.arange(1, k + 0.01, 0.5):
        major = float(tick).is_integer()
        ax.plot([tick, tick], [0, -0.1 if major else -0.05], color="black", lw=1)
        if major:
            ax.text(tick, -0.15, str(int(tick)), ha="center", va="bottom", fontsize=9)
    ax.plot([1, 1 + cd], [-0.55, -0.55], color="black", lw=1.5)
    for end in (1, 1 + cd):
        ax.plot([end, end], [-0.6, -0.5], color="black", lw=1.5)
    ax.text(1 + cd / 2, -0.6, f"CD = {cd:.2f}", ha="center", va="bottom", fontsize=9)
    for j, group in enumerate(groups):
        y = 0.3 + j * group_step
        ax.plot([ranks[group[0]] - 0.04, ranks[group[-1]] + 0.04], [y, y], color="black", lw=3)
    names = list(ranks.index)
    for i, name in enumerate(names[:n_left]):
        y = first_label + i * step
        ax.plot([ranks[name], ranks[name], 1 - 0.15 * per_in], [0, y, y], color="black", lw=0.8)
        ax.text(1 - 0.2 * per_in, y, f"{name} ({ranks[name]:.2f})", ha="right", va="center")
    for i, name in enumerate(reversed(names[n_left:])):
        y = first_label + i * step
        ax.plot([ranks[name], ranks[name], k + 0.15 * per_in], [0, y, y], color="black", lw=0.8)
        ax.text(k + 0.2 * per_in, y, f"({ranks[name]:.2f}) {name}", ha="left", va="center")
    if title:
        fig.suptitle(title)
    return fig
