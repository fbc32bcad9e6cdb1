"""Training many GANs as one vectorised model gives the math of training each alone."""

import numpy as np
import pytest
import torch

from gan_oversamplers import GANSMOTEGenerator, fit_generators
from gan_oversamplers.minibatch import manhattan_distance_sums, stacked_minibatch_feature

# more epochs than one chunk of buffered random numbers (16 steps), so refills are covered
SCHEDULE = {"epochs": 60, "flip_stop_epoch": 50, "restart_start_epoch": 10, "restart_cycle": 20}


def _classes():
    """Classes of different sizes (and one of different width, as across folds)."""
    rng = np.random.default_rng(0)
    shapes = [(18, 12), (5, 12), (2, 12), (9, 10)]
    data = [rng.integers(0, 2, size=s).astype(float) for s in shapes]
    data[3][:, 0] = rng.normal(3, 1, 9)  # a numeric column too
    return data


@pytest.mark.parametrize("batch_size", [None, 4])
def test_batched_training_matches_one_by_one(batch_size):
    data = _classes()
    alone = [
        GANSMOTEGenerator(random_state=10 + i, label=i, batch_size=batch_size, **SCHEDULE).fit(X)
        for i, X in enumerate(data)
    ]
    together = fit_generators(
        [
            GANSMOTEGenerator(random_state=10 + i, label=i, batch_size=batch_size, **SCHEDULE)
            for i in range(len(data))
        ],
        data,
    )
    for a, b in zip(alone, together, strict=True):
        for p, q in zip(a.generator_params_, b.generator_params_, strict=True):
            assert p.shape == q.shape
            torch.testing.assert_close(p, q, atol=1e-4, rtol=1e-4)
        np.testing.assert_allclose(
            a.history_[["d_loss", "g_loss"]], b.history_[["d_loss", "g_loss"]], atol=1e-4
        )
        np.testing.assert_allclose(
            a.sample(50, random_state=1), b.sample(50, random_state=1), atol=1e-3
        )


def test_a_gan_trains_the_same_whatever_shares_its_batch():
    data = _classes()
    big = np.random.default_rng(5).integers(0, 2, size=(400, 60)).astype(float)  # wider, longer
    pair = fit_generators(
        [
            GANSMOTEGenerator(random_state=1, **SCHEDULE),
            GANSMOTEGenerator(random_state=2, **SCHEDULE),
        ],
        [data[0], big],
    )
    alone = GANSMOTEGenerator(random_state=1, **SCHEDULE).fit(data[0])
    for p, q in zip(pair[0].generator_params_, alone.generator_params_, strict=True):
        torch.testing.assert_close(p, q, atol=1e-4, rtol=1e-4)


def test_batched_training_needs_shared_hyperparameters():
    data = _classes()[:2]
    models = [GANSMOTEGenerator(label="a", epochs=5), GANSMOTEGenerator(label="b", epochs=6)]
    with pytest.raises(ValueError, match="class 'b' differs from class 'a'"):
        fit_generators(models, data)


def test_stacked_minibatch_feature_ignores_padding():
    rng = torch.Generator().manual_seed(0)
    batches = [torch.rand(5, 3, generator=rng), torch.rand(3, 2, generator=rng)]
    x = torch.zeros(2, 5, 3)
    x[0], x[1, :3, :2] = batches[0], batches[1]
    row_mask = torch.tensor([[1.0] * 5, [1.0] * 3 + [0.0] * 2])
    norm = torch.tensor([[4 * 3.0], [2 * 2.0]])
    feature = stacked_minibatch_feature(x, row_mask, norm, torch.full((2, 5), 0.5), noise=0.3)
    torch.testing.assert_close(feature[0, :, 0], manhattan_distance_sums(batches[0]) / 12)
    torch.testing.assert_close(feature[1, :3, 0], manhattan_distance_sums(batches[1]) / 4)


@pytest.mark.parametrize("source", ["generator", "counter", "counter+graph"])
def test_training_stopped_at_a_checkpoint_resumes_to_the_same_result(
    tmp_path, source, request, assert_identical
):
    from gan_oversamplers import GAN_SMOTE_DEFAULTS, Checkpoint, TrainingInterrupted, _batched

    graph = source == "counter+graph"
    source = source.split("+")[0]
    if graph:  # the CUDA-graph schedule on the CPU, a stand-in graph replaying eagerly
        request.getfixturevalue("graph_on_cpu")

    def train_stack(*args, **kwargs):
        return _batched.train_stack(*args, graph=graph, **kwargs)

    data = [torch.as_tensor(X, dtype=torch.float32) for X in _classes()[:3]]
    hp = {**GAN_SMOTE_DEFAULTS, **SCHEDULE, "batch_size": 4}

    def train(checkpoint=None):
        return train_stack(
            list(data),
            [np.ones(X.shape[1], dtype=bool) for X in data],
            [torch.Generator().manual_seed(7 + k) for k in range(len(data))],
            ["a", "b", "c"],
            hp,
            random_source=source,
            checkpoint=checkpoint,
        )

    whole = train()
    path = tmp_path / "gan" / "state.pt"
    calls = []

    def stop_after_a_while():  # asked at every epoch boundary; true from the 20th (5th) on
        calls.append(1)
        return len(calls) >= (5 if graph else 20)

    with pytest.raises(TrainingInterrupted) as stopped:
        train(Checkpoint(path, every_s=3600, stop=stop_after_a_while))
    # the generator source resumes at the start of a chunk of 16 epochs; counter: anywhere
    # graph: boundaries after 3 warm-up epochs, then every block of 10: the 5th is epoch 23
    expected = 23 if graph else {"generator": 32, "counter": 20}[source]
    assert stopped.value.epoch == expected and path.is_file()
    # training something else with this path ignores the file (and says so)
    copy = tmp_path / "copy.pt"
    copy.write_bytes(path.read_bytes())
    with pytest.warns(UserWarning, match="from other training"):
        train_stack(
            [data[0]], [np.ones(12, dtype=bool)], [torch.Generator().manual_seed(7)], ["a"],
            dict(hp, generator_lr=hp["generator_lr"] * 2), random_source=source,
            checkpoint=Checkpoint(copy),
        )  # fmt: skip
    resumed = train(Checkpoint(path, every_s=3600))
    assert not path.exists()  # removed once training ends
    assert_identical(whole, resumed)


def test_checkpoints_are_saved_on_time(tmp_path, monkeypatch):
    from gan_oversamplers import GAN_SMOTE_DEFAULTS, Checkpoint, _batched

    saved = []
    monkeypatch.setattr(_batched, "_save_checkpoint", lambda path, fp, done, *a: saved.append(done))
    X = torch.as_tensor(_classes()[0], dtype=torch.float32)
    _batched.train_stack(
        [X], [np.ones(12, dtype=bool)], [torch.Generator().manual_seed(0)], ["a"],
        {**GAN_SMOTE_DEFAULTS, **SCHEDULE}, checkpoint=Checkpoint(tmp_path / "s.pt", every_s=0),
    )  # fmt: skip
    assert saved == [16, 32, 48]  # every chunk boundary before the end (60 epochs)
