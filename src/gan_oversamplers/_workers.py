"""GAN-SMOTE on several CPU cores: the engine's stacks spread over worker processes.

The per-class GANs of a run never interact. The engine groups them into stacks
(:func:`~gan_oversamplers._batched.plan_buckets`); with ``n_jobs`` > 1 those same stacks
are dealt to worker processes (:func:`assign_stacks`, the costliest first) and each
worker trains its stacks with :func:`~gan_oversamplers._batched.train_stack`, one
thread each. Every stack is computed exactly as in one process, so the result is
bit-for-bit that of ``n_jobs=1`` whatever the number of workers or cores (a test holds
it). Processes, not threads: an epoch is hundreds of small tensor operations, and two
threads under Python's GIL ran the same work 1.5x slower than one.

The speed-up is bounded by the costliest stack (a run whose GANs all share one batch
size is one stack: one worker). A :class:`~gan_oversamplers._batched.Checkpoint` works
per worker (``<path>.part<i>of<n>``, resumed with the same ``n_jobs``); a stop
requested in the parent reaches the workers through a flag file beside it, and with a
checkpoint a worker that gets SIGTERM itself (a whole process group stopped) saves and
stops at its next boundary too. Workers ignore SIGINT; an error, a second Ctrl-C or a
dead worker kills the others.

Workers are forked on Linux (no re-import; one intra-op thread each) and spawned
elsewhere. Inside a worker of a process pool (Kedro's ParallelRunner) training stays
in-process: that pool already has a process per core.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ._batched import (
    _BUCKET_OVERHEAD_ROWS,
    Checkpoint,
    TrainedGAN,
    TrainingInterrupted,
    plan_buckets,
    train_stack,
)
from ._random import single_thread
from .errors import TrainingDivergedError

__all__ = ["assign_stacks", "effective_jobs", "train_parallel"]

logger = logging.getLogger(__name__)
#: In a worker process: the SIGTERMs received (see :func:`_worker`).
_TERMINATED: list[int] = []

#: Below this many GAN-epochs (models x epochs) training stays in one process: a
#: worker's start costs more than it saves.
MIN_PARALLEL_GAN_EPOCHS = 20_000


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def effective_jobs(n_jobs: int | None, models: int, gan_epochs: int, device: str) -> int:
    """Worker processes for ``models`` GANs and ``gan_epochs`` of work (1: in-process).

    ``n_jobs`` follows scikit-learn: ``None`` or 1 one process, -1 every core, -2 all but
    one. CUDA, small work and a process that is itself a pool worker train in-process.
    """
    if n_jobs is not None and (
        not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs == 0
    ):
        raise ValueError(f"n_jobs must be None or a non-zero integer, got {n_jobs!r}")
    if n_jobs is None or n_jobs == 1:
        return 1
    cores = available_cores()
    jobs = n_jobs if n_jobs > 0 else max(1, cores + 1 + n_jobs)
    if (
        device != "cpu"
        or gan_epochs < MIN_PARALLEL_GAN_EPOCHS
        or multiprocessing.parent_process() is not None
    ):
        return 1
    return max(1, min(jobs, models))  # at most one worker per stack: see assign_stacks


def assign_stacks(batch: Sequence[int], jobs: int) -> list[list[list[int]]]:
    """The engine's stacks for these batch sizes, dealt to at most ``jobs`` workers.

    Costliest stack first (a stack costs ``plan_buckets``' fixed overhead plus its padded
    rows per step), each to the worker with the least work. Deterministic; workers with
    nothing to do are dropped.
    """
    stacks = plan_buckets(batch, _BUCKET_OVERHEAD_ROWS["cpu"])
    cost = [_BUCKET_OVERHEAD_ROWS["cpu"] + len(s) * max(batch[k] for k in s) for s in stacks]
    parts: list[list[list[int]]] = [[] for _ in range(jobs)]
    load = [0] * jobs
    for i in sorted(range(len(stacks)), key=lambda i: (-cost[i], i)):
        worker = min(range(jobs), key=lambda w: (load[w], w))
        parts[worker].append(stacks[i])
        load[worker] += cost[i]
    return [part for part in parts if part]


def _worker(send: Any, args: tuple) -> None:
    """A worker process: train its part, send the outcome (or the error's traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops it: flag file or kill
    if (
        args[-1] is not None
    ):  # with a checkpoint, SIGTERM (a scheduler stopping the task): save, stop
        signal.signal(signal.SIGTERM, lambda signum, frame: _TERMINATED.append(signum))
    try:
        outcome = _train_part(*args)
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        outcome = ("error", traceback.format_exc())
    # plain pickle, not multiprocessing's: torch's reducers would share the tensors
    # through this process's file descriptors, gone once it exits
    send.send_bytes(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    send.close()


def _train_part(
    stacks: list[list[int]],
    reals: list[torch.Tensor],
    binaries: list[np.ndarray],
    gen_states: list[torch.Tensor],
    labels: list[Any],
    hp: dict[str, Any],
    verbose: bool,
    checkpoint: tuple[str, float, str | None] | None,
) -> tuple[str, Any]:
    """Train one part in a worker; ("ok", results), ("diverged", (k, epoch)) or ("stopped", epoch)."""
    gens = []
    for state in gen_states:
        gen = torch.Generator()
        gen.set_state(state)
        gens.append(gen)
    saving = None
    if checkpoint is not None:
        path, every_s, flag = checkpoint

        def stop() -> bool:
            return bool(_TERMINATED) or (flag is not None and os.path.exists(flag))

        saving = Checkpoint(path, every_s, stop)
    try:
        with single_thread():
            return "ok", train_stack(
                reals, binaries, gens, labels, hp, verbose=verbose, checkpoint=saving,
                stacks=stacks,
            )  # fmt: skip
    except TrainingDivergedError as exc:
        return "diverged", (exc.index, exc.epoch)
    except TrainingInterrupted as exc:
        return "stopped", exc.epoch


def train_parallel(
    reals: Sequence[torch.Tensor],
    binaries: Sequence[np.ndarray],
    gens: Sequence[torch.Generator],
    labels: Sequence[Any],
    hp: dict[str, Any],
    jobs: int,
    verbose: bool = False,
    checkpoint: Checkpoint | None = None,
) -> list[TrainedGAN]:
    """:func:`~gan_oversamplers._batched.train_stack` on CPU, its GANs split over ``jobs`` processes.

    Same arguments and errors as ``train_stack`` (on the CPU, ``"generator"`` random
    source) and the same result; a divergence names the first diverged GAN by epoch,
    then by index. A worker that finished keeps no checkpoint: after a stop, resuming
    trains its stacks again (to the same result). A single stack trains in this process.
    """
    n = [int(r.shape[0]) for r in reals]
    batch = [m if hp["batch_size"] is None else min(int(hp["batch_size"]), m) for m in n]
    dealt = assign_stacks(batch, jobs)
    if len(dealt) == 1:  # one stack: nothing to share, train it here
        with single_thread():
            return train_stack(
                reals, binaries, gens, labels, hp, verbose=verbose, checkpoint=checkpoint
            )
    parts = [sorted(k for stack in part for k in stack) for part in dealt]
    logger.info(
        "GAN-SMOTE: %d GANs in %d stacks on %d worker processes (n_jobs); the progress bar "
        "is the first worker's (the costliest stack)",
        len(reals),
        sum(len(part) for part in dealt),
        len(dealt),
    )
    local = [
        [[part.index(k) for k in stack] for stack in stacks]
        for part, stacks in zip(parts, dealt, strict=True)
    ]
    epochs = int(hp["epochs"])
    flag = None
    if checkpoint is not None and checkpoint.stop is not None:
        Path(checkpoint.path).parent.mkdir(parents=True, exist_ok=True)
        handle, flag = tempfile.mkstemp(prefix=".stop-", dir=Path(checkpoint.path).parent)
        os.close(handle)
        os.unlink(flag)  # its existence is the stop request
    if flag is not None and checkpoint.stop():  # asked already: stop at the first boundary
        Path(flag).touch()
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    workers, finished = [], False
    results: list[TrainedGAN | None] = [None] * len(reals)
    try:
        for i, part in enumerate(parts):
            receive, send = context.Pipe(duplex=False)
            args = (
                local[i],
                [reals[k] for k in part],
                [binaries[k] for k in part],
                [gens[k].get_state() for k in part],
                [labels[k] for k in part],
                hp,
                verbose and i == 0,
                None
                if checkpoint is None
                else (f"{checkpoint.path}.part{i}of{len(parts)}", checkpoint.every_s, flag),
            )
            process = context.Process(target=_worker, args=(send, args), daemon=True)
            process.start()
            send.close()
            workers.append((process, receive))
        if isinstance(reals, list):
            reals.clear()  # the workers hold the rows now
        outcomes: list[tuple[str, Any] | None] = [None] * len(parts)
        while any(outcome is None for outcome in outcomes):
            for i, (process, receive) in enumerate(workers):
                if outcomes[i] is not None:
                    continue
                try:
                    ready = receive.poll(0.25)
                    if not ready and not process.is_alive():
                        ready = receive.poll()  # it may have sent just before it ended
                    if ready:
                        outcomes[i] = pickle.loads(receive.recv_bytes())
                        continue
                except EOFError:  # the pipe closed without a word: the process died
                    process.join()
                if not process.is_alive():
                    raise RuntimeError(
                        f"GAN-SMOTE worker process {i + 1} of {len(parts)} ended (exit code "
                        f"{process.exitcode}) without its results; n_jobs=1 trains in-process"
                    )
            if flag is not None and not os.path.exists(flag) and checkpoint.stop():
                Path(flag).touch()  # the workers stop at their next checkpoint boundary
        finished = True
    finally:
        for process, receive in workers:
            process.join(timeout=10 if finished else 0)  # an error, a second Ctrl-C: at once
            if process.is_alive():
                process.kill()
                process.join()
            receive.close()
        if flag is not None and os.path.exists(flag):
            os.unlink(flag)
    errors = [value for kind, value in outcomes if kind == "error"]  # type: ignore[misc]
    if errors:
        raise RuntimeError(f"a GAN-SMOTE worker process failed:\n{errors[0]}")
    diverged = [
        (epoch, part[k]) for part, (kind, value) in zip(parts, outcomes, strict=True)
        if kind == "diverged" for k, epoch in [value]
    ]  # fmt: skip
    if diverged:
        epoch, k = min(diverged)
        raise TrainingDivergedError(labels[k], epoch, index=k)
    stopped = [value for kind, value in outcomes if kind == "stopped"]
    if stopped:
        raise TrainingInterrupted(Path(checkpoint.path), min(stopped), epochs)  # type: ignore[union-attr]
    for part, (_, trained) in zip(parts, outcomes, strict=True):
        for k, result in zip(part, trained, strict=True):
            results[k] = result
    return results  # type: ignore[return-value]
