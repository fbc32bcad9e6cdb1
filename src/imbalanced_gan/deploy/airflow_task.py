"""Run a slice of a Kedro pipeline as one Airflow task, with one dataset version per DAG run.

Without this, each Airflow task is its own ``KedroSession`` with its own timestamp, and loads
the *latest* version of its inputs, so two concurrent runs can read each other's data. Here:

- every task of one DAG run saves its outputs at the same Kedro version, derived from the
  run (:func:`version_for_run`: the logical date, to the second, plus a hash of the DAG and
  run ids in the milliseconds: sortable, unique per run, and the same on every retry);
- every task loads the inputs that its DAG's pipeline produces at that same version (Kedro's
  ``load_versions``), never "the latest"; inputs from outside the pipeline load as usual;
- a retry is idempotent: nodes whose outputs all exist at the run's version are skipped; a
  node that saved only some outputs before it died runs again, keeps the outputs already
  saved and saves only the missing ones (nodes are seeded, so the rerun computes the same).

This module never imports Airflow: the DAG files (``templates/airflow_dag.j2``) call
:func:`run_task` with the run id and logical date from the task context.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kedro.config import MissingConfigException
from kedro.framework.session import KedroSession
from kedro.io import AbstractDataset, CatalogConfigResolver
from kedro.pipeline import Pipeline
from kedro.runner import SequentialRunner

logger = logging.getLogger("imbalanced_gan.deploy.airflow_task")  # also under -m

#: Where the run claims live: this folder under the data root (``data_root`` in
#: conf/base/globals.yml, "data" by default; see :func:`claim_version`).
RUNS_DIR = "airflow_runs"
#: The data root where conf sets none (conf/base/globals.yml holds the project's).
DEFAULT_DATA_ROOT = "data"


def version_for_run(run_id: str, logical_date: datetime, dag_id: str = "") -> str:
    """The Kedro dataset version of one Airflow DAG run.

    Parameters
    ----------
    run_id : str
        The Airflow run id (``context["run_id"]``).
    logical_date : datetime
        The run's logical date (or ``run_after`` for runs that have none). A naive datetime
        is taken as UTC.
    dag_id : str, default ""
        The DAG id: the project's DAGs share dataset names, and scheduled runs of two DAGs
        share run ids and logical dates.

    Returns
    -------
    str
        ``YYYY-MM-DDTHH.MM.SS.mmmZ``, Kedro's version format: the logical date to the second,
        with a hash of ``dag_id`` and ``run_id`` as milliseconds. Sorts by logical date and is
        the same for every call with the same arguments (so a retry gets it too).
    """
    if not run_id:
        raise ValueError("run_id is empty: the version of a DAG run is derived from its run id")
    if not isinstance(logical_date, datetime):
        raise TypeError(
            f"logical_date must be a datetime (the run's logical date or run_after), "
            f"got {logical_date!r}"
        )
    if logical_date.tzinfo is None:
        logical_date = logical_date.replace(tzinfo=UTC)
    digest = hashlib.sha256(f"{dag_id}\n{run_id}".encode()).digest()
    millis = int.from_bytes(digest[:4], "big") % 1000
    return logical_date.astimezone(UTC).strftime("%Y-%m-%dT%H.%M.%S.") + f"{millis:03d}Z"


def claim_version(runs_dir: str | Path, version: str, dag_id: str, run_id: str) -> None:
    """Record that ``version`` belongs to this DAG run; fail if another run holds it.

    The claim file ``<runs_dir>/<version>.json`` is created atomically by the first task of
    the run and read by the others (and by retries). Two runs only meet here if they share
    the logical second *and* the hash milliseconds; then the second run fails with an error
    instead of mixing its data with the first.

    ``runs_dir`` is a local path or an fsspec URL (``file://``, ``s3://``...). On the local
    file system the claim is created with ``os.link`` (atomic, first one wins); elsewhere it
    is written only if absent and read back, so two runs racing for one version within the
    same instant on an object store without conditional writes are not told apart.
    """
    import fsspec

    fs, root = fsspec.core.url_to_fs(str(runs_dir))
    owner = {"dag_id": dag_id, "run_id": run_id}
    if "file" not in _protocols(fs):
        claim = f"{root.rstrip('/')}/{version}.json"
        if not fs.exists(claim):
            fs.pipe_file(claim, json.dumps(owner).encode())
        _check_owner(json.loads(fs.cat_file(claim)), owner, version, claim)
        return
    runs_dir = Path(root)
    runs_dir.mkdir(parents=True, exist_ok=True)
    claim = runs_dir / f"{version}.json"
    # write a private file, then link it into place: the claim appears complete or not at all
    draft = runs_dir / f".{version}.{os.getpid()}.{threading.get_ident()}.tmp"
    draft.write_text(json.dumps(owner))
    try:
        os.link(draft, claim)
        return
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    _check_owner(json.loads(claim.read_text()), owner, version, claim)


def _protocols(fs: Any) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


def _check_owner(held: dict, owner: dict, version: str, claim: Any) -> None:
    if held != owner:
        raise RuntimeError(
            f"Dataset version {version} is already used by DAG {held.get('dag_id')!r} run "
            f"{held.get('run_id')!r} (see {claim}); DAG {owner['dag_id']!r} run "
            f"{owner['run_id']!r} maps to the same version (same logical second, same hash). "
            "Trigger it again with another logical date."
        )


def runs_dir_of(project_path: Path, data_root: str) -> str:
    """The run claims' location: ``<data_root>/airflow_runs``, a relative root under the project.

    Parameters
    ----------
    project_path : Path
        The project root, which a relative ``data_root`` is relative to.
    data_root : str
        ``data_root`` from the configuration's globals: a path or an fsspec URL.

    Returns
    -------
    str
        A local path or a URL.
    """
    if "://" not in data_root and not Path(data_root).is_absolute():
        data_root = str(project_path / data_root)
    return f"{data_root.rstrip('/')}/{RUNS_DIR}"


def run_task(
    project_path: str | Path,
    env: str,
    pipeline_name: str,
    node_names: Iterable[str],
    run_id: str,
    logical_date: datetime,
    dag_id: str = "",
    conf_source: str | None = None,
    runtime_params: dict[str, Any] | None = None,
    runs_dir: str | Path | None = None,
) -> str:
    """Run ``node_names`` of ``pipeline_name`` at the DAG run's dataset version.

    Parameters
    ----------
    project_path : str or Path
        Root of the Kedro project (holds ``pyproject.toml`` and ``conf/``); the task process
        changes its working directory to it.
    env : str
        Kedro configuration environment.
    pipeline_name : str
        Registered pipeline the DAG was generated from.
    node_names : iterable of str
        Nodes of this Airflow task.
    run_id, logical_date, dag_id
        The Airflow run; see :func:`version_for_run`.
    conf_source : str, optional
        Configuration folder, default ``<project_path>/conf``.
    runtime_params : dict, optional
        Extra parameters (as ``kedro run --params``).
    runs_dir : str or Path, optional
        Folder (or fsspec URL) of the version claims, default ``<data_root>/airflow_runs``
        (``data_root`` from conf's globals, relative to ``project_path``); it must be shared by
        all workers.

    Returns
    -------
    str
        The dataset version every output of this run is saved at.
    """
    from kedro.framework.project import pipelines
    from kedro.framework.startup import bootstrap_project

    project_path = Path(project_path).resolve()
    node_names = list(node_names)
    version = version_for_run(run_id, logical_date, dag_id)
    # the catalog's relative paths (data/...) and the pipelines' layout (conf/) are read from
    # the working directory, which is the scheduler's in a LocalExecutor worker
    os.chdir(project_path)
    # the project's pipelines are laid out from conf/<env> (see imbalanced_gan.layout)
    os.environ["KEDRO_ENV"] = env
    bootstrap_project(project_path)
    pipelines.set_requested([pipeline_name])  # build this pipeline only (pipeline_registry)
    if pipeline_name not in pipelines:
        raise ValueError(
            f"Pipeline {pipeline_name!r} is not registered in env {env!r}; registered: "
            f"{sorted(pipelines)}. Regenerate the DAGs (kedro airflow create)."
        )
    loader = _config_loader(project_path, env, conf_source, runtime_params)
    if runs_dir is None:
        data_root = _globals(loader).get("data_root", DEFAULT_DATA_ROOT)
        runs_dir = runs_dir_of(project_path, str(data_root))
    claim_version(runs_dir, version, dag_id, run_id)
    pinned = _versioned_outputs(pipelines[pipeline_name], loader)
    logger.info(
        "Airflow run %s of %s: nodes %s at dataset version %s", run_id, dag_id, node_names, version
    )
    with _session_with_id(version).create(
        project_path=project_path, env=env, conf_source=conf_source, runtime_params=runtime_params
    ) as session:
        session.run(
            pipeline_names=[pipeline_name],
            node_names=node_names,
            load_versions=dict.fromkeys(pinned, version),
            runner=ResumingRunner(),
        )
    return version


def _session_with_id(session_id: str) -> type[KedroSession]:
    """A ``KedroSession`` class whose sessions get ``session_id``.

    Kedro saves every versioned dataset of a session at its session id, and has no argument
    for it (kedro-org/kedro-plugins#48); this subclass passes it to the public constructor.
    """

    class RunSession(KedroSession):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{**kwargs, "session_id": session_id})

    return RunSession


def _config_loader(
    project_path: Path, env: str, conf_source: str | None, runtime_params: dict[str, Any] | None
) -> Any:
    """The project's config loader for ``env``, as the run's session builds it."""
    from kedro.framework.project import settings

    return settings.CONFIG_LOADER_CLASS(
        conf_source=conf_source or str(project_path / settings.CONF_SOURCE),
        env=env,
        runtime_params=runtime_params,
        **settings.CONFIG_LOADER_ARGS,
    )


def _globals(loader: Any) -> dict[str, Any]:
    try:
        return dict(loader["globals"])
    except MissingConfigException:
        return {}


def _versioned_outputs(pipeline: Pipeline, loader: Any) -> list[str]:
    """Names of the versioned catalog datasets that ``pipeline`` writes."""
    try:
        credentials = loader["credentials"]
    except MissingConfigException:
        credentials = {}
    resolver = CatalogConfigResolver(loader["catalog"], credentials, default_runtime_patterns={})
    return sorted(
        name
        for name in pipeline.all_outputs()
        if resolver.match_dataset_pattern(name) or name in resolver.config
        if resolver.resolve_pattern(name).get("versioned")
    )


class ResumingRunner(SequentialRunner):
    """A sequential runner that does not redo what this run's version already holds.

    A node whose persisted outputs all exist (at the pinned load version) is skipped. A node
    that saved only some of them runs again, but its existing outputs are kept (their save
    becomes a no-op), since a versioned dataset is never rewritten.
    """

    def run(
        self,
        pipeline: Pipeline,
        catalog: Any,
        hook_manager: Any = None,
        run_id: str | None = None,
        only_missing_outputs: bool = False,
    ) -> dict[str, Any]:
        to_run = []
        for node in pipeline.nodes:
            persisted = [name for name in node.outputs if _is_persisted(catalog, name)]
            existing = [name for name in persisted if catalog.exists(name)]
            if node.outputs and len(existing) == len(node.outputs):
                logger.info("Skipping node %s: its outputs already exist", node.name)
                continue
            for name in existing:
                logger.warning(
                    "Node %s saved %s before it stopped: keeping it, saving the rest",
                    node.name,
                    name,
                )
                catalog[name] = KeptDataset(catalog.get(name))
            to_run.append(node)
        if not to_run:
            logger.info("Nothing to run: every output of this task already exists")
            return {}
        return super().run(Pipeline(to_run), catalog, hook_manager, run_id)


def _is_persisted(catalog: Any, name: str) -> bool:
    dataset = catalog.get(name)
    return dataset is not None and not getattr(dataset, "_EPHEMERAL", False)


class KeptDataset(AbstractDataset):
    """An output saved by an earlier attempt of this run: loads it, never saves again."""

    def __init__(self, dataset: AbstractDataset) -> None:
        self._dataset = dataset

    def load(self) -> Any:
        return self._dataset.load()

    def save(self, data: Any) -> None:
        logger.info("Keeping %s from an earlier attempt of this run", self._dataset)

    def _exists(self) -> bool:
        return True

    def _describe(self) -> dict[str, Any]:
        return {"kept": str(self._dataset)}


def main(argv: list[str] | None = None) -> str:
    """Command line: ``python -m imbalanced_gan.deploy.airflow_task PROJECT --nodes ...``.

    For operators that start a process or a container per task (BashOperator,
    KubernetesPodOperator) instead of calling :func:`run_task` in the worker. Prints the
    dataset version.
    """
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("project_path")
    parser.add_argument("--env", default="local")
    parser.add_argument("--pipeline", default="__default__")
    parser.add_argument("--nodes", nargs="+", required=True)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--logical-date", required=True, type=datetime.fromisoformat)
    parser.add_argument("--dag-id", default="")
    parser.add_argument("--conf-source")
    parser.add_argument("--runs-dir")
    args = parser.parse_args(argv)
    version = run_task(
        args.project_path,
        args.env,
        args.pipeline,
        args.nodes,
        run_id=args.run_id,
        logical_date=args.logical_date,
        dag_id=args.dag_id,
        conf_source=args.conf_source,
        runs_dir=args.runs_dir,
    )
    print(version)  # noqa: T201
    return version


if __name__ == "__main__":
    main()
