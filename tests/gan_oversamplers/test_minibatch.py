import pytest
import torch

from gan_oversamplers._random import torch_generator
from gan_oversamplers.minibatch import manhattan_distance_sums, minibatch_feature

BATCH = torch.tensor([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.5, 0.5]])


def test_sums_of_manhattan_distances_match_a_hand_computation():
    # row 0 -> others: 1 + 2 + 1 + 1 = 5; row 4 (centre) -> each corner: 1, total 4
    expected = torch.tensor([5.0, 5.0, 5.0, 5.0, 4.0])
    assert torch.allclose(manhattan_distance_sums(BATCH), expected)


def test_row3_variant_reproduces_the_authors_bug():
    # distances to row 3 = (0, 1): 1 + 2 + 1 + 0 + 1 = 5, the same value for every row
    assert torch.allclose(manhattan_distance_sums(BATCH, "row3"), torch.full((5,), 5.0))
    with pytest.raises(ValueError, match="at least 4 rows"):
        manhattan_distance_sums(BATCH[:3], "row3")


def test_feature_is_normalised_and_jittered_within_the_noise_band():
    feature = minibatch_feature(BATCH, noise=0.3, generator=torch_generator(0))
    base = manhattan_distance_sums(BATCH) / ((5 - 1) * 2)
    ratio = feature.squeeze(1) / base
    assert feature.shape == (5, 1)
    assert torch.all(ratio >= 0.7) and torch.all(ratio <= 1.3)
    assert not torch.allclose(ratio, torch.ones(5))  # the noise is there
    exact = minibatch_feature(BATCH, noise=0.0, generator=torch_generator(0))
    assert torch.allclose(exact.squeeze(1), base)


def test_collapsed_batch_has_zero_feature():
    same = torch.ones(6, 3)
    assert torch.all(minibatch_feature(same, noise=0.3, generator=torch_generator(1)) == 0)
