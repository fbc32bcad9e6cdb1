"""GAN-SMOTE on several cores: the engine's stacks in worker processes, same result."""

import multiprocessing
import os
import signal
import threading
import time

import numpy as np
import pytest
import torch

from gan_oversamplers import (
    GAN_SMOTE_DEFAULTS,
    GANSMOTE,
    Checkpoint,
    GANSMOTEGenerator,
    TrainingInterrupted,
    _batched,
    _workers,
    fit_generators,
    gan_smote,
)
from gan_oversamplers.errors import TrainingDivergedError

SCHEDULE = {"epochs": 60, "flip_stop_epoch": 50, "restart_start_epoch": 10, "restart_cycle": 20}
HP = {**GAN_SMOTE_DEFAULTS, **SCHEDULE}


def _classes():
    """Two classes of 320 rows and three small ones: two stacks (padding 3 to 320 costs more)."""
    rng = np.random.default_rng(0)
    shapes = [(320, 9), (3, 9), (320, 9), (2, 9), (4, 7)]
    return [torch.as_tensor(rng.integers(0, 2, size=s), dtype=torch.float32) for s in shapes]


def _train(trainer, data, checkpoint=None, **kwargs):
    return trainer(
        list(data),
        [np.ones(X.shape[1], dtype=bool) for X in data],
        [torch.Generator().manual_seed(11 + k) for k in range(len(data))],
        [f"class {k}" for k in range(len(data))],
        HP,
        checkpoint=checkpoint,
        **kwargs,
    )


def test_worker_processes_give_the_one_process_result_bit_for_bit(assert_identical, caplog):
    data = _classes()
    assert len(_workers.assign_stacks([len(X) for X in data], 2)) == 2  # two workers busy
    one = _train(_batched.train_stack, data)
    with caplog.at_level("INFO", logger="gan_oversamplers._workers"):
        two = _train(lambda *a, **k: _workers.train_parallel(*a[:5], 2, **k), data)
    assert "5 GANs in 2 stacks on 2 worker processes" in caplog.text
    assert_identical(one, two)


def test_fit_generators_uses_workers_for_large_work_only(monkeypatch):
    data = [X.numpy() for X in _classes()]
    calls = []
    original = gan_smote.train_parallel
    monkeypatch.setattr(
        gan_smote, "train_parallel", lambda *a, **k: calls.append(a[5]) or original(*a, **k)
    )

    def fit(n_jobs):
        models = [GANSMOTEGenerator(random_state=k, label=k, **SCHEDULE) for k in range(len(data))]
        return fit_generators(models, data, n_jobs=n_jobs)

    small = fit(-1)  # 5 GANs x 60 epochs: below MIN_PARALLEL_GAN_EPOCHS, in-process
    assert calls == []
    monkeypatch.setattr(_workers, "MIN_PARALLEL_GAN_EPOCHS", 0)
    parallel = fit(2)
    assert calls == [2]
    for a, b in zip(small, parallel, strict=True):
        for p, q in zip(a.generator_params_, b.generator_params_, strict=True):
            assert torch.equal(p, q)
        np.testing.assert_array_equal(a.sample(20, random_state=0), b.sample(20, random_state=0))


def test_a_single_stack_trains_in_process(monkeypatch, assert_identical):
    data = [X for X in _classes() if len(X) == 320]  # one batch size: one stack
    one = _train(_batched.train_stack, data)
    monkeypatch.setattr(_workers, "_worker", lambda *args: os._exit(3))  # no process may run
    assert_identical(one, _train(lambda *a, **k: _workers.train_parallel(*a[:5], 2, **k), data))


def test_assign_stacks_deals_the_engines_stacks_costliest_first():
    batch = [55] * 10 + [4] * 10 + [2] * 10
    parts = _workers.assign_stacks(batch, 2)
    assert parts == [[list(range(10))], [list(range(10, 30))]]  # the stacks of one process
    assert _workers.assign_stacks(batch, 8) == parts  # no more workers than stacks
    stacks = _batched.plan_buckets([300, 3, 300, 2, 600, 5], 300)
    parts = _workers.assign_stacks([300, 3, 300, 2, 600, 5], 2)
    assert sorted(s for part in parts for s in part) == sorted(stacks)
    # stacks of 900, 900 and 315 padded rows (with the overhead): 1,215 and 900
    assert parts == [[[0, 2], [1, 3, 5]], [[4]]]


def test_effective_jobs_follows_scikit_learns_n_jobs(monkeypatch):
    monkeypatch.setattr(_workers, "available_cores", lambda: 4)
    big = _workers.MIN_PARALLEL_GAN_EPOCHS
    assert _workers.effective_jobs(None, 30, big, "cpu") == 1
    assert _workers.effective_jobs(1, 30, big, "cpu") == 1
    assert _workers.effective_jobs(-1, 30, big, "cpu") == 4
    assert _workers.effective_jobs(-2, 30, big, "cpu") == 3
    assert _workers.effective_jobs(8, 3, big, "cpu") == 3  # no more than the models
    assert _workers.effective_jobs(-1, 30, big - 1, "cpu") == 1  # too little work
    assert _workers.effective_jobs(-1, 30, big, "cuda") == 1
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: object())
    assert _workers.effective_jobs(-1, 30, big, "cpu") == 1  # already a pool's worker
    for bad in (0, 1.5, True, "2"):
        with pytest.raises(ValueError, match="n_jobs must be None or a non-zero integer"):
            _workers.effective_jobs(bad, 30, big, "cpu")


def test_a_stop_reaches_the_workers_and_resuming_gives_the_same_result(tmp_path, assert_identical):
    data = _classes()

    def parallel(*args, **kwargs):
        return _workers.train_parallel(*args[:5], 2, **kwargs)

    whole = _train(parallel, data)
    path = tmp_path / "gan" / "state.pt"
    with pytest.raises(TrainingInterrupted) as stopped:
        _train(parallel, data, Checkpoint(path, every_s=3600, stop=lambda: True))
    # asked before the workers start: each stops at its first boundary (a chunk: 16 epochs)
    assert stopped.value.epoch == 16 and stopped.value.path == path
    saved = sorted(p.name for p in path.parent.iterdir())
    assert saved == ["state.pt.part0of2", "state.pt.part1of2"]  # one file per worker, no flag
    resumed = _train(parallel, data, Checkpoint(path, every_s=3600))
    assert list(path.parent.iterdir()) == []  # removed once training ends
    assert_identical(whole, resumed)


def test_a_worker_that_gets_sigterm_saves_and_stops(tmp_path):
    data = _classes()
    path = tmp_path / "state.pt"

    def terminate_the_workers():  # as a scheduler stopping the task's process group would
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not multiprocessing.active_children():
            time.sleep(0.01)
        time.sleep(0.5)
        for child in multiprocessing.active_children():
            os.kill(child.pid, signal.SIGTERM)

    sender = threading.Thread(target=terminate_the_workers)
    sender.start()
    with pytest.raises(TrainingInterrupted) as stopped:
        _workers.train_parallel(
            list(data), [np.ones(X.shape[1], dtype=bool) for X in data],
            [torch.Generator().manual_seed(k) for k in range(len(data))],
            [f"class {k}" for k in range(len(data))],
            {**HP, "epochs": 20_000}, 2, checkpoint=Checkpoint(path, every_s=3600),
        )  # fmt: skip
    sender.join()
    assert 0 < stopped.value.epoch < 20_000 and stopped.value.epoch % 16 == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.pt.part0of2", "state.pt.part1of2"]


def test_a_divergence_in_a_worker_names_its_class():
    data = _classes()
    data[3] = data[3].clone()
    data[3][0, 0] = float("inf")  # class 3's loss is not finite from the first epoch
    with pytest.raises(TrainingDivergedError, match="class 'class 3'") as diverged:
        _train(lambda *a, **k: _workers.train_parallel(*a[:5], 2, **k), data)
    assert diverged.value.index == 3 and diverged.value.epoch == 0


def test_a_worker_that_dies_is_reported(monkeypatch):
    monkeypatch.setattr(_workers, "_train_part", lambda *args: os._exit(3))  # runs in the fork
    with pytest.raises(RuntimeError, match=r"worker process \d of 2 ended \(exit code 3\)"):
        _train(lambda *a, **k: _workers.train_parallel(*a[:5], 2, **k), _classes())


def test_n_jobs_is_a_validated_sampler_parameter():
    X = np.random.default_rng(0).integers(0, 2, size=(30, 5)).astype(float)
    y = np.array([0] * 20 + [1] * 10)
    assert GANSMOTE().get_params()["n_jobs"] is None
    with pytest.raises(ValueError, match="n_jobs"):
        GANSMOTE(n_jobs="all", epochs=2).fit_resample(X, y)
    X_res, y_res = GANSMOTE(n_jobs=-1, epochs=20, random_state=0).fit_resample(X, y)
    X_one, _ = GANSMOTE(epochs=20, random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_one)
