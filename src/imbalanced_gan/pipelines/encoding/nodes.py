"""Encoding nodes."""

from __future__ import annotations

import pandas as pd

from gan_oversamplers import TableEncoder
from imbalanced_gan.lineage import record_rows
from imbalanced_gan.params import DatasetParams
from imbalanced_gan.pipelines.ingestion.nodes import split_columns


def fold_rows(fold_indices: pd.DataFrame, split: str, part: str) -> list[int]:
    """Rows of the validated table in ``part`` ("train", "valid" or "test") of ``split``.

    The ``valid`` part may be empty (no inner validation split); the others may not.
    """
    selected = fold_indices[(fold_indices["split"] == split) & (fold_indices["part"] == part)]
    if selected.empty and part != "valid":
        raise KeyError(f"Split {split!r} has no {part} rows in the fold indices")
    return selected["row"].tolist()


def encode_fold(
    validated_table: pd.DataFrame, fold_indices: pd.DataFrame, dataset: DatasetParams, *, split: str
) -> tuple[TableEncoder, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Fit a :class:`TableEncoder` on the training rows of ``split``; encode every part.

    Returns the encoder and the encoded ``train``, ``valid`` (real rows held out for
    classifier selection; empty without an inner validation split) and ``test`` parts.
    The held-out parts are transformed with what was learnt from training rows alone.
    Every output keeps the original row number as its index and the target column; the
    encoder records the rows it was fitted on (:mod:`imbalanced_gan.lineage`).
    """
    categorical, numeric = split_columns(validated_table, dataset)
    parts = {
        part: validated_table.iloc[fold_rows(fold_indices, split, part)]
        for part in ("train", "valid", "test")
    }
    encoder = record_rows(TableEncoder(categorical, numeric).fit(parts["train"]), parts["train"])
    train = encoder.transform(parts["train"]).assign(
        **{dataset.target: parts["train"][dataset.target]}
    )
    encoded = {
        part: train.iloc[:0]  # an empty part keeps the columns (no inner validation split)
        if rows.empty
        else encoder.transform(rows).assign(**{dataset.target: rows[dataset.target]})
        for part, rows in parts.items()
        if part != "train"
    }
    return encoder, train, encoded["valid"], encoded["test"]
