"""Checkpoints of long GAN-training nodes: where they are kept, and the stop they obey.

The library's trainer (:class:`gan_oversamplers.Checkpoint`) saves its state every
``gan_smote.checkpoint_every_s`` seconds and stops at its next epoch boundary once asked;
this module gives it a file per node under ``data/10_checkpoints/`` (git-ignored, not a
versioned output: it is removed when the node's training ends) and the run's stop request,
which :class:`~imbalanced_gan.hooks.GracefulStopHook` sets on the first Ctrl-C (SIGINT)
or SIGTERM. The resumed run (the command :class:`~imbalanced_gan.hooks.ResumeHook`
prints) re-runs the node, whose training continues from the file.
"""

from __future__ import annotations

import threading
from pathlib import Path

from gan_oversamplers import Checkpoint
from imbalanced_gan.layout import slug

#: Where checkpoints live, under the project's root (one folder per dataset).
CHECKPOINT_DIR = Path("data") / "10_checkpoints"
#: Set by the first SIGINT/SIGTERM of a run (cleared when a run starts).
STOP = threading.Event()
#: The running project's root (set by the hooks when a run starts; default: the cwd).
ROOT: dict[str, Path] = {"path": Path(".")}


class TrainingStoppedError(RuntimeError):
    """A GAN-training node stopped at a checkpoint on request; the resumed run continues."""


def checkpoint_for(dataset: str, node: str, every_s: float) -> Checkpoint:
    """The checkpoint of one training node: ``data/10_checkpoints/<dataset>/<node>.pt``."""
    path = ROOT["path"] / CHECKPOINT_DIR / slug(dataset) / f"{node}.pt"
    return Checkpoint(path=path, every_s=float(every_s), stop=STOP.is_set)


def stopped_message(path: Path, epoch: int, epochs: int) -> str:
    """What a stopped training node says (the resume command follows it)."""
    try:
        where = path.relative_to(ROOT["path"]).as_posix()
    except ValueError:
        where = str(path)
    return (
        f"GAN training stopped on request at epoch {epoch} of {epochs}; its state is saved in "
        f"{where}, and the resume command continues from it (to the same result)"
    )
