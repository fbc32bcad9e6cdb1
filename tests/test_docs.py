"""The documentation site builds offline with ``mkdocs build --strict``, with no broken link."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT

pytest.importorskip("mkdocs", reason="the docs extra is not installed: pip install -e '.[docs]'")

METHOD_PAGES = ("gan_smote", "baselines")


def build(root: Path, site: Path) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` of ``root/mkdocs.yml`` into ``site``."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
         str(root / "mkdocs.yml"), "--site-dir", str(site)],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def copy_docs(tmp_path: Path) -> Path:
    """The site's sources (mkdocs.yml and docs/) in a scratch folder."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(PROJECT / "docs", root / "docs")
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = build(PROJECT, out)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_site_has_a_page_per_method_and_the_protocol(site):
    for name in METHOD_PAGES:
        page = (site / "methods" / name / "index.html").read_text()
        assert "Paper to code to configuration" in page
    assert "Folds" in (site / "protocol" / "index.html").read_text()
    assert "Quick start" in (site / "index.html").read_text()


def test_every_page_under_docs_methods_is_built_and_linked_from_the_overviews(site):
    sources = sorted(p.stem for p in (PROJECT / "docs" / "methods").glob("*.md"))
    assert set(METHOD_PAGES) <= set(sources)
    overview = (site / "methods" / "index.html").read_text()
    home = (site / "index.html").read_text()
    for stem in sources:
        if stem == "index":
            continue
        assert (site / "methods" / stem / "index.html").exists(), stem
        assert f'href="{stem}/"' in overview, stem
        assert f'href="methods/{stem}/"' in home, stem


def test_a_new_page_is_listed_without_editing_any_other(tmp_path):
    root = copy_docs(tmp_path)
    (root / "docs" / "methods" / "zz_new_method.md").write_text("# A new method\n\nText.\n")
    done = build(root, tmp_path / "site")
    assert done.returncode == 0, done.stderr[-3000:]
    overview = (tmp_path / "site" / "methods" / "index.html").read_text()
    assert '<a href="zz_new_method/">A new method</a>' in overview


def test_a_broken_link_fails_the_build_naming_it(tmp_path):
    root = copy_docs(tmp_path)
    (root / "docs" / "methods" / "broken.md").write_text("# Broken\n\nSee [x](no_such_page.md).\n")
    done = build(root, tmp_path / "site")
    assert done.returncode != 0
    assert "no_such_page.md" in done.stdout + done.stderr
