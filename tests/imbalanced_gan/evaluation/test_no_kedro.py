"""The evaluation package is plain Python: it imports no Kedro, directly or via the project."""

from __future__ import annotations

import ast
from pathlib import Path

import imbalanced_gan.evaluation as evaluation


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_evaluation_imports_no_kedro():
    files = sorted(Path(evaluation.__file__).parent.glob("*.py"))
    assert len(files) >= 6
    for path in files:
        for name in _imports(path):
            top = name.split(".")[0]
            assert top not in ("kedro", "kedro_datasets"), f"{path.name} imports {name}"
            if top == "imbalanced_gan":  # project modules may pull Kedro in
                assert name.startswith("imbalanced_gan.evaluation"), f"{path.name} imports {name}"
