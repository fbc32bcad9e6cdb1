"""Import what the project's Airflow tasks need once, in the process that forks the tasks.

Airflow's LocalExecutor forks its worker processes from the scheduler, and each worker forks
one process per task (on Linux, ``multiprocessing``'s ``fork`` start method and the task
SDK's bare ``os.fork``). A task process therefore starts with every module its scheduler had
imported. Without a preload each task imports Kedro, torch, scikit-learn, imbalanced-learn,
matplotlib and the project's pipelines anew: seconds on an idle machine, tens of seconds on a
loaded one, against well under a second of node work in a small task.

``scripts/airflow_local.sh`` writes an ``airflow_local_settings.py`` that calls
:func:`preload` in the scheduler process only (the API server and DAG processor never run
tasks). The modules are imported, nothing else: no torch thread pool, no pipeline built, no
Kedro session; each task still bootstraps the project itself.
"""

from __future__ import annotations

import importlib
import logging
import time

#: Modules a task process imports: the project's nodes (through the pipeline registry), the
#: task runner and the dataset classes of conf/base/catalog*.yml.
MODULES = (
    "imbalanced_gan.pipeline_registry",
    "imbalanced_gan.deploy.airflow_task",
    "imbalanced_gan.settings",
    "kedro.runner",
    "kedro.framework.session",
    "kedro_datasets.pandas.csv_dataset",
    "kedro_datasets.pandas.parquet_dataset",
    "kedro_datasets.pickle.pickle_dataset",
    "kedro_datasets.json.json_dataset",
    "kedro_datasets.matplotlib.matplotlib_dataset",
    "kedro_datasets.text.text_dataset",
)

logger = logging.getLogger(__name__)


def preload(modules: tuple[str, ...] = MODULES) -> dict[str, float]:
    """Import ``modules``, leaving the caller's root logger as it was.

    Importing ``kedro.framework.project`` applies Kedro's logging configuration
    (``conf/logging.yml``) to the root logger; the scheduler keeps its own.

    Parameters
    ----------
    modules : tuple of str
        Dotted module names.

    Returns
    -------
    dict
        ``{module: seconds}`` of the imports that succeeded. A module that fails to import is
        logged and left out: the task imports it again, and fails there with its own error.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    seconds = {}
    try:
        for name in modules:
            start = time.perf_counter()
            try:
                importlib.import_module(name)
            except Exception:
                logger.exception("preload: could not import %s", name)
                continue
            seconds[name] = time.perf_counter() - start
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    logger.info("preloaded %d modules in %.1f s", len(seconds), sum(seconds.values()))
    return seconds
