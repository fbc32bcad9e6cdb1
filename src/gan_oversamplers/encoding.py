"""Fold-level feature encoding: one-hot categoricals, numeric columns into [0, 1]."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder

__all__ = ["TableEncoder"]


class TableEncoder:
    """Encode a table into the generators' space and back.

    Categorical columns are one-hot encoded (one 0/1 column per category seen in
    ``fit``, named ``"<column>=<category>"``); numeric columns are min-max scaled into
    ``[0, 1]``, the range of a sigmoid output. Fit it on the training part of a fold
    only: categories unseen there encode as all zeros, values outside the training
    range fall outside ``[0, 1]``.

    Parameters
    ----------
    categorical_columns : sequence of str
    numeric_columns : sequence of str

    Attributes
    ----------
    feature_names_out_ : list of str
        Encoded column names, categorical blocks first.
    """

    def __init__(
        self, categorical_columns: Sequence[str] = (), numeric_columns: Sequence[str] = ()
    ) -> None:
        self.categorical_columns = list(categorical_columns)
        self.numeric_columns = list(numeric_columns)

    def fit(self, table: pd.DataFrame) -> TableEncoder:
        """Learn categories and numeric ranges from ``table`` (training rows only)."""
        missing = [c for c in self.categorical_columns + self.numeric_columns if c not in table]
        if missing:
            raise KeyError(f"Columns {missing} are not in the table to encode")
        self.onehot_ = None
        self.scaler_ = None
        names: list[str] = []
        if self.categorical_columns:
            self.onehot_ = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
            self.onehot_.fit(table[self.categorical_columns].astype(str))
            for column, categories in zip(
                self.categorical_columns, self.onehot_.categories_, strict=True
            ):
                names += [f"{column}={category}" for category in categories]
        if self.numeric_columns:
            self.scaler_ = MinMaxScaler(feature_range=(0.0, 1.0))
            self.scaler_.fit(table[self.numeric_columns].to_numpy(dtype=np.float64))
            names += self.numeric_columns
        self.feature_names_out_ = names
        return self

    def transform(self, table: pd.DataFrame) -> pd.DataFrame:
        """Encoded features of ``table`` as a float64 DataFrame (index kept)."""
        blocks = []
        if self.onehot_ is not None:
            categorical = table[self.categorical_columns].astype(str)
            self._warn_unseen(categorical)
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Found unknown categories")
                blocks.append(self.onehot_.transform(categorical))
        if self.scaler_ is not None:
            blocks.append(
                self.scaler_.transform(table[self.numeric_columns].to_numpy(dtype=np.float64))
            )
        values = np.hstack(blocks) if blocks else np.empty((len(table), 0))
        return pd.DataFrame(values, columns=self.feature_names_out_, index=table.index)

    def _warn_unseen(self, categorical: pd.DataFrame) -> None:
        for column, categories in zip(
            self.categorical_columns, self.onehot_.categories_, strict=True
        ):
            unseen = sorted(set(categorical[column]) - set(categories))
            if unseen:
                warnings.warn(
                    f"Column {column!r}: categor{'y' if len(unseen) == 1 else 'ies'} {unseen} "
                    "not seen in the training part; encoded as all zeros",
                    UserWarning,
                    stacklevel=3,
                )

    def inverse_transform(self, encoded: pd.DataFrame | np.ndarray) -> pd.DataFrame:
        """Back to the original columns: the largest one-hot entry wins, numerics unscaled.

        A row whose one-hot block is all zeros gets a missing category (``None``).
        """
        values = np.asarray(encoded, dtype=np.float64)
        out: dict[str, object] = {}
        offset = 0
        if self.onehot_ is not None:
            for column, categories in zip(
                self.categorical_columns, self.onehot_.categories_, strict=True
            ):
                block = values[:, offset : offset + len(categories)]
                decoded = np.asarray(categories, dtype=object)[block.argmax(axis=1)]
                decoded[block.max(axis=1) <= 0] = None
                out[column] = decoded
                offset += len(categories)
        if self.scaler_ is not None:
            numeric = self.scaler_.inverse_transform(values[:, offset:])
            out.update({c: numeric[:, i] for i, c in enumerate(self.numeric_columns)})
        return pd.DataFrame(out)[self.categorical_columns + self.numeric_columns]
