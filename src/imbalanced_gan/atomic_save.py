"""Atomic saves of versioned local datasets: a killed process never leaves a half-written file.

Kedro writes a versioned dataset straight to ``<name>/<version>/<name>``. A process killed in
the middle of that write (an Airflow worker killed by SIGKILL, out of memory, a lost machine)
leaves a truncated file there, and the next reader takes it for the real output: a retry's
:class:`~imbalanced_gan.deploy.airflow_task.ResumingRunner` would keep it as "saved by an
earlier attempt", and a plain ``kedro run`` would load it as the latest version.

:class:`AtomicSaveHook` makes each versioned dataset on the local file system write to a
hidden folder beside the dataset's folder, ``.<name>.partial-<version>-<pid>/<name>``, and
move the finished file into ``<name>/<version>/<name>`` with one ``os.replace`` (atomic on one
file system). A reader therefore sees the whole file or no file. Kedro's "latest version"
glob (``<name>/*/<name>``) never reaches the partial folder, so a leftover of a killed process
is never loaded, and no version folder holds it; the next save at that version (the retry)
writes the file again. Datasets on other file
systems (``s3://``, ``gs://``...) are left alone: object stores publish an object only when
its upload completes.
"""

from __future__ import annotations

import inspect
import logging
import os
import shutil
from pathlib import Path, PurePosixPath
from types import MethodType
from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.io import AbstractVersionedDataset

logger = logging.getLogger(__name__)

#: Marks the hidden folders that hold a save in progress: ``.<name>.partial-<version>-<pid>``.
PARTIAL_SUFFIX = ".partial-"


def make_atomic(dataset: Any) -> bool:
    """Make ``dataset``'s saves atomic (in place); return whether it applies.

    Parameters
    ----------
    dataset : Any
        A catalog dataset. Only versioned datasets on the local file system change.

    Returns
    -------
    bool
        True when ``dataset`` now saves atomically (also when it already did).
    """
    if not isinstance(dataset, AbstractVersionedDataset) or not dataset._version:
        return False
    if getattr(dataset, "_atomic_save", False):
        return True
    if getattr(dataset, "_protocol", "file") not in ("file", None):
        return False
    cls = type(dataset)
    write = inspect.unwrap(cls.save)  # the dataset's own writer, without Kedro's wrappers

    def atomic_save(self: Any, data: Any) -> None:
        final = PurePosixPath(cls._get_save_path(self))  # fails if this version exists
        folder = final.parent.parent  # <dir>/<name>, holding the versions
        partial = (
            Path(folder.parent) / f".{folder.name}{PARTIAL_SUFFIX}{final.parent.name}-{os.getpid()}"
        )
        shutil.rmtree(partial, ignore_errors=True)
        target = PurePosixPath(partial / final.name)
        self._get_save_path = lambda: target  # the writer asks this for its path
        try:
            write(self, data)
        finally:
            del self._get_save_path
        Path(final.parent).mkdir(parents=True, exist_ok=True)
        os.replace(target, final)
        shutil.rmtree(partial, ignore_errors=True)

    # Kedro's versioned wrapper (save version, error messages, consistency check) around it
    dataset.save = MethodType(cls._save_wrapper(atomic_save), dataset)
    dataset._atomic_save = True
    return True


class AtomicSaveHook:
    """Kedro hook: every versioned local dataset that a node saves is saved atomically.

    Registered in ``settings.py``. It applies to the catalog of the run (``SequentialRunner``,
    the Airflow tasks' runner, ``ThreadRunner``); ``ParallelRunner`` workers save through
    their own copy of the catalog and keep Kedro's direct writes.
    """

    def __init__(self) -> None:
        self._catalog: Any = None

    @hook_impl
    def after_catalog_created(self, catalog: Any) -> None:
        self._catalog = catalog

    @hook_impl
    def before_dataset_saved(self, dataset_name: str, data: Any, node: Any) -> None:
        if self._catalog is None:
            return
        try:
            dataset = self._catalog.get(dataset_name)
        except Exception:  # noqa: BLE001  a name this catalog cannot resolve: Kedro reports it
            return
        make_atomic(dataset)
