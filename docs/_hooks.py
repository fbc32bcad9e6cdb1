"""MkDocs hook: fill ``<!-- pages: FOLDER/ -->`` markers with links to that folder's pages.

A marker line such as ``<!-- pages: methods/ -->`` becomes a bullet list linking every
Markdown page directly in ``docs/methods/`` (its ``index.md`` and the page itself left out),
titled by each page's first ``# `` heading and sorted by title. ``<!-- pages: ./ -->``
lists the top-level pages. So an overview never misses a page added later, and never links
to one that is not there: ``mkdocs build --strict`` checks every generated link.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

MARKER = re.compile(r"^<!-- pages: (?P<folder>[\w./-]+) -->$", re.MULTILINE)
HEADING = re.compile(r"^# (?P<title>.+)$", re.MULTILINE)


def _title(path: Path) -> str:
    """A page's first level-1 heading, or its file name."""
    match = HEADING.search(path.read_text(encoding="utf-8"))
    return match.group("title").strip() if match else path.stem.replace("_", " ")


def page_list(folder: str, here: str, pages: list[tuple[str, Path]]) -> str:
    """Markdown bullets linking the pages of ``folder`` (relative to ``docs/``) from ``here``.

    Parameters
    ----------
    folder : str
        A folder of ``docs/`` ending in ``/`` (``./`` for the top level).
    here : str
        The ``docs/``-relative path of the page that holds the marker.
    pages : list of (str, Path)
        Every documentation page: its ``docs/``-relative path and its file.
    """
    folder = posixpath.normpath(folder)
    folder = "" if folder == "." else folder
    found = [
        (_title(path), uri)
        for uri, path in pages
        if posixpath.dirname(uri) == folder
        and posixpath.basename(uri) != "index.md"
        and uri != here
    ]
    base = posixpath.dirname(here) or "."
    return "\n".join(f"- [{title}]({posixpath.relpath(uri, base)})" for title, uri in sorted(found))


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace each marker of the page with the list of its folder's pages."""
    pages = [(f.src_uri, Path(f.abs_src_path)) for f in files.documentation_pages()]
    return MARKER.sub(
        lambda m: page_list(m.group("folder"), page.file.src_uri, pages) or "(none yet)",
        markdown,
    )
