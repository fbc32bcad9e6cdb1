"""notebooks/demo.ipynb runs, top to bottom, on the outputs of ``kedro run --env test``."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import PROJECT
from tests.imbalanced_gan.test_run import kedro, make_project

nbclient = pytest.importorskip("nbclient", reason="the dev extra is not installed")
nbformat = pytest.importorskip("nbformat", reason="the dev extra is not installed")

NOTEBOOK = PROJECT / "notebooks" / "demo.ipynb"


def code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_demo_notebook_is_committed_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    for cell in code_cells(notebook):
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:80]


@pytest.mark.slow
def test_demo_notebook_runs_on_a_test_run_and_draws_its_figures(tmp_path):
    project = make_project(tmp_path)
    shutil.copytree(PROJECT / "notebooks", project / "notebooks")
    kedro(project, "run", "--pipeline=gan_smote", "--env=test")

    notebook = nbformat.read(project / "notebooks" / "demo.ipynb", as_version=4)
    (setting,) = [c for c in code_cells(notebook) if "\nenv = None" in f"\n{c.source}"]
    setting.source = setting.source.replace("env = None", 'env = "test"')
    # run from notebooks/, as Jupyter does: the notebook finds the project root itself
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(project / "notebooks")}},
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error

    outputs = [output for cell in code_cells(notebook) for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert f"project {project}, env 'test', dataset 'lymphography'" in text
    assert "1 run(s):" in text  # the one versioned run of this copy
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2  # Figure 1 (means with error bars) and Figure 2 (per fold)
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    for method in ("gan_smote", "no_oversampling", "random_oversampling", "smote"):
        assert method in html  # the summary and per-class tables show every method
    report = [o for o in outputs if "text/markdown" in o.get("data", {})]
    assert report and "| gan_smote |" in report[0]["data"]["text/markdown"]
