"""Evaluation functions: ranks and significance tests, privacy, synthetic-data quality, metrics.

Plain numpy / pandas / scipy / scikit-learn / matplotlib; no Kedro. The reporting pipeline
wraps these functions in nodes.
"""

from __future__ import annotations

from imbalanced_gan.evaluation.metrics import minority_f1, minority_label, probability_scores
from imbalanced_gan.evaluation.privacy import (
    distance_to_closest_record,
    privacy_summary,
    real_nn_distances,
)
from imbalanced_gan.evaluation.quality import (
    loss_curves_plot,
    manhattan_sums,
    pca_plot,
    quality_table,
)
from imbalanced_gan.evaluation.stats import (
    average_ranks,
    cd_diagram,
    friedman_test,
    holm_wilcoxon,
    nemenyi_critical_difference,
    win_tie_loss,
)

__all__ = [
    "average_ranks",
    "cd_diagram",
    "distance_to_closest_record",
    "friedman_test",
    "holm_wilcoxon",
    "loss_curves_plot",
    "manhattan_sums",
    "minority_f1",
    "minority_label",
    "nemenyi_critical_difference",
    "pca_plot",
    "privacy_summary",
    "probability_scores",
    "quality_table",
    "real_nn_distances",
    "win_tie_loss",
]
