"""The documents' examples through Python: the numbers the C tests check."""
import numpy as np
import pytest

import gdescent


@pytest.mark.parametrize("center,x0,lr,steps", [
    (None, [5.0], 0.1, 20),
    (None, [5.0, -3.0], 0.2, 15),
    ([3.0], [-7.0], 0.2, 20),
    ([2.0, -1.0], [5.0, 5.0], 0.1, 20),
    ([3.0], [-7.0], 1.0, 20),   # factor -1: oscillates exactly
    ([3.0], [-7.0], 1.5, 20),   # factor -2: diverges
])
def test_quadratic_paths_follow_the_closed_form(center, x0, lr, steps):
    # Gradient descent on ||x - c||^2 multiplies the error by (1 - 2 lr) per step.
    n = len(x0)
    f = gdescent.quadratic(n=n, center=center)
    r = gdescent.minimize(f, x0, "sgd", lr=lr, max_iter=steps, record_x=True)
    assert r.status_name == "maxiter" and r.iterations == steps
    c = np.zeros(n) if center is None else np.array(center)
    k = np.arange(steps + 1)[:, None]
    expected = c + (np.array(x0) - c) * (1.0 - 2.0 * lr) ** k
    xs = r.trajectory.x
    assert xs.shape == (steps + 1, n)
    np.testing.assert_allclose(xs, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(r.x, xs[-1])
    np.testing.assert_array_equal(r.trajectory.iter, np.arange(steps + 1))
    np.testing.assert_allclose(r.trajectory.f, ((xs - c) ** 2).sum(axis=1), rtol=1e-12)


def test_oscillation_is_exact():
    f = gdescent.quadratic(center=[3.0])
    opt = gdescent.Optimizer("sgd", 1, lr=1.0)
    x = np.array([-7.0])
    for k in range(1, 11):
        gdescent.step(opt, f, x)
        assert x[0] == (13.0 if k % 2 else -7.0)


def test_per_sample_sgd():
    # y = 2x, samples in order, w0 = 1, lr 0.01; the document prints w and the loss of
    # the last sample after 3, 33 and 150 steps.
    X, y = np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 4.0, 6.0])
    loss = gdescent.least_squares(X, y, scale=1.0)
    opt = gdescent.Optimizer("sgd", 1, lr=0.01, batch_size=1, shuffle=False)
    w = np.array([1.0])
    grads = []
    for i in range(3):
        before = w[0]
        f = gdescent.step(opt, loss, w)
        grads.append((before - w[0]) / 0.01)
        assert f == pytest.approx((before * X[i, 0] - y[i]) ** 2, rel=1e-15)
    np.testing.assert_allclose(grads, [-2.0, -7.84, -16.2288], rtol=1e-12)
    assert round(w[0], 2) == 1.26
    assert abs((3 * w[0] - 6) ** 2 - 4.91924) < 5e-7
    for _ in range(30):
        gdescent.step(opt, loss, w)
    assert round(w[0], 2) == 1.96
    assert abs((3 * w[0] - 6) ** 2 - 0.011707) < 5e-7
    for _ in range(117):
        gdescent.step(opt, loss, w)
    assert round(4 * w[0], 2) == 8.0


def test_full_batch_regression():
    xs = np.array([1, 2, 3, 4, 5, 6, 8.0])
    ys = np.array([5.5, 6, 6.5, 7, 7.5, 8, 9])
    X = np.column_stack([np.ones(7), xs])
    loss = gdescent.least_squares(X, ys, scale=0.5)
    w0 = np.array([0.34099454173956956, -0.5196184029053978])
    opt = gdescent.Optimizer("sgd", 2, lr=0.008, max_iter=5000)
    w = w0.copy()
    f = gdescent.step(opt, loss, w)
    assert f == pytest.approx(42.04352367497908, rel=1e-9)
    np.testing.assert_allclose(w, [0.4120596524733747, -0.18458753348838164], rtol=1e-9)
    opt.reset()
    r = gdescent.minimize(loss, w0, opt, trajectory=gdescent.Trajectory(2))
    assert r.trajectory.f[4999] == pytest.approx(5.8741498619485146e-08, rel=1e-9)
    np.testing.assert_allclose(r.x, [4.999278595714187, 0.500136309516923], rtol=1e-9)
    # Same fit with the intercept flag: w = (slope, intercept).
    with_b = gdescent.least_squares(xs[:, None], ys, scale=0.5, intercept=True)
    r2 = gdescent.minimize(with_b, w0[::-1], "sgd", lr=0.008, max_iter=5000)
    np.testing.assert_allclose(r2.x[::-1], r.x, rtol=1e-9)


def test_geometric_median_of_square():
    corners = np.array([[0, 0], [2, 0], [0, 2], [2, 2.0]])
    f = gdescent.geometric_median(corners)
    r = gdescent.minimize(f, [0.3, 1.7], "sgd", lr=0.1, max_iter=2000, gtol=1e-12)
    assert r.status_name == "gtol"
    np.testing.assert_allclose(r.x, [1.0, 1.0], atol=1e-11)


def test_geometric_median_of_cloud_beats_centroid_and_points():
    rng = np.random.default_rng(12345)
    points = rng.random((100, 2)) * [3.0, 1.0]
    f = gdescent.geometric_median(points)
    opt = gdescent.Optimizer("sgd", 2, lr=0.05, max_iter=100)
    r = gdescent.minimize(f, [0.1, 0.1], opt)
    x = r.x
    lr = 0.05
    for _ in range(4000):
        lr *= 0.997
        opt.set(lr=lr)
        gdescent.step(opt, f, x)
    value, grad = f(x)
    assert np.hypot(*grad) < 1e-6
    assert value < f(points.mean(axis=0))[0]
    assert all(value < f(p)[0] for p in points)


def test_rosenbrock_adam_reaches_the_minimum():
    r = gdescent.minimize(gdescent.rosenbrock(2), [-1.5, 2.0], "adam", lr=0.02,
                          max_iter=20000, gtol=1e-8)
    assert r.status_name == "gtol"
    np.testing.assert_allclose(r.x, [1.0, 1.0], atol=1e-6)
