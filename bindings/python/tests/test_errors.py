"""Bad input becomes a clear exception; a failing callback stops the run, its exception
reaches the caller, and every object stays usable."""
import os
import subprocess
import sys
import traceback

import numpy as np
import pytest

import gdescent

# Every test twice: with the compiled callbacks and with cffi's (conftest.py).
pytestmark = pytest.mark.usefixtures("callbacks")


class Boom(Exception):
    pass


def exploding_after(calls):
    count = {"n": 0}

    def fun(x):
        count["n"] += 1
        if count["n"] > calls:
            raise Boom(f"call {count['n']}")
        return float(x @ x), 2 * x
    return fun


def test_exception_in_objective_is_raised_with_its_traceback():
    f = gdescent.Objective(exploding_after(5), 2)
    with pytest.raises(Boom, match="call 6") as info:
        gdescent.minimize(f, [1.0, 2.0], "sgd", lr=0.1, max_iter=100)
    frames = [frame.name for frame in traceback.extract_tb(info.value.__traceback__)]
    assert "fun" in frames  # the frame that raised is kept
    with pytest.raises(Boom):
        f([1.0, 2.0])
    with pytest.raises(Boom):
        gdescent.step(gdescent.Optimizer("sgd", 2), f, np.ones(2))


def test_objective_usable_after_a_callback_error():
    state = {"fail": True}

    def fun(x):
        if state["fail"]:
            raise ValueError("not now")
        return float(x @ x), 2 * x
    f = gdescent.Objective(fun, 2)
    with pytest.raises(ValueError):
        gdescent.minimize(f, [1.0, 1.0])
    state["fail"] = False
    r = gdescent.minimize(f, [1.0, 1.0], "sgd", lr=0.25, max_iter=3)
    np.testing.assert_allclose(r.x, [0.125, 0.125], rtol=1e-15)


def test_bad_gradient_from_callback_is_reported():
    f = gdescent.Objective(lambda x: (0.0, np.zeros(3)), 2)
    with pytest.raises(ValueError, match="shape"):
        gdescent.minimize(f, [1.0, 1.0])
    g = gdescent.Objective(lambda x: (0.0, ["a", "b"]), 2)
    with pytest.raises(TypeError):
        g([1.0, 1.0])


def test_exception_in_monitor_stops_the_run():
    def monitor(k, x, f):
        if k == 3:
            raise Boom("monitor")
        return False
    opt = gdescent.Optimizer("sgd", 1, lr=0.1)
    with pytest.raises(Boom, match="monitor"):
        gdescent.minimize(gdescent.quadratic(1), [1.0], opt, callback=monitor)
    assert opt.iterations == 3
    r = gdescent.minimize(gdescent.quadratic(1), [1.0], opt,
                          callback=lambda k, x, f: k == 4)
    assert r.status_name == "user" and r.iterations == 4


def test_divergence_raises_with_last_finite_iterate():
    # Ascending exp(x) from 700 overflows to inf within a few steps.
    f = gdescent.Objective(lambda x: (float(np.exp(x[0])), np.exp(x)), 1)
    with np.errstate(over="ignore"), pytest.raises(gdescent.GDError) as info:
        gdescent.minimize(f, [700.0], "sgd", lr=1.0, maximize=True, max_iter=100)
    assert info.value.status == gdescent.EDIVERGED
    assert np.isfinite(info.value.x).all()


def test_bad_parameters():
    with pytest.raises(ValueError, match="unknown method"):
        gdescent.Optimizer("l-bfgs", 2)
    with pytest.raises(gdescent.GDError) as info:
        gdescent.Optimizer("sgd", 2, lr=-1.0)
    assert info.value.status == gdescent.EINVAL
    opt = gdescent.Optimizer("sgd", 2, lr=0.5)
    with pytest.raises(gdescent.GDError):
        opt.set(momentum=1.0)
    with pytest.raises(gdescent.GDError):
        opt.set(beta1=0.9)  # not an SGD parameter
    with pytest.raises(gdescent.GDError):
        opt.get("learning_rate")
    assert opt.get("lr") == 0.5 and opt.get("momentum") == 0.0
    for bad_n in (0, -3):
        with pytest.raises(ValueError):
            gdescent.Optimizer("adam", bad_n)
    with pytest.raises(TypeError):
        gdescent.Optimizer("adam", 2.5)
    with pytest.raises(TypeError):
        gdescent.Objective(42, 2)


def test_wrong_dtypes_and_shapes():
    opt = gdescent.Optimizer("sgd", 3, lr=0.1)
    with pytest.raises(TypeError, match="numpy.ndarray"):
        opt.update([1.0, 2.0, 3.0], [1, 1, 1])
    with pytest.raises(TypeError, match="float64"):
        opt.update(np.ones(3, dtype=np.float32), np.ones(3))
    with pytest.raises(TypeError, match="float64"):
        opt.update(np.ones(3, dtype=np.int64), np.ones(3))
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        opt.update(np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        opt.update(np.ones((3, 1)), np.ones(3))
    with pytest.raises(ValueError, match="grad"):
        opt.update(np.ones(3), np.ones(2))
    with pytest.raises(TypeError, match="real numbers"):
        opt.update(np.ones(3), np.array(["a", "b", "c"]))
    with pytest.raises(TypeError, match="real numbers"):
        opt.update(np.ones(3), np.ones(3) * 1j)
    frozen = np.ones(3)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        opt.update(frozen, np.ones(3))
    assert opt.iterations == 0  # nothing was applied
    with pytest.raises(ValueError):
        gdescent.least_squares(np.ones((3, 2)), np.ones(4))
    with pytest.raises(ValueError):
        gdescent.least_squares(np.ones(3), np.ones(3))
    with pytest.raises(ValueError):
        gdescent.geometric_median(np.ones((0, 2)))
    with pytest.raises(ValueError):
        gdescent.geometric_median([[0.0, np.nan]])  # refused by the C library
    with pytest.raises(ValueError):
        gdescent.minimize(gdescent.quadratic(2), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="n = 3"):
        gdescent.minimize(gdescent.quadratic(2), [1.0, 2.0], opt)
    with pytest.raises(ValueError):
        gdescent.Trajectory(2).x


def test_missing_library_is_a_clear_import_error(tmp_path):
    package_dir = os.path.dirname(os.path.dirname(gdescent.__file__))
    env = dict(os.environ, GDESCENT_LIBRARY=str(tmp_path / "libgdescent.so.1"),
               PYTHONPATH=package_dir)
    code = "import gdescent\ntry:\n    gdescent.version()\nexcept ImportError as e:\n" \
           "    print('ImportError', e)\n"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert out.startswith("ImportError cannot load") and "GDESCENT_LIBRARY" in out


def rss_mib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_handles_are_freed():
    # 300 Adam optimizers of 2^17 doubles hold 2 * 1 MiB of state each: 600 MiB if
    # they were never freed.  Objectives with callbacks and trajectories as well.
    def churn():
        for _ in range(300):
            opt = gdescent.Optimizer("adam", 1 << 17)
            opt.update(np.zeros(1 << 17), np.ones(1 << 17))
            f = gdescent.Objective(lambda x: (0.0, x), 2)
            traj = gdescent.Trajectory(2, record_x=True)
            gdescent.minimize(f, [1.0, 1.0], "sgd", max_iter=50, trajectory=traj)
    churn()
    before = rss_mib()
    churn()
    assert rss_mib() - before < 50


def test_params_lists_the_methods_keys_with_torch_defaults():
    adam = gdescent.Optimizer("adam", 2, lr=0.01, amsgrad=True).params()
    assert list(adam) == ["lr", "weight_decay", "beta1", "beta2", "eps", "amsgrad",
                          "maximize", "max_iter", "gtol", "ftol", "xtol", "max_eval",
                          "schedule_every", "clip_norm", "clip_value",
                          "batch_size", "shuffle", "seed"]
    assert (adam["lr"], adam["beta1"], adam["beta2"], adam["eps"]) == (0.01, 0.9, 0.999, 1e-8)
    assert adam["amsgrad"] == 1.0 and adam["max_iter"] == 1000.0
    adagrad = gdescent.Optimizer("adagrad", 2).params()
    assert adagrad["eps"] == 1e-10 and adagrad["lr_decay"] == 0.0 and "beta1" not in adagrad
    # Every listed name is accepted back.
    gdescent.Optimizer("adagrad", 2).set(**adagrad)
