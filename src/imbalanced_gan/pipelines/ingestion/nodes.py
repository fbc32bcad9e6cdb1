"""Ingestion nodes: every failure names the dataset and the column, class or parameter."""

from __future__ import annotations

import logging
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from imbalanced_gan.params import DatasetParams

logger = logging.getLogger(__name__)


class DataValidationError(ValueError):
    """The input table does not fit the dataset's configuration."""


def _fail(dataset: DatasetParams, message: str) -> None:
    raise DataValidationError(f"Dataset {dataset.name!r}: {message}")


def _warn(dataset: DatasetParams, message: str) -> None:
    warnings.warn(f"Dataset {dataset.name!r}: {message}", UserWarning, stacklevel=3)
    logger.warning("Dataset %r: %s", dataset.name, message)


def _warn_renamed_duplicates(table: pd.DataFrame, dataset: DatasetParams) -> None:
    """Warn that the CSV reader renamed a repeated header ``x`` to ``x.1``."""
    renamed = [
        c
        for c in map(str, table.columns)
        if re.fullmatch(r"(.+)\.(\d+)", c)
        and re.fullmatch(r"(.+)\.(\d+)", c).group(1) in table.columns
    ]
    if renamed:
        _warn(
            dataset, f"the file repeats column name(s); the reader renamed the repeats to {renamed}"
        )


def split_columns(table: pd.DataFrame, dataset: DatasetParams) -> tuple[list[str], list[str]]:
    """Categorical and numeric feature columns of ``table`` as the configuration says."""
    features = [c for c in table.columns if c != dataset.target and c not in dataset.drop_columns]
    if dataset.categorical_columns == "all":
        categorical = features
    else:
        categorical = list(dataset.categorical_columns)
    if dataset.numeric_columns == "auto":
        numeric = [c for c in features if c not in categorical]
    else:
        numeric = list(dataset.numeric_columns)
    for kind, declared in (("categorical_columns", categorical), ("numeric_columns", numeric)):
        missing = [c for c in declared if c not in table.columns]
        if missing:
            _fail(
                dataset,
                f"dataset.{kind} names column(s) {missing} that the table lacks; columns are {list(table.columns)}",
            )
    both = sorted(set(categorical) & set(numeric))
    if both:
        _fail(dataset, f"column(s) {both} are declared both categorical and numeric")
    return categorical, numeric


def _check_numeric(table: pd.DataFrame, columns: list[str], dataset: DatasetParams) -> pd.DataFrame:
    out = {}
    for column in columns:
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna() & table[column].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            _fail(
                dataset,
                f"numeric column {column!r} holds the non-numeric value {table[column].iloc[row]!r} (row {row}); declare it in dataset.categorical_columns or fix the file",
            )
        if values.isna().any():
            _fail(
                dataset,
                f"column {column!r} has {int(values.isna().sum())} missing (NaN) value(s); impute or drop them first",
            )
        if not np.isfinite(values.to_numpy(dtype=np.float64)).all():
            _fail(dataset, f"column {column!r} has infinite value(s)")
        out[column] = values.astype(np.float64)
    return pd.DataFrame(out, index=table.index)


def validate_table(
    raw_table: pd.DataFrame, dataset: DatasetParams
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Check the raw table against ``dataset`` and return it typed, with a profile.

    Returns the validated table (categorical columns as strings, numeric columns as
    float64, the target as string labels, in that column order) and a JSON-able
    profile with the class counts.
    """
    if raw_table is None or raw_table.shape[0] == 0 or raw_table.shape[1] == 0:
        _fail(dataset, "the table is empty (no rows or no columns)")
    duplicated = sorted(set(raw_table.columns[raw_table.columns.duplicated()]))
    if duplicated:
        _fail(
            dataset, f"duplicate column name(s) {duplicated}; rename them so each column is unique"
        )
    _warn_renamed_duplicates(raw_table, dataset)
    absent = [c for c in dataset.drop_columns if c not in raw_table.columns]
    if absent:
        _fail(
            dataset,
            f"dataset.drop_columns names column(s) {absent} that the table lacks; columns are {list(raw_table.columns)}",
        )
    if dataset.target not in raw_table.columns:
        _fail(
            dataset,
            f"target column {dataset.target!r} not found; columns are {list(raw_table.columns)}",
        )
    categorical, numeric = split_columns(raw_table, dataset)
    if not categorical and not numeric:
        _fail(dataset, "no feature columns left besides the target")
    target = raw_table[dataset.target]
    if target.isna().any():
        _fail(
            dataset,
            f"target column {dataset.target!r} has {int(target.isna().sum())} missing label(s)",
        )
    labels = target.astype(str).str.strip()
    counts = labels.value_counts().sort_index()
    if len(counts) < 2:
        _fail(
            dataset,
            f"target column {dataset.target!r} has a single class {list(counts.index)}; at least two are needed",
        )
    declared = [str(c) for c in dataset.classes]
    undeclared = sorted(set(counts.index) - set(declared))
    absent = [c for c in declared if c not in counts.index]
    if undeclared or absent:
        _fail(
            dataset,
            f"classes in the data {sorted(counts.index)} differ from dataset.classes {declared}: undeclared {undeclared}, absent {absent}",
        )
    for column in categorical:
        if raw_table[column].isna().any():
            _fail(
                dataset,
                f"categorical column {column!r} has {int(raw_table[column].isna().sum())} missing value(s)",
            )
    validated = pd.concat(
        [
            raw_table[categorical].astype(str),
            _check_numeric(raw_table, numeric, dataset),
            labels.rename(dataset.target),
        ],
        axis=1,
    ).reset_index(drop=True)
    constant = [c for c in categorical + numeric if validated[c].nunique() == 1]
    if constant:
        _warn(dataset, f"constant column(s) {constant} carry no information (kept)")
    profile = {
        "dataset": dataset.name,
        "n_rows": int(len(validated)),
        "categorical_columns": categorical,
        "numeric_columns": numeric,
        "class_counts": {str(k): int(v) for k, v in counts.items()},
    }
    logger.info(
        "Dataset %r: %d rows, classes %s", dataset.name, len(validated), profile["class_counts"]
    )
    return validated, profile
