"""The project's ``kedro run``: ``--pipeline`` as a plain alias, user errors as one message."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from imbalanced_gan import cli
from imbalanced_gan.pipelines.ingestion.nodes import DataValidationError


@pytest.fixture
def calls(monkeypatch):
    seen = []

    def fake_run(**kwargs):
        seen.append(kwargs)
        if kwargs["pipelines"] == ["bad"]:
            try:
                raise DataValidationError("Dataset 'toy': target column 'label' not found")
            except DataValidationError as exc:
                raise RuntimeError("wrapped by a runner") from exc
        return {}

    monkeypatch.setattr(cli.kedro_run, "callback", fake_run)
    return seen


def test_pipeline_is_an_alias_of_pipelines_without_a_warning(calls):
    runner = CliRunner()
    done = runner.invoke(cli.run, ["--pipeline=gan_smote", "--env=test"])
    assert done.exit_code == 0, done.output
    # Kedro's run warns (KedroDeprecationWarning) when given `pipeline`: it never is
    assert calls[-1]["pipelines"] == ["gan_smote"] and calls[-1]["pipeline"] is None
    assert calls[-1]["env"] == "test"
    both = runner.invoke(cli.run, ["--pipeline=a", "--pipelines=b"])
    assert both.exit_code == 2 and "cannot be used together" in both.output


def test_a_user_error_ends_the_run_with_one_line_and_status_1(calls, monkeypatch):
    monkeypatch.delenv("IMBALANCED_GAN_TRACEBACK", raising=False)
    done = CliRunner().invoke(cli.run, ["--pipelines=bad"])
    assert done.exit_code == 1
    assert done.output.strip() == (
        "Error (DataValidationError): Dataset 'toy': target column 'label' not found"
    )
    monkeypatch.setenv("IMBALANCED_GAN_TRACEBACK", "1")
    shown = CliRunner().invoke(cli.run, ["--pipelines=bad"])
    assert isinstance(shown.exception, RuntimeError)  # the traceback, on request
