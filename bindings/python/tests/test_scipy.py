"""gdescent.minimize called as scipy.optimize.minimize is: fun, x0, args, method, jac,
callback, options, tol; an OptimizeResult back."""
import numpy as np
import pytest

import gdescent

# Every test twice: with the compiled callbacks and with cffi's (conftest.py).
pytestmark = pytest.mark.usefixtures("callbacks")

optimize = pytest.importorskip("scipy.optimize",
                               reason="SciPy (Debian python3-scipy) not installed")
rosen, rosen_der = optimize.rosen, optimize.rosen_der
X0 = np.array([-1.2, 1.0, 0.8, 1.1])
TORCH_NAMES = ["SGD", "Adam", "AdamW", "NAdam", "RAdam", "Adamax", "Adadelta", "Rprop",
               "ASGD", "RMSprop", "Adagrad", "Lion"]


def reference(method, steps, **params):
    """The same run through the Objective-based call, with the same Python f and g."""
    f = gdescent.Objective(lambda x: (rosen(x), rosen_der(x)), len(X0))
    return gdescent.minimize(f, X0, method.lower(), max_iter=steps, **params)


def test_scipy_calling_conventions_on_rosenbrock():
    ref = reference("adam", 300, lr=0.01)
    calls = [
        dict(jac=rosen_der),
        dict(jac=True, fun=lambda x: (rosen(x), rosen_der(x))),
    ]
    for extra in calls:
        fun = extra.pop("fun", rosen)
        res = gdescent.minimize(fun, X0, method="Adam", options={"maxiter": 300,
                                                                 "lr": 0.01}, **extra)
        np.testing.assert_array_equal(res.x, ref.x)
        assert res.fun == ref.f and res["fun"] == res.fun
        np.testing.assert_array_equal(res.jac, rosen_der(res.x))
        assert (res.nit, res.nfev, res.njev) == (300, 301, 301)
    # All by keyword, as scipy.optimize.minimize documents them.
    by_keyword = gdescent.minimize(fun=rosen, x0=list(X0), args=(), method="adam",
                                   jac=rosen_der, callback=None,
                                   options={"maxiter": 300, "lr": 0.01, "disp": False})
    np.testing.assert_array_equal(by_keyword.x, ref.x)
    # args are passed on to fun and jac.
    scaled = gdescent.minimize(lambda x, a, b: a * rosen(x) + b, X0, args=(2.0, 7.0),
                               method="Adam", jac=lambda x, a, b: a * rosen_der(x),
                               options={"maxiter": 50, "lr": 0.01})
    f2 = gdescent.Objective(lambda x: (2.0 * rosen(x) + 7.0, 2.0 * rosen_der(x)), 4)
    np.testing.assert_array_equal(
        scaled.x, gdescent.minimize(f2, X0, "adam", lr=0.01, max_iter=50).x)
    single = gdescent.minimize(lambda x, a: a * x @ x, [1.0], args=3.0, method="sgd",
                               jac=lambda x, a: 2 * a * x, options={"maxiter": 1})
    np.testing.assert_allclose(single.x, [1.0 - 0.01 * 6.0], rtol=1e-15)


def test_result_has_scipys_fields_and_says_why_it_stopped():
    theirs = optimize.minimize(rosen, X0, method="BFGS", jac=rosen_der,
                               options={"maxiter": 3})
    ours = gdescent.minimize(rosen, X0, method="Adam", jac=rosen_der,
                             options={"maxiter": 3})
    assert isinstance(ours, dict) and isinstance(ours, gdescent.OptimizeResult)
    assert set(theirs) - {"hess_inv"} <= set(ours)
    assert (theirs.success, theirs.status) == (ours.success, ours.status) == (False, 1)
    assert ours.message == theirs.message  # "Maximum number of iterations ..."
    assert isinstance(ours.nit, int) and isinstance(ours.nfev, int)
    assert isinstance(ours.success, bool) and ours.x.shape == ours.jac.shape == (4,)
    assert "message" in repr(ours) and ours.stop == "maxiter"
    with pytest.raises(AttributeError):
        ours.hess_inv
    converged = gdescent.minimize(lambda x: (x @ x, 2 * x), [3.0, -4.0], method="SGD",
                                  jac=True, tol=1e-8, options={"lr": 0.1})
    assert converged.success is True and converged.status == 0
    assert "gtol" in converged.message and np.linalg.norm(converged.jac) <= 1e-8
    with np.errstate(over="ignore"):
        diverged = gdescent.minimize(lambda x: np.exp(x[0]), [700.0], method="sgd",
                                     jac=np.exp, options={"lr": 1.0, "maximize": True})
    assert (diverged.success, diverged.status, diverged.stop) == (False, 3, "diverged")
    assert np.isfinite(diverged.x).all()


@pytest.mark.parametrize("name", TORCH_NAMES)
def test_torch_class_names_and_any_case(name):
    for spelling in (name, name.lower(), name.upper()):
        res = gdescent.minimize(rosen, X0, method=spelling, jac=rosen_der,
                                options={"maxiter": 5})
        np.testing.assert_array_equal(res.x, reference(name, 5).x)
    assert gdescent.Optimizer(name, 2).method == name.lower()


def test_options_take_torch_pairs_and_the_methods_parameters():
    res = gdescent.minimize(rosen, X0, method="Adam", jac=rosen_der,
                            options={"maxiter": 20, "lr": 0.02, "betas": (0.8, 0.99),
                                     "weight_decay": 0.1, "amsgrad": True})
    ref = reference("adam", 20, lr=0.02, beta1=0.8, beta2=0.99, weight_decay=0.1,
                    amsgrad=True)
    np.testing.assert_array_equal(res.x, ref.x)
    opt = gdescent.Optimizer("Rprop", 2, etas=(0.4, 1.5), step_sizes=(1e-5, 10.0))
    assert [opt.get(k) for k in ("eta_minus", "eta_plus", "step_min", "step_max")] == [
        0.4, 1.5, 1e-5, 10.0]
    # An Optimizer as method: its state carries over, as in the Objective-based call.
    opt = gdescent.Optimizer("adam", 4, lr=0.01)
    first = gdescent.minimize(rosen, X0, method=opt, jac=rosen_der,
                              options={"maxiter": 5})
    second = gdescent.minimize(rosen, first.x, method=opt, jac=rosen_der)
    np.testing.assert_array_equal(second.x, reference("adam", 10, lr=0.01).x)


def test_callbacks_get_copies_and_stop_with_stop_iteration():
    seen = []

    def callback(xk):
        seen.append(xk)
        if len(seen) == 4:
            raise StopIteration
    res = gdescent.minimize(rosen, X0, method="Adam", jac=rosen_der, callback=callback,
                            options={"maxiter": 100})
    assert (res.nit, res.status, res.success) == (4, 99, False)
    assert res.message == "`callback` raised `StopIteration`."
    np.testing.assert_array_equal(seen[-1], res.x)
    assert len({id(x) for x in seen}) == 4 and not np.shares_memory(seen[0], seen[1])
    results = []
    gdescent.minimize(rosen, X0, method="adam", jac=rosen_der, options={"maxiter": 3},
                      callback=lambda intermediate_result: results.append(
                          intermediate_result))
    assert [r.nit for r in results] == [1, 2, 3]
    assert results[-1].fun == rosen(results[-1].x)


def test_unsupported_scipy_arguments_are_clear_type_errors():
    with pytest.raises(TypeError, match="bounds"):
        gdescent.minimize(rosen, X0, method="adam", jac=rosen_der, bounds=[(0, 1)] * 4)
    with pytest.raises(TypeError, match="constraints"):
        gdescent.minimize(rosen, X0, method="adam", jac=rosen_der,
                          constraints=({"type": "eq", "fun": lambda x: x[0]},))
    with pytest.raises(TypeError, match="hess"):
        gdescent.minimize(rosen, X0, method="adam", jac=rosen_der,
                          hess=optimize.rosen_hess)
    for jac in (None, "2-point", False):
        with pytest.raises(TypeError, match="gradient"):
            gdescent.minimize(rosen, X0, method="adam", jac=jac)
    with pytest.raises(ValueError, match="Newton-CG"):
        gdescent.minimize(rosen, X0, method="Newton-CG", jac=rosen_der)
    with pytest.raises(ValueError, match="one dimension"):
        gdescent.minimize(rosen, np.ones((2, 2)), method="adam", jac=rosen_der)
    with pytest.raises(TypeError, match="jac=True"):
        gdescent.minimize(rosen, X0, method="adam", jac=True)
    # SciPy's defaults are accepted.
    gdescent.minimize(rosen, X0, method="adam", jac=rosen_der, bounds=None,
                      constraints=(), hess=None, options={"maxiter": 1})
