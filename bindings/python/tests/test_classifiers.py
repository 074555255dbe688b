"""gdescent.logistic and gdescent.softmax against their formulas written with numpy."""
import numpy as np
import pytest

import gdescent


def test_logistic_matches_numpy():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(20, 3)), rng.integers(0, 2, 20).astype(float)
    w = rng.normal(size=4)
    z = X @ w[:3] + w[3]
    f, g = gdescent.logistic(X, y, l2=0.5)(w)
    assert f == pytest.approx(np.mean(np.logaddexp(0, z) - y * z) + 0.25 * w[:3] @ w[:3])
    slope = 1 / (1 + np.exp(-z)) - y
    expected = np.append(X.T @ slope / 20 + 0.5 * w[:3], slope.mean())
    np.testing.assert_allclose(g, expected, rtol=1e-12, atol=1e-15)


def test_softmax_matches_numpy_and_infers_k():
    rng = np.random.default_rng(4)
    X, labels = rng.normal(size=(15, 2)), rng.integers(0, 3, 15)
    labels[0] = 2
    loss = gdescent.softmax(X, labels)
    w = rng.normal(size=9)
    W, b = w[:6].reshape(3, 2), w[6:]
    z = X @ W.T + b
    log_sum = np.log(np.exp(z).sum(axis=1))
    f, g = loss(w)
    assert f == pytest.approx(np.mean(log_sum - z[np.arange(15), labels]))
    assert g.shape == (9,)


def test_refusals():
    with pytest.raises(ValueError):
        gdescent.logistic(np.ones((2, 2)), [0.0, 2.0])
    with pytest.raises(TypeError):
        gdescent.softmax(np.ones((2, 2)), [0.5, 1.0])
    with pytest.raises(ValueError):
        gdescent.softmax(np.ones((2, 2)), [-1, 0])
