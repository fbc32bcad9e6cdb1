"""The classifier's seed per split: it varies with the fold and the repeat.

With one seed for every split, every repeat of the cross-validation would start its
networks from the same initial weights, and the spread over splits would understate the
classifier's own randomness. The seed is derived from the run's ``seed`` and the split
(and the classifier's name, as the benchmark does), so it differs between splits and
repeats and is the same for every method of one split: the paired comparison of methods
then differs only by the over-sampling.
"""

from __future__ import annotations

import pandas as pd
from sklearn.base import ClassifierMixin

from gan_oversamplers._random import derive_seed
from imbalanced_gan.params import ClassifierParams, DatasetParams

from .nodes import train_classifier


def split_index(split: str) -> int:
    """``"fold_03"`` -> 3."""
    return int(split.rsplit("_", 1)[1])


def classifier_seed(seed: int, split: str, classifier: str) -> int:
    """The classifier's seed on ``split``: derived from the run's seed, the split and its name."""
    return derive_seed(seed, split_index(split), classifier)


def train_classifier_on_split(
    train_topped_up: pd.DataFrame,
    dataset: DatasetParams,
    classifier: ClassifierParams,
    seed: int,
    *,
    split: str,
    method: str,
) -> ClassifierMixin:
    """:func:`~.nodes.train_classifier` seeded with :func:`classifier_seed`."""
    return train_classifier(
        train_topped_up,
        dataset,
        classifier,
        classifier_seed(seed, split, classifier.name),
        split=split,
        method=method,
    )
