"""One dataset version per Airflow DAG run, without Airflow: imbalanced_gan.deploy.airflow_task."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from imbalanced_gan.deploy.airflow_task import claim_version, runs_dir_of, version_for_run
from tests.imbalanced_gan.test_run import environ, make_project

KEDRO_VERSION = re.compile(r"^\d{4}-\d\d-\d\dT\d\d\.\d\d\.\d\d\.\d{3}Z$")
DAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
VALIDATED = "data/02_intermediate/lymphography/validated_table.parquet"
PROFILE = "data/02_intermediate/lymphography/data_profile.json"
FOLDS = "data/03_primary/lymphography/fold_indices.parquet"


def test_version_is_kedro_format_deterministic_and_sorts_by_logical_date():
    version = version_for_run("manual__1", DAY, "imbalanced-gan-gan-smote")
    assert KEDRO_VERSION.match(version)
    assert version.startswith("2026-11-23T10.00.00.")
    assert version == version_for_run("manual__1", DAY, "imbalanced-gan-gan-smote")  # a retry
    later = version_for_run("manual__0", DAY + timedelta(seconds=1), "imbalanced-gan-gan-smote")
    assert later > version
    # naive = UTC; other zones are converted
    assert version_for_run("r", DAY.replace(tzinfo=None)) == version_for_run("r", DAY)
    paris = DAY.astimezone(timezone(timedelta(hours=1)))
    assert version_for_run("r", paris) == version_for_run("r", DAY)


def test_runs_and_dags_sharing_a_logical_date_get_distinct_versions():
    # scheduled runs of the project's DAGs share the run id and the logical date
    run_id = "scheduled__2026-11-23T10:00:00+00:00"
    dags = [f"imbalanced-gan-{p}" for p in ("gan-smote", "smote", "no-oversampling")]
    versions = {version_for_run(run_id, DAY, dag) for dag in dags}
    versions |= {version_for_run(f"manual__{i}", DAY, dags[0]) for i in range(3)}
    assert len(versions) == 6


def test_bad_run_arguments_are_named():
    with pytest.raises(ValueError, match="run_id"):
        version_for_run("", DAY)
    with pytest.raises(TypeError, match="logical_date"):
        version_for_run("r", None)


def test_a_version_claimed_by_another_run_fails_loudly(tmp_path):
    claim_version(tmp_path, "2026-11-23T10.00.00.420Z", "dag-a", "run-1")
    claim_version(tmp_path, "2026-11-23T10.00.00.420Z", "dag-a", "run-1")  # retry: fine
    with pytest.raises(RuntimeError, match="already used by DAG 'dag-a' run 'run-1'"):
        claim_version(tmp_path, "2026-11-23T10.00.00.420Z", "dag-b", "run-1")


def test_claims_work_on_any_fsspec_location():
    import fsspec

    runs = "memory://imbalanced-gan-claims/airflow_runs"
    claim_version(runs, "2026-11-23T10.00.00.421Z", "dag-a", "run-1")
    claim_version(runs, "2026-11-23T10.00.00.421Z", "dag-a", "run-1")  # retry: fine
    with pytest.raises(RuntimeError, match="already used by DAG 'dag-a' run 'run-1'"):
        claim_version(runs, "2026-11-23T10.00.00.421Z", "dag-b", "run-1")
    claim = json.loads(fsspec.open(f"{runs}/2026-11-23T10.00.00.421Z.json").open().read())
    assert claim == {"dag_id": "dag-a", "run_id": "run-1"}


def test_runs_dir_is_under_the_data_root(tmp_path):
    assert runs_dir_of(tmp_path, "data") == f"{tmp_path}/data/airflow_runs"
    assert runs_dir_of(tmp_path, "/mnt/shared/") == "/mnt/shared/airflow_runs"
    assert runs_dir_of(tmp_path, "s3://bucket/ig") == "s3://bucket/ig/airflow_runs"


def run_task(project: Path, run_id: str, date: datetime, *nodes: str) -> str:
    """One Airflow task, as the DAG's operator runs it, in its own process."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "imbalanced_gan.deploy.airflow_task",
            str(project),
            "--env=test",
            "--pipeline=data_ingestion",
            f"--run-id={run_id}",
            f"--logical-date={date.isoformat()}",
            "--dag-id=imbalanced-gan-test-data-ingestion",
            "--nodes",
            *(f"lymphography.{node}" for node in nodes),
        ],
        cwd=project,
        env=environ(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def snapshot(project: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(project)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted((project / "data").rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_runs_keep_their_own_version_and_retries_redo_nothing(tmp_path):
    project = make_project(tmp_path)
    # two DAG runs, each one task "validate_table" then one task "make_folds"
    a = run_task(project, "manual__a", DAY, "validate_table")
    b = run_task(project, "manual__b", DAY + timedelta(hours=1), "validate_table")
    assert a != b and a == version_for_run("manual__a", DAY, "imbalanced-gan-test-data-ingestion")
    assert sorted(p.name for p in (project / VALIDATED).iterdir()) == [a, b]
    assert json.loads((project / "data/airflow_runs" / f"{a}.json").read_text())["run_id"] == (
        "manual__a"
    )

    # run b's table differs from run a's (10 duplicated rows); b is now the latest version
    table_b = project / VALIDATED / b / "validated_table.parquet"
    table = pd.read_parquet(table_b)
    pd.concat([table, table.iloc[:10]], ignore_index=True).to_parquet(table_b)

    assert run_task(project, "manual__a", DAY, "make_folds") == a
    assert run_task(project, "manual__b", DAY + timedelta(hours=1), "make_folds") == b
    folds_a = pd.read_parquet(project / FOLDS / a / "fold_indices.parquet")
    folds_b = pd.read_parquet(project / FOLDS / b / "fold_indices.parquet")
    assert folds_a["row"].nunique() == 148  # run a read its own table, not the latest (b's)
    assert folds_b["row"].nunique() == 158

    # a retry of run a, after a crash that saved validated_table but not data_profile:
    # validate_table runs again and saves only data_profile; make_folds is skipped
    (project / PROFILE / a / "data_profile.json").unlink()
    before = snapshot(project)
    assert run_task(project, "manual__a", DAY, "validate_table", "make_folds") == a
    after = snapshot(project)
    profile = f"{PROFILE}/{a}/data_profile.json"
    assert set(after) - set(before) == {profile}
    assert {k: v for k, v in after.items() if k != profile} == before  # nothing rewritten

    # a retry after success redoes and rewrites nothing
    assert run_task(project, "manual__a", DAY, "validate_table", "make_folds") == a
    assert snapshot(project) == after


@pytest.mark.slow
def test_data_root_in_conf_moves_every_output_and_run_claim(tmp_path):
    project = make_project(tmp_path)
    store = tmp_path / "shared_store"  # another location, given as an fsspec URL
    (project / "conf/test/globals.yml").write_text(f"data_root: file://{store}\n")
    version = run_task(project, "manual__s", DAY, "validate_table", "make_folds")
    for path in (VALIDATED, PROFILE, FOLDS):
        name = Path(path).name
        assert (store / path.removeprefix("data/") / version / name).is_file(), path
    claim = json.loads((store / "airflow_runs" / f"{version}.json").read_text())
    assert claim == {"dag_id": "imbalanced-gan-test-data-ingestion", "run_id": "manual__s"}
    assert not [p for p in project.rglob("data/**/*") if p.is_file()]  # nothing stayed local
    # a retry finds the outputs at the shared location and redoes nothing
    saved = {p: p.stat().st_mtime_ns for p in store.rglob("*") if p.is_file()}
    assert run_task(project, "manual__s", DAY, "validate_table", "make_folds") == version
    assert {p: p.stat().st_mtime_ns for p in store.rglob("*") if p.is_file()} == saved
