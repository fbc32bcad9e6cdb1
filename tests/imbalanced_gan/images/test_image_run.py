"""End to end: ``kedro run --pipelines=image_benchmark --env test`` in a copy of the project."""

from __future__ import annotations

import json

import pytest

from tests.imbalanced_gan.test_run import kedro, latest, make_project, versions

pytestmark = pytest.mark.slow


def test_image_benchmark_runs_from_the_cli_and_writes_versioned_outputs(tmp_path):
    project = make_project(tmp_path)
    wrong = kedro(
        project, "run", "--pipelines=image_benchmark", "--params=images.folds.n_splits=3", ok=False
    )
    assert "laid out for dataset 'digits' with 5 folds" in wrong.stdout + wrong.stderr
    done = kedro(project, "run", "--pipelines=image_benchmark", "--env=test")
    reporting = project / "data/08_reporting/digits/images"
    report = latest(reporting / "report.md")
    for method in ("deepsmote", "dcgan", "cgan_images", "vanilla_gan_images", "smote"):
        assert f"| {method} |" in report
        for picture in ("image_grid.png", "pca_plot.png"):
            path = reporting / method / picture
            assert (path / versions(path)[-1] / picture).stat().st_size > 1000
    assert "| no_oversampling |" in report and "## Balanced test set" in report
    profile = json.loads(latest(project / "data/02_intermediate/digits/images/data_profile.json"))
    assert profile["image_shape"] == [1, 8, 8] and len(profile["class_sizes"]) == 10
    models = project / "data/06_models/digits/images/fold_01/deepsmote/sampler.pkl"
    assert len(versions(models)) == 1
    assert "ParameterValidationError" not in done.stderr
    bad = kedro(
        project,
        "run",
        "--pipelines=image_benchmark",
        "--env=test",
        "--params=images.classifier.epochs=0",
        ok=False,
    )
    assert (
        bad.returncode != 0 and "images.classifier.epochs must be >= 1" in bad.stdout + bad.stderr
    )
