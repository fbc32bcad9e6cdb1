"""Encoding nodes."""

from __future__ import annotations

import pandas as pd

from gan_oversamplers import TableEncoder
from imbalanced_gan.params import DatasetParams
from imbalanced_gan.pipelines.ingestion.nodes import split_columns


def fold_rows(fold_indices: pd.DataFrame, split: str, part: str) -> list[int]:
    """Rows of the validated table in ``part`` ("train" or "test") of ``split``."""
    selected = fold_indices[(fold_indices["split"] == split) & (fold_indices["part"] == part)]
    if selected.empty:
        raise KeyError(f"Split {split!r} has no {part} rows in the fold indices")
    return selected["row"].tolist()


def encode_fold(
    validated_table: pd.DataFrame, fold_indices: pd.DataFrame, dataset: DatasetParams, *, split: str
) -> tuple[TableEncoder, pd.DataFrame, pd.DataFrame]:
    """Fit a :class:`TableEncoder` on the training rows of ``split``; encode both parts.

    The test part is transformed with what was learnt from training rows alone.
    Both outputs keep the original row number as their index and the target column.
    """
    categorical, numeric = split_columns(validated_table, dataset)
    train = validated_table.iloc[fold_rows(fold_indices, split, "train")]
    test = validated_table.iloc[fold_rows(fold_indices, split, "test")]
    encoder = TableEncoder(categorical, numeric).fit(train)
    encoded = [
        encoder.transform(part).assign(**{dataset.target: part[dataset.target]})
        for part in (train, test)
    ]
    return encoder, encoded[0], encoded[1]
