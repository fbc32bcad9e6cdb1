"""The table GAN engine (``_engine.train_gans``) against the frozen one-model trainer.

SMOTified-GAN (both network shapes: plain and batch norm), vanilla GAN (dropout in either
network) and the conditional table GAN train on the engine; ``_tabular_reference`` is the
loop they trained on before (autograd, ``torch.optim.Adam``, one class at a time). Same
seed, same random numbers: the two must agree up to float rounding, GANs stacked or alone.
The counter-based random source (CUDA's default) runs here on the CPU: GANs stacked or
alone, no per-GAN draws in the step, the same distributions, and the CUDA-graph schedule.
"""

import numpy as np
import pandas as pd
import pytest
import torch

from gan_oversamplers import (
    ConditionalTableGAN,
    SMOTifiedGAN,
    VanillaGAN,
    _batched,
    _engine,
    _tabular_gan,
)

LOSSES = ["d_loss", "g_loss", "d_real", "d_fake"]

METHODS = {
    "smotified_paper": lambda **kw: SMOTifiedGAN(
        generator_dims=(16, 16), discriminator_dims=(16,), **kw
    ),
    "smotified_batch_norm": lambda **kw: SMOTifiedGAN(
        preset="authors_code", generator_dims=(16, 32), discriminator_dims=(16, 8), **kw
    ),
    "vanilla_paper": lambda **kw: VanillaGAN(generator_dims=(8, 16), latent_dim=8, **kw),
    "vanilla_code": lambda **kw: VanillaGAN(
        generator_dims=(8, 16), latent_dim=8, dropout_placement="code", **kw
    ),
    "cgan": lambda **kw: ConditionalTableGAN(generator_dims=(16, 16), latent_dim=8, **kw),
    "cgan_shuffled": lambda **kw: ConditionalTableGAN(
        generator_dims=(16, 16), latent_dim=8, balanced_batches=False, **kw
    ),
}


def four_classes():
    """Wide-range features; classes of 30, 10, 10 and 9 rows (three GANs that can stack)."""
    rng = np.random.default_rng(1)
    counts = [30, 10, 10, 9]
    X = (
        np.column_stack([rng.normal(500, 80, 59), rng.normal(-300, 20, 59), rng.uniform(-2, 2, 59)])
        + np.repeat(np.arange(4), counts)[:, None]
    )
    return X, np.repeat(np.arange(4), counts)


def fit(name, monkeypatch, trainer="engine", alone=False, source="generator", **params):
    monkeypatch.setattr(_tabular_gan, "TRAINER", trainer)
    monkeypatch.setattr(_engine, "ONE_AT_A_TIME", alone)
    monkeypatch.setattr(_engine, "CPU_RANDOM_SOURCE", source)
    params = {"epochs": 4, "batch_size": 4, "random_state": 0, "device": "cpu", **params}
    sampler = METHODS[name](**params).fit_generators(*four_classes())
    rows = sampler.generate({1: 20, 2: 20, 3: 20}, random_state=1)
    scaled = {k: (v - sampler.data_min_) / sampler.data_range_ for k, v in rows.items()}
    return sampler.history_, scaled


def assert_close(a, b, atol=1e-4):
    (history_a, rows_a), (history_b, rows_b) = a, b
    assert list(history_a["label"]) == list(history_b["label"])
    np.testing.assert_allclose(history_a[LOSSES], history_b[LOSSES], atol=atol, rtol=0)
    for label in rows_a:
        np.testing.assert_allclose(rows_a[label], rows_b[label], atol=atol, rtol=0)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_engine_matches_the_one_model_trainer(name, monkeypatch):
    # batch 4: minibatches of 4, 4, 2 (class 1), 4, 4, 1 (class 3: one real row, two fakes)
    engine = fit(name, monkeypatch)
    reference = fit(name, monkeypatch, trainer="reference")
    assert_close(engine, reference)
    assert len(engine[0]) == (1 if name.startswith("cgan") else 3) * 4


@pytest.mark.parametrize("name", ["smotified_paper", "smotified_batch_norm", "vanilla_paper"])
def test_stacked_gans_train_as_they_do_alone(name, monkeypatch):
    # batch 16: the three GANs (10, 10 and 9 rows) are one stack, the 9-row one padded
    jobs_planned = []
    plan = _engine._plan

    def spy(jobs, hp):
        stacks = plan(jobs, hp)
        jobs_planned.append(stacks)
        return stacks

    monkeypatch.setattr(_engine, "_plan", spy)
    stacked = fit(name, monkeypatch, batch_size=16, epochs=6)
    assert jobs_planned[-1] == [[0, 1, 2]]
    alone = fit(name, monkeypatch, alone=True, batch_size=16, epochs=6)
    assert jobs_planned[-1] == [[0], [1], [2]]
    assert_close(stacked, alone)
    assert_close(stacked, fit(name, monkeypatch, trainer="reference", batch_size=16, epochs=6))


@pytest.mark.parametrize("name", ["smotified_batch_norm", "vanilla_paper", "cgan"])
def test_longer_runs_keep_the_old_loss_curves_and_row_statistics(name, monkeypatch):
    # 40 epochs: float rounding may start to show, the distribution must not move
    engine = fit(name, monkeypatch, epochs=40, batch_size=8)
    reference = fit(name, monkeypatch, trainer="reference", epochs=40, batch_size=8)
    for history in (engine[0], reference[0]):
        assert np.isfinite(history[LOSSES].to_numpy()).all()
    late = [
        h.groupby("label")[LOSSES].apply(lambda f: f.tail(20).mean())
        for h, _ in (engine, reference)
    ]
    np.testing.assert_allclose(late[0].to_numpy(), late[1].to_numpy(), atol=0.02)
    for label in engine[1]:
        a, b = engine[1][label], reference[1][label]
        np.testing.assert_allclose(a.mean(axis=0), b.mean(axis=0), atol=0.02)
        np.testing.assert_allclose(a.std(axis=0), b.std(axis=0), atol=0.02)


def test_engine_writes_trained_weights_and_running_statistics_back(monkeypatch):
    sampler = METHODS["smotified_batch_norm"](epochs=3, batch_size=4, random_state=0)
    sampler.fit_generators(*four_classes())
    net = sampler.generators_[1]
    assert not net.training
    norm = next(m for m in net if isinstance(m, torch.nn.BatchNorm1d))
    assert int(norm.num_batches_tracked) == 3 * 3  # 3 epochs of 3 minibatches (10 rows)
    assert not torch.allclose(norm.running_mean, torch.zeros_like(norm.running_mean))
    untrained = METHODS["smotified_batch_norm"](epochs=1, batch_size=4, random_state=0)
    first = next(m for m in untrained.fit_generators(*four_classes()).generators_[1])
    assert not torch.equal(first.weight, next(m for m in net).weight)


def test_engine_rejects_layers_it_cannot_train():
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    job = _engine.GANJob(torch.rand(4, 2), net, net, lambda m, g: torch.rand(m, 2), None, 0)
    with pytest.raises(TypeError, match="cannot train a Tanh layer"):
        _engine.train_gans([job], {"batch_size": 2, "epochs": 1})


# -- the counter-based random source (CUDA's default; runs on the CPU here) ---------------


@pytest.mark.parametrize("name", ["smotified_batch_norm", "vanilla_code", "vanilla_paper"])
def test_counter_source_trains_each_gan_as_it_does_alone(name, monkeypatch):
    # batch 16: one stack of three GANs, the 9-row one padded; no loop over GANs draws
    stacked = fit(name, monkeypatch, source="counter", batch_size=16, epochs=6)
    alone = fit(name, monkeypatch, source="counter", alone=True, batch_size=16, epochs=6)
    assert_close(stacked, alone)
    again = fit(name, monkeypatch, source="counter", batch_size=16, epochs=6)
    pd.testing.assert_frame_equal(stacked[0], again[0])  # same seed: the same run
    generator = fit(name, monkeypatch, batch_size=16, epochs=6)
    assert not np.allclose(stacked[0][LOSSES], generator[0][LOSSES])  # other numbers


@pytest.mark.parametrize("name", ["cgan", "cgan_shuffled", "smotified_paper"])
def test_counter_source_draws_nothing_from_the_gans_generators_in_the_step(name, monkeypatch):
    """After its key, a GAN's generator is never drawn from: the step has no per-GAN draws."""
    drawn = []
    make_stack = _engine._Stack

    def spy(jobs, hp, device, label, source):
        for job in jobs:
            job.draw_input = None  # the counter source must not call it
            drawn.append((job.gen, torch.Generator().set_state(job.gen.get_state())))
        return make_stack(jobs, hp, device, label, source)

    monkeypatch.setattr(_engine, "_Stack", spy)
    history, rows = fit(name, monkeypatch, source="counter", epochs=3)
    assert np.isfinite(history[LOSSES].to_numpy()).all()
    for used, before in drawn:
        torch.randint(0, 2**31, (1,), generator=before)  # the key
        assert torch.equal(used.get_state(), before.get_state())


def test_counter_order_is_a_permutation_or_follows_the_weights():
    rng = np.random.default_rng(0)
    real = [torch.rand(n, 3) for n in (7, 5, 6)]
    jobs = [
        _engine.GANJob(
            r,
            _tabular_gan.build_mlp([2, 4, 3], torch.Generator().manual_seed(0)),
            _tabular_gan.build_mlp([3, 4, 1], torch.Generator().manual_seed(1)),
            None,
            torch.Generator().manual_seed(k),
            k,
        )
        for k, r in enumerate(real)
    ]
    hp = {"batch_size": 7, "epochs": 1, "generator_lr": 1e-3, "discriminator_lr": 1e-3}
    stack = _engine._Stack(jobs, {**hp, "betas": (0.5, 0.999)}, torch.device("cpu"), "t", "counter")
    orders = []
    for _ in range(200):
        order = stack._counter_order()
        for k, n in enumerate((7, 5, 6)):
            assert sorted(order[k, :n].tolist()) == list(range(n))  # each row once per epoch
        orders.append(order[0, :7].numpy())
        stack.epoch += 1
    first = np.bincount(np.array(orders)[:, 0], minlength=7)
    assert first.min() > 10  # every row leads some epochs (expected 200 / 7 each)
    weights = torch.as_tensor(rng.uniform(0.1, 1.0, 6), dtype=torch.float64)
    job = _engine.GANJob(
        real[2], jobs[2].generator_net, jobs[2].discriminator_net, None,
        torch.Generator().manual_seed(9), 0, row_weights=weights,
    )  # fmt: skip
    stack = _engine._Stack(
        [job], {**hp, "betas": (0.5, 0.999)}, torch.device("cpu"), "t", "counter"
    )
    counts = np.zeros(6)
    for _ in range(2000):
        counts += np.bincount(stack._counter_order()[0].numpy(), minlength=6)
        stack.epoch += 1
    expected = weights.numpy() / weights.sum().item() * counts.sum()
    assert ((counts - expected) ** 2 / expected).sum() < 25  # chi-square, 5 dof: p < 1e-4


@pytest.mark.parametrize("name", ["smotified_batch_norm", "vanilla_code", "cgan"])
def test_counter_source_keeps_the_generator_sources_distribution(name, monkeypatch):
    """Other numbers, same distributions: late losses and generated-row statistics of 8
    seeds agree between the two sources within the spread between seeds."""

    def statistics(source):
        losses, means, deviations = [], [], []
        for seed in range(8):
            history, rows = fit(
                name, monkeypatch, source=source, epochs=30, batch_size=8, random_state=seed
            )
            losses.append(history.groupby("label")[LOSSES].apply(lambda f: f.tail(10).mean()))
            stacked = np.vstack([rows[k] for k in sorted(rows)])
            means.append(stacked.mean(axis=0))
            deviations.append(stacked.std(axis=0))
        return [
            np.array([x.to_numpy().ravel() for x in losses]),
            np.array(means),
            np.array(deviations),
        ]

    for new, old in zip(statistics("counter"), statistics("generator"), strict=True):
        gap = np.abs(new.mean(axis=0) - old.mean(axis=0))
        spread = np.sqrt(new.var(axis=0, ddof=1) / len(new) + old.var(axis=0, ddof=1) / len(old))
        assert np.all(gap <= 4 * spread + 0.02), (gap, spread)


def test_graph_schedule_gives_the_eager_result(graph_on_cpu, monkeypatch):
    """The CUDA-graph schedule (3 warm-up epochs, captured blocks, eager rest), run on the
    CPU with a stand-in graph that replays eagerly, trains every epoch once, as eagerly."""
    calls = []
    train = _engine._Stack.train

    def spy(self, verbose, graph=False):
        calls.append(graph)
        return train(self, verbose, graph)

    monkeypatch.setattr(_engine._Stack, "train", spy)
    eager = fit("vanilla_code", monkeypatch, source="counter", epochs=17)

    def train_graph(jobs, hp, **kw):
        return _engine.train_gans(jobs, hp, **kw, random_source="counter", graph=True)

    captured = []
    capture = _batched._capture  # the fixture's stand-in

    def count(step, device, epochs):
        captured.append(epochs)
        return capture(step, device, epochs)

    monkeypatch.setattr(_batched, "_capture", count)
    monkeypatch.setattr(_tabular_gan, "train_gans", train_graph)
    graphed = fit("vanilla_code", monkeypatch, source="counter", epochs=17)
    assert captured == [3]  # captured once: blocks of 10 // 3 epochs
    assert calls == [False, True]  # one stack (batch 4: 3 steps): 3 warm-up epochs,
    # 4 replays of 3 captured epochs, 2 eager epochs
    assert_close(graphed, eager, atol=0)
    assert (graphed[0]["d_loss"] != 0).all()  # every epoch logged


def test_graph_needs_cuda_and_the_counter_source():
    job = _engine.GANJob(torch.rand(4, 2), None, None, None, None, 0)
    with pytest.raises(ValueError, match="graph=True needs"):
        _engine.train_gans([job], {"batch_size": 2, "epochs": 1}, graph=True)
    with pytest.raises(ValueError, match="random_source must be"):
        _engine.train_gans([job], {"batch_size": 2, "epochs": 1}, random_source="philox")


def test_counter_source_names_a_bad_pool():
    nets = [
        _tabular_gan.build_mlp(w, torch.Generator().manual_seed(0)) for w in ([3, 4, 3], [3, 4, 1])
    ]
    hp = {
        "batch_size": 4,
        "epochs": 1,
        "generator_lr": 1e-3,
        "discriminator_lr": 1e-3,
        "betas": (0.5, 0.999),
    }

    def job(label, pool):
        return _engine.GANJob(torch.rand(5, 3), *nets, None, torch.Generator(), label, pool=pool)

    with pytest.raises(ValueError, match="class 'b': the pool must be .* got shape \\(4, 2\\)"):
        _engine.train_gans(
            [job("a", torch.rand(4, 3)), job("b", torch.rand(4, 2))], hp, random_source="counter"
        )
    with pytest.raises(ValueError, match="needs a pool, or none"):
        _engine.train_gans(
            [job("a", torch.rand(4, 3)), job("b", None)], hp, random_source="counter"
        )
