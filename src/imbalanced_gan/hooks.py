"""Project hooks: the pipeline layout follows the run's env; clean stops; a one-line resume command."""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import signal
import sys
import threading
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kedro.framework.hooks import hook_impl

from imbalanced_gan import checkpoints
from imbalanced_gan import layout as layout_module

logger = logging.getLogger(__name__)

#: Layout the registered pipelines were built from (set by the pipeline registry).
REGISTERED: dict[str, Any] = {}


class LayoutMismatchError(RuntimeError):
    """The run's parameters ask for another graph than the one Kedro built."""


def _flatten(params: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"folds": {"n_splits": 5}}`` -> ``{"folds.n_splits": 5}``."""
    flat: dict[str, Any] = {}
    for key, value in (params or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _as_yaml(key: str, value: Any) -> str:
    """``folds.n_splits``, 5 -> ``folds: {n_splits: 5}`` (one line of YAML)."""
    text = json.dumps(value) if not isinstance(value, str) else value
    for part in reversed(key.split(".")[1:]):
        text = f"{{{part}: {text}}}"
    return f"{key.split('.')[0]}: {text}"


def graph_params_message(keys: dict[str, Any], env: str | None) -> str:
    """What to do instead of ``--params`` on keys that shape the graph."""
    where = (
        f"conf/{env}/parameters.yml"
        if env and env != "local"
        else ("conf/local/parameters.yml (git-ignored; every run without --env reads it)")
    )
    lines = "; ".join(f"`{_as_yaml(k, v)}`" for k, v in keys.items())
    return (
        f"--params cannot change {sorted(keys)}: these keys shape the pipeline graph "
        "(one node per fold and class), which Kedro builds from conf/ before it reads "
        f"--params. Put {lines} in {where} and run again without them in --params; or put "
        "them in conf/<name>/parameters.yml (an env is read on top of conf/base, instead of "
        "conf/local) and add --env <name> to the run. "
        f"Every such key: {', '.join(layout_module.GRAPH_KEYS)}"
    )


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
            given = _flatten(run_params.get("runtime_params") or {})
            shaping = {k: v for k, v in given.items() if k in layout_module.GRAPH_KEYS}
            if shaping:
                raise LayoutMismatchError(graph_params_message(shaping, run_params.get("env")))
            raise LayoutMismatchError(
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
                given = _flatten(run_params.get("runtime_params") or {})
                shaping = {k: v for k, v in given.items() if k in layout_module.GRAPH_KEYS}
                if shaping:
                    raise LayoutMismatchError(graph_params_message(shaping, run_params.get("env")))
                raise LayoutMismatchError(
                    f"The benchmark pipeline was laid out for {grid} but this run's "
                    f"parameters ask for {wanted_grid}. Set the env before Kedro starts: "
                    f"KEDRO_ENV={wanted.env} kedro run ..."
                )


class RunInterruptedError(RuntimeError):
    """The run was stopped by SIGINT or SIGTERM; Kedro prints how to resume it."""


class GracefulStopHook:
    """Turn Ctrl-C / SIGTERM into a clean stop between nodes, with Kedro's resume hint.

    The first signal lets the running node finish and save its outputs, then stops
    the run before the next node; a GAN-training node stops sooner, at its next epoch
    boundary after saving a checkpoint (:mod:`imbalanced_gan.checkpoints`). Kedro then
    prints the ``--from-nodes`` argument that resumes it. A second signal stops at once. Python only delivers signals to the main
    thread, so this covers the sequential runner (the default); other runners keep
    Kedro's own behaviour.
    """

    def __init__(self) -> None:
        self._requested: str | None = None
        self._previous: dict[int, Any] = {}

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Any, catalog: Any) -> None:
        self._requested = None
        checkpoints.STOP.clear()
        checkpoints.ROOT["path"] = Path(run_params.get("project_path") or ".")
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._previous[sig] = signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        if self._requested is not None:
            raise RunInterruptedError(f"Run stopped at once by a second {name}")
        self._requested = name
        checkpoints.STOP.set()
        logger.warning(
            "%s received: stopping after the current node; GAN training stops at its next "
            "checkpoint (send it again to stop now)",
            name,
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


#: Kedro's runners log the resume hint from these loggers (``AbstractRunner._logger``).
_RUNNER_LOGGERS = (
    "kedro.runner.runner",
    "kedro.runner.sequential_runner",
    "kedro.runner.parallel_runner",
    "kedro.runner.thread_runner",
)
#: Where resume commands are written, under the project's root.
RESUME_DIR = Path("data") / "09_resume"


class _ResumeHintFilter(logging.Filter):
    """Take Kedro's (console-wrapped) resume hint off the log and keep its node names."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] | None = None
        self.remaining: int | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        found = re.search(r'--from-nodes "([^"]*)"', message)
        if found is None:
            return True
        self.nodes = [n for n in found.group(1).split(",") if n]
        count = re.search(r"There are (\d+) nodes", message)
        self.remaining = int(count.group(1)) if count else None
        return False


def resume_command(from_nodes: list[str], run_params: dict[str, Any], argv: list[str]) -> str:
    """The command line that resumes a failed run, on one line.

    The run's own arguments (``argv``, e.g. ``sys.argv``) with any ``--from-nodes`` replaced;
    when ``argv`` is not a ``kedro run`` (a run started from Python), one built from
    ``run_params``.
    """
    nodes = "--from-nodes=" + ",".join(from_nodes)
    args = list(argv[1:])
    if "run" in args:
        kept, skip = [], False
        for arg in args:
            if skip:
                skip = False
            elif arg == "--from-nodes":
                skip = True
            elif not arg.startswith("--from-nodes="):
                kept.append(arg)
        program = Path(argv[0])
        prog = "kedro" if "kedro" in (program.name, program.parent.name) else argv[0]
        if program.name == "__main__.py" and program.parent.name != "kedro":
            prog = f"python -m {program.parent.name}"
        return " ".join([prog, *map(shlex.quote, kept), nodes])
    parts = ["kedro", "run"]
    if run_params.get("pipeline_names"):
        parts.append("--pipelines=" + ",".join(run_params["pipeline_names"]))
    if run_params.get("env"):
        parts.append(f"--env={run_params['env']}")
    flat = _flatten(run_params.get("runtime_params") or {})
    if flat:
        parts.append(shlex.quote("--params=" + ",".join(f"{k}={v}" for k, v in flat.items())))
    return " ".join([*parts, nodes])


class ResumeHook:
    """Print the command that resumes a failed or interrupted run on one unbroken line.

    Kedro logs a ``--from-nodes "..."`` hint through the rich console, which wraps it in
    the middle of node names; this hook takes that hint off the log, prints the whole
    command without wrapping (plain ``print`` to stderr) and writes it to
    ``data/09_resume/<session id>.txt``.
    """

    def __init__(self) -> None:
        self._filter = _ResumeHintFilter()

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any]) -> None:
        self._filter.nodes = self._filter.remaining = None
        for name in _RUNNER_LOGGERS:
            log = logging.getLogger(name)
            if self._filter not in log.filters:
                log.addFilter(self._filter)

    @hook_impl
    def on_pipeline_error(self, error: Exception, run_params: dict[str, Any]) -> None:
        nodes = self._filter.nodes
        if not nodes:
            return
        command = resume_command(nodes, run_params, sys.argv)
        stamp = run_params.get("run_id") or datetime.now(UTC).strftime("%Y-%m-%dT%H.%M.%S.%fZ")
        root = Path(run_params.get("project_path") or ".")
        path = root / RESUME_DIR / f"{stamp}.txt"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(command + "\n")
            where = f" (also in {path.relative_to(root).as_posix()})"
        except OSError as exc:  # a read-only project still gets the printed line
            where = f" (not saved: {exc})"
        remaining = self._filter.remaining
        sys.stderr.write(  # after a newline: a progress bar may hold the cursor
            f"\n{remaining if remaining is not None else 'Some'} node(s) have not run. "
            f"Resume the run with this one line{where}:\n{command}\n"
        )
        sys.stderr.flush()


#: A node line lists at most this many inputs or outputs; longer lists are summarised.
NODE_LINE_ITEMS = 6


def _short_list(text: str, kind: str) -> str:
    """``[a;b;...;z]`` -> ``[a; b; ... (60 outputs) ...; z]`` when it has many items."""
    items = text[1:-1].split(";")
    if len(items) <= NODE_LINE_ITEMS:
        return text
    return f"[{items[0]}; ... ({len(items)} {kind}) ...; {items[-1]}]"


class _ShortNodeLineFilter(logging.Filter):
    """Shorten Kedro's ``Running node: name: func([inputs]) -> [outputs]`` line.

    A node with many inputs or outputs (the ``per_run`` GAN node writes one generator per
    split and class) gets a count and its first and last names instead of every name.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != "Running node: %s" or not record.args:
            return True
        line = str(record.args[0])
        found = re.fullmatch(r"(.*?\()(\[.*?\]|None)(\) -> )(\[.*\]|None)", line, re.DOTALL)
        if found:
            head, inputs, arrow, outputs = found.groups()
            if inputs != "None":
                inputs = _short_list(inputs, "inputs")
            if outputs != "None":
                outputs = _short_list(outputs, "outputs")
            record.args = (f"{head}{inputs}{arrow}{outputs}",)
        return True


class ShortNodeLogHook:
    """Keep Kedro's node-start log line short on nodes with many inputs or outputs.

    Kedro logs every input and output name of a node when it starts it
    (``kedro.pipeline.node``); this hook adds a logging filter there that summarises long
    lists (:data:`NODE_LINE_ITEMS`). The node's name stays in the line.
    """

    def __init__(self) -> None:
        self._filter = _ShortNodeLineFilter()

    @hook_impl
    def before_pipeline_run(self) -> None:
        log = logging.getLogger("kedro.pipeline.node")
        if self._filter not in log.filters:
            log.addFilter(self._filter)
