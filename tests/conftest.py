"""Shared fixtures: small tables, paths to the project and to ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
PETROGRAPHIC_CSV = SHARED / "data" / "petrographic" / "naive_encoding.csv"

os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DO_NOT_TRACK", "true")

#: Tiny GAN settings for fast tests.
TINY = {"epochs": 30, "flip_stop_epoch": 25, "restart_start_epoch": 5, "restart_cycle": 10}


@pytest.fixture
def binary_data() -> tuple[np.ndarray, np.ndarray]:
    """40 binary rows of 12 columns, classes 20 / 12 / 8 (labels 0, 1, 2)."""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(40, 12)).astype(np.float64)
    y = np.array([0] * 20 + [1] * 12 + [2] * 8)
    return X, y


def make_mixed_table() -> pd.DataFrame:
    """60 rows: two categorical, two numeric columns, classes a:30, b:20, c:10."""
    rng = np.random.default_rng(1)
    n = 60
    return pd.DataFrame(
        {
            "colour": rng.choice(["red", "green", "blue"], n),
            "shape": rng.choice(["round", "square"], n),
            "size": rng.normal(10, 2, n),
            "weight": rng.uniform(0, 5, n),
            "label": ["a"] * 30 + ["b"] * 20 + ["c"] * 10,
        }
    )


@pytest.fixture
def mixed_table() -> pd.DataFrame:
    return make_mixed_table()


@pytest.fixture
def petrographic_csv() -> Path:
    if not PETROGRAPHIC_CSV.exists():
        pytest.skip(f"{PETROGRAPHIC_CSV} is not here (it lives in ../shared, beside the clone)")
    return PETROGRAPHIC_CSV
