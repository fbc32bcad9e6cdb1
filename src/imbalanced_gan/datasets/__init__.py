"""Custom Kedro datasets of the project."""

from .package_table import PACKAGE_TABLES, PackageTableDataset, read_keel

__all__ = ["PACKAGE_TABLES", "PackageTableDataset", "read_keel"]
