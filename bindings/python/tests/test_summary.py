"""The run summary (Result.f, grad_norm, nfev; Optimizer.evaluations, last_f,
last_grad_norm, state()), runs that chain, minimize() touching only what a call asks
for, and names taken from the library."""
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import gdescent
from gdescent import _native


class Spy:
    """Stands in for the loaded library and records which of its names are used."""

    def __init__(self, lib):
        self.lib, self.calls, self.names = lib, [], []

    def __getattr__(self, name):
        self.names.append(name)
        attr = getattr(self.lib, name)
        if not callable(attr):
            return attr

        def call(*args):
            self.calls.append((name, args))
            return attr(*args)
        return call

    def called(self, name):
        return [args for called, args in self.calls if called == name]


@pytest.fixture
def spy(monkeypatch):
    watcher = Spy(_native.load_library())
    monkeypatch.setattr(gdescent, "_lib", lambda: watcher)
    return watcher


def sample_problem(m=40, p=3, seed=11):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, p))
    y = X @ rng.normal(size=p) + 0.1 * rng.normal(size=m)
    return X, y


def test_without_trajectory_same_result_as_with_one_and_as_the_summary():
    f = gdescent.rosenbrock(3)
    params = dict(lr=0.01, max_iter=200)
    opt = gdescent.Optimizer("adam", 3, **params)
    bare = gdescent.minimize(f, [-1.0, 1.5, 0.5], opt)
    traj = gdescent.Trajectory(3)
    recorded = gdescent.minimize(f, [-1.0, 1.5, 0.5], "adam", trajectory=traj, **params)
    assert bare.trajectory is None and recorded.trajectory is traj and len(traj) == 201
    np.testing.assert_array_equal(bare.x, recorded.x)
    assert bare.f == recorded.f == traj.f[-1]
    assert bare.grad_norm == recorded.grad_norm == traj.grad_norm[-1]
    assert (bare.f, bare.grad_norm) == (opt.last_f, opt.last_grad_norm)
    # Full batch: the full objective's value and gradient norm at the final x.
    value, grad = f(bare.x)
    assert bare.f == value
    assert bare.grad_norm == pytest.approx(np.linalg.norm(grad), rel=1e-14)


def test_no_trajectory_and_no_monitor_reach_the_library(spy):
    opt = gdescent.Optimizer("sgd", 2, lr=0.1, max_iter=100000)
    r = gdescent.minimize(gdescent.quadratic(2), [1.0, -1.0], opt)
    assert r.iterations == 100000 and r.trajectory is None
    (args,) = spy.called("gd_minimize")
    assert args[3] == gdescent.ffi.NULL
    assert spy.called("gd_optimizer_set_monitor") == []
    assert not [name for name in spy.names if name.startswith("gd_trajectory")]


def test_a_callback_installs_the_monitor_for_that_call_only(spy):
    opt = gdescent.Optimizer("sgd", 1, lr=0.1, max_iter=10)
    seen = []
    r = gdescent.minimize(gdescent.quadratic(1), [1.0], opt,
                          callback=lambda k, x, f: seen.append(k))
    assert r.status_name == "maxiter" and seen == list(range(1, 11))
    installed, removed = spy.called("gd_optimizer_set_monitor")
    assert installed[1] != gdescent.ffi.NULL and removed[1] == gdescent.ffi.NULL
    gdescent.minimize(gdescent.quadratic(1), [1.0], opt)
    assert len(spy.called("gd_optimizer_set_monitor")) == 2 and len(seen) == 10


def test_a_run_without_callback_leaves_a_monitor_in_place():
    # A monitor installed on the handle directly (as a C caller would) keeps being
    # called: minimize() without callback neither replaces nor removes it.
    lib = _native.load_library()
    seen = []
    c_monitor = gdescent.ffi.callback("gd_monitor_fn",
                                      lambda k, x, n, f, user: seen.append(k) or 0)
    opt = gdescent.Optimizer("sgd", 1, lr=0.1, max_iter=4)
    assert lib.gd_optimizer_set_monitor(opt._handle, c_monitor, gdescent.ffi.NULL) == 0
    gdescent.minimize(gdescent.quadratic(1), [1.0], opt)
    gdescent.minimize(gdescent.quadratic(1), [1.0], opt)
    assert seen == [1, 2, 3, 4, 1, 2, 3, 4]
    lib.gd_optimizer_set_monitor(opt._handle, gdescent.ffi.NULL, gdescent.ffi.NULL)


def test_nfev_of_a_full_batch_run_is_iterations_plus_one():
    opt = gdescent.Optimizer("sgd", 2, lr=0.1, max_iter=25)
    assert opt.evaluations == 0
    assert math.isnan(opt.last_f) and math.isnan(opt.last_grad_norm)
    r = gdescent.minimize(gdescent.quadratic(center=[1.0, 2.0]), [0.0, 0.0], opt)
    assert r.iterations == 25 and r.nfev == 26 and opt.evaluations == 26
    stopped = gdescent.minimize(gdescent.geometric_median([[0.0, 0.0], [2.0, 2.0]]),
                                [0.5, 0.3], "sgd", lr=0.1, max_iter=1000, gtol=1e-9)
    assert stopped.status_name == "gtol" and stopped.nfev == stopped.iterations + 1
    opt.reset()
    assert opt.evaluations == 0 and math.isnan(opt.last_f)


def test_two_calls_end_where_one_call_of_both_lengths_ends():
    X, y = sample_problem()
    loss = gdescent.least_squares(X, y)
    settings = dict(lr=0.05, beta1=0.8, batch_size=7, seed=4)
    once = gdescent.Optimizer("adam", 3, max_iter=10, **settings)
    twice = gdescent.Optimizer("adam", 3, max_iter=5, **settings)
    whole = gdescent.minimize(loss, np.zeros(3), once)
    first = gdescent.minimize(loss, np.zeros(3), twice)
    second = gdescent.minimize(loss, first.x, twice)
    np.testing.assert_array_equal(second.x, whole.x)
    assert (second.f, second.grad_norm) == (whole.f, whole.grad_norm)
    # Each call evaluates its start: 6 + 6 against 11 (the final batch is drawn again).
    assert (first.nfev, second.nfev, whole.nfev) == (6, 6, 11)
    assert first.iterations + second.iterations == whole.iterations == 10
    assert (twice.evaluations, once.evaluations) == (12, 11)
    for key in ("exp_avg", "exp_avg_sq"):
        np.testing.assert_array_equal(twice.state(key), once.state(key))
    # The last batch's value at the final x, not the full objective's.
    assert second.f != loss(second.x)[0]


def test_with_batches_f_is_the_last_batch_at_the_final_x():
    X, y = sample_problem(m=30, p=2)
    batches = []

    def batch(w, idx):
        r = X[idx] @ w - y[idx]
        batches.append((w.copy(), 0.5 * np.mean(r * r)))
        return batches[-1][1], X[idx].T @ r / len(idx)
    res = gdescent.minimize(gdescent.Objective(batch, 2, terms=30), [0.0, 0.0], "sgd",
                            lr=0.1, batch_size=4, max_iter=12)
    last_x, last_f = batches[-1]
    np.testing.assert_array_equal(last_x, res.x)
    assert res.f == last_f and res.nfev == len(batches) == 13


def test_state_after_one_adam_update():
    g = np.array([0.5, -2.0, 3.0, 1e-3])
    opt = gdescent.Optimizer("adam", 4, lr=0.1)
    np.testing.assert_array_equal(opt.state("exp_avg"), np.zeros(4))
    opt.update(np.ones(4), g)
    np.testing.assert_array_equal(opt.state("exp_avg"), (1 - 0.9) * g)
    np.testing.assert_array_equal(opt.state("exp_avg_sq"), (1 - 0.999) * g * g)
    step = opt.state("step")
    assert isinstance(step, float) and step == 1.0
    copy = opt.state("exp_avg")
    copy[:] = 42.0
    np.testing.assert_array_equal(opt.state("exp_avg"), (1 - 0.9) * g)
    with pytest.raises(KeyError) as info:
        opt.state("max_exp_avg_sq")  # kept only with amsgrad
    assert info.value.args == ("max_exp_avg_sq",)


def test_state_keys_of_other_methods():
    g = np.array([1.0, -2.0])
    sgd = gdescent.Optimizer("sgd", 2, lr=0.1, momentum=0.9)
    with pytest.raises(KeyError):
        sgd.state("momentum_buffer")  # created by the first step
    with pytest.raises(KeyError):
        sgd.state("step")  # SGD keeps no step count
    sgd.update(np.zeros(2), g)
    np.testing.assert_array_equal(sgd.state("momentum_buffer"), g)
    adagrad = gdescent.Optimizer("adagrad", 2, initial_accumulator=0.5)
    adagrad.update(np.zeros(2), g)
    np.testing.assert_array_equal(adagrad.state("sum"), 0.5 + g * g)
    with pytest.raises(KeyError):
        adagrad.state("exp_avg")
    # n = 1: a vector and a scalar have the same length; both come back as arrays.
    one = gdescent.Optimizer("adam", 1)
    one.update(np.zeros(1), [2.0])
    assert one.state("step").shape == (1,) and one.state("step")[0] == 1.0


def test_methods_are_the_names_the_library_reports():
    lib = _native.load_library()
    reported, k = {}, 0
    while lib.gd_method_name(k) != gdescent.ffi.NULL:
        reported[gdescent.ffi.string(lib.gd_method_name(k)).decode()] = k
        k += 1
    assert dict(gdescent.METHODS) == reported and len(reported) >= 12
    for name, value in gdescent.METHODS.items():
        method = gdescent.ffi.new("gd_method *")
        assert lib.gd_method_by_name(name.encode(), method) == 0 and method[0] == value
        assert gdescent.Optimizer(name, 2).method == name


def test_methods_are_read_from_the_library_not_a_list(tmp_path):
    # In a fresh interpreter whose library reports other methods, before anything has
    # loaded the real one (GDESCENT_LIBRARY names no file): METHODS shows those.
    code = """if True:
        import gdescent
        names = [gdescent.ffi.new("char[]", b"first"), gdescent.ffi.new("char[]", b"second")]

        class Lib:
            def gd_method_name(self, k):
                return names[k] if k < len(names) else gdescent.ffi.NULL
        gdescent._lib = Lib
        print(sorted(gdescent.METHODS.items()), "second" in gdescent.METHODS)
    """
    env = dict(os.environ, GDESCENT_LIBRARY=str(tmp_path / "libgdescent.so.1"),
               PYTHONPATH=os.path.dirname(os.path.dirname(gdescent.__file__)))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert out == "[('first', 0), ('second', 1)] True\n"


def test_parameter_names_are_looked_up_in_the_library(spy):
    opt = gdescent.Optimizer("rmsprop", 2, alpha=0.9)
    assert opt.get("alpha") == 0.9
    assert [args[0] for args in spy.called("gd_param_by_name")] == [b"alpha"]
    assert not [name for name in spy.names if name.startswith("GD_PARAM_")]
    params = opt.params()
    assert params["alpha"] == 0.9 and "beta1" not in params
    assert len(spy.called("gd_param_name")) == 64
    for name, value in params.items():
        assert opt.get(name) == value
    with pytest.raises(gdescent.GDError):
        opt.get("lr\0x")  # a NUL would cut the name short in C
    with pytest.raises(gdescent.GDError):
        opt.set(**{"lr\0x": 0.5})
    assert opt.get("lr") == 0.01
    with pytest.raises(KeyError):
        opt.state("square_avg\0")
    with pytest.raises(gdescent.GDError):
        opt.get("LR")
