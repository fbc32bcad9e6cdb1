"""Project hooks: keep the pipeline layout in step with the run's env; stop cleanly on signals."""

from __future__ import annotations

import logging
import os
import signal
import threading
from dataclasses import asdict, is_dataclass
from typing import Any

from kedro.framework.hooks import hook_impl

from imbalanced_gan import layout as layout_module

logger = logging.getLogger(__name__)

#: Layout the registered pipelines were built from (set by the pipeline registry).
REGISTERED: dict[str, Any] = {}


class LayoutHook:
    """Make ``kedro run --env X`` lay pipelines out from ``conf/X`` too.

    ``kedro run --env`` does not export ``KEDRO_ENV``; this hook does, before the
    pipelines are first built, and fails fast if they were built from another env.
    """

    @hook_impl
    def after_context_created(self, context: Any) -> None:
        if context.env:
            os.environ["KEDRO_ENV"] = context.env

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Any, catalog: Any) -> None:
        built = REGISTERED.get("layout")
        if built is None:
            return
        params = {}
        for key in ("dataset", "folds", "gan_smote"):
            value = catalog.load(f"params:{key}")
            params[key] = asdict(value) if is_dataclass(value) else value
        wanted = layout_module.layout_from_params(
            params,
            layout_module.active_env(run_params.get("env")),
        )
        if wanted.key() != built.key():
            raise RuntimeError(
                f"The pipelines were laid out for {built} but this run's parameters "
                f"ask for {wanted}. Set the env before Kedro starts: "
                f"KEDRO_ENV={wanted.env} kedro run ..."
            )
        grid = REGISTERED.get("benchmark")
        if grid is not None and "params:benchmark" in catalog:
            bench = {
                "benchmark": catalog.load("params:benchmark"),
                "benchmark_datasets": catalog.load("params:benchmark_datasets"),
            }
            wanted_grid = layout_module.benchmark_layout_from_params(bench)
            if wanted_grid != grid:
                raise RuntimeError(
                    f"The benchmark pipeline was laid out for {grid} but this run's "
                    f"parameters ask for {wanted_grid}. Set the env before Kedro starts: "
                    f"KEDRO_ENV={wanted.env} kedro run ..."
                )


class RunInterruptedError(RuntimeError):
    """The run was stopped by SIGINT or SIGTERM; Kedro prints how to resume it."""


class GracefulStopHook:
    """Turn Ctrl-C / SIGTERM into a clean stop between nodes, with Kedro's resume hint.

    The first signal lets the running node finish and save its outputs, then stops
    the run before the next node; Kedro then prints the ``--from-nodes`` argument that
    resumes it. A second signal stops at once. Python only delivers signals to the main
    thread, so this covers the sequential runner (the default); other runners keep
    Kedro's own behaviour.
    """

    def __init__(self) -> None:
        self._requested: str | None = None
        self._previous: dict[int, Any] = {}

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Any, catalog: Any) -> None:
        self._requested = None
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._previous[sig] = signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        if self._requested is not None:
            raise RunInterruptedError(f"Run stopped at once by a second {name}")
        self._requested = name
        logger.warning(
            "%s received: stopping after the current node (send it again to stop now)", name
        )

    @hook_impl
    def before_node_run(self, node: Any) -> None:
        if self._requested is not None:
            raise RunInterruptedError(
                f"Run stopped by {self._requested} before node {node.name!r}; the outputs of "
                "the nodes that finished are saved"
            )

    def _restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    @hook_impl
    def after_pipeline_run(self) -> None:
        self._restore()

    @hook_impl
    def on_pipeline_error(self) -> None:
        self._restore()
