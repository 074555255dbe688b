"""What Python code receives and calls during a run is safe to keep and to use: arrays
handed to objectives and callbacks are copies, any exception (Ctrl-C included) stops
the run and is raised again, overlapping arrays and nested runs are handled."""
import gc
import os
import signal
import sys
import threading

import numpy as np
import pytest

import gdescent

# Every test twice: with the compiled callbacks and with cffi's (conftest.py).
pytestmark = pytest.mark.usefixtures("callbacks")


def square(x):
    return float(x @ x), 2 * x


def test_kept_arrays_are_copies_equal_to_the_iterates():
    # history.append(x), the SciPy habit: every array kept must stay valid after the
    # run, and the optimizer (whose buffers the library frees) is collected first.
    n = 100_000
    center = np.linspace(-1.0, 1.0, n)
    seen_by_fun, seen_by_callback = [], []

    def fun(x):
        seen_by_fun.append(x)
        d = x - center
        return float(d @ d), 2 * d

    traj = gdescent.Trajectory(n, record_x=True)
    opt = gdescent.Optimizer("adam", n, lr=0.1, max_iter=5)
    r = gdescent.minimize(gdescent.Objective(fun, n), np.zeros(n), opt, trajectory=traj,
                          callback=lambda k, x, f: seen_by_callback.append(x))
    del opt
    gc.collect()
    kept = seen_by_fun + seen_by_callback
    assert len(seen_by_fun) == 6 and len(seen_by_callback) == 5
    # Own memory (checked before reading, which would crash on freed memory).
    assert all(a.flags.owndata for a in kept)
    for i, a in enumerate(kept):
        for b in kept[i + 1:]:
            assert not np.shares_memory(a, b)
    np.testing.assert_array_equal(np.array(seen_by_fun), traj.x)
    np.testing.assert_array_equal(np.array(seen_by_callback), traj.x[1:])
    np.testing.assert_array_equal(seen_by_callback[-1], r.x)
    assert not np.shares_memory(seen_by_callback[-1], r.x)


def test_step_hands_fun_a_new_array_each_call_that_fun_may_change():
    # step() runs the library on the caller's own x; fun still gets a copy of it,
    # a new one at every call, and what fun does to that copy changes nothing.
    seen = []

    def fun(x):
        seen.append(x)
        value, grad = square(x)
        x[:] = 1e300
        return value, grad
    f = gdescent.Objective(fun, 2)
    x = np.array([1.0, 2.0])
    opt = gdescent.Optimizer("sgd", 2, lr=0.25)
    values = [gdescent.step(opt, f, x) for _ in range(3)]
    assert values == [5.0, 1.25, 0.3125]
    np.testing.assert_array_equal(x, [0.125, 0.25])
    assert len(seen) == 3 and all(a.flags.owndata for a in seen)
    for i, a in enumerate(seen):
        assert not np.shares_memory(a, x)
        for b in seen[i + 1:]:
            assert not np.shares_memory(a, b)


def test_keyboard_interrupt_from_the_objective_stops_the_run():
    calls = {"n": 0}

    def fun(x):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return square(x)
    opt = gdescent.Optimizer("sgd", 2, lr=0.1, max_iter=100)
    f = gdescent.Objective(fun, 2)
    with pytest.raises(KeyboardInterrupt):
        gdescent.minimize(f, [1.0, 2.0], opt)
    assert opt.iterations == 3 and calls["n"] == 4
    r = gdescent.minimize(f, [1.0, 2.0], "sgd", lr=0.1, max_iter=5)
    assert r.status_name == "maxiter"


def test_an_exception_as_the_callback_starts_stops_the_run():
    # A KeyboardInterrupt that arrives as the C library calls into Python is raised
    # at the entry of the binding's callback, before any try block in it.  A tracer
    # installed from the monitor raises at the next Python frame entered, which is
    # that entry: the monitor returns to C without another call, the library makes
    # update 3 and calls the objective at x_3.
    def tracer(frame, event, arg):
        raise KeyboardInterrupt("at entry")

    def callback(k, x, f):
        if k == 2:
            sys.settrace(tracer)
    opt = gdescent.Optimizer("sgd", 2, lr=0.1, max_iter=100)
    try:
        with pytest.raises(KeyboardInterrupt, match="at entry"):
            gdescent.minimize(gdescent.Objective(square, 2), [1.0, 2.0], opt,
                              callback=callback)
    finally:
        sys.settrace(None)
    assert opt.iterations == 3


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="signals reach only the main thread")
def test_a_real_sigint_during_a_run_stops_it():
    # Five runs, each interrupted by SIGINT from another thread after 20 ms of a run
    # of about a second with a Python objective: each must stop early.  (Before
    # callbacks caught exceptions at their entry, about two in three were lost.)
    for trial in range(5):
        opt = gdescent.Optimizer("sgd", 2, lr=1e-4, max_iter=300_000)
        timer = threading.Timer(0.02, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt):
                gdescent.minimize(gdescent.Objective(square, 2), [1.0, 1.0], opt)
        finally:
            timer.join()
        assert opt.iterations < 300_000, trial


@pytest.mark.parametrize("method", ["sgd", "adam", "rprop", "lion"])
def test_update_with_overlapping_x_and_grad_is_the_separate_computation(method):
    a = np.linspace(-2.0, 3.0, 41)
    x_ref, g_ref = a[1:].copy(), a[:-1].copy()
    overlapping = gdescent.Optimizer(method, 40, lr=0.1)
    separate = gdescent.Optimizer(method, 40, lr=0.1)
    for _ in range(3):
        overlapping.update(a[1:], a[:-1])
        separate.update(x_ref, g_ref)
        g_ref = np.concatenate(([a[0]], x_ref[:-1]))  # what a[:-1] now holds
    np.testing.assert_array_equal(a[1:], x_ref)
    # grad the very array x, strided: x goes through a copy, grad must not.
    b = np.arange(20.0)
    expected = b[::2].copy()
    gdescent.Optimizer(method, 10, lr=0.1).update(expected, expected.copy())
    gdescent.Optimizer(method, 10, lr=0.1).update(b[::2], b[::2])
    np.testing.assert_array_equal(b[::2], expected)
    np.testing.assert_array_equal(b[1::2], np.arange(1.0, 20.0, 2))


def test_a_nested_run_of_the_same_optimizer_is_refused_and_the_outer_run_goes_on():
    opt = gdescent.Optimizer("sgd", 2, lr=0.1, max_iter=10)
    f = gdescent.Objective(square, 2)
    seen, errors = [], []

    def callback(k, x, value):
        seen.append(k)
        if k == 2:
            for nested in (lambda: gdescent.minimize(f, x, opt, callback=lambda *a: None),
                           lambda: gdescent.minimize(f, x, opt),
                           lambda: gdescent.step(opt, f, x),
                           lambda: opt.update(x, x),
                           opt.reset):
                try:
                    nested()
                except gdescent.GDError as exc:
                    errors.append(exc)
    r = gdescent.minimize(f, [1.0, 2.0], opt, callback=callback)
    assert r.status_name == "maxiter" and r.iterations == 10
    assert seen == list(range(1, 11))  # the outer callback stayed installed
    assert len(errors) == 5
    for exc in errors:
        assert exc.status == gdescent.EBUSY and "running" in str(exc)
    np.testing.assert_allclose(r.x, np.array([1.0, 2.0]) * 0.8 ** 10, rtol=1e-14)
    # And the optimizer runs again afterwards, with a new callback.
    again = gdescent.minimize(f, r.x, opt, callback=lambda k, x, v: seen.append(-k))
    assert again.iterations == 10 and seen[10:] == [-k for k in range(1, 11)]
