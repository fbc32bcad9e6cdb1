"""List and prune old versions of the versioned datasets under ``data/``.

Every run writes a new version of each output (``data/<layer>/<table>/.../<name>/<version>/
<name>``, ``<version>`` being Kedro's ``YYYY-MM-DDTHH.MM.SS.mmmZ``) and nothing removes old
ones; one run on a large table writes hundreds of megabytes. ``prune`` keeps the newest
``keep`` versions of **each** versioned dataset, so the latest version of every output
(which ``--from-nodes`` and later runs load) always stays.

``kedro versions list`` / ``kedro versions prune --keep 3 [--table NAME] [--dry-run]``,
or ``python -m imbalanced_gan.versions ...`` outside a Kedro project shell.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import click

__all__ = ["VersionedDataset", "find_versioned", "prune", "versions_cli"]

#: Kedro's version format (``kedro.io.core.VERSION_FORMAT``), as a pattern.
VERSION = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}\.\d{2}\.\d{3}Z")


@dataclass(frozen=True)
class VersionedDataset:
    """One versioned dataset: its folder, its versions (oldest first) and its table.

    The table is the folder under the layer (``data/<layer>/<table>/...``), i.e. the
    ``dataset.name`` of the run that wrote it.
    """

    path: Path
    versions: tuple[str, ...]
    table: str

    def size(self, version: str) -> int:
        """Bytes held by one version."""
        folder = self.path / version
        return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def _is_versioned(folder: Path) -> tuple[str, ...] | None:
    children = [c for c in folder.iterdir() if c.is_dir()]
    if not children or any(not VERSION.fullmatch(c.name) for c in children):
        return None
    if not all((c / folder.name).exists() for c in children):
        return None
    return tuple(sorted(c.name for c in children))


def find_versioned(data: Path | str = "data", table: str | None = None) -> list[VersionedDataset]:
    """Every versioned dataset under ``data`` (optionally of one ``table``), by path.

    Parameters
    ----------
    data : path, default "data"
        The project's data folder.
    table : str, optional
        Only datasets of this table (``data/<layer>/<table>/...``).

    Returns
    -------
    list of VersionedDataset
    """
    root = Path(data)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder; run from the project's root")
    found = []
    for folder in sorted(p for p in root.rglob("*") if p.is_dir()):
        if VERSION.fullmatch(folder.name) or any(VERSION.fullmatch(p) for p in folder.parts):
            continue
        versions = _is_versioned(folder)
        if versions:
            rel = folder.relative_to(root).parts
            entry = VersionedDataset(folder, versions, rel[1] if len(rel) > 2 else "")
            if table is None or entry.table == table:
                found.append(entry)
    return found


def prune(
    data: Path | str = "data", keep: int = 3, table: str | None = None, dry_run: bool = False
) -> tuple[list[Path], int]:
    """Remove all but the newest ``keep`` versions of each versioned dataset.

    Parameters
    ----------
    data : path, default "data"
    keep : int, default 3
        Versions kept per dataset (at least 1: the latest version always stays).
    table : str, optional
        Only prune datasets of this table.
    dry_run : bool, default False
        Only report what would be removed.

    Returns
    -------
    removed : list of Path
        The version folders removed (or that would be).
    freed : int
        Their size in bytes.
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1 (the latest version stays), got {keep}")
    removed, freed = [], 0
    for entry in find_versioned(data, table):
        for version in entry.versions[:-keep]:
            freed += entry.size(version)
            removed.append(entry.path / version)
            if not dry_run:
                shutil.rmtree(entry.path / version)
    return removed, freed


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


@click.group(name="versions")
def versions_cli() -> None:
    """List or prune old versions of the datasets under data/."""


@versions_cli.command(name="list")
@click.option("--data", default="data", show_default=True, help="The project's data folder.")
@click.option("--table", default=None, help="Only this table (dataset.name).")
def list_versions(data: str, table: str | None) -> None:
    """Per table: versioned datasets, most versions of one dataset, and bytes."""
    by_table: dict[str, list[VersionedDataset]] = {}
    for entry in find_versioned(data, table):
        by_table.setdefault(entry.table, []).append(entry)
    if not by_table:
        click.echo(f"No versioned datasets under {data}")
    for name, entries in sorted(by_table.items()):
        size = sum(e.size(v) for e in entries for v in e.versions)
        most = max(len(e.versions) for e in entries)
        newest = max(e.versions[-1] for e in entries)
        click.echo(
            f"{name}: {len(entries)} datasets, up to {most} versions each, {_mb(size)}, "
            f"newest {newest}"
        )


@versions_cli.command(name="prune")
@click.option("--keep", default=3, show_default=True, help="Versions kept per dataset (>= 1).")
@click.option("--data", default="data", show_default=True, help="The project's data folder.")
@click.option("--table", default=None, help="Only this table (dataset.name).")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
def prune_versions(keep: int, data: str, table: str | None, dry_run: bool) -> None:
    """Remove all but the newest KEEP versions of every versioned dataset."""
    try:
        removed, freed = prune(data, keep, table, dry_run)
    except (ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} {len(removed)} old version(s), {_mb(freed)}; kept the newest {keep}")


if __name__ == "__main__":
    versions_cli()
