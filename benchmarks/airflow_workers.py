"""Wall time of the gan_smote and benchmark DAGs under a real local Airflow, 1 and 2 workers.

For each LocalExecutor parallelism: starts ``scripts/airflow_local.sh`` for a copy of the
project cut down as in ``tests/deploy/test_airflow_live.py`` (env test; gan_smote: 2 folds x
1 repeat, GAN-SMOTE vs SMOTE, per-fold training, one task per method and fold: 8 tasks;
benchmark: lymphography, SMOTE and GAN-SMOTE, one classifier: 5 tasks), triggers one run of
each DAG in turn through the REST API, waits for it, records the run's duration, the tasks'
spans, which tasks overlapped and the most running at once, with the load average, and stops
the deployment. Writes ``benchmarks/results/airflow_workers.json``. Run it from the
repository root with the project venv active (about 6 minutes on a busy 2-core machine):

    PYTHONPATH=$PWD:$PWD/src python benchmarks/airflow_workers.py --workers 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from tests.deploy.test_airflow_live import (
    BENCHMARK_DAG,
    GAN_SMOTE,
    SCRIPT,
    call,
    cut_down,
    trigger,
    wait_for_run,
)
from tests.imbalanced_gan.test_run import environ, make_project

RESULTS = Path(__file__).parent / "results" / "airflow_workers.json"
DAGS = {"gan_smote": GAN_SMOTE, "benchmark": BENCHMARK_DAG}


def measure(parallelism: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="airflow_workers_") as folder:
        root = Path(folder)
        project = make_project(root)
        cut_down(project)
        state = root / "deployment"
        env = environ(
            {
                "AIRFLOW_LOCAL_DIR": str(state),
                "KEDRO_PROJECT_PATH": str(project),
                "PROJECT_PYTHON": sys.executable,
                "AIRFLOW_PARALLELISM": str(parallelism),
                "PYTHONPATH": str(project / "src"),
            }
        )
        try:
            started = time.monotonic()
            subprocess.run(
                ["bash", str(SCRIPT), "start", "--env=test", "--pipelines=gan_smote,benchmark"],
                env=env,
                check=True,
                timeout=1200,
            )
            start_seconds = time.monotonic() - started
            port = next(
                line.split("=", 1)[1]
                for line in (state / "env.sh").read_text().splitlines()
                if line.startswith("export AIRFLOW__API__PORT=")
            )
            live = {"api": f"http://127.0.0.1:{port}/api/v2", "state": state, "project": project}
            dags = {name: one_run(live, dag) for name, dag in DAGS.items()}
        finally:
            subprocess.run(["bash", str(SCRIPT), "stop"], env=env, timeout=300)
    return {"parallelism": parallelism, "start_seconds": round(start_seconds, 1), **dags}


def one_run(live: dict, dag: str) -> dict:
    """Trigger one run of ``dag``, wait for it; its duration, task spans and overlaps."""
    load_before = os.getloadavg()
    run_id = trigger(live, dag)
    instances = wait_for_run(live, dag, run_id)
    load_after = os.getloadavg()
    run = call(live, f"/dags/{dag}/dagRuns/{quote(run_id, safe='')}")
    spans = {
        t["task_id"]: (
            datetime.fromisoformat(t["start_date"]),
            datetime.fromisoformat(t["end_date"]),
        )
        for t in instances
    }
    edges = sorted({moment for span in spans.values() for moment in span})
    most = max(sum(start <= moment < end for start, end in spans.values()) for moment in edges)
    overlapping = sorted(
        (a, b)
        for a, (a_start, a_end) in spans.items()
        for b, (b_start, b_end) in spans.items()
        if a < b and a_start < b_end and b_start < a_end
    )
    return {
        "dag_id": dag,
        "dag_run_seconds": round(run["duration"], 1),
        "tasks": len(spans),
        "most_tasks_at_once": most,
        "overlapping_tasks": overlapping,
        "task_seconds": {k: round((e - s).total_seconds(), 1) for k, (s, e) in spans.items()},
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    results = []
    for parallelism in args.workers:
        result = measure(parallelism)
        print(json.dumps(result))
        results.append(result)
        time.sleep(5)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    summary = {"cpu_count": os.cpu_count(), "code_commit": commit, "runs": results}
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
