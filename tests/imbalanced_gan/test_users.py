"""A user's own table through ``kedro run``: tiny classes, clear errors, no deprecation noise.

Each test runs the CLI in a copy of the project with the ``test`` env (40-epoch GANs,
30-iteration MLP) on a small generated table, as issue 14's new user did.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from imbalanced_gan.hooks import graph_params_message, resume_command
from tests.imbalanced_gan.test_run import kedro, latest, make_project

pytestmark = pytest.mark.slow

CATALOG = """
toy.raw_table:
  type: pandas.CSVDataset
  filepath: data/01_raw/toy.csv
"""
DATASET = """
folds: {n_repeats: 1}
dataset:
  name: toy
  target: label
  classes: [big, mid, solo]
  categorical_columns: [colour]
  numeric_columns: auto
  drop_columns: []
"""


def toy_table(n_solo: int = 1) -> pd.DataFrame:
    """48 rows: a categorical and two numeric columns; classes big 30, mid 18-n, solo n."""
    rng = np.random.default_rng(3)
    n = 48
    label = ["big"] * 30 + ["mid"] * (18 - n_solo) + ["solo"] * n_solo
    return pd.DataFrame(
        {
            "colour": rng.choice(["red", "blue"], n),
            "x1": rng.normal(size=n).round(3),
            "x2": rng.uniform(size=n).round(3),
            "label": label,
        }
    )


@pytest.fixture
def toy_project(tmp_path):
    """The project with ``toy.raw_table`` (a 1-row class) configured in ``conf/test``."""
    project = make_project(tmp_path)
    (project / "data/01_raw").mkdir(parents=True)
    toy_table().to_csv(project / "data/01_raw/toy.csv", index=False)
    (project / "conf/test/catalog.yml").write_text(CATALOG)
    set_test_params(project, yaml.safe_load(DATASET))
    return project


def set_test_params(project, values: dict) -> None:
    """Overlay ``values`` on the copy's ``conf/test/parameters.yml`` (one level deep)."""
    path = project / "conf/test/parameters.yml"
    params = yaml.safe_load(path.read_text()) or {}
    for key, value in values.items():
        params[key] = {**params.get(key, {}), **value} if isinstance(value, dict) else value
    path.write_text(yaml.safe_dump(params, sort_keys=False))


def test_a_one_row_class_runs_to_the_report_without_deprecation_warnings(toy_project):
    project = toy_project
    # --params on a key that shapes the graph: the error says what works, before any node
    done = kedro(
        project, "run", "--pipeline=gan_smote", "--env=test", "--params=folds.n_splits=3", ok=False
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "--params cannot change ['folds.n_splits']" in output
    assert "`folds: {n_splits: 3}` in conf/test/parameters.yml" in output
    assert "Traceback" not in output and "Completed 1 out of" not in output
    # ... and doing what it says works: the 1-row class is kept with a warning and scored
    set_test_params(project, yaml.safe_load("folds: {n_splits: 3}"))
    done = kedro(project, "run", "--pipeline=gan_smote", "--env=test")
    output = done.stdout + done.stderr
    for noise in ("Deprecat", "deprecated", "register_new_resolver"):
        assert noise not in output, noise
    report = latest(project / "data/08_reporting/toy/report.md")
    assert "| gan_smote |" in report
    folds = pd.read_csv(io.StringIO(latest(project / "data/08_reporting/toy/fold_metrics.csv")))
    assert sorted(folds["split"].unique()) == ["fold_00", "fold_01", "fold_02"]
    assert folds.loc[folds["metric"] == "roc_auc", "value"].notna().all()
    # the fold whose test part holds the 1-row class scored it with probability 0
    scored = [
        json.loads(latest(path))
        for path in (project / "data/07_model_output/toy").glob("fold_*/gan_smote/metrics.json")
    ]
    assert len(scored) == 3
    (solo,) = [m for m in scored if m["test_class_counts"]["solo"] == 1]
    assert "never saw" in solo["probability"]["roc_auc_reason"]


def test_a_validation_error_is_one_clear_message_not_a_traceback(toy_project):
    project = toy_project
    toy_table().to_csv(project / "data/01_raw/toy.csv", index=False, sep=";")
    done = kedro(project, "run", "--pipeline=gan_smote", "--env=test", ok=False)
    output = done.stdout + done.stderr
    assert done.returncode == 1
    assert (
        "Error (DataValidationError): Dataset 'toy': target column 'label' not found; "
        "columns are ['colour;x1;x2;label']" in done.stderr
    )
    assert 'Add `load_args: {sep: ";"}` to its catalog entry toy.raw_table' in done.stderr
    assert "Traceback" not in output and "╭" not in output
    # that the hint, as YAML in the catalog entry, fixes it: test_ingestion.py


def test_resume_command_replaces_from_nodes_and_keeps_the_rest():
    argv = ["/venv/bin/kedro", "run", "--pipeline=gan_smote", "--from-nodes", "a", "--env=test"]
    line = resume_command(["x.fold_00.top_up", "y.b"], {}, argv)
    assert line == "kedro run --pipeline=gan_smote --env=test --from-nodes=x.fold_00.top_up,y.b"
    built = resume_command(
        ["n"],
        {"pipeline_names": ["gan_smote"], "env": "test", "runtime_params": {"seed": 3}},
        ["pytest"],
    )
    assert built == "kedro run --pipelines=gan_smote --env=test --params=seed=3 --from-nodes=n"


def test_graph_params_message_names_the_file_of_the_run_env():
    message = graph_params_message({"gan_smote.training": "per_fold"}, None)
    assert "`gan_smote: {training: per_fold}` in conf/local/parameters.yml" in message
    assert "gan_smote.training" in message.split("Every such key:")[1]
