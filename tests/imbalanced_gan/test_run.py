"""End to end: ``kedro run`` in a copy of the project, as a user runs it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import PROJECT, SHARED

pytestmark = pytest.mark.slow
KEDRO = [sys.executable, "-m", "kedro"]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("e2e"))


def make_project(root: Path) -> Path:
    """A copy of the project (conf, src, pyproject) with ../shared beside it."""
    copy = root / "project"
    copy.mkdir()
    shutil.copytree(PROJECT / "conf", copy / "conf", ignore=shutil.ignore_patterns("local"))
    (copy / "conf" / "local").mkdir()
    shutil.copy(PROJECT / "pyproject.toml", copy / "pyproject.toml")
    shutil.copytree(
        PROJECT / "src", copy / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
    )
    if SHARED.exists():
        (root / "shared").symlink_to(SHARED)
    return copy


def kedro(
    project: Path, *args: str, env: dict | None = None, ok: bool = True
) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [*KEDRO, *args], cwd=project, env=environ(env), capture_output=True, text=True, timeout=900
    )
    if ok:
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def environ(extra: dict | None = None) -> dict:
    """The test's environment: no telemetry, no inherited KEDRO_ENV, unwrapped log lines."""
    env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "1", "DO_NOT_TRACK": "true", "COLUMNS": "4000"}
    env.pop("KEDRO_ENV", None)
    return {**env, **(extra or {})}


def latest(path: Path) -> str:
    """Text of the newest version of a versioned file."""
    return (path / versions(path)[-1] / path.name).read_text()


def versions(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir()) if path.exists() else []


def test_gan_smote_runs_end_to_end_and_never_overwrites(project):
    report = project / "data/08_reporting/lymphography/report.md"
    kedro(project, "run", "--pipelines=gan_smote", "--env=test")
    first = versions(report)
    assert len(first) == 1
    first_text = (report / first[0] / "report.md").read_text()
    for method in ("gan_smote", "no_oversampling", "random_oversampling", "smote"):
        assert f"| {method} |" in first_text
    assert (
        project / "data/08_reporting/lymphography/summary_plot.png" / first[0] / "summary_plot.png"
    ).stat().st_size > 1000
    models = list(
        (project / "data/06_models/lymphography/fold_00/gan_smote").glob(
            "generator_*.pkl/*/generator_*.pkl"
        )
    )
    assert len(models) == 4  # one versioned model per class of the fold

    kedro(project, "run", "--pipelines=gan_smote", "--env=test")
    second = versions(report)
    assert len(second) == 2 and first[0] in second
    assert (report / first[0] / "report.md").read_text() == first_text  # untouched

    # --load-versions: re-summarise the first run's per-fold metrics
    kedro(
        project,
        "run",
        "--pipelines=gan_smote",
        "--env=test",
        "--from-nodes=lymphography.reporting.summarise_metrics",
        f"--load-versions=lymphography.fold_metrics:{first[0]},lymphography.per_class_metrics:{first[0]}",
    )
    summaries = project / "data/08_reporting/lymphography/summary_table.csv"
    newest = versions(summaries)[-1]
    assert (summaries / newest / "summary_table.csv").read_text() == (
        summaries / first[0] / "summary_table.csv"
    ).read_text()


def test_reproduction_configuration_runs_on_the_petrographic_data(project, petrographic_csv):
    # --env (not KEDRO_ENV) changes the dataset: LayoutHook must lay the graph out for it
    kedro(
        project,
        "run",
        "--pipelines=gan_smote",
        "--env=petrographic",
        "--params=gan_smote.schedule=tiny,classifier.mlp.max_iter=30",
    )
    reports = project / "data/08_reporting/petrographic/report.md"
    text = (reports / versions(reports)[-1] / "report.md").read_text()
    assert "140 rows" in text and "| gan_smote |" in text
    models = project / "data/06_models/petrographic/fold_09/gan_smote"
    assert sorted(p.name for p in models.glob("generator_*")) == [
        f"generator_{c}.pkl" for c in "0123"
    ]


def test_parallel_runner_gives_the_sequential_metrics(project):
    metrics = project / "data/08_reporting/lymphography/fold_metrics.csv"
    sequential = latest(metrics)
    kedro(project, "run", "--pipelines=gan_smote", "--env=test", "--runner=ParallelRunner")
    assert len(versions(metrics)) >= 2
    assert latest(metrics) == sequential


def test_misspelt_parameter_key_fails_before_any_node(project):
    done = kedro(
        project,
        "run",
        "--pipelines=gan_smote",
        "--env=test",
        "--params=gan_smote.shedule=tiny",
        ok=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "ParameterValidationError" in output and "shedule" in output
    assert "Completed 1 out of" not in output


def test_corrupt_model_file_gives_an_error_naming_it(project):
    models = project / "data/06_models/lymphography/fold_00/gan_smote/generator_malign_lymph.pkl"
    newest = models / versions(models)[-1] / "generator_malign_lymph.pkl"
    newest.write_bytes(b"not a pickle")
    done = kedro(
        project,
        "run",
        "--pipelines=gan_smote",
        "--env=test",
        "--from-nodes=lymphography.gan_smote.fold_00.top_up",
        ok=False,
    )
    assert done.returncode != 0
    assert "generator_malign_lymph.pkl" in done.stdout + done.stderr


def test_missing_model_file_gives_an_error_naming_it(project):
    name = "lymphography.fold_01.gan_smote.generator_fibrosis"  # fold_00 has a corrupt file
    done = kedro(
        project,
        "run",
        "--pipelines=gan_smote",
        "--env=test",
        "--from-nodes=lymphography.gan_smote.fold_01.top_up",
        f"--load-versions={name}:2001-01-01T00.00.00.000Z",
        ok=False,
    )
    assert done.returncode != 0
    assert "generator_fibrosis.pkl/2001-01-01T00.00.00.000Z" in done.stdout + done.stderr


def test_interrupted_run_resumes_to_the_same_metrics(tmp_path):
    project = make_project(tmp_path)
    metrics = project / "data/08_reporting/lymphography/fold_metrics.csv"
    kedro(project, "run", "--pipelines=gan_smote", "--env=test")
    uninterrupted = latest(metrics)

    process = subprocess.Popen(
        [*KEDRO, "run", "--pipelines=gan_smote", "--env=test"],
        cwd=project,
        env=environ(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        if "Completed 60 out of" in line:
            process.send_signal(signal.SIGINT)
    process.wait(timeout=300)
    output = "".join(lines)
    assert process.returncode != 0, output[-2000:]
    assert "SIGINT received: stopping after the current node" in output
    assert len(versions(metrics)) == 1  # the interrupted run never reached the report
    # the command is printed on one unbroken line, and saved under data/09_resume/
    resume = re.search(r"Resume the run with this one line \(also in (\S+)\):\n(.+)\n", output)
    assert resume, output[-3000:]
    line = resume.group(2)
    assert (project / resume.group(1)).read_text() == line + "\n"
    # (this test starts Kedro as `python -m kedro`, which Kedro's argv[0] names so)
    assert line.startswith("python -m kedro run --pipelines=gan_smote --env=test --from-nodes=")

    # paste exactly what was printed into a shell whose `python` is this one
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(
        line, shell=True, cwd=project, env=environ({"PATH": path}), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(versions(metrics)) == 2
    assert latest(metrics) == uninterrupted


def test_benchmark_runs_from_the_cli_and_versions_every_output(project):
    """`kedro run --pipeline=benchmark --env test`: every catalog pattern resolves and saves."""
    kedro(project, "run", "--pipelines=benchmark", "--env=test")
    reporting = project / "data/08_reporting/benchmark"
    report = latest(reporting / "report.md")
    assert "## Friedman test" in report and "## Win / tie / loss" in report
    for method in ("gan_smote", "smotified_gan", "vanilla_gan", "cgan", "adasyn", "smote"):
        assert f"| {method} |" in report, method
    assert "Reproduction" in latest(reporting / "reproduction.md")
    for name in ("cd_diagram.png", "results.csv", "privacy.csv", "win_tie_loss.csv"):
        assert versions(reporting / name), name
    pca = reporting / "ecoli4/cgan/pca_real_vs_synthetic.png"
    assert (pca / versions(pca)[0] / pca.name).stat().st_size > 1000
    # the template's intermediates, per split: encoder, sampler, topped-up set, classifiers
    split = "data/{}/benchmark/ecoli4/fold_02/{}"
    models = project / split.format("06_models", "smotified_gan/sampler.pkl")
    assert len(versions(models)) == 1
    for path in (
        split.format("06_models", "encoder.pkl"),
        split.format("05_model_input", "cgan/train_topped_up.parquet"),
        split.format("06_models", "gan_smote/generator_positive.pkl"),
        split.format("06_models", "smote/tree_depth3/classifier.pkl"),
        split.format("07_model_output", "smote/mlp_1x100/metrics.json"),
        split.format("07_model_output", "gan_smote/synthetic_only/tree_depth3/metrics.json"),
    ):
        assert len(versions(project / path)) == 1, path

    # the full grid is meant for ParallelRunner (docs/benchmark.md): same seeds, same scores
    kedro(project, "run", "--pipelines=benchmark", "--env=test", "--runner=ParallelRunner")
    results = reporting / "results.csv"
    sequential, parallel = (
        pd.read_csv(results / v / "results.csv").filter(regex="^(?!seconds_)")
        for v in versions(results)
    )
    assert len(versions(models)) == 2
    assert len(sequential) > 0
    pd.testing.assert_frame_equal(sequential, parallel)


def test_ctrl_c_stops_gan_training_at_a_checkpoint_and_the_resume_continues_it(tmp_path):
    """SIGINT inside the GAN node: it stops at its next checkpoint, the pasted command resumes
    training from the checkpoint, and every output equals that of an uninterrupted run."""
    import time

    import yaml

    project = make_project(tmp_path)
    conf = project / "conf/test"
    gan = yaml.safe_load((conf / "parameters_gan_smote.yml").read_text())
    gan["gan_smote"].update(  # a checkpoint every 16 epochs; enough epochs to stop in between
        checkpoint_every_s=0,
        schedules={"tiny": {"epochs": 480, "flip_stop_epoch": 400, "restart_start_epoch": 40}},
    )
    gan["gan_smote"]["compare_with"] = ["no_oversampling"]  # a small graph: 3 splits, 2 methods
    (conf / "parameters_gan_smote.yml").write_text(yaml.safe_dump(gan))
    params = yaml.safe_load((conf / "parameters.yml").read_text())
    params["folds"].update(n_splits=3, n_repeats=1)
    (conf / "parameters.yml").write_text(yaml.safe_dump(params))
    metrics = project / "data/08_reporting/lymphography/fold_metrics.csv"
    synthetic = project / "data/07_model_output/lymphography/fold_02/gan_smote/synthetic_rows.csv"
    checkpoints = project / "data/10_checkpoints/lymphography"
    kedro(project, "run", "--pipelines=gan_smote", "--env=test")
    assert not list(checkpoints.glob("*.pt"))  # removed when training ends

    log = tmp_path / "interrupted.log"
    with log.open("w") as out:  # a file, not a pipe that nobody reads while we wait
        process = subprocess.Popen(
            [*KEDRO, "run", "--pipelines=gan_smote", "--env=test"],
            cwd=project,
            env=environ(),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 600
            while not list(checkpoints.glob("*.pt")) and process.poll() is None:
                assert time.monotonic() < deadline
                time.sleep(0.01)
            process.send_signal(signal.SIGINT)  # training is under way: it saved a checkpoint
            process.wait(timeout=600)
        finally:
            if process.poll() is None:
                process.kill()
    output = log.read_text()
    assert process.returncode != 0, output[-2000:]
    stopped = re.search(r"GAN training stopped on request at epoch (\d+) of 480", output)
    assert stopped and 16 < int(stopped.group(1)) < 480, output[-3000:]
    assert [p.name for p in checkpoints.glob("*.pt")] == ["gan_smote_tiny_fold_00-fold_02.pt"]
    # the GAN node's start line names its 12 generators by count (ShortNodeLogHook)
    assert (
        "-> [lymphography.fold_00.gan_smote.generator_metastases; ... (12 outputs) ...;" in output
    )
    assert len(versions(synthetic)) == 1  # the interrupted run saved no generator
    line = re.search(r"Resume the run with this one line \(also in \S+\):\n(.+)\n", output)
    assert line, output[-3000:]
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(
        line.group(1), shell=True, cwd=project, env=environ({"PATH": path}),
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert not list(checkpoints.glob("*.pt"))
    first, resumed = (synthetic / v / synthetic.name for v in versions(synthetic))
    assert first.read_bytes() == resumed.read_bytes()  # the generators' rows, byte for byte
    assert len(versions(metrics)) == 2
    first, resumed = (metrics / v / metrics.name for v in versions(metrics))
    assert first.read_bytes() == resumed.read_bytes()
