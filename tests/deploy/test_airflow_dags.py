"""The generated Airflow DAGs, against a real Apache Airflow in its own virtualenv.

``scripts/airflow_venv.sh`` creates that venv once (cached). Locally, ``SKIP_AIRFLOW=1``
skips these tests, and so does a failing venv script (with its error as the reason); in CI
(``CI=true``) both are errors instead: the tests always run there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT
from tests.imbalanced_gan.test_run import environ, kedro, make_project

pytestmark = [pytest.mark.airflow, pytest.mark.slow]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
GAN_SMOTE = "imbalanced-gan-test-gan-smote"


@pytest.fixture(scope="module")
def airflow_venv() -> Path:
    if os.environ.get("SKIP_AIRFLOW") and not IN_CI:
        pytest.skip("SKIP_AIRFLOW is set")
    done = subprocess.run(
        ["bash", str(PROJECT / "scripts/airflow_venv.sh")],
        env={**os.environ, "PROJECT_PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        reason = f"scripts/airflow_venv.sh failed:\n{done.stderr[-3000:]}"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, airflow_venv) -> dict:
    """A project copy, its DAGs for every pipeline (env test) and an Airflow home."""
    root = tmp_path_factory.mktemp("airflow")
    project = make_project(root)
    dags = root / "dags"
    done = kedro(
        project,
        "airflow",
        "create",
        "--all",
        "--env=test",
        f"--jinja-file={PROJECT / 'templates/airflow_dag.j2'}",
        f"--target-dir={dags}",
    )
    converted = re.findall(r"Converted pipeline `([^`]+)`", done.stdout)
    env = environ(
        {
            "AIRFLOW_HOME": str(root / "airflow_home"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "KEDRO_PROJECT_PATH": str(project),
        }
    )
    return {"root": root, "project": project, "dags": dags, "pipelines": converted, "env": env}


def airflow(deployment: dict, venv: Path, *args: str, **extra: str):
    done = subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]],
        cwd=deployment["project"],
        env={**deployment["env"], **extra},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done


DAGBAG = """
import json, sys
from airflow.models import DagBag
bag = DagBag(dag_folder=sys.argv[1])
print(json.dumps({
    "errors": {k: str(v) for k, v in bag.import_errors.items()},
    "dags": {d.dag_id: {t.task_id: sorted(t.upstream_task_ids) for t in d.tasks}
             for d in bag.dags.values()},
    "settings": {d.dag_id: [d.max_active_runs, sorted({t.retries for t in d.tasks})]
                 for d in bag.dags.values()},
}))
"""


def test_every_pipeline_gets_one_dag_with_a_unique_id(deployment, airflow_venv):
    pipelines = deployment["pipelines"]
    assert {"__default__", "data_ingestion", "gan_smote", "smote"} <= set(pipelines)
    assert len(list(deployment["dags"].glob("*.py"))) == len(pipelines)
    done = airflow(deployment, airflow_venv, "python", "-c", DAGBAG, str(deployment["dags"]))
    bag = json.loads(done.stdout.strip().splitlines()[-1])
    assert bag["errors"] == {}
    slug = {p: re.sub(r"[^0-9a-z]+", "-", p.lower()).strip("-") for p in pipelines}
    assert set(bag["dags"]) == {f"imbalanced-gan-test-{slug[p]}" for p in pipelines}
    # conf/base/airflow.yml: max_active_runs 2, retries 2 on every task
    assert {(runs, *retries) for runs, retries in bag["settings"].values()} == {(2, 2)}
    # gan_smote: one task per method, after the shared ingestion and encoding, before the report
    methods = ["gan-smote", "no-oversampling", "random-oversampling", "smote"]
    assert bag["dags"][GAN_SMOTE] == {
        "lymphography": [],
        "lymphography-encoding": ["lymphography"],
        **{f"lymphography-{m}": ["lymphography-encoding"] for m in methods},
        "lymphography-reporting": sorted(["lymphography", *(f"lymphography-{m}" for m in methods)]),
    }


def test_gan_smote_dag_runs_end_to_end_at_one_version(deployment, airflow_venv):
    project = deployment["project"]
    only = deployment["root"] / "dags_gan_smote"  # parse one DAG file, not all of them
    only.mkdir()
    shutil.copy(deployment["dags"] / "imbalanced_gan_test_gan_smote_dag.py", only)
    folder = {"AIRFLOW__CORE__DAGS_FOLDER": str(only)}
    airflow(deployment, airflow_venv, "airflow", "db", "migrate", **folder)
    done = airflow(deployment, airflow_venv, "airflow", "dags", "test", GAN_SMOTE, **folder)
    output = done.stdout + done.stderr
    finished = re.search(r"DagRun Finished: .*run_id=([^,]+),.*state=(\w+)", output)
    assert finished and finished.group(2) == "success", output[-4000:]
    states = airflow(
        deployment,
        airflow_venv,
        "airflow",
        "tasks",
        "states-for-dag-run",
        GAN_SMOTE,
        finished.group(1),
        "--output=json",
        **folder,
    )
    tasks = json.loads(states.stdout.strip().splitlines()[-1])
    assert len(tasks) == 7 and {t["state"] for t in tasks} == {"success"}, tasks

    # every output of the run sits in one version folder: <dataset>/<version>/<file>
    claims = list((project / "data/airflow_runs").glob("*.json"))
    assert len(claims) == 1
    version = claims[0].stem
    assert json.loads(claims[0].read_text()) == {"dag_id": GAN_SMOTE, "run_id": finished.group(1)}
    outputs = [
        p for p in (project / "data").rglob("*") if p.is_file() and "airflow_runs" not in p.parts
    ]
    assert {p.parent.name for p in outputs} == {version}
    assert (project / "data/08_reporting/lymphography/report.md" / version / "report.md").exists()
    assert (
        len(
            list(project.glob(f"data/07_model_output/lymphography/fold_*/*/metrics.json/{version}"))
        )
        == 40
    )
