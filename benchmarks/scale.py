"""The default ``kedro run --pipelines=gan_smote`` on generated tables of growing size.

    python benchmarks/scale.py                     # every size (hours on 2 cores)
    python benchmarks/scale.py --sizes numeric_1k  # one size
    python benchmarks/scale.py --list              # the sizes

Each size is a generated table (seeded) run with the project's defaults (conf/base: the
``scaled`` schedule, 5 folds x 5 repeats, ``network.batch_size: auto``,
``classifier.max_updates``) in its own copy of the project,
its own process: wall time and peak RSS (of the ``kedro run`` process) per size, with the
load average before and after (the machine may be shared), into
``benchmarks/results/scale.json`` (results of earlier sizes are kept, newest per size).

Issue 14's targets: ``binary_3k`` (3,000 rows x 180 binary columns, 3 classes) within 10
minutes; ``numeric_60k`` (60,000 rows x 10 numeric columns, 7 classes, largest 45,000,
smallest 10) within 20 minutes and 2 GB; and the curve up to 100,000 rows.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"

#: The 60,000-row table's class sizes (largest 45,000, smallest 10); smaller and larger
#: numeric tables scale them, keeping the smallest class at 10 rows.
SHAPE_60K = (45_000, 8_000, 4_000, 2_000, 700, 290, 10)

#: name -> (rows, columns, kind, targets)
SIZES = {
    "numeric_1k": (1_000, 10, "numeric", {}),
    "binary_3k": (3_000, 180, "binary", {"wall_s": 600}),
    "numeric_10k": (10_000, 10, "numeric", {}),
    "numeric_30k": (30_000, 10, "numeric", {}),
    "numeric_60k": (60_000, 10, "numeric", {"wall_s": 1200, "peak_rss_mb": 2000}),
    "numeric_100k": (100_000, 10, "numeric", {}),
}


def class_sizes(rows: int, kind: str) -> list[int]:
    """Rows per class: three classes 60/30/10 % (binary), else :data:`SHAPE_60K` scaled."""
    if kind == "binary":
        return [rows * 6 // 10, rows * 3 // 10, rows - rows * 6 // 10 - rows * 3 // 10]
    middle = [max(10, round(n * rows / sum(SHAPE_60K))) for n in SHAPE_60K[1:-1]]
    return [rows - sum(middle) - 10, *middle, 10]


def make_table(rows: int, columns: int, kind: str, seed: int = 0) -> pd.DataFrame:
    """A seeded table whose classes differ in their column means (binary: their 1-rates)."""
    rng = np.random.default_rng(seed)
    sizes = class_sizes(rows, kind)
    parts = []
    for k, n in enumerate(sizes):
        if kind == "binary":
            rate = rng.uniform(0.1, 0.9, columns)
            block = (rng.uniform(size=(n, columns)) < rate).astype(int)
        else:
            block = rng.normal(rng.normal(0, 1, columns), 1.0, (n, columns)).round(4)
        part = pd.DataFrame(block, columns=[f"x{j:03d}" for j in range(columns)])
        part["label"] = f"c{k}"
        parts.append(part)
    return pd.concat(parts, ignore_index=True).sample(frac=1, random_state=seed)


def project_copy(root: Path, table: pd.DataFrame) -> Path:
    """The project (conf, src, pyproject) with the table as ``scale.raw_table`` in conf/local."""
    copy = root / "project"
    copy.mkdir()
    shutil.copytree(PROJECT / "conf", copy / "conf", ignore=shutil.ignore_patterns("local"))
    shutil.copy(PROJECT / "pyproject.toml", copy / "pyproject.toml")
    shutil.copytree(
        PROJECT / "src", copy / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
    )
    (copy / "data/01_raw").mkdir(parents=True)
    table.to_csv(copy / "data/01_raw/scale.csv", index=False)
    local = copy / "conf/local"
    local.mkdir()
    (local / "catalog.yml").write_text(
        "scale.raw_table:\n  type: pandas.CSVDataset\n  filepath: data/01_raw/scale.csv\n"
    )
    classes = sorted(table["label"].unique())
    (local / "parameters.yml").write_text(
        "dataset:\n  name: scale\n  target: label\n"
        f"  classes: {json.dumps(classes)}\n  categorical_columns: []\n"
        "  numeric_columns: auto\n  drop_columns: []\n"
        "gan_smote:\n  verbose: false\n"
    )
    return copy


def stage_times(log: str) -> dict:
    """From the run's ``info.log``: GAN training seconds, and fits the budget shortened."""
    trained = re.findall(r"(\d+) generators trained in ([\d.]+) s", log)
    return {
        "gan_training_s": [float(seconds) for _, seconds in trained],
        "classifier_fits_within_budget": len(re.findall(r"the MLP trains \d+ epoch", log)),
    }


def run_one(name: str, timeout: int) -> dict:
    """One size in this (fresh) process: the ``kedro run``'s wall time and peak RSS."""
    rows, columns, kind, targets = SIZES[name]
    table = make_table(rows, columns, kind)
    with tempfile.TemporaryDirectory() as tmp:
        project = project_copy(Path(tmp), table)
        env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "1", "DO_NOT_TRACK": "true"}
        env.pop("KEDRO_ENV", None)
        load_before = os.getloadavg()
        start = time.perf_counter()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "kedro", "run", "--pipelines=gan_smote"],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            returncode, tail = done.returncode, (done.stdout + done.stderr)[-1500:]
        except subprocess.TimeoutExpired:
            returncode, tail = None, f"stopped after the {timeout} s timeout"
        wall = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        log = project / "info.log"
        stages = stage_times(log.read_text() if log.exists() else "")
    result = {
        "rows": rows,
        "columns": columns,
        "kind": kind,
        "class_sizes": class_sizes(rows, kind),
        "command": "kedro run --pipelines=gan_smote (conf/base defaults)",
        "returncode": returncode,
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(peak, 1),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "targets": targets,
        **stages,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    values = {"wall_s": result["wall_s"], "peak_rss_mb": result["peak_rss_mb"]}
    result["met"] = {k: returncode == 0 and values[k] <= v for k, v in targets.items()}
    if returncode != 0:
        result["output_tail"] = tail
    return result


def code_commit() -> str:
    """The measured code's commit (``SCALE_COMMIT`` for a copy outside git), ``+dirty`` if edited."""
    if os.environ.get("SCALE_COMMIT"):
        return os.environ["SCALE_COMMIT"]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src", "conf"], cwd=PROJECT,
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="*", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--timeout", type=int, default=6 * 3600, help="seconds per size")
    parser.add_argument("--list", action="store_true", help="print the sizes and stop")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: one size, JSON on stdout
    args = parser.parse_args()
    if args.list:
        for name, (rows, columns, kind, targets) in SIZES.items():
            print(f"{name}: {rows} rows x {columns} {kind} columns, classes "
                  f"{class_sizes(rows, kind)}, targets {targets or '-'}")  # fmt: skip
        return
    if args.one:
        print(json.dumps(run_one(args.one, args.timeout)))
        return
    path = RESULTS / "scale.json"
    out = json.loads(path.read_text()) if path.exists() else {"sizes": {}}
    out["machine"] = {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    commit = code_commit()
    for name in args.sizes:
        # each size in a fresh process, so that RUSAGE_CHILDREN's peak is its own run's
        done = subprocess.run(
            [sys.executable, __file__, "--one", name, "--timeout", str(args.timeout)],
            capture_output=True,
            text=True,
            check=True,
        )
        out["sizes"][name] = {**json.loads(done.stdout.strip().splitlines()[-1]), "commit": commit}
        print(name, json.dumps(out["sizes"][name]), flush=True)
        RESULTS.mkdir(exist_ok=True)
        path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"written {path}")


if __name__ == "__main__":
    main()
