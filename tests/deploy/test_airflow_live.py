"""The generated DAGs under a running Airflow: scheduler, LocalExecutor workers, PostgreSQL.

``scripts/airflow_local.sh start`` brings up PostgreSQL and Airflow 3 (scheduler, DAG
processor, API server, parallelism 2) on 127.0.0.1 for a copy of the project; the tests
trigger DAG runs through the REST API and read the task instances back from it. The module
fixture always runs ``scripts/airflow_local.sh stop``. Marked ``airflow_live``; plain
``pytest`` (and CI) runs them, and a deployment that does not start fails them;
``SKIP_AIRFLOW=1`` skips them locally (not with ``CI=true``).

The copy's ``conf/test`` is cut down for speed: 2 folds x 1 repeat, GAN-SMOTE against SMOTE
only, the per-fold training layout and one Airflow task per method and fold
(``namespace_depth: 3``); the benchmark grid is one dataset, two methods, one classifier.
Env ``test_kill`` is the same with a longer GAN schedule, so that a task can be killed while
it trains. The sequential reference runs (``kedro run`` of ``gan_smote``, then of
``benchmark``, in a second copy) start beside the deployment and are waited for only where a
test compares with them.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import PROJECT
from tests.imbalanced_gan.test_run import environ, make_project

pytestmark = [pytest.mark.airflow, pytest.mark.airflow_live, pytest.mark.slow]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
GAN_SMOTE = "imbalanced-gan-test-gan-smote"
KILL_DAG = "imbalanced-gan-test-kill-gan-smote"
BENCHMARK_DAG = "imbalanced-gan-test-benchmark"
FOLD_METRICS = "data/08_reporting/lymphography/fold_metrics.csv"
RUN_TIMEOUT = 900  # seconds for one DAG run (a loaded 2-core machine)
SCRIPT = PROJECT / "scripts" / "airflow_local.sh"


def cut_down(project: Path) -> None:
    """conf/test of a project copy: 2 folds, SMOTE only, per-fold training; env test_kill."""

    def edit(path: Path, change) -> None:
        data = yaml.safe_load(path.read_text()) or {}
        change(data)
        path.write_text(yaml.safe_dump(data))

    conf = project / "conf"
    edit(conf / "test/parameters.yml", lambda d: d.update(folds={"n_splits": 2, "n_repeats": 1}))
    edit(
        conf / "test/parameters_gan_smote.yml",
        lambda d: d["gan_smote"].update(training="per_fold", compare_with=["smote"]),
    )
    edit(
        conf / "test/parameters_benchmark.yml",
        lambda d: d["benchmark"].update(
            datasets=["lymphography"],
            methods=["smote", "gan_smote"],
            classifiers=["tree_depth3"],
            folds={"n_splits": 2, "n_repeats": 1},
            fully_synthetic={"datasets": [], "methods": []},
            compare_against=["smote"],
        ),
    )
    settings = yaml.safe_load((conf / "base/airflow.yml").read_text())
    settings["default"].update(namespace_depth=3, retry_delay=0)  # retries at once
    (conf / "test/airflow.yml").write_text(yaml.safe_dump(settings))
    # test_kill: the same, with a GAN schedule long enough to kill a task while it trains
    (conf / "test_kill").mkdir()
    for path in (conf / "test").iterdir():
        (conf / "test_kill" / path.name).write_text(path.read_text())
    # 6,000 epochs: several seconds of training even on a fast day (600 once finished
    # between the node's first log line and the kill)
    long = {"epochs": 6000, "flip_stop_epoch": 5500, "restart_start_epoch": 20, "restart_cycle": 20}
    edit(
        conf / "test_kill/parameters_gan_smote.yml",
        lambda d: d["gan_smote"].update(schedule="kill_test", schedules={"kill_test": long}),
    )


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> dict:
    if os.environ.get("SKIP_AIRFLOW") and not IN_CI:
        pytest.skip("SKIP_AIRFLOW is set")
    root = tmp_path_factory.mktemp("airflow_live")
    project = make_project(root)
    cut_down(project)
    state = root / "deployment"
    env = environ(
        {
            "AIRFLOW_LOCAL_DIR": str(state),
            "KEDRO_PROJECT_PATH": str(project),
            "PROJECT_PYTHON": sys.executable,
            "AIRFLOW_PARALLELISM": "2",
            "PYTHONPATH": str(project / "src"),
        }
    )
    # the sequential reference runs beside the deployment's start-up (its own project copy)
    (root / "reference").mkdir()
    reference_project = make_project(root / "reference")
    cut_down(reference_project)
    kedro_run = f"{sys.executable} -m kedro run --env=test --pipelines"
    reference = subprocess.Popen(
        ["bash", "-c", f"{kedro_run}=gan_smote && {kedro_run}=benchmark"],
        cwd=reference_project,
        env=environ(),
        stdout=(root / "reference.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        started = subprocess.run(
            [
                "bash",
                str(SCRIPT),
                "start",
                "--env=test,test_kill",
                "--pipelines=gan_smote,benchmark",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        # a deployment that does not start fails the tests (SKIP_AIRFLOW=1 opts out locally)
        assert started.returncode == 0, (
            f"scripts/airflow_local.sh start failed:\n{started.stderr[-4000:]}"
        )
        settings = dict(
            line.removeprefix("export ").split("=", 1)
            for line in (state / "env.sh").read_text().splitlines()
            if line.startswith("export ") and "=" in line and " " not in line[7:].split("=")[0]
        )
        api = f"http://127.0.0.1:{settings['AIRFLOW__API__PORT']}/api/v2"
        yield {
            "project": project,
            "reference": reference_project,
            "reference_run": reference,
            "reference_log": root / "reference.log",
            "api": api,
            "state": state,
        }
    finally:
        if reference.poll() is None:
            reference.kill()
            reference.wait()
        stopped = subprocess.run(
            ["bash", str(SCRIPT), "stop"], env=env, capture_output=True, text=True, timeout=300
        )
        assert stopped.returncode == 0, stopped.stderr[-3000:]
        assert not leftover_processes(state), "processes of the deployment survived stop"


def leftover_processes(state: Path) -> list[int]:
    marker = f"IMBALANCED_GAN_AIRFLOW_DIR={state}".encode()
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if marker in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def call(live: dict, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        live["api"] + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def trigger(live: dict, dag_id: str) -> str:
    return call(live, f"/dags/{dag_id}/dagRuns", {"logical_date": None})["dag_run_id"]


def tasks(live: dict, dag_id: str, run_id: str) -> list[dict]:
    quoted = urllib.parse.quote(run_id, safe="")
    return call(live, f"/dags/{dag_id}/dagRuns/{quoted}/taskInstances")["task_instances"]


def wait_for_run(live: dict, dag_id: str, run_id: str) -> list[dict]:
    """Wait (bounded) until the run ends; fail with its task states unless it succeeded."""
    quoted = urllib.parse.quote(run_id, safe="")
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        state = call(live, f"/dags/{dag_id}/dagRuns/{quoted}")["state"]
        if state in ("success", "failed"):
            break
        time.sleep(3)
    instances = tasks(live, dag_id, run_id)
    summary = {t["task_id"]: (t["state"], t["try_number"]) for t in instances}
    assert state == "success", (
        f"DAG run {run_id} of {dag_id} ended {state!r} (or timed out after {RUN_TIMEOUT} s): "
        f"{summary}; task logs under {live['state'] / 'logs' / 'tasks'}"
    )
    return instances


def claimed_version(live: dict, dag_id: str, run_id: str) -> str:
    claims = [
        p.stem
        for p in (live["project"] / "data/airflow_runs").glob("*.json")
        if json.loads(p.read_text()) == {"dag_id": dag_id, "run_id": run_id}
    ]
    assert len(claims) == 1, f"run {run_id} claimed {claims}"
    return claims[0]


def outputs(project: Path, version: str) -> dict[str, str]:
    """{dataset folder: sha256} of every output saved at ``version``."""
    return {
        str(p.parent.parent.relative_to(project)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (project / "data").glob(f"**/{version}/*")
        if p.is_file()
    }


def reference_file(live: dict, path: str) -> Path:
    """The sequential reference run's one version of ``path`` (waits for the run to save it)."""
    folder = live["reference"] / path
    deadline = time.monotonic() + RUN_TIMEOUT
    while not (saved := list(folder.glob(f"*/{folder.name}"))):
        assert live["reference_run"].poll() is None, live["reference_log"].read_text()[-3000:]
        assert time.monotonic() < deadline, f"the reference run saved no {path} in time"
        time.sleep(2)
    (one,) = saved  # the reference project runs each pipeline once
    return one


def reference_metrics(live: dict) -> str:
    return reference_file(live, FOLD_METRICS).read_text()


def fold(task_id: str) -> str | None:
    return task_id.rsplit("-", 1)[-1] if "-fold-" in task_id else None


def interval(instance: dict) -> tuple[datetime, datetime]:
    return (
        datetime.fromisoformat(instance["start_date"]),
        datetime.fromisoformat(instance["end_date"]),
    )


def test_one_run_spreads_folds_over_workers_and_matches_kedro_run(live):
    run_id = trigger(live, GAN_SMOTE)
    instances = wait_for_run(live, GAN_SMOTE, run_id)
    assert len(instances) == 8 and {t["state"] for t in instances} == {"success"}
    # tasks of different folds ran at the same time on the two workers
    overlaps = [
        (a["task_id"], b["task_id"])
        for a in instances
        for b in instances
        if fold(a["task_id"]) and fold(b["task_id"]) and fold(a["task_id"]) < fold(b["task_id"])
        if interval(a)[0] < interval(b)[1] and interval(b)[0] < interval(a)[1]
    ]
    spans = {t["task_id"]: [x.isoformat() for x in interval(t)] for t in instances}
    assert overlaps, f"no two tasks of different folds overlapped: {spans}"
    run = call(live, f"/dags/{GAN_SMOTE}/dagRuns/{urllib.parse.quote(run_id, safe='')}")
    print(f"gan_smote DAG run: {run['duration']:.0f} s; overlapping fold tasks: {overlaps}")  # noqa: T201
    version = claimed_version(live, GAN_SMOTE, run_id)
    metrics = live["project"] / FOLD_METRICS / version / "fold_metrics.csv"
    assert metrics.read_text() == reference_metrics(live)
    live["first"] = version


def test_two_runs_at_once_each_keep_their_own_version(live):
    first, second = trigger(live, GAN_SMOTE), trigger(live, GAN_SMOTE)
    for run_id in (first, second):
        wait_for_run(live, GAN_SMOTE, run_id)
    versions = [claimed_version(live, GAN_SMOTE, run_id) for run_id in (first, second)]
    assert versions[0] != versions[1]
    reference = reference_metrics(live)
    files = [outputs(live["project"], version) for version in versions]
    # each run saved every output at its own version, and the same results
    assert set(files[0]) == set(files[1]) and len(files[0]) > 20
    for version in versions:
        text = (live["project"] / FOLD_METRICS / version / "fold_metrics.csv").read_text()
        assert text == reference


def test_a_task_killed_while_training_is_retried_and_the_run_completes(live):
    project = live["project"]
    before = {
        version: outputs(project, version)
        for version in (p.stem for p in (project / "data/airflow_runs").glob("*.json"))
    }
    run_id = trigger(live, KILL_DAG)
    target = "lymphography-gan-smote-fold-00"
    log_dir = (
        live["state"]
        / "logs/tasks"
        / f"dag_id={KILL_DAG}"
        / f"run_id={run_id}"
        / f"task_id={target}"
    )
    deadline = time.monotonic() + RUN_TIMEOUT
    killed = None
    while killed is None and time.monotonic() < deadline:
        running = {t["task_id"]: t for t in tasks(live, KILL_DAG, run_id)}.get(target, {})
        log = log_dir / "attempt=1.log"
        # Kedro's line as the node starts (the task's first line lists the node names too)
        training = log.exists() and "Running node: train_generators" in log.read_text(
            errors="replace"
        )
        if running.get("state") == "running" and running.get("pid") and training:
            time.sleep(0.5)  # inside the training: 6,000 epochs take several seconds
            os.kill(running["pid"], signal.SIGKILL)
            killed = running["pid"]
        time.sleep(0.5)
    assert killed, f"{target} never reached its training node within {RUN_TIMEOUT} s"
    version = claimed_version(live, KILL_DAG, run_id)
    models = project / "data/06_models/lymphography/fold_00/gan_smote"
    saved = list(models.glob(f"generator_*.pkl/{version}/*"))
    assert not saved, f"killed after training had saved its generators: {saved}"
    instances = wait_for_run(live, KILL_DAG, run_id)
    tries = {t["task_id"]: t["try_number"] for t in instances}
    assert tries[target] >= 2, f"{target} was not retried: {tries}"
    assert len(list(models.glob(f"generator_*.pkl/{version}/*"))) == 4  # the retry trained
    # every file of the run's version is whole: it loads
    for path in (project / "data").glob(f"**/{version}/*"):
        if path.suffix == ".pkl":
            pickle.loads(path.read_bytes())
        elif path.suffix == ".csv":
            pd.read_csv(path)
        elif path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".parquet":
            pd.read_parquet(path)
    assert (project / FOLD_METRICS / version / "fold_metrics.csv").exists()
    # no version folder holds a file of another name (a partial write), no earlier run changed
    strays = [
        p
        for p in (project / "data").glob("**/*")
        if p.is_file() and p.parent.name == version
        if p.name != p.parent.parent.name
    ]
    assert not strays
    assert {v: outputs(project, v) for v in before} == before


def test_benchmark_dag_matches_a_sequential_benchmark_run(live):
    run_id = trigger(live, BENCHMARK_DAG)
    instances = wait_for_run(live, BENCHMARK_DAG, run_id)
    assert {t["state"] for t in instances} == {"success"} and len(instances) > 4
    run = call(live, f"/dags/{BENCHMARK_DAG}/dagRuns/{urllib.parse.quote(run_id, safe='')}")
    print(f"benchmark DAG run: {run['duration']:.0f} s, {len(instances)} tasks")  # noqa: T201
    version = claimed_version(live, BENCHMARK_DAG, run_id)
    project = live["project"]
    # every table and JSON the benchmark saved: per-split metrics, per-method fold results,
    # privacy and quality, the pooled results, ranks, Friedman and win/tie/loss
    saved = sorted(
        str(path.parent.parent.relative_to(project))
        for path in (project / "data").glob(f"**/benchmark/**/{version}/*")
        if path.suffix in (".csv", ".json")
    )
    assert "data/08_reporting/benchmark/results.csv" in saved
    assert any(name.endswith("fold_results.csv") for name in saved)
    live["reference_run"].wait(timeout=RUN_TIMEOUT)
    assert live["reference_run"].returncode == 0, live["reference_log"].read_text()[-3000:]
    for name in saved:
        ours = (project / name / version / Path(name).name).read_text()
        assert ours == reference_file(live, name).read_text(), f"{name} differs"
