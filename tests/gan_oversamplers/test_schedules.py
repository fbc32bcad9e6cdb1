import math

import pytest

from gan_oversamplers.schedules import bit_flip_probability, sgdr_learning_rate


def test_bit_flips_decay_linearly_to_zero_and_stay_there():
    # the authors' schedule: 30 % at epoch 0, zero from epoch 37,000 of 40,000
    assert bit_flip_probability(0, 0.3, 37_000) == pytest.approx(0.3)
    assert bit_flip_probability(18_500, 0.3, 37_000) == pytest.approx(0.15)
    assert bit_flip_probability(36_999, 0.3, 37_000) == pytest.approx(0.3 / 37_000)
    assert bit_flip_probability(37_000, 0.3, 37_000) == 0.0
    assert all(bit_flip_probability(e, 0.3, 37_000) == 0.0 for e in range(37_000, 40_000, 250))


def test_bit_flips_are_monotone_decreasing():
    values = [bit_flip_probability(e, 0.3, 100) for e in range(120)]
    assert all(a >= b for a, b in zip(values, values[1:], strict=False))


def test_sgdr_restarts_at_ten_times_and_anneals_back_to_base():
    lr = 1e-4
    kw = {"factor": 10.0, "cycle": 1000, "start_epoch": 2000}
    assert sgdr_learning_rate(0, lr, **kw) == lr  # before the restarts begin
    assert sgdr_learning_rate(1999, lr, **kw) == lr
    assert sgdr_learning_rate(2000, lr, **kw) == pytest.approx(1e-3)  # restart: x10
    assert sgdr_learning_rate(2500, lr, **kw) == pytest.approx(lr + 0.5 * 9 * lr)  # half way
    assert sgdr_learning_rate(2999, lr, **kw) == pytest.approx(
        lr + 0.5 * 9 * lr * (1 + math.cos(math.pi * 999 / 1000))
    )
    assert sgdr_learning_rate(3000, lr, **kw) == pytest.approx(1e-3)  # the next restart
    assert sgdr_learning_rate(39_250, lr, **kw) == pytest.approx(
        lr + 0.5 * 9 * lr * (1 + math.cos(math.pi / 4))
    )


def test_sgdr_decreases_within_a_cycle():
    values = [sgdr_learning_rate(e, 1.0, factor=10, cycle=50, start_epoch=0) for e in range(50)]
    assert all(a > b for a, b in zip(values, values[1:], strict=False))
    assert values[-1] > 1.0
