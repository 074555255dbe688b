"""Parameter ranges and gradient clipping from Python, against torch's parameter
groups and torch.nn.utils's clipping on the same gradients."""
import numpy as np
import pytest
import torch

import gdescent

torch.set_default_dtype(torch.float64)


def gradients(x, step):
    return 0.5 * x + 0.01 * np.sin(np.arange(x.size) + 3.0 * step)


def torch_run(groups, n, steps, clip_norm=0.0):
    x0 = np.linspace(-1.0, 1.0, n)
    parts = [torch.tensor(x0[a:b], requires_grad=True) for a, b, _ in groups]
    opt = torch.optim.Adam([{"params": [p], **kw} for p, (_, _, kw) in zip(parts, groups)])
    for step in range(steps):
        x = np.concatenate([p.detach().numpy() for p in parts])
        g = gradients(x, step)
        for p, (a, b, _) in zip(parts, groups):
            p.grad = torch.tensor(g[a:b])
        if clip_norm:
            torch.nn.utils.clip_grad_norm_(parts, clip_norm)
        opt.step()
    return np.concatenate([p.detach().numpy() for p in parts])


def libgd_run(n, steps, setup):
    opt = gdescent.Optimizer("adam", n)
    setup(opt)
    x = np.linspace(-1.0, 1.0, n)
    for step in range(steps):
        opt.update(x, gradients(x, step))
    return x


def test_ranges_are_torchs_param_groups():
    n = 40
    groups = [(0, 30, {"lr": 0.01, "weight_decay": 0.1}),
              (30, 40, {"lr": 0.05, "betas": (0.5, 0.99), "weight_decay": 0.0})]
    expected = torch_run(groups, n, 25)

    def setup(opt):
        opt.set(lr=0.01, weight_decay=0.1)
        opt.set_range(30, 10, lr=0.05, betas=(0.5, 0.99), weight_decay=0.0)
        assert opt.get_range(35, "beta1") == 0.5 and opt.get_range(0, "beta1") == 0.9

    # torch's scalar path may fuse multiply-adds where libgd does not: within 1e-12.
    np.testing.assert_allclose(libgd_run(n, 25, setup), expected, rtol=1e-12, atol=0)


def test_clip_norm_is_torchs():
    n = 40
    expected = torch_run([(0, n, {"lr": 0.01})], n, 25, clip_norm=0.05)
    got = libgd_run(n, 25, lambda opt: opt.set(lr=0.01, clip_norm=0.05))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


def test_range_refusals():
    opt = gdescent.Optimizer("sgd", 5)
    with pytest.raises(gdescent.GDError):
        opt.set_range(3, 3, lr=0.1)
    with pytest.raises(gdescent.GDError):
        opt.set_range(0, 2, max_iter=3)
    with pytest.raises(gdescent.GDError):
        opt.set_range(-1, 2, lr=0.1)
    with pytest.raises(gdescent.GDError):
        opt.get_range(5, "lr")
    assert [opt.get_range(i, "lr") for i in range(5)] == [0.01] * 5
