"""Runs through gdescent against torch.optim (skipped when torch is not importable)."""
import numpy as np
import pytest

import gdescent

torch = pytest.importorskip("torch", reason="PyTorch (Debian python3-torch) not installed")


def rosenbrock_grad(x):
    g = np.zeros_like(x)
    g[:-1] = -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    g[1:] += 200 * (x[1:] - x[:-1] ** 2)
    return g


@pytest.mark.parametrize("name,kwargs,ours", [
    ("Adam", dict(lr=0.01), dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True),
     dict(lr=0.01, beta1=0.8, beta2=0.99, weight_decay=0.1, amsgrad=True)),
    ("SGD", dict(lr=1e-4, momentum=0.9, nesterov=True),
     dict(lr=1e-4, momentum=0.9, nesterov=True)),
])
def test_matches_torch_optim_on_rosenbrock(name, kwargs, ours):
    x0 = np.array([-1.2, 1.0, 0.5, -0.3])
    p = torch.tensor(x0.copy(), dtype=torch.float64, requires_grad=True)
    reference = getattr(torch.optim, name)([p], **kwargs)
    opt = gdescent.Optimizer(name.lower(), 4, **ours)
    f = gdescent.rosenbrock(4)
    x = x0.copy()
    for _ in range(300):
        reference.zero_grad()
        loss = sum(100 * (p[1:] - p[:-1] ** 2) ** 2 + (1 - p[:-1]) ** 2)
        loss.backward()
        reference.step()
        value = gdescent.step(opt, f, x)
        assert value == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(x, p.detach().numpy(), rtol=1e-12, atol=0)
    np.testing.assert_allclose(f(x)[1], rosenbrock_grad(x), rtol=1e-12)


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
def test_lbfgs_matches_torch_optim_lbfgs(line_search):
    """Two minimize() calls of max_iter 15 are two LBFGS.step(closure) calls: the same
    iterate to 1e-8 (torch's dot products sum in its BLAS's order) and the same counts."""
    x0 = np.array([-1.2, 1.0, -1.2, 1.0])
    p = torch.tensor(x0.copy(), dtype=torch.float64, requires_grad=True)
    reference = torch.optim.LBFGS([p], lr=1.0 if line_search else 0.05, max_iter=15,
                                  history_size=5, line_search_fn=line_search)

    def closure():
        reference.zero_grad()
        loss = sum(100 * (p[1:] - p[:-1] ** 2) ** 2 + (1 - p[:-1]) ** 2)
        loss.backward()
        return loss

    opt = gdescent.Optimizer("L-BFGS", 4, lr=1.0 if line_search else 0.05, max_iter=15,
                             history_size=5, line_search=1 if line_search else 0)
    assert opt.method == "lbfgs"
    x, f = x0.copy(), gdescent.rosenbrock(4)
    for _ in range(2):
        reference.step(closure)
        result = gdescent.minimize(f, x, opt)
        x = result.x
        state = reference.state[p]
        assert opt.iterations == state["n_iter"] and opt.evaluations == state["func_evals"]
        np.testing.assert_allclose(x, p.detach().numpy(), rtol=1e-8, atol=0)
