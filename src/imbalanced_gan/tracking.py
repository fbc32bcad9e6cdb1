"""Experiment tracking with MLflow, for runs made with the optional ``[mlflow]`` extra.

kedro-mlflow (``pip install -e ".[mlflow]"``, configured by ``conf/base/mlflow.yml``) opens
one MLflow run per ``kedro run`` and logs the nodes' parameters. :class:`MlflowTrackingHook`
adds what this project's runs produce, at the end of the run:

* the parameters the run's pipeline reads, flattened (``gan_smote.network.latent_dim``,
  ...), so that runs can be compared and searched key by key;
* metrics: per method, the mean and standard deviation over the folds of every row of each
  ``*.summary_table`` the run wrote (``gan_smote.balanced_accuracy.mean``,
  ``smote.class_fibrosis.recall.std``, ...), and the generators' losses per epoch averaged
  over the GANs (``gan_loss.d_loss``, ``gan_loss.g_loss``, step = epoch);
* artifacts: every file the run saved to a dataset of the ``reporting`` layer (report,
  summary and per-fold tables, plots, manifest) under ``reporting/``, and the loss
  history of every GAN the run trained, as one long table ``gan/loss_history.csv``.

Datasets are picked by their ``metadata: {kedro-viz: {layer: ...}}`` in the catalog, so a
new reporting output is logged without touching this module. The hook does nothing when
mlflow cannot be imported (the project's default install) or when no MLflow run is active
(kedro-mlflow absent or tracking disabled for the pipeline).
"""

from __future__ import annotations

import importlib
import logging
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, is_dataclass
from pathlib import Path, PurePath
from typing import Any

import pandas as pd
from kedro.framework.hooks import hook_impl
from kedro.io import AbstractVersionedDataset, Version

from imbalanced_gan.layout import slug

logger = logging.getLogger(__name__)

#: ``class`` value of the summary rows that aggregate over all classes (reporting nodes).
OVERALL = "(all classes)"

#: Columns of a summary table (``summarise_metrics``) that become metrics.
SUMMARY_COLUMNS = {"method", "class", "metric", "mean", "std"}

#: At most this many epochs of the mean GAN losses are logged as metric steps.
MAX_LOSS_STEPS = 200

#: MLflow's limits on one ``log_batch`` call.
_MAX_METRICS, _MAX_PARAMS = 1000, 100


def _mlflow() -> Any | None:
    """The ``mlflow`` module, or None where the ``[mlflow]`` extra is not installed."""
    try:
        return importlib.import_module("mlflow")
    except ImportError:
        return None


class MlflowTrackingHook:
    """Log a run's metrics, GAN loss histories and report files to the active MLflow run.

    Parameters
    ----------
    artifact_layers
        Catalog layers whose datasets' saved files are logged as artifacts.
    model_layers
        Catalog layers whose models are loaded after the run to read their ``history_``
        (the loss per epoch) into ``gan/loss_history.csv``.
    """

    def __init__(
        self,
        artifact_layers: Iterable[str] = ("reporting",),
        model_layers: Iterable[str] = ("generators",),
    ) -> None:
        self.artifact_layers = tuple(artifact_layers)
        self.model_layers = tuple(model_layers)
        self._context: Any = None
        self._run_id: str | None = None

    @hook_impl
    def after_context_created(self, context: Any) -> None:
        # context.params is read only once a run starts: reading it lays the pipelines out,
        # which must wait for LayoutHook to export the run's env
        self._context = context

    @hook_impl(trylast=True)  # after kedro-mlflow's hook has started the run
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Any, catalog: Any) -> None:
        mlflow = _mlflow()
        run = mlflow.active_run() if mlflow is not None else None
        self._run_id = run.info.run_id if run is not None else None
        if self._run_id is None:
            return
        inputs = pipeline.inputs()
        run_params = dict(self._context.params) if self._context is not None else {}
        params = [
            mlflow.entities.Param(key, _param_value(value))
            for key, value in flatten(run_params).items()
            if _used(key, inputs)
        ]
        client = mlflow.MlflowClient()
        for chunk in _chunks(params, _MAX_PARAMS):
            client.log_batch(self._run_id, params=chunk)

    @hook_impl(tryfirst=True)  # before kedro-mlflow's hook ends the run
    def after_pipeline_run(self, run_params: dict[str, Any], pipeline: Any, catalog: Any) -> None:
        run_id, self._run_id = self._run_id, None
        mlflow = _mlflow()
        if run_id is None or mlflow is None:
            return
        client = mlflow.MlflowClient()
        outputs = sorted(pipeline.all_outputs())
        layers = {name: _layer(catalog.get(name)) for name in outputs}

        metrics = []
        for name in outputs:
            if name.endswith("summary_table") and name in catalog:
                summary = _this_run(catalog, name).load()
                if SUMMARY_COLUMNS <= set(summary.columns):
                    metrics += summary_metrics(summary)
        histories = {
            name: model.history_
            for name in outputs
            if layers[name] in self.model_layers
            for model in [_this_run(catalog, name).load()]
            if isinstance(getattr(model, "history_", None), pd.DataFrame)
        }
        if histories:
            metrics += loss_metrics(histories.values())
        timestamp = int(time.time() * 1000)
        entities = [
            mlflow.entities.Metric(key, value, timestamp, step) for key, value, step in metrics
        ]
        for chunk in _chunks(entities, _MAX_METRICS):
            client.log_batch(run_id, metrics=chunk)

        logged = 0
        for name in outputs:
            if layers[name] in self.artifact_layers:
                path = saved_file(catalog.get(name))
                if path is not None:
                    client.log_artifact(run_id, str(path), artifact_path=layers[name])
                    logged += 1
        if histories:
            with tempfile.TemporaryDirectory() as tmp:
                table = Path(tmp) / "loss_history.csv"
                loss_table(histories).to_csv(table, index=False)
                client.log_artifact(run_id, str(table), artifact_path="gan")
        logger.info(
            "MLflow run %s: %d metrics, %d report files, %d GAN loss histories logged",
            run_id,
            len(entities),
            logged,
            len(histories),
        )


def flatten(params: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested parameters as ``{"a.b.c": value}``; lists stay whole values, empty dicts go.

    Typed parameters (dataclasses, see :mod:`imbalanced_gan.params`) are flattened like dicts.
    """
    flat: dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if is_dataclass(value) and not isinstance(value, type):
            value = asdict(value)
        if isinstance(value, dict):
            flat |= flatten(value, f"{name}.")
        else:
            flat[name] = value
    return flat


def summary_metrics(summary: pd.DataFrame) -> list[tuple[str, float, int]]:
    """``(key, value, step)`` for the mean and std of every summary row.

    Overall rows give ``{method}.{metric}.mean``; per-class rows
    ``{method}.class_{class}.{metric}.mean`` (and ``.std``). NaN (a std over one fold) is
    left out.
    """
    rows = []
    for row in summary.to_dict("records"):
        where = "" if row["class"] == OVERALL else f"class_{slug(row['class'])}."
        for stat in ("mean", "std"):
            value = float(row[stat])
            if value == value:  # not NaN
                rows.append(
                    (f"{slug(row['method'])}.{where}{slug(row['metric'])}.{stat}", value, 0)
                )
    return rows


def loss_metrics(histories: Iterable[pd.DataFrame]) -> list[tuple[str, float, int]]:
    """The discriminator and generator losses averaged over GANs, per epoch (thinned)."""
    frames = [h[["epoch", "d_loss", "g_loss"]] for h in histories if len(h)]
    if not frames:
        return []
    mean = pd.concat(frames).groupby("epoch").mean()
    mean = mean.iloc[:: max(1, -(-len(mean) // MAX_LOSS_STEPS))]
    return [
        (f"gan_loss.{column}", float(value), int(epoch))
        for column in ("d_loss", "g_loss")
        for epoch, value in mean[column].items()
    ]


def loss_table(histories: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One long table of every GAN's history, its dataset name in column ``model``."""
    return pd.concat(
        [history.assign(model=name) for name, history in histories.items()], ignore_index=True
    )[["model", *next(iter(histories.values())).columns]]


def saved_file(dataset: Any) -> Path | None:
    """The local file this run saved for a versioned dataset (None if there is none)."""
    if not isinstance(dataset, AbstractVersionedDataset):
        return None
    version = dataset.resolve_save_version()
    try:
        paths = dataset.list_versions(full_path=True)
    except Exception:  # noqa: BLE001 - no version saved at all
        return None
    for path in paths:
        if PurePath(path).parent.name == version and Path(path).is_file():
            return Path(path)
    return None


def _this_run(catalog: Any, name: str) -> Any:
    """The dataset pinned to the version this run saved (not whatever is newest)."""
    dataset = catalog.get(name)
    if isinstance(dataset, AbstractVersionedDataset):
        return catalog.get(name, version=Version(dataset.resolve_save_version(), None))
    return dataset


def _used(key: str, inputs: Iterable[str]) -> bool:
    """Whether the pipeline reads parameter ``key`` (``params:a`` covers ``a.b.c``)."""
    if "parameters" in inputs:
        return True
    return any(
        name.startswith("params:") and (key == name[7:] or key.startswith(f"{name[7:]}."))
        for name in inputs
    )


def _layer(dataset: Any) -> str | None:
    metadata = getattr(dataset, "metadata", None) or {}
    return (metadata.get("kedro-viz") or {}).get("layer")


def _param_value(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 6000 else text[:5997] + "..."


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
