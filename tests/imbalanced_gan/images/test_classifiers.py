"""The seeded CNN classifier (and the ResNet-18 option)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from gan_oversamplers.images.classifiers import ImageClassifier, ResNet18, resolve_device


def separable(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Bright top half (class 'top') vs bright bottom half ('bottom'), 6x6, plus noise."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 0.2, size=(n, 1, 6, 6))
    y = np.array(["top", "bottom"] * (n // 2))
    X[y == "top", :, :3] += 0.8
    X[y == "bottom", :, 3:] += 0.8
    return X.reshape(n, -1).astype(np.float32), y


def test_fits_a_separable_set_and_probabilities_sum_to_one():
    X, y = separable()
    model = ImageClassifier((1, 6, 6), epochs=8, batch_size=20, learning_rate=0.02, random_state=0)
    model.fit(X, y)
    X_test, y_test = separable(20, seed=1)
    assert (model.predict(X_test) == y_test).mean() == 1.0
    proba = model.predict_proba(X_test)
    assert proba.shape == (20, 2) and list(model.classes_) == ["bottom", "top"]
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert model.history_[-1] < model.history_[0]


def test_same_seed_same_model_other_seed_other_model():
    X, y = separable()
    kwargs = {"epochs": 2, "batch_size": 20}
    a = ImageClassifier((1, 6, 6), random_state=3, **kwargs).fit(X, y).predict_proba(X)
    b = ImageClassifier((1, 6, 6), random_state=3, **kwargs).fit(X, y).predict_proba(X)
    c = ImageClassifier((1, 6, 6), random_state=4, **kwargs).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_resnet18_option_trains_and_pickles():
    X, y = separable(16)
    model = ImageClassifier((1, 6, 6), architecture="resnet18", width=4, epochs=1, random_state=0)
    restored = pickle.loads(pickle.dumps(model.fit(X, y)))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    full = ResNet18(3, 10)  # the standard widths: about 11 M parameters
    assert 11_000_000 < sum(p.numel() for p in full.parameters()) < 11_300_000


def test_bad_input_names_the_problem():
    X, y = separable()
    with pytest.raises(ValueError, match="flattened images of image_shape"):
        ImageClassifier((1, 5, 5), epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="at least two classes"):
        ImageClassifier((1, 6, 6), epochs=1).fit(X, np.full(len(X), "a"))
    with pytest.raises(ValueError, match="device"):
        resolve_device("tpu")
