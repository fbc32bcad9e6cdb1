import pytest
import torch

from gan_oversamplers.minibatch import manhattan_distance_sums, stacked_minibatch_feature

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


def feature(batch, noise, jitter):
    """The training code's minibatch column for one unpadded batch."""
    n, d = batch.shape
    out = stacked_minibatch_feature(
        batch[None], torch.ones(1, n), torch.tensor([[(n - 1.0) * d]]), jitter[None], noise
    )
    return out[0]


def test_feature_is_normalised_and_jittered_within_the_noise_band():
    jitter = torch.rand(5, generator=torch.Generator().manual_seed(0))
    noisy = feature(BATCH, 0.3, jitter)
    base = manhattan_distance_sums(BATCH) / ((5 - 1) * 2)
    ratio = noisy.squeeze(1) / base
    assert noisy.shape == (5, 1)
    assert torch.all(ratio >= 0.7) and torch.all(ratio <= 1.3)
    torch.testing.assert_close(ratio, 1 + 0.3 * (2 * jitter - 1))
    torch.testing.assert_close(feature(BATCH, 0.0, jitter).squeeze(1), base)


def test_collapsed_batch_has_zero_feature():
    same = torch.ones(6, 3)
    assert torch.all(feature(same, 0.3, torch.rand(6)) == 0)


def test_row3_variant_in_the_training_code():
    out = stacked_minibatch_feature(
        BATCH[None], torch.ones(1, 5), torch.tensor([[8.0]]), torch.full((1, 5), 0.5), 0.3, "row3"
    )
    torch.testing.assert_close(out[0, :, 0], torch.full((5,), 5.0 / 8))
