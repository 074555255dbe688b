"""The compiled callbacks of gdescent/_callbacks.c: used when built, the same results
and errors as the cffi callbacks for anything fun returns (each test runs with both,
through the fixture `callbacks`), no reference kept or lost, safe across threads."""
import fractions
import gc
import os
import sys
import threading
import weakref

import numpy as np
import pytest

import gdescent
from gdescent._native import ffi

from conftest import COMPILED_PATH


def test_the_compiled_callbacks_are_used_when_built():
    if not COMPILED_PATH:
        pytest.skip("GDESCENT_CALLBACKS is not set: the module was not built")
    assert gdescent._compiled is not None
    assert os.path.samefile(gdescent._compiled.__file__, COMPILED_PATH)
    objective = gdescent.Objective(lambda x: (float(x @ x), 2 * x), 2)
    assert isinstance(objective._state, gdescent._compiled.Plain)
    # Objectives of finite sums keep their cffi callbacks.
    summed = gdescent.Objective(lambda x, idx: (0.0, x), 2, terms=3)
    assert not isinstance(summed._state, gdescent._compiled.Plain)


VALUES = [0.5, np.float64(0.5), np.float32(0.5), fractions.Fraction(1, 2), "0.5",
          np.array(0.5)]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("container", [tuple, list])
def test_any_value_float_takes_in_a_tuple_or_a_list(callbacks, value, container):
    grad = np.array([1.0, -2.0])
    objective = gdescent.Objective(lambda x: container((value, grad)), 2)
    x = np.zeros(2)
    assert gdescent.step(gdescent.Optimizer("sgd", 2, lr=1.0), objective, x) == 0.5
    np.testing.assert_array_equal(x, -grad)
    f, g = objective(np.zeros(2))
    assert f == 0.5 and type(f) is float
    np.testing.assert_array_equal(g, grad)


@pytest.mark.parametrize("result, error, match", [
    ((0.5, np.zeros(2), 1), ValueError, "too many values"),
    ((0.5,), ValueError, "not enough values"),
    (None, TypeError, "cannot unpack"),
    (("half", np.zeros(2)), ValueError, "could not convert"),
    ((None, np.zeros(2)), TypeError, "float"),
    ((0.5, None), TypeError, "real numbers"),
    ((0.5, np.zeros(3)), ValueError, r"shape \(2,\)"),
    ((0.5, np.zeros(2, dtype=complex)), TypeError, "real numbers"),
])
def test_a_malformed_result_raises_what_the_cffi_callbacks_raise(callbacks, result,
                                                                 error, match):
    objective = gdescent.Objective(lambda x: result, 2)
    with pytest.raises(error, match=match):
        objective(np.zeros(2))
    with pytest.raises(error, match=match):
        gdescent.minimize(objective, [1.0, 1.0], "sgd", max_iter=3)
    with pytest.raises(error, match=match):
        gdescent.step(gdescent.Optimizer("sgd", 2), objective, np.zeros(2))


def test_a_value_only_evaluation_ignores_the_gradient(callbacks):
    # The library asks for f alone with grad NULL: fun's gradient is not read, so a
    # malformed one does not matter.
    objective = gdescent.Objective(lambda x: (float(x @ x), "not a gradient"), 2)
    f = ffi.new("double *")
    x = ffi.new("double[]", [1.0, 2.0])
    lib = gdescent.load_library()
    assert lib.gd_objective_eval(objective._handle, x, f, ffi.NULL) == gdescent.OK
    assert f[0] == 5.0
    objective._raise_pending()


class Kept(Exception):
    pass


@pytest.mark.skipif(not hasattr(sys, "getrefcount"), reason="CPython's reference counts")
def test_no_reference_is_kept_or_lost(callbacks):
    grad, value = np.array([1.0, 2.0]), 0.25

    def fun(x):
        return value, grad
    objective = gdescent.Objective(fun, 2)
    opt = gdescent.Optimizer("sgd", 2, lr=1e-3)
    x = np.zeros(2)
    gdescent.step(opt, objective, x)
    before = [sys.getrefcount(o) for o in (fun, grad, value)]
    for _ in range(1000):
        gdescent.step(opt, objective, x)
    gdescent.minimize(objective, x, opt, max_iter=1000)
    assert [sys.getrefcount(o) for o in (fun, grad, value)] == before
    # A kept exception is released once it is raised and dropped.
    kept = []

    def failing(x):
        error = Kept("kept")
        kept.append(weakref.ref(error))
        raise error
    failing_objective = gdescent.Objective(failing, 2)
    for _ in range(3):
        with pytest.raises(Kept, match="kept"):
            gdescent.step(opt, failing_objective, x)
    gc.collect()
    assert len(kept) == 3 and all(ref() is None for ref in kept)
    assert failing_objective._state.error is None


def test_an_objective_in_a_reference_cycle_is_collected(callbacks):
    # fun refers to its own Objective: the state, which holds fun, is in the cycle.
    holder = {}

    def fun(x):
        assert holder["objective"].n == 2
        return float(x @ x), 2 * x
    holder["objective"] = gdescent.Objective(fun, 2)
    gdescent.minimize(holder["objective"], [1.0, 1.0], "sgd", max_iter=3)
    state = weakref.ref(holder["objective"]._state)
    del holder["objective"], fun
    gc.collect()
    assert state() is None


def test_optimizers_in_threads_give_the_sequential_results(callbacks):
    center = np.arange(1.0, 9.0)

    def run(seed):
        shift = center * seed

        def fun(x):
            d = x - shift
            return float(d @ d), 2 * d
        return gdescent.minimize(gdescent.Objective(fun, 8), np.zeros(8), "adam",
                                 lr=0.05, max_iter=2000, gtol=0.0).x
    want = [run(seed) for seed in range(4)]
    got = [None] * 4

    def worker(seed):
        got[seed] = run(seed)
    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


def test_the_error_attribute_holds_an_exception_or_none():
    if gdescent._compiled is None:
        pytest.skip("gdescent._callbacks is not built")
    objective = gdescent.Objective(lambda x: (0.0, x), 2)
    with pytest.raises(TypeError, match="set it to None"):
        del objective._state.error
    with pytest.raises(ValueError, match="at least 1"):
        gdescent._compiled.Plain(lambda x: x, 0, np.empty, lambda r, n: r)
    # The library holds the state's address with its n: a second __init__ would make
    # the callback read past x.
    with pytest.raises(TypeError, match="initialized once"):
        objective._state.__init__(lambda x: (0.0, x), 10**6, np.empty, lambda r, n: r)
    assert objective._state.n == 2
    assert objective(np.ones(2))[0] == 0.0
    # A state the library was not given for this objective is refused, not read.
    other = gdescent.Objective(lambda x: (0.0, x), 3)
    f = ffi.new("double *")
    x = ffi.new("double[]", 2)
    lib = gdescent.load_library()
    raw = lib.gd_objective_new(2, ffi.cast("gd_fdf_fn", gdescent._compiled.PLAIN),
                               ffi.cast("void *", other._state.address))
    try:
        assert lib.gd_objective_eval(raw, x, f, ffi.NULL) == gdescent.ECALLBACK
    finally:
        lib.gd_objective_free(raw)
    with pytest.raises(RuntimeError, match="does not match"):
        other._raise_pending()
