"""Atomic saves of versioned datasets (imbalanced_gan.atomic_save)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pandas as pd
import pytest
from kedro.io import Version
from kedro_datasets.json import JSONDataset
from kedro_datasets.pandas import CSVDataset

from imbalanced_gan.atomic_save import PARTIAL_SUFFIX, AtomicSaveHook, make_atomic

VERSION = "2026-11-28T10.00.00.123Z"


def test_a_versioned_save_lands_whole_and_leaves_no_partial_folder(tmp_path):
    dataset = CSVDataset(filepath=str(tmp_path / "t.csv"), version=Version(None, VERSION))
    assert make_atomic(dataset) and make_atomic(dataset)  # idempotent
    table = pd.DataFrame({"a": [1, 2], "b": [3.5, 4.5]})
    dataset.save(table)
    assert sorted(p.name for p in (tmp_path / "t.csv").iterdir()) == [VERSION]
    pd.testing.assert_frame_equal(dataset.load(), table)
    # a version is never rewritten: Kedro's own error still comes through
    with pytest.raises(Exception, match="must not exist"):
        dataset.save(table)


def test_unversioned_and_remote_datasets_are_left_alone(tmp_path):
    assert not make_atomic(CSVDataset(filepath=str(tmp_path / "plain.csv")))
    remote = CSVDataset(filepath="memory://bucket/t.csv", version=Version(None, VERSION))
    assert not make_atomic(remote)


def test_the_hook_patches_the_catalog_dataset_being_saved(tmp_path):
    from kedro.io import DataCatalog

    catalog = DataCatalog(
        {"m": JSONDataset(filepath=str(tmp_path / "m.json"), version=Version(None, VERSION))}
    )
    hook = AtomicSaveHook()
    hook.after_catalog_created(catalog)
    hook.before_dataset_saved("m", {"x": 1}, None)
    assert getattr(catalog.get("m"), "_atomic_save", False)
    catalog.save("m", {"x": 1})
    assert json.loads((tmp_path / "m.json" / VERSION / "m.json").read_text()) == {"x": 1}


KILLED_WRITER = """
import sys, time
from kedro.io import Version
from kedro_datasets.text import TextDataset
from imbalanced_gan.atomic_save import make_atomic

class Slow(TextDataset):
    def save(self, data):  # writes half, then hangs: killed here
        path = self._get_save_path()
        self._fs.mkdirs(str(path.parent), exist_ok=True)
        with open(path, "w") as f:
            f.write(data[: len(data) // 2]); f.flush()
            print("HALF", flush=True)
            time.sleep(60)
            f.write(data[len(data) // 2 :])

dataset = Slow(filepath=sys.argv[1], version=Version(None, sys.argv[2]))
make_atomic(dataset)
dataset.save("x" * 1000)
"""


def test_a_writer_killed_mid_save_leaves_no_file_in_any_version(tmp_path):
    target = tmp_path / "out.txt"
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(target), VERSION],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "HALF"
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    assert not target.exists()  # no version folder, no file where Kedro looks
    (partial,) = tmp_path.iterdir()  # the killed save's hidden folder, beside the dataset's
    assert partial.name.startswith(f".out.txt{PARTIAL_SUFFIX}{VERSION}-")
    dataset = JSONDataset(filepath=str(target), version=Version(None, None))
    assert not dataset.exists()  # "latest" finds nothing: the partial file is never loaded
    # the next save at that version (a retry) succeeds and is whole
    retry = JSONDataset(filepath=str(target), version=Version(None, VERSION))
    make_atomic(retry)
    retry.save({"ok": True})
    assert JSONDataset(filepath=str(target), version=Version(VERSION, None)).load() == {"ok": True}
