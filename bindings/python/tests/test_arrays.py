"""NumPy arrays in and out: in-place updates through views, any memory layout of the
data, trajectories as arrays, and finite sums written in Python."""
import numpy as np
import pytest

import gdescent

# Every test twice: with the compiled callbacks and with cffi's (conftest.py).
pytestmark = pytest.mark.usefixtures("callbacks")


def test_update_works_in_place_on_strided_views():
    base = np.arange(12.0)
    view = base[1::3]  # non-contiguous, 4 elements
    expected = view.copy()
    grad = np.array([1.0, -2.0, 0.5, 4.0])
    a = gdescent.Optimizer("adam", 4, lr=0.1)
    b = gdescent.Optimizer("adam", 4, lr=0.1)
    for _ in range(5):
        a.update(view, grad)
        b.update(expected, grad)
    np.testing.assert_array_equal(view, expected)
    np.testing.assert_array_equal(base[1::3], expected)
    untouched = np.delete(base, np.arange(1, 12, 3))
    np.testing.assert_array_equal(untouched, np.delete(np.arange(12.0), np.arange(1, 12, 3)))


def test_isa_level_is_reported():
    assert gdescent.Optimizer("adam", 2).isa in ("baseline", "avx2", "avx512")


def test_sgd_update_is_x_minus_lr_grad():
    x = np.array([1.0, -2.0, 3.0])
    grad = np.array([0.5, 0.25, -1.0])
    gdescent.Optimizer("sgd", 3, lr=0.1).update(x, grad)
    np.testing.assert_array_equal(x, np.array([1.0, -2.0, 3.0]) - 0.1 * grad)


def test_grad_in_any_real_dtype_and_layout():
    grads = [np.array([1, 2, 3]), np.array([1, 2, 3], dtype=np.float32),
             np.array([[1.0, 9], [2, 9], [3, 9]])[:, 0], [1.0, 2.0, 3.0]]
    for g in grads:
        x = np.zeros(3)
        gdescent.Optimizer("sgd", 3, lr=1.0).update(x, g)
        np.testing.assert_array_equal(x, [-1.0, -2.0, -3.0])


def test_data_layout_does_not_change_the_objective():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 3))
    y = rng.normal(size=50)
    w = rng.normal(size=3)
    ref = gdescent.least_squares(X, y)(w)
    for Xl, yl in [(np.asfortranarray(X), y), (X.T.copy().T, y[::-1].copy()[::-1]),
                   (np.repeat(X, 2, axis=1)[:, ::2], np.repeat(y, 2)[::2])]:
        f, g = gdescent.least_squares(Xl, yl)(w)
        assert f == ref[0]
        np.testing.assert_array_equal(g, ref[1])
    assert ref[0] == pytest.approx(0.5 * np.mean((X @ w - y) ** 2), rel=1e-13)
    np.testing.assert_allclose(ref[1], X.T @ (X @ w - y) / 50, rtol=1e-12)


def test_trajectory_arrays_and_stride():
    traj = gdescent.Trajectory(2, record_x=True, stride=5)
    r = gdescent.minimize(gdescent.quadratic(center=[1.0, 2.0]), [0.0, 0.0], "sgd",
                          lr=0.1, max_iter=22, trajectory=traj)
    assert r.trajectory is traj and len(traj) == 6
    np.testing.assert_array_equal(traj.iter, [0, 5, 10, 15, 20, 22])
    assert traj.x.shape == (6, 2) and traj.x.dtype == np.float64
    err = np.array([1.0, 2.0]) * 0.8 ** traj.iter[:, None]
    np.testing.assert_allclose(traj.x, np.array([1.0, 2.0]) - err, rtol=1e-12)
    np.testing.assert_allclose(traj.f, (err ** 2).sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(traj.grad_norm, 2 * np.hypot(err[:, 0], err[:, 1]),
                               rtol=1e-12)
    assert r.f == traj.f[-1]
    traj.clear()
    assert len(traj) == 0 and traj.f.shape == (0,) and traj.x.shape == (0, 2)


def test_csv(tmp_path):
    r = gdescent.minimize(gdescent.quadratic(1), [1.0], "sgd", lr=0.1, max_iter=3,
                          record_x=True)
    r.trajectory.write_csv(tmp_path / "t.csv")
    rows = np.loadtxt(tmp_path / "t.csv", delimiter=",", skiprows=1)
    np.testing.assert_array_equal(rows[:, 1], r.trajectory.f)
    np.testing.assert_array_equal(rows[:, 3], r.trajectory.x[:, 0])
    with pytest.raises(gdescent.GDError):
        r.trajectory.write_csv(tmp_path / "missing" / "t.csv")


def test_python_finite_sum_matches_the_bundled_one():
    # The same least squares written in Python as a finite sum of 40 terms, with
    # mini-batches of 7 drawn from the same seed, follows the bundled objective.
    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 2))
    y = X @ [2.0, -1.0] + 0.1 * rng.normal(size=40)
    seen = []

    def batch(w, idx):
        seen.append(len(idx))
        r = X[idx] @ w - y[idx]
        return 0.5 * np.mean(r * r), X[idx].T @ r / len(idx)
    mine = gdescent.Objective(batch, 2, terms=40)
    assert mine.terms == 40
    params = dict(lr=0.05, batch_size=7, seed=3, max_iter=60)
    a = gdescent.minimize(mine, [0.0, 0.0], "sgd", trajectory=gdescent.Trajectory(2),
                          **params)
    b = gdescent.minimize(gdescent.least_squares(X, y), [0.0, 0.0], "sgd",
                          trajectory=gdescent.Trajectory(2), **params)
    np.testing.assert_allclose(a.x, b.x, rtol=1e-12)
    np.testing.assert_allclose(a.trajectory.f, b.trajectory.f, rtol=1e-12)
    assert seen[:6] == [7, 7, 7, 7, 7, 5]  # the short last batch of an epoch


class Marked(np.ndarray):
    """An ndarray subclass, which the binding's fast paths leave to the general ones."""


@pytest.mark.parametrize("terms", [None, 3])
def test_gradient_of_a_python_objective_in_any_real_dtype_and_layout(terms):
    # What fun returns is stored through one memmove only when it is a contiguous
    # float64 array of shape (n,); everything else goes through the general check.
    want = np.array([1.0, -2.0, 3.0])
    grads = [want.copy(), want.astype(np.float32), want.astype(">f8"),
             want.astype(np.int64), np.repeat(want, 2)[::2], want[::-1].copy()[::-1],
             list(want), tuple(want), want.view(Marked),
             np.asfortranarray(want.reshape(3, 1))[:, 0]]
    for g in grads:
        def fun(x, *idx, g=g):
            return 0.5, g
        f = gdescent.Objective(fun, 3, terms=terms)
        x = np.zeros(3)
        assert gdescent.step(gdescent.Optimizer("sgd", 3, lr=1.0), f, x) == 0.5
        np.testing.assert_array_equal(x, -want)
        value, grad = f(np.zeros(3))
        assert value == 0.5 and grad.dtype == np.float64
        np.testing.assert_array_equal(grad, want)
    for bad in (np.zeros(2), np.zeros((3, 1)), np.zeros((1, 3)), np.float64(1.0),
                np.zeros(1)):
        with pytest.raises(ValueError, match="shape"):
            gdescent.Objective(lambda x, *idx, bad=bad: (0.0, bad), 3, terms=terms)(
                np.zeros(3))
    with pytest.raises(TypeError, match="real numbers"):
        gdescent.Objective(lambda x, *idx: (0.0, np.ones(3) * 1j), 3, terms=terms)(
            np.zeros(3))


def test_step_works_in_place_on_views_and_refuses_what_it_cannot_update():
    center = np.array([1.0, -1.0, 2.0, 0.5])
    f = gdescent.Objective(lambda x: (float((x - center) @ (x - center)),
                                      2 * (x - center)), 4)
    base = np.arange(12.0)
    expected = base[1::3].copy()
    for x in (base[1::3], expected):
        opt = gdescent.Optimizer("adam", 4, lr=0.1)
        for _ in range(3):
            gdescent.step(opt, f, x)
    np.testing.assert_array_equal(base[1::3], expected)
    np.testing.assert_array_equal(np.delete(base, np.arange(1, 12, 3)),
                                  np.delete(np.arange(12.0), np.arange(1, 12, 3)))
    marked = np.zeros(4).view(Marked)
    gdescent.step(gdescent.Optimizer("sgd", 4, lr=0.5), f, marked)
    np.testing.assert_array_equal(marked, center)
    opt = gdescent.Optimizer("sgd", 4, lr=0.1)
    frozen = np.ones(4)
    frozen.flags.writeable = False
    # Read-only and strided: refused before the step, not when written back.
    frozen_view = np.ones(8)[::2]
    frozen_view.flags.writeable = False
    for bad, error, match in [([1.0, 2.0, 3.0, 4.0], TypeError, "numpy.ndarray"),
                              (np.ones(4, dtype=np.float32), TypeError, "float64"),
                              (np.ones(4, dtype=">f8"), TypeError, "float64"),
                              (np.ones(3), ValueError, r"shape \(4,\)"),
                              (np.ones((4, 1)), ValueError, r"shape \(4,\)"),
                              (frozen, ValueError, "read-only"),
                              (frozen_view, ValueError, "read-only")]:
        with pytest.raises(error, match=match):
            gdescent.step(opt, f, bad)
    with pytest.raises(TypeError, match="optimizer"):
        gdescent.step("sgd", f, np.ones(4))
    with pytest.raises(TypeError, match="objective"):
        gdescent.step(opt, lambda x: (0.0, x), np.ones(4))
    with pytest.raises(ValueError, match="n = 2"):
        gdescent.step(gdescent.Optimizer("sgd", 2), f, np.ones(2))
    assert opt.iterations == 0 and opt.evaluations == 0
