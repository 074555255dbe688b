"""gdescent.lr_scheduler against torch 1.13's torch.optim.lr_scheduler: every class
constructed and stepped as a torch script does it, on two groups (set_range) of
different base rates, the rates compared with ==; and a training script run with
torch and with gdescent on the same gradients."""
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import gdescent
from gdescent import Optimizer
from gdescent import lr_scheduler as ours

torch = pytest.importorskip("torch")
torch.set_default_dtype(torch.float64)
theirs = torch.optim.lr_scheduler
# torch's default (not vectorized) CPU kernels, which round as the library does: set
# by test_training_script_bit_for_bit for the run of the training script it makes.
EXACT = os.environ.get("ATEN_CPU_CAPABILITY") == "default"

N, HALF = 4, 2
LR, LR2 = 0.1, 0.03


def pair(method="sgd", **params):
    opt = Optimizer(method, N, lr=LR, **params).set_range(HALF, N - HALF, lr=LR2)
    groups = [{"params": [torch.zeros(HALF, requires_grad=True)]},
              {"params": [torch.zeros(N - HALF, requires_grad=True)], "lr": LR2}]
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[method]
    return opt, cls(groups, lr=LR, **params)


def torch_rates(topt, key="lr"):
    if key == "beta1":
        return [g["betas"][0] for g in topt.param_groups]
    return [g[key] for g in topt.param_groups]


def our_rates(opt, key="lr"):
    return [opt.get_range(first, key) for first, _ in opt.groups()]


def compare(opt, topt, mine, reference, steps, metrics=None, keys=("lr",)):
    """Steps both sides as a torch script does (each scheduler once per epoch, in
    construction order) and compares after construction and every step."""
    for key in keys:
        assert our_rates(opt, key) == torch_rates(topt, key), (key, 0)
    assert mine[-1].get_last_lr() == torch_rates(topt)
    for k in range(steps):
        topt.step()
        for a, b in zip(mine, reference):
            if metrics is None:
                a.step()
                b.step()
            else:
                a.step(metrics[k])
                b.step(metrics[k])
        for key in keys:
            assert our_rates(opt, key) == torch_rates(topt, key), (key, k + 1)
        assert mine[-1].get_last_lr() == torch_rates(topt), k + 1
        for a, b in zip(mine, reference):
            if hasattr(b, "last_epoch"):  # torch's ChainedScheduler has none
                assert a.last_epoch == b.last_epoch, k + 1


CASES = [
    ("StepLR", dict(step_size=3, gamma=0.7), {}),
    ("MultiStepLR", dict(milestones=[2, 5, 6], gamma=0.5), {}),
    ("ExponentialLR", dict(gamma=0.9), {}),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001), dict(momentum=0.9)),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2, eta_min=0.002), {}),
    ("LinearLR", dict(start_factor=0.25, total_iters=4), {}),
    ("ConstantLR", dict(factor=0.5, total_iters=3), {}),
    ("PolynomialLR", dict(total_iters=6, power=2.0), {}),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.2, step_size_up=3, mode="triangular2"),
     dict(momentum=0.9)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.2, step_size_up=2, step_size_down=3,
                      mode="exp_range", gamma=0.9, cycle_momentum=False), {}),
    ("LambdaLR", dict(lr_lambda=lambda e: 0.9 ** e + 1 / (e + 3)), {}),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.95), {}),
]


@pytest.mark.parametrize("name,kwargs,params", CASES, ids=[c[0] for c in CASES])
def test_each_class_as_torch(name, kwargs, params):
    opt, topt = pair(**params)
    mine = getattr(ours, name)(opt, **kwargs)
    reference = getattr(theirs, name)(topt, **kwargs)
    keys = ("lr", "momentum") if "momentum" in params else ("lr",)
    compare(opt, topt, [mine], [reference], 15, keys=keys)


def test_one_cycle_cycles_adam_beta1():
    opt, topt = pair("adam")
    mine = ours.OneCycleLR(opt, max_lr=0.5, epochs=3, steps_per_epoch=4, pct_start=0.25,
                           anneal_strategy="linear", three_phase=True)
    reference = theirs.OneCycleLR(topt, max_lr=0.5, epochs=3, steps_per_epoch=4,
                                  pct_start=0.25, anneal_strategy="linear",
                                  three_phase=True)
    compare(opt, topt, [mine], [reference], 12, keys=("lr", "beta1"))
    with pytest.raises(gdescent.GDError, match="total_steps"):
        mine.step()
    assert mine.last_epoch == 12  # the refused step is not counted


def test_reduce_on_plateau():
    metrics = [5.0, 4.0, 4.0, 4.1, 3.99, 4.0, 4.0, 4.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0]
    opt, topt = pair()
    kwargs = dict(mode="min", factor=0.5, patience=1, threshold=0.01,
                  threshold_mode="abs", cooldown=1, min_lr=0.005)
    mine = ours.ReduceLROnPlateau(opt, **kwargs)
    reference = theirs.ReduceLROnPlateau(topt, **kwargs)
    compare(opt, topt, [mine], [reference], len(metrics), metrics=metrics)
    assert our_rates(opt) != [LR, LR2]


def test_two_schedulers_step_in_rounds():
    opt, topt = pair(momentum=0.5)
    mine = [ours.MultiplicativeLR(opt, lr_lambda=lambda e: 0.95),
            ours.StepLR(opt, step_size=2, gamma=0.5)]
    reference = [theirs.MultiplicativeLR(topt, lr_lambda=lambda e: 0.95),
                 theirs.StepLR(topt, step_size=2, gamma=0.5)]
    compare(opt, topt, mine, reference, 9)
    mine[0].step()
    with pytest.raises(RuntimeError, match="twice in one round"):
        mine[0].step()
    assert mine[0].last_epoch == 10 and mine[1].last_epoch == 9


# torch's SequentialLR restarts its children with the deprecated step(0).
@pytest.mark.filterwarnings("ignore:The epoch parameter")
def test_sequential_takes_schedulers_constructed_on_the_optimizer():
    opt, topt = pair()
    mine = ours.SequentialLR(opt, schedulers=[
        ours.LinearLR(opt, start_factor=0.25, total_iters=3),
        ours.ExponentialLR(opt, gamma=0.8),
        ours.MultiStepLR(opt, milestones=[2, 4], gamma=0.5)], milestones=[3, 7])
    reference = theirs.SequentialLR(topt, schedulers=[
        theirs.LinearLR(topt, start_factor=0.25, total_iters=3),
        theirs.ExponentialLR(topt, gamma=0.8),
        theirs.MultiStepLR(topt, milestones=[2, 4], gamma=0.5)], milestones=[3, 7])
    compare(opt, topt, [mine], [reference], 14)
    with pytest.raises(RuntimeError, match="part of a SequentialLR"):
        mine._schedulers[0].step()


@pytest.mark.filterwarnings("ignore:The epoch parameter")
def test_sequential_after_another_scheduler_and_pickled():
    opt, topt = pair(momentum=0.9)
    first = [ours.ConstantLR(opt, factor=0.5, total_iters=2)]
    seq = ours.SequentialLR(opt, [ours.ConstantLR(opt, factor=0.1, total_iters=2),
                                  ours.CosineAnnealingLR(opt, T_max=4)], milestones=[2])
    tfirst = theirs.ConstantLR(topt, factor=0.5, total_iters=2)
    tseq = theirs.SequentialLR(topt, [theirs.ConstantLR(topt, factor=0.1, total_iters=2),
                                      theirs.CosineAnnealingLR(topt, T_max=4)],
                               milestones=[2])
    # Both SequentialLRs set the rates back to initial_lr, undoing the first
    # ConstantLR's epoch 0 (whose step at epoch 2 still divides by its factor).
    assert our_rates(opt) == torch_rates(topt) == [LR * 0.1, LR2 * 0.1]
    for k in range(3):
        topt.step()
        for s in first + [seq]:
            s.step()
        tfirst.step()
        tseq.step()
    opt, first, seq = pickle.loads(pickle.dumps((opt, first, seq)))
    assert opt._lr_round is seq._round
    compare(opt, topt, first + [seq], [tfirst, tseq], 8)


def test_chained_scheduler():
    opt, topt = pair(momentum=0.9)
    mine = ours.ChainedScheduler([ours.StepLR(opt, step_size=3, gamma=0.7),
                                  ours.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2,
                                                                   eta_min=0.002)])
    reference = theirs.ChainedScheduler([
        theirs.StepLR(topt, step_size=3, gamma=0.7),
        theirs.CosineAnnealingWarmRestarts(topt, T_0=4, T_mult=2, eta_min=0.002)])
    compare(opt, topt, [mine], [reference], 16)
    assert [s.last_epoch for s in mine._schedulers] == [16, 16]


def test_restrictions():
    opt = Optimizer("sgd", N, lr=LR)
    a = ours.StepLR(opt, step_size=2)
    a.step()
    with pytest.raises(ValueError, match="has been stepped"):
        ours.ChainedScheduler([a])
    with pytest.raises(ValueError, match="same optimizer"):
        ours.SequentialLR(Optimizer("sgd", N), [a], milestones=[])
    b = ours.ExponentialLR(opt, gamma=0.5)
    with pytest.raises(RuntimeError, match="before any scheduler"):
        ours.SequentialLR(opt, [b], milestones=[])
    with pytest.raises(ValueError, match="one more"):
        ours.SequentialLR(opt, [b], milestones=[1])
    with pytest.raises(ValueError, match="last_epoch"):
        ours.StepLR(opt, step_size=2, last_epoch=3)
    with pytest.raises(TypeError, match="epoch"):
        a.step(3)
    with pytest.raises(TypeError, match="one number"):
        ours.OneCycleLR(opt, max_lr=[0.1, 0.2], total_steps=5)
    with pytest.raises(TypeError, match="scale_fn"):
        ours.CyclicLR(opt, 0.1, 1.0, scale_fn=lambda x: 1.0)
    with pytest.raises(ValueError, match="total_steps"):
        ours.OneCycleLR(opt, max_lr=1.0)
    opt2 = Optimizer("sgd", N, lr=LR)
    c, d = ours.StepLR(opt2, step_size=2), ours.StepLR(opt2, step_size=3)
    with pytest.raises(ValueError, match="order they were constructed"):
        ours.ChainedScheduler([d, c])
    with pytest.raises(TypeError, match="cannot take a ReduceLROnPlateau"):
        ours.SequentialLR(opt2, [ours.ReduceLROnPlateau(opt2)], milestones=[])


def gradient(A, y):
    def grad(x):
        return 2.0 / len(y) * A.T @ (A @ x - y)
    return grad


@pytest.mark.parametrize("method,params,max_norm", [
    ("sgd", dict(lr=0.05, momentum=0.9, weight_decay=0.01), 0.5),
    ("adam", dict(lr=0.05, weight_decay=0.01), 0.5),
    ("sgd", dict(lr=0.05, momentum=0.9, weight_decay=0.01), None),
    ("adam", dict(lr=0.05, weight_decay=0.01), None),
], ids=["sgd-clip", "adam-clip", "sgd-noclip", "adam-noclip"])
def test_training_script_as_torch(method, params, max_norm):
    """Mini-batches of least squares, a bias without weight decay (set_range / a second
    parameter group), clip_grad_norm_ (or none), CosineAnnealingLR stepped every epoch,
    and the optimizer and scheduler pickled half way through: the rates ==, x within
    1e-12 (torch's clip_grad_norm_ takes the norm of the per-tensor norms, 1 ulp from
    the library's one norm; its vectorized kernels round otherwise too), and without
    clipping, with torch's default kernels (EXACT), x ==."""
    rng = np.random.default_rng(7)
    p, m, batches, epochs = 6, 40, 4, 12
    A = np.hstack([rng.standard_normal((m, p - 1)), np.ones((m, 1))])
    y = A @ rng.standard_normal(p) + 0.1 * rng.standard_normal(m)
    grads = [gradient(A[k::batches], y[k::batches]) for k in range(batches)]
    x0 = rng.standard_normal(p)
    if max_norm is not None:
        assert np.linalg.norm(grads[0](x0)) > max_norm  # clipping acts

    w = torch.tensor(x0[:-1].copy(), requires_grad=True)
    b = torch.tensor(x0[-1:].copy(), requires_grad=True)
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[method]
    topt = cls([{"params": [w]}, {"params": [b], "weight_decay": 0.0}], **params)
    tsched = theirs.CosineAnnealingLR(topt, T_max=epochs, eta_min=0.001)

    opt = Optimizer(method, p, clip_norm=max_norm or 0.0, **params)
    opt.set_range(p - 1, 1, weight_decay=0.0)
    sched = ours.CosineAnnealingLR(opt, T_max=epochs, eta_min=0.001)
    x = x0.copy()
    assert opt.groups() == [(0, p - 1), (p - 1, 1)]
    assert sched.get_last_lr() == tsched.get_last_lr()

    for epoch in range(epochs):
        for grad in grads:
            g = grad(torch.cat([w, b]).detach().numpy())
            w.grad, b.grad = torch.tensor(g[:-1]), torch.tensor(g[-1:])
            if max_norm is not None:
                torch.nn.utils.clip_grad_norm_([w, b], max_norm)
            topt.step()
            opt.update(x, grad(x))
        tsched.step()
        sched.step()
        assert sched.get_last_lr() == tsched.get_last_lr(), epoch
        assert our_rates(opt) == torch_rates(topt), epoch
        assert sched.last_epoch == tsched.last_epoch
        np.testing.assert_allclose(x, torch.cat([w, b]).detach().numpy(), rtol=0,
                                   atol=1e-12)
        if EXACT and max_norm is None:
            assert x.tolist() == torch.cat([w, b]).tolist(), epoch
        if epoch == epochs // 2:
            opt, sched = pickle.loads(pickle.dumps((opt, sched)))
            assert sched.optimizer is opt and opt.groups() == [(0, p - 1), (p - 1, 1)]
    assert sched.get_last_lr() == [0.001, 0.001]


def test_training_script_bit_for_bit(tmp_path):
    """The training script without clipping again, in a pytest of its own with
    ATEN_CPU_CAPABILITY=default (read by torch when it is imported): x == torch's."""
    if EXACT:
        pytest.skip("this is the run with torch's default kernels")
    env = {**os.environ, "ATEN_CPU_CAPABILITY": "default", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("GDESCENT_TAP", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"{__file__}::test_training_script_as_torch", "-k", "noclip"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0 and "2 passed" in run.stdout, run.stdout + run.stderr
