"""Experiment tracking: imbalanced_gan.tracking with the optional [mlflow] extra, and without.

The tracked run uses the overlay venv of ``scripts/mlflow_venv.sh`` (kedro-mlflow on top of
the venv running these tests); the project venv itself must stay without kedro-mlflow.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from imbalanced_gan import tracking
from imbalanced_gan.tracking import MlflowTrackingHook, flatten, loss_metrics, summary_metrics
from tests.conftest import PROJECT
from tests.imbalanced_gan.test_run import environ, make_project, versions

METHODS = ("gan_smote", "no_oversampling", "random_oversampling", "smote")

#: Run in the overlay venv after the tracked run: what the store holds, as JSON.
DUMP = """
import json, mlflow
mlflow.set_tracking_uri("sqlite:///mlflow.db")
client = mlflow.MlflowClient()
experiment = client.get_experiment_by_name("imbalanced_gan")
runs = client.search_runs([experiment.experiment_id])
def walk(run_id, path=None):
    for item in client.list_artifacts(run_id, path):
        yield from walk(run_id, item.path) if item.is_dir else [item.path]
out = []
for run in runs:
    run_id = run.info.run_id
    out.append({
        "status": run.info.status,
        "params": run.data.params,
        "metrics": run.data.metrics,
        "artifacts": sorted(walk(run_id)),
        "loss_steps": [m.step for m in client.get_metric_history(run_id, "gan_loss.d_loss")],
        "files": client.download_artifacts(run_id, "", "downloaded"),
    })
print(json.dumps(out))
"""


def overlay_python() -> str:
    """The overlay venv's python (built on first use, then cached)."""
    done = subprocess.run(
        [str(PROJECT / "scripts" / "mlflow_venv.sh"), sys.prefix],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.mlflow
@pytest.mark.slow
def test_tracked_run_logs_params_metrics_loss_histories_and_reports(tmp_path):
    python = overlay_python()
    project = make_project(tmp_path)
    env = project / "conf" / "tracked"  # conf/test with 3 folds: the same graph, 3x smaller
    shutil.copytree(project / "conf" / "test", env)
    params = yaml.safe_load((env / "parameters.yml").read_text())
    params["folds"] = {**params.get("folds", {}), "n_splits": 3, "n_repeats": 1}
    (env / "parameters.yml").write_text(yaml.safe_dump(params))
    done = subprocess.run(
        [python, "-m", "kedro", "run", "--pipelines=gan_smote", "--env=tracked"],
        cwd=project,
        env=environ(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    dump = subprocess.run(
        [python, "-c", DUMP], cwd=project, env=environ(), capture_output=True, text=True
    )
    assert dump.returncode == 0, dump.stderr[-3000:]
    (run,) = json.loads(dump.stdout.strip().splitlines()[-1])
    assert run["status"] == "FINISHED"

    params = run["params"]
    assert params["gan_smote.schedule"] == "tiny"
    assert params["folds.n_splits"] == "3"
    assert params["dataset.name"] == "lymphography"
    assert params["gan_smote.network.latent_dim"] == "16"
    assert params["seed"] == "42"
    assert not [key for key in params if key.startswith("benchmark")]  # not read by gan_smote

    reports = project / "data" / "08_reporting" / "lymphography"
    (version,) = versions(reports / "summary_table.csv")
    summary = pd.read_csv(reports / "summary_table.csv" / version / "summary_table.csv")
    overall = summary[summary["class"] == tracking.OVERALL].set_index(["method", "metric"])
    for method in METHODS:
        for stat in ("mean", "std"):
            logged = run["metrics"][f"{method}.balanced_accuracy.{stat}"]
            assert logged == pytest.approx(overall.at[(method, "balanced_accuracy"), stat])
    assert "gan_smote.class_fibrosis.recall.mean" in run["metrics"]
    assert run["loss_steps"][0] == 0 and len(run["loss_steps"]) > 10

    for name in (
        "report.md",
        "summary_table.csv",
        "summary_plot.png",
        "gan_loss_plot.png",
        "generator_health.csv",
    ):
        assert f"reporting/{name}" in run["artifacts"]
    files = Path(run["files"])
    assert (files / "reporting" / "report.md").read_text() == (
        reports / "report.md" / version / "report.md"
    ).read_text()
    health = pd.read_csv(files / "reporting" / "generator_health.csv")
    history = pd.read_csv(files / "gan" / "loss_history.csv")
    assert {"model", "epoch", "d_loss", "g_loss"} <= set(history.columns)
    assert history["model"].nunique() == int(health["trained"].sum()) > 0
    assert history["model"].str.match(r"lymphography\.fold_0[0-2]\.gan_smote\.generator_").all()


def test_project_venv_has_no_kedro_mlflow():
    # with kedro-mlflow installed, every kedro run needs mlflow.yml and a tracking store
    assert importlib.util.find_spec("kedro_mlflow") is None, (
        "kedro-mlflow is installed in the project venv: keep it in the overlay venv "
        "(scripts/mlflow_venv.sh), see README 'Experiment tracking'"
    )


def test_settings_import_without_importing_mlflow():
    code = (
        "import sys, imbalanced_gan.settings as s; "
        "print(sorted(type(h).__name__ for h in s.HOOKS), 'mlflow' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "MlflowTrackingHook" in done.stdout and done.stdout.strip().endswith("False")


class Untouchable:
    """A pipeline or catalog that the hook must not use."""

    def __getattr__(self, name):
        raise AssertionError(f"the hook used .{name} although it has nothing to log")


@pytest.mark.parametrize(
    "mlflow_module",
    [None, types.SimpleNamespace(active_run=lambda: None)],
    ids=["mlflow-not-importable", "no-active-run"],
)
def test_hook_does_nothing_without_mlflow_or_run(monkeypatch, mlflow_module):
    monkeypatch.setitem(sys.modules, "mlflow", mlflow_module)
    hook = MlflowTrackingHook()
    hook.after_context_created(types.SimpleNamespace(params={"seed": 1}))
    hook.before_pipeline_run({}, Untouchable(), Untouchable())
    hook.after_pipeline_run({}, Untouchable(), Untouchable())


@dataclass
class Inner:
    lr: float = 0.1
    dims: list = field(default_factory=lambda: [16, 32])


@dataclass
class Outer:
    name: str = "x"
    inner: Inner = field(default_factory=Inner)


def test_flatten_nested_dicts_and_typed_parameters():
    flat = flatten({"seed": 1, "gan": Outer(), "plain": {"a": {"b": 2}, "empty": {}}})
    assert flat == {
        "seed": 1,
        "gan.name": "x",
        "gan.inner.lr": 0.1,
        "gan.inner.dims": [16, 32],
        "plain.a.b": 2,
    }


def test_only_parameters_the_pipeline_reads_are_selected():
    inputs = {"params:gan_smote", "params:folds.n_splits", "lymphography.raw_table"}
    assert tracking._used("gan_smote.network.latent_dim", inputs)
    assert tracking._used("folds.n_splits", inputs)
    assert not tracking._used("folds.n_repeats", inputs)
    assert not tracking._used("gan_smote_extra", inputs)
    assert tracking._used("anything", {"parameters"})


def test_summary_metrics_names_and_values():
    summary = pd.DataFrame(
        {
            "method": ["smote", "smote", "gan_smote"],
            "class": [tracking.OVERALL, "malign lymph", tracking.OVERALL],
            "metric": ["f1_macro", "recall", "f1_macro"],
            "mean": [0.5, 0.25, 0.75],
            "std": [0.1, np.nan, 0.2],
            "count": [3, 1, 3],
        }
    )
    assert summary_metrics(summary) == [
        ("smote.f1_macro.mean", 0.5, 0),
        ("smote.f1_macro.std", 0.1, 0),
        ("smote.class_malign_lymph.recall.mean", 0.25, 0),  # std over one fold: left out
        ("gan_smote.f1_macro.mean", 0.75, 0),
        ("gan_smote.f1_macro.std", 0.2, 0),
    ]


def test_loss_metrics_average_over_gans_and_thin_out_epochs(monkeypatch):
    monkeypatch.setattr(tracking, "MAX_LOSS_STEPS", 5)
    epochs = np.arange(10)
    a = pd.DataFrame({"epoch": epochs, "d_loss": 1.0, "g_loss": epochs * 1.0})
    b = pd.DataFrame({"epoch": epochs, "d_loss": 3.0, "g_loss": epochs * 3.0})
    metrics = loss_metrics([a, b])
    d_loss = [(step, value) for key, value, step in metrics if key == "gan_loss.d_loss"]
    g_loss = [(step, value) for key, value, step in metrics if key == "gan_loss.g_loss"]
    assert d_loss == [(0, 2.0), (2, 2.0), (4, 2.0), (6, 2.0), (8, 2.0)]
    assert g_loss[1] == (2, 4.0)
    assert loss_metrics([]) == []
