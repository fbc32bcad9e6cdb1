"""The GAN-SMOTE engine: hand-written gradients, random streams, buckets, devices, and
its distribution against the pre-engine trainer (kept as ``gan_oversamplers._reference``)."""

import numpy as np
import pytest
import torch
from torch.nn import functional as F

import gan_oversamplers
from gan_oversamplers import (
    GAN_SMOTE_DEFAULTS,
    GANSMOTE,
    GANSMOTEGenerator,
    _batched,
    _reference,
    errors,
    fit_generators,
    gan_smote,
)
from gan_oversamplers.minibatch import stacked_minibatch_feature

SCHEDULE = {"epochs": 60, "flip_stop_epoch": 50, "restart_start_epoch": 10, "restart_cycle": 20}


def _bucket(batch_size=None, reference="all", gradient="through"):
    rng = np.random.default_rng(3)
    shapes = [(9, 7), (5, 7), (6, 5)]
    reals = [torch.as_tensor(rng.integers(0, 2, size=s), dtype=torch.float32) for s in shapes]
    reals[2][:, 0] = torch.rand(6, generator=torch.Generator().manual_seed(0))  # numeric
    binaries = [np.ones(7, bool), np.ones(7, bool), np.r_[False, np.ones(4, bool)]]
    hp = {
        **GAN_SMOTE_DEFAULTS,
        **SCHEDULE,
        "batch_size": batch_size,
        "minibatch_reference": reference,
        "minibatch_gradient": gradient,
    }
    gens = [torch.Generator().manual_seed(i) for i in range(3)]
    bucket = _batched._Bucket(reals, binaries, gens, hp, torch.device("cpu"), "counter")
    return bucket, hp


def _autograd_gradients(bucket, hp, epoch):
    """The epoch's loss gradients by autograd, from the old (autograd) feature function."""
    B, D = bucket.B, bucket.D
    slope = hp["negative_slope"]
    counter = torch.tensor([epoch])
    u, z = bucket.draw(counter)
    x, perturbed, _, jitter, keep = bucket.decode(u, 0.2, hp)
    row_mask = bucket.row_mask[..., 0]
    scale = jitter * bucket.norm.unsqueeze(2)  # the jitter factor without the normaliser
    jitter_u = (scale - 1.0) / (2.0 * hp["minibatch_noise"]) + 0.5

    def feature(x, column):
        detached = hp["minibatch_gradient"] == "detached"
        return stacked_minibatch_feature(
            x.detach() if detached else x,
            row_mask,
            bucket.norm,
            jitter_u[..., column],
            hp["minibatch_noise"],
            hp["minibatch_reference"],
        )

    def mlp(net, x, masks):
        W = [w.detach().clone().requires_grad_() for w in net.W]
        b = [v.detach().clone().requires_grad_() for v in net.b]
        h = x
        for layer in range(len(W)):
            h = torch.baddbmm(b[layer], h, W[layer])
            if layer < len(W) - 1:
                h = F.leaky_relu(h, slope)
                if masks is not None:
                    h = h * masks[layer]
        return torch.sigmoid(h), W + b

    def masked_mean(values):
        return (values[..., 0] * row_mask).sum(dim=1) / row_mask.sum(dim=1)

    gen_out, g_params = mlp(bucket.generator, z, None)
    fake = (gen_out[:, :B] * bucket.fmask).detach()
    real_in = torch.cat([perturbed, feature(x, 0)], 2)
    d_real, d_params = mlp(bucket.discriminator, real_in, keep[0])
    d_fake, d_params2 = mlp(bucket.discriminator, torch.cat([fake, feature(fake, 1)], 2), keep[1])
    d_loss = masked_mean((d_real - 1) ** 2).sum() + masked_mean(d_fake**2).sum()
    d_grads = [
        a + b
        for a, b in zip(
            torch.autograd.grad(d_loss, d_params, retain_graph=True, allow_unused=True),
            torch.autograd.grad(d_loss, d_params2, allow_unused=True),
            strict=True,
        )
    ]
    made = gen_out[:, B:] * bucket.fmask
    q, _ = mlp(bucket.discriminator, torch.cat([made, feature(made, 2)], 2), keep[2])
    g_loss = masked_mean((q - 1) ** 2).sum()
    g_grads = torch.autograd.grad(g_loss, g_params)
    return d_grads, g_grads, D


def _engine_gradients(bucket, hp, epoch):
    """Run the engine's step with learning rate 0 and read its gradient buffers."""
    log = torch.zeros(hp["epochs"], bucket.K, 2)
    s = {"lr_d": 0.0, "lr_g": 0.0, "bc1": 0.1, "bc2_sqrt": 0.1, "flip": 0.2}
    s["epoch"], s["adam_step"] = torch.tensor([epoch]), torch.tensor(1.0)
    bucket.step(s, hp, log)
    d = [*bucket.discriminator.gW, *bucket.discriminator.gb]
    g = [*bucket.generator.gW, *bucket.generator.gb]
    return d, g


@pytest.mark.parametrize(
    ("reference", "gradient", "batch_size"),
    [("all", "through", None), ("all", "detached", None), ("row3", "through", 4)],
)
def test_hand_written_backward_matches_autograd(reference, gradient, batch_size):
    bucket, hp = _bucket(batch_size, reference, gradient)
    for epoch in (0, 7):  # the second call uses the cached real-row feature
        expected_d, expected_g, _ = _autograd_gradients(bucket, hp, epoch)
        got_d, got_g = _engine_gradients(bucket, hp, epoch)
        for got, want in zip(got_d + got_g, list(expected_d) + list(expected_g), strict=True):
            torch.testing.assert_close(got, want, atol=2e-6, rtol=1e-4)


def test_detached_minibatch_gradient_changes_only_the_generator_step():
    through, hp_t = _bucket(gradient="through")
    detached, hp_d = _bucket(gradient="detached")
    d_t, g_t = _engine_gradients(through, hp_t, 0)
    d_d, g_d = _engine_gradients(detached, hp_d, 0)
    for a, b in zip(d_t, d_d, strict=True):
        torch.testing.assert_close(a, b)
    assert any(not torch.allclose(a, b) for a, b in zip(g_t, g_d, strict=True))


def test_split_gives_an_event_and_an_independent_uniform():
    u = torch.rand(200_000, generator=torch.Generator().manual_seed(0))
    event, fresh = _batched._split(u, 0.3)
    event = event.bool()
    assert abs(event.float().mean().item() - 0.3) < 0.005
    for part in (fresh[event], fresh[~event]):  # uniform on [0, 1) whatever the event
        assert abs(part.mean().item() - 0.5) < 0.005
        assert abs(part.var().item() - 1 / 12) < 0.002
        assert part.min() >= 0 and part.max() < 1


def test_counter_stream_is_uniform_and_differs_per_gan():
    key = torch.tensor([[[1]], [[2]]])
    u = _batched._counter_uniform(key, torch.arange(300).view(1, 300, 1), torch.arange(300))
    assert u.shape == (2, 300, 300)
    assert abs(u.mean().item() - 0.5) < 0.005 and abs(u.var().item() - 1 / 12) < 0.002
    assert 0 < u.min() and u.max() < 1
    assert abs(np.corrcoef(u[0].flatten(), u[1].flatten())[0, 1]) < 0.01


def _data():
    rng = np.random.default_rng(0)
    return [rng.integers(0, 2, size=s).astype(float) for s in [(18, 12), (5, 12), (2, 12)]]


def test_counter_stream_trains_each_gan_as_if_alone():
    data = _data()
    hp = {**GAN_SMOTE_DEFAULTS, **SCHEDULE}

    def train(indices):
        reals = [torch.as_tensor(data[i], dtype=torch.float32) for i in indices]
        gens = [torch.Generator().manual_seed(10 + i) for i in indices]
        bins = [np.ones(12, bool) for _ in indices]
        return _batched.train_stack(reals, bins, gens, indices, hp, random_source="counter")

    together = train([0, 1, 2])
    for i in range(3):
        alone = train([i])[0]
        for p, q in zip(alone.generator_params, together[i].generator_params, strict=True):
            torch.testing.assert_close(p, q, atol=1e-4, rtol=1e-4)
    again = train([0, 1, 2])
    np.testing.assert_array_equal(together[1].history["g_loss"], again[1].history["g_loss"])


def test_plan_buckets_splits_only_when_padding_costs_more_than_a_stack():
    lymphography = [55, 4, 2] * 10
    groups = _batched.plan_buckets(lymphography, overhead_rows=300)
    assert sorted(sorted({lymphography[k] for k in g}) for g in groups) == [[2, 4], [55]]
    assert sorted(k for g in groups for k in g) == list(range(30))
    assert _batched.plan_buckets(lymphography, overhead_rows=10**6) == [list(range(30))]
    assert _batched.plan_buckets([7, 7, 7], overhead_rows=0) == [[0, 1, 2]]


def test_resolve_device():
    assert _batched.resolve_device("cpu").type == "cpu"
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert _batched.resolve_device("auto").type == expected
    with pytest.raises(ValueError, match="device must be"):
        _batched.resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA device"):
            _batched.resolve_device("cuda")
    with pytest.raises(ValueError, match="graph=True needs device='cuda'"):
        _batched.train_stack(
            [torch.zeros(3, 2)],
            [np.ones(2, bool)],
            [torch.Generator()],
            ["a"],
            {**GAN_SMOTE_DEFAULTS, "epochs": 2},
            graph=True,
        )


def test_sampler_device_parameter_is_validated_and_used():
    X = np.random.default_rng(0).integers(0, 2, size=(30, 6)).astype(float)
    y = np.array([0] * 20 + [1] * 10)
    _, y_res = GANSMOTE(epochs=5, device="cpu", random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [20, 20]
    with pytest.raises(ValueError, match="device"):
        GANSMOTE(epochs=5, device="gpu").fit_resample(X, y)


def test_errors_live_in_their_own_module():
    assert gan_oversamplers.TrainingDivergedError is errors.TrainingDivergedError
    assert gan_smote.TrainingDivergedError is errors.TrainingDivergedError


def _statistics(trainer, seeds, data, epochs=300):
    """Per seed: mean losses over the last 100 epochs, and the sampled ones' frequency."""
    schedule = {
        "epochs": epochs,
        "flip_stop_epoch": 250,
        "restart_start_epoch": 50,
        "restart_cycle": 25,
    }
    models = [GANSMOTEGenerator(random_state=s, device="cpu", **schedule) for s in seeds]
    original = gan_smote.train_stack
    if trainer == "reference":
        gan_smote.train_stack = lambda *a, device=None, **k: _reference.train_stack(*a, **k)
    try:
        fit_generators(models, [data] * len(seeds))
    finally:
        gan_smote.train_stack = original
    losses = np.array([m.history_[["d_loss", "g_loss"]].iloc[-100:].mean() for m in models])
    ones = np.array([m.sample(400, random_state=0).mean() for m in models])
    return losses, ones


def test_engine_keeps_the_reference_trainers_distribution():
    """Same initial weights and math, another random stream: loss levels and samples
    agree with the pre-engine trainer within the spread between seeds."""
    data = np.random.default_rng(1).integers(0, 2, size=(20, 10)).astype(float)
    data[:, :3] = 1.0  # some structure for the samples to learn
    seeds = list(range(12))
    new_losses, new_ones = _statistics("engine", seeds, data)
    old_losses, old_ones = _statistics("reference", seeds, data)
    for new, old in ((new_losses, old_losses), (new_ones, old_ones)):
        gap = np.abs(new.mean(axis=0) - old.mean(axis=0))
        spread = np.sqrt(
            new.var(axis=0, ddof=1) / len(seeds) + old.var(axis=0, ddof=1) / len(seeds)
        )
        assert np.all(gap <= 4 * spread + 0.01), (gap, spread)


def test_graph_replays_train_every_epoch_once(graph_on_cpu):
    """The CUDA-graph schedule (warm-up, captured blocks, eager remainder), run on the
    CPU with a stand-in graph that replays the step eagerly, gives the eager result."""

    data = _data()
    hp = {**GAN_SMOTE_DEFAULTS, **SCHEDULE, "epochs": 37}  # 3 warm-up, 3 blocks, 4 eager

    def train(graph):
        reals = [torch.as_tensor(x, dtype=torch.float32) for x in data]
        gens = [torch.Generator().manual_seed(i) for i in range(3)]
        bins = [np.ones(12, bool)] * 3
        return _batched.train_stack(
            reals, bins, gens, [0, 1, 2], hp, random_source="counter", graph=graph
        )

    for a, b in zip(train(True), train(False), strict=True):
        np.testing.assert_array_equal(a.history["d_loss"], b.history["d_loss"])
        assert (a.history["d_loss"] != 0).all()  # every epoch logged
        for p, q in zip(a.generator_params, b.generator_params, strict=True):
            torch.testing.assert_close(p, q, atol=0, rtol=0)


def test_torch_sort_branch_gives_the_numpy_sort_result(monkeypatch):
    """The CUDA branch of the feature's sort (torch.sort), run on the CPU."""
    bucket, hp = _bucket()
    x = torch.rand(bucket.K, 2 * bucket.B, bucket.D, generator=torch.Generator().manual_seed(1))
    x = x * bucket.fmask
    sums_numpy, order_numpy = bucket._l1_sums(x)
    monkeypatch.setattr(_batched, "_NUMPY_SORT", False)
    sums_torch, order_torch = bucket._l1_sums(x)
    torch.testing.assert_close(sums_torch, sums_numpy)
    g = torch.rand(bucket.K, bucket.B, 1, generator=torch.Generator().manual_seed(2))
    torch.testing.assert_close(
        bucket._l1_backward(g * bucket.row_mask, order_torch[:, :, 1]),
        bucket._l1_backward(g * bucket.row_mask, order_numpy[:, :, 1]),
    )


def test_split_gives_exactly_the_rescaled_uniform():
    u = torch.rand(10_000, generator=torch.Generator().manual_seed(1))
    for p in (torch.tensor(0.3), torch.tensor(0.0)):
        event, fresh = _batched._split(u, p)
        hit = event.bool()
        assert torch.equal(fresh[hit], u[hit] / p)  # bit for bit, not merely close
        assert torch.equal(fresh[~hit], (u[~hit] - p) / (1.0 - p))


def test_a_chunk_decoded_at_once_gives_the_epoch_by_epoch_result(monkeypatch):
    rng = np.random.default_rng(4)
    data = [rng.integers(0, 2, size=(n, 8)).astype(float) for n in (12, 5, 3)]
    hp = {**SCHEDULE, "batch_size": 4}  # sampled rows: the real feature per epoch of a chunk

    def fit(chunk_floats):
        monkeypatch.setattr(_batched, "_CHUNK_DECODE_FLOATS", chunk_floats)
        models = [GANSMOTEGenerator(random_state=k, label=k, **hp) for k in range(3)]
        return fit_generators(models, data)

    chunked, per_epoch = fit(16 * 2**20), fit(0)
    for a, b in zip(chunked, per_epoch, strict=True):
        for p, q in zip(a.generator_params_, b.generator_params_, strict=True):
            assert torch.equal(p, q)
        assert a.history_.equals(b.history_)
