import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from gan_oversamplers.images import DeepSMOTE
from gan_oversamplers.images._nets import ConvDecoder, ConvEncoder, init_weights
from gan_oversamplers.images.deepsmote import penalty_loss, smote_latent

TINY = {"epochs": 2, "conv_dim": 8, "latent_dim": 8, "batch_size": 16, "image_shape": (1, 8, 8)}


def nets(seed=0):
    gen = torch.Generator().manual_seed(seed)
    encoder, decoder = ConvEncoder((1, 8, 8), 8, 6), ConvDecoder((1, 8, 8), 8, 6)
    init_weights(encoder, gen)
    init_weights(decoder, gen)
    return encoder, decoder


def class_batch():
    X, y = load_digits(return_X_y=True)
    return torch.as_tensor(X[y == 4][:10] / 8.0 - 1.0, dtype=torch.float32)


def encoder_grad_norm(penalty):
    encoder, decoder = nets()
    penalty_loss(encoder, decoder, class_batch(), penalty).backward()  # no reconstruction term
    grads = [p.grad for p in encoder.parameters()]
    return sum(0.0 if g is None else float(g.abs().sum()) for g in grads)


def test_paper_penalty_reaches_the_encoder_and_the_code_penalty_does_not():
    assert encoder_grad_norm("paper") > 0
    assert encoder_grad_norm("code") == 0


def test_paper_penalty_compares_shifted_decodings_with_unshifted_images():
    encoder, decoder = nets()
    x = class_batch()
    z = encoder(x)
    expected = torch.nn.functional.mse_loss(decoder(torch.roll(z, 1, 0)), x)
    torch.testing.assert_close(penalty_loss(encoder, decoder, x, "paper"), expected)
    code = torch.nn.functional.mse_loss(decoder(torch.roll(z, 1, 0)), torch.roll(x, 1, 0))
    torch.testing.assert_close(penalty_loss(encoder, decoder, x, "code"), code)
    assert not torch.allclose(expected, code)


def test_penalty_code_trains_a_different_model_than_paper():
    X, y = load_digits(return_X_y=True)
    X, y = X[:120] / 16.0, y[:120]
    paper = DeepSMOTE(**TINY, random_state=0).fit_generators(X, y)
    code = DeepSMOTE(**TINY, random_state=0, penalty="code").fit_generators(X, y)
    assert not np.array_equal(paper.generate()[0], code.generate()[0])
    assert not np.allclose(paper.history_["penalty_loss"], code.history_["penalty_loss"])
    off = DeepSMOTE(**TINY, random_state=0, penalty_weight=0.0).fit_generators(X, y)
    assert (off.history_["penalty_loss"] == 0).all()


def test_smote_latent_interpolates_between_a_row_and_one_of_its_k_neighbours():
    rng = np.random.default_rng(0)
    points = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 10.0], [11.0, 10.0]])
    new = smote_latent(points, 200, 1, rng)
    # with k=1 each new point lies on the segment of one of the two close pairs
    on_low = (np.abs(new[:, 1]) < 1e-12) & (new[:, 0] >= 0) & (new[:, 0] <= 1)
    on_high = (np.abs(new[:, 1] - 10) < 1e-12) & (new[:, 0] >= 10) & (new[:, 0] <= 11)
    assert np.all(on_low | on_high) and on_low.any() and on_high.any()


@pytest.mark.parametrize("penalty", ["paper", "code"])
def test_training_lowers_the_reconstruction_loss(penalty):
    X, y = load_digits(return_X_y=True)
    X, y = X[:200] / 16.0, y[:200]
    params = {**TINY, "epochs": 6, "batch_size": 32}
    history = DeepSMOTE(**params, random_state=0, penalty=penalty).fit_generators(X, y).history_
    assert history["reconstruction_loss"].iloc[-1] < history["reconstruction_loss"].iloc[0]
