"""Float32 optimizers (Optimizer(..., dtype=np.float32)): their arrays, their refusals,
their state and pickles, and their results against torch.optim on float32 tensors."""
import pickle

import numpy as np
import pytest

import gdescent
from gdescent import Optimizer

N = 11


def start():
    return (np.arange(N, dtype=np.float32) - 5) / np.float32(4)


def gradient(x, step):
    noise = ((np.arange(N) * 7 + step * 13) % 29 - 14).astype(np.float32) / np.float32(1024)
    return np.float32(0.5) * x + noise


def run(opt, x, steps, first=0):
    for step in range(first, first + steps):
        opt.update(x, gradient(x, step))
    return x


def test_float32_arrays_are_updated_in_place():
    opt = Optimizer("Adam", N, dtype=np.float32, lr=0.01)
    x = start()
    before = x.copy()
    run(opt, x, 3)
    assert x.dtype == np.float32 and not np.array_equal(x, before)
    assert opt.dtype == np.float32
    assert opt.state("exp_avg").dtype == np.float32
    assert opt.state("step") == 3.0


def test_mismatched_dtypes_are_type_errors():
    single, wide = Optimizer("sgd", N, dtype="float32"), Optimizer("sgd", N)
    x32, x64 = start(), start().astype(np.float64)
    with pytest.raises(TypeError, match="float32"):
        single.update(x64, x64)
    with pytest.raises(TypeError, match="grad must have dtype float32"):
        single.update(x32, x64)
    with pytest.raises(TypeError, match="float64"):
        wide.update(x32, x32)
    with pytest.raises(TypeError, match="dtype must be float64 or float32"):
        Optimizer("sgd", N, dtype=np.float16)
    with pytest.raises(TypeError, match="dtype must be float64 or float32"):
        Optimizer("sgd", N, dtype="not a dtype")
    assert np.array_equal(x32, start()) and single.iterations == 0


def test_lbfgs_and_objective_runs_are_refused():
    with pytest.raises(ValueError, match="L-BFGS has no float32"):
        Optimizer("lbfgs", N, dtype=np.float32)
    opt = Optimizer("adam", N, dtype=np.float32)
    objective = gdescent.quadratic(N)
    with pytest.raises(TypeError, match="only through update"):
        gdescent.step(opt, objective, np.zeros(N))
    with pytest.raises(TypeError, match="only through update"):
        gdescent.minimize(objective, np.zeros(N), opt)


def test_overlapping_float32_views_update_from_the_gradient_at_the_call():
    a = np.linspace(-1, 1, N + 1, dtype=np.float32)
    expected = a[1:].copy()
    Optimizer("sgd", N, dtype=np.float32, lr=0.5).update(expected, a[:-1].copy())
    Optimizer("sgd", N, dtype=np.float32, lr=0.5).update(a[1:], a[:-1])
    assert np.array_equal(a[1:], expected)


def test_pickle_keeps_the_precision_and_continues_bit_for_bit():
    opt = Optimizer("nadam", N, dtype=np.float32, lr=0.01)
    x = run(opt, start(), 4)
    copy = pickle.loads(pickle.dumps(opt))
    assert copy.dtype == np.float32
    y = x.copy()
    run(opt, x, 4, first=4)
    run(copy, y, 4, first=4)
    assert np.array_equal(x, y)
    with pytest.raises(gdescent.GDError):
        Optimizer("nadam", N).load_state_dict(opt.state_dict())


@pytest.mark.parametrize("method", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_agrees_with_torch_float32(method):
    torch = pytest.importorskip("torch")
    params = {"lr": 0.01, **({"momentum": 0.9} if method in ("SGD", "RMSprop") else {})}
    opt = Optimizer(method, N, dtype=np.float32, **params)
    tx = torch.tensor(start(), dtype=torch.float32, requires_grad=True)
    topt = getattr(torch.optim, method)([tx], **params)
    x = start()
    for step in range(20):
        g = gradient(x, step)
        opt.update(x, g)
        tx.grad = torch.tensor(gradient(tx.detach().numpy(), step))
        topt.step()
    # torch's vectorized kernels fuse multiply-adds that the scalar path (the goldens
    # of tests/test_exact.c, bit for bit) rounds twice: a few float ulps apart.
    np.testing.assert_allclose(x, tx.detach().numpy(), rtol=1e-5, atol=1e-6)
