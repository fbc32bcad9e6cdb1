"""The table GAN engine (``_engine.train_gans``) against the frozen one-model trainer.

SMOTified-GAN (both network shapes: plain and batch norm), vanilla GAN (dropout in either
network) and the conditional table GAN train on the engine; ``_tabular_reference`` is the
loop they trained on before (autograd, ``torch.optim.Adam``, one class at a time). Same
seed, same random numbers: the two must agree up to float rounding, GANs stacked or alone.
"""

import numpy as np
import pytest
import torch

from gan_oversamplers import ConditionalTableGAN, SMOTifiedGAN, VanillaGAN, _engine, _tabular_gan

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


def fit(name, monkeypatch, trainer="engine", alone=False, **params):
    monkeypatch.setattr(_tabular_gan, "TRAINER", trainer)
    monkeypatch.setattr(_engine, "ONE_AT_A_TIME", alone)
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
