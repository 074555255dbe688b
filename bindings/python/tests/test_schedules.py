"""Optimizer.add_schedule, schedule_step and clear_schedules against torch 1.13's
torch.optim.lr_scheduler: with two parameter ranges of different base rates (torch:
two parameter groups), every step's rate of both, compared with ==."""
import math

import numpy as np
import pytest

import gdescent
from gdescent import GDError, Optimizer, SCHEDULES

torch = pytest.importorskip("torch")
torch.set_default_dtype(torch.float64)

N, HALF = 4, 2
LR, LR2 = 0.1, 0.03


def pair(method="sgd", torch_class=None, **params):
    """A gdescent optimizer whose second half has lr LR2, and the torch optimizer with
    the same two groups."""
    opt = Optimizer(method, N, lr=LR, **params).set_range(HALF, N - HALF, lr=LR2)
    groups = [{"params": [torch.zeros(HALF, requires_grad=True)]},
              {"params": [torch.zeros(N - HALF, requires_grad=True)], "lr": LR2}]
    cls = torch_class or {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[method]
    tparams = dict(params)
    if "beta1" in tparams:
        tparams["betas"] = (tparams.pop("beta1"), 0.999)
    return opt, cls(groups, lr=LR, **tparams)


def rates(opt, key="lr"):
    return [opt.get_range(0, key), opt.get_range(N - 1, key)]


def torch_rates(topt, key="lr"):
    if key == "beta1":
        return [g["betas"][0] for g in topt.param_groups]
    return [g[key] for g in topt.param_groups]


def run(opt, topt, schedulers, steps, metrics=None, keys=("lr",)):
    """Steps both sides and compares the rates after construction and every step."""
    for key in keys:
        assert rates(opt, key) == torch_rates(topt, key), (key, 0)
    for k in range(steps):
        topt.step()  # no gradients: only keeps torch from warning about the order
        metric = None if metrics is None else metrics[k]
        for scheduler in schedulers:
            if metric is None:
                scheduler.step()
            else:
                scheduler.step(metric)
        opt.schedule_step(metric)
        for key in keys:
            assert rates(opt, key) == torch_rates(topt, key), (key, k + 1)
        if not isinstance(schedulers[0], torch.optim.lr_scheduler.ReduceLROnPlateau):
            assert rates(opt) == schedulers[-1].get_last_lr()


def test_schedules_maps_the_header_kinds():
    lib = gdescent.load_library()
    assert SCHEDULES["step"] == lib.GD_SCHEDULE_STEP
    assert SCHEDULES["cosine_restarts"] == lib.GD_SCHEDULE_COSINE_RESTARTS
    assert SCHEDULES["sequential"] == lib.GD_SCHEDULE_SEQUENTIAL
    assert sorted(SCHEDULES.values()) == list(range(14))
    assert set(gdescent.SCHEDULE_ALIASES.values()) == set(SCHEDULES)
    for alias in gdescent.SCHEDULE_ALIASES:
        assert hasattr(torch.optim.lr_scheduler, alias), alias


def test_cosine_annealing():
    opt, topt = pair(momentum=0.9)
    opt.add_schedule("CosineAnnealingLR", T_max=7, eta_min=0.001)
    tsched = torch.optim.lr_scheduler.CosineAnnealingLR(topt, T_max=7, eta_min=0.001)
    run(opt, topt, [tsched], 20)


def test_one_cycle_cycles_adam_beta1():
    opt, topt = pair("adam")
    opt.add_schedule("one_cycle", max_lr=0.5, total_steps=12, pct_start=0.25,
                     anneal_strategy="linear", three_phase=True)
    tsched = torch.optim.lr_scheduler.OneCycleLR(topt, max_lr=0.5, total_steps=12,
                                                 pct_start=0.25, anneal_strategy="linear",
                                                 three_phase=True)
    run(opt, topt, [tsched], 12, keys=("lr", "beta1"))
    with pytest.raises(GDError, match="total_steps"):
        opt.schedule_step()
    assert rates(opt) == torch_rates(topt)


def test_one_cycle_by_epochs_and_cosine():
    opt, topt = pair("adam")
    opt.add_schedule("OneCycleLR", max_lr=0.2, epochs=3, steps_per_epoch=4)
    tsched = torch.optim.lr_scheduler.OneCycleLR(topt, max_lr=0.2, epochs=3,
                                                 steps_per_epoch=4)
    run(opt, topt, [tsched], 12, keys=("lr", "beta1"))


def test_reduce_on_plateau_fed_metrics():
    metrics = [5.0, 4.0, 4.0, 4.1, 3.99, 4.0, 4.0, 4.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0,
               1.0, 1.0, 1.0, 1.0]
    opt, topt = pair()
    opt.add_schedule("ReduceLROnPlateau", mode="min", factor=0.5, patience=1,
                     threshold=0.01, threshold_mode="abs", cooldown=1, min_lr=0.005)
    tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(
        topt, mode="min", factor=0.5, patience=1, threshold=0.01, threshold_mode="abs",
        cooldown=1, min_lr=0.005)
    run(opt, topt, [tsched], len(metrics), metrics=metrics)
    assert rates(opt) != [LR, LR2]


def test_plateau_mode_max():
    metrics = [1.0, 1.0, 0.5, 0.5, 0.5, 2.0, 1.0, 1.0, 1.0]
    opt, topt = pair()
    opt.add_schedule("plateau", mode="max", patience=0)
    tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, mode="max", patience=0)
    run(opt, topt, [tsched], len(metrics), metrics=metrics)


def test_lambda_with_a_python_function():
    opt, topt = pair()
    calls = []

    def factor(epoch):
        calls.append(epoch)
        return 0.9 ** epoch + 1 / (epoch + 3)
    opt.add_schedule("LambdaLR", lr_lambda=factor)
    tsched = torch.optim.lr_scheduler.LambdaLR(topt, lr_lambda=factor)
    run(opt, topt, [tsched], 10)
    assert set(calls) == set(range(11))


def test_multiplicative_and_cyclic_triangular2():
    opt, topt = pair(momentum=0.5)
    opt.add_schedule("multiplicative", lr_lambda=lambda e: 0.95)
    opt.add_schedule("CyclicLR", base_lr=0.01, max_lr=0.2, step_size_up=3,
                     step_size_down=None, mode="triangular2", cycle_momentum=False)
    t1 = torch.optim.lr_scheduler.MultiplicativeLR(topt, lr_lambda=lambda e: 0.95)
    t2 = torch.optim.lr_scheduler.CyclicLR(topt, base_lr=0.01, max_lr=0.2, step_size_up=3,
                                           mode="triangular2", cycle_momentum=False)
    run(opt, topt, [t1, t2], 15)


# torch's SequentialLR restarts its children with the deprecated step(0).
@pytest.mark.filterwarnings("ignore:The epoch parameter")
def test_sequential():
    opt, topt = pair()
    opt.add_schedule("SequentialLR", milestones=[3, 7], children=[
        ("LinearLR", {"start_factor": 0.25, "total_iters": 3}),
        {"kind": "exponential", "gamma": 0.8},
        {"kind": "multistep", "milestones": [2, 4], "gamma": 0.5}])
    s = torch.optim.lr_scheduler
    children = [s.LinearLR(topt, start_factor=0.25, total_iters=3),
                s.ExponentialLR(topt, gamma=0.8),
                s.MultiStepLR(topt, milestones=[2, 4], gamma=0.5)]
    tsched = s.SequentialLR(topt, children, milestones=[3, 7])
    run(opt, topt, [tsched], 14)


def test_a_chain_of_two_schedules():
    opt, topt = pair(momentum=0.9)
    opt.add_schedule("step", step_size=3, gamma=0.7)
    opt.add_schedule("cosine_restarts", T_0=4, T_mult=2, eta_min=0.002)
    s = torch.optim.lr_scheduler
    t1 = s.StepLR(topt, step_size=3, gamma=0.7)
    t2 = s.CosineAnnealingWarmRestarts(topt, T_0=4, T_mult=2, eta_min=0.002)
    run(opt, topt, [t1, t2], 16)


def test_clear_schedules_keeps_the_rates_and_drops_the_lambdas():
    opt = Optimizer("sgd", 2, lr=0.5)
    opt.add_schedule("lambda", lr_lambda=lambda e: 1.0 / (e + 1))
    opt.schedule_step()
    assert opt.get("lr") == 0.25
    assert len(opt._lr_lambdas) == 1
    opt.clear_schedules()
    assert opt._lr_lambdas == []
    opt.schedule_step()  # no schedules: nothing changes
    assert opt.get("lr") == 0.25


def test_the_lambda_outlives_its_name():
    """The optimizer keeps the cffi callback alive: nothing else refers to it."""
    import gc
    opt = Optimizer("sgd", 2, lr=1.0)
    opt.add_schedule("lambda", lr_lambda=lambda e: 0.5 ** e)
    gc.collect()
    for k in range(1, 5):
        opt.schedule_step()
        assert opt.get("lr") == 0.5 ** k


def test_refusals():
    opt = Optimizer("sgd", 2, lr=0.1)
    with pytest.raises(ValueError, match="unknown schedule kind"):
        opt.add_schedule("warmup")
    with pytest.raises(TypeError):
        opt.add_schedule(3)
    with pytest.raises(GDError, match="step has no option 'T_max'; its options are "
                       "gamma, step_size") as info:
        opt.add_schedule("step", step_size=2, T_max=3)
    assert info.value.status == gdescent.EINVAL
    with pytest.raises(GDError, match="no option 'verbose'"):
        opt.add_schedule("cosine", T_max=3, verbose=True)
    with pytest.raises(GDError, match="out of range"):
        opt.add_schedule("step", step_size=0)
    with pytest.raises(GDError, match="step_size must be given"):
        opt.add_schedule("StepLR", gamma=0.5)
    with pytest.raises(GDError, match="max_lr, total_steps must be given"):
        opt.add_schedule("one_cycle")
    with pytest.raises(GDError, match="one of 'cos', 'linear'"):
        opt.add_schedule("one_cycle", max_lr=1, total_steps=5, anneal_strategy="cosine")
    with pytest.raises(GDError, match="one of 'min', 'max'"):
        opt.add_schedule("plateau", mode="triangular")
    with pytest.raises(GDError, match="no option 'mode'"):
        opt.add_schedule("step", step_size=1, mode="min")
    with pytest.raises(TypeError):
        opt.add_schedule("step", step_size="2")
    with pytest.raises(GDError, match="takes no milestones"):
        opt.add_schedule("step", step_size=1, milestones=[2])
    with pytest.raises(ValueError, match=">= 0"):
        opt.add_schedule("multistep", milestones=[2, -1])
    with pytest.raises(GDError, match="takes no lr_lambda"):
        opt.add_schedule("step", step_size=1, lr_lambda=lambda e: 1.0)
    with pytest.raises(GDError, match="lr_lambda"):
        opt.add_schedule("lambda")
    with pytest.raises(TypeError, match="callable"):
        opt.add_schedule("lambda", lr_lambda=0.5)
    with pytest.raises(GDError, match="no sequential or plateau"):
        opt.add_schedule("sequential", children=[("plateau", {})])
    with pytest.raises(GDError, match="non-decreasing"):
        opt.add_schedule("sequential", milestones=[3, 1],
                         children=[("constant", {})] * 3)
    with pytest.raises(GDError):  # one switch point for three children
        opt.add_schedule("sequential", milestones=[3], children=[("constant", {})] * 3)
    with pytest.raises(TypeError, match="kind"):
        opt.add_schedule("sequential", milestones=[], children=[{"gamma": 0.5}])
    with pytest.raises(GDError, match="does not fit"):  # Adagrad has no momentum
        Optimizer("adagrad", 2).add_schedule("cyclic", base_lr=0.1, max_lr=1.0)
    # Nothing was added by the refused calls.
    assert opt.get("lr") == 0.1 and opt._lr_lambdas == []
    opt.schedule_step()
    assert opt.get("lr") == 0.1


def test_an_exception_in_lr_lambda_reaches_the_caller():
    opt = Optimizer("sgd", 2, lr=0.1)

    def factor(epoch):
        if epoch == 2:
            raise ZeroDivisionError("epoch 2")
        return 1.0

    opt.add_schedule("lambda", lr_lambda=factor)
    opt.schedule_step()
    with pytest.raises(ZeroDivisionError, match="epoch 2") as info:
        opt.schedule_step()
    assert "factor" in str(info.traceback[-1].name)
    assert opt.get("lr") == 0.1  # the failed step changed nothing
    with pytest.raises(ZeroDivisionError):
        opt.schedule_step()  # epoch 2 again: the function is called again
    opt.clear_schedules()
    with pytest.raises(RuntimeError, match="at once"):
        opt.add_schedule("lambda", lr_lambda=lambda e: (_ for _ in ()).throw(
            RuntimeError("at once")))


def test_lr_lambda_may_read_but_not_change_the_optimizer():
    opt = Optimizer("sgd", 2, lr=0.1)
    seen = []

    def factor(epoch):
        seen.append(opt.get("lr"))
        if epoch == 1:
            opt.clear_schedules()
        return 0.5
    opt.add_schedule("multiplicative", lr_lambda=factor)
    with pytest.raises(GDError, match="lr_lambda") as info:
        opt.schedule_step()
    assert info.value.status == gdescent.EBUSY
    assert seen == [0.1]


def test_minimize_steps_the_schedules_with_schedule_every():
    f = gdescent.quadratic(N)
    x0 = np.arange(1.0, N + 1)
    opt, topt = pair()
    opt.add_schedule("step", step_size=2, gamma=0.5)
    r = gdescent.minimize(f, x0, opt, max_iter=6, schedule_every=3)
    assert r.iterations == 6
    # Two schedule steps: epoch 2, one decay.
    assert rates(opt) == [LR * 0.5, LR2 * 0.5]
    # The plateau schedule is fed f, which decreases: in mode "max" the first of the
    # three steps improves on -inf, the next two each reduce the rates.
    opt.clear_schedules()
    opt.add_schedule("plateau", patience=0, factor=0.5, mode="max")
    gdescent.minimize(f, r.x, opt, max_iter=3, schedule_every=1)
    assert rates(opt) == [LR * 0.5 ** 3, LR2 * 0.5 ** 3]


def test_minimize_raises_an_exception_of_lr_lambda():
    f = gdescent.quadratic(2)
    opt = Optimizer("sgd", 2, lr=0.1, schedule_every=1)

    def factor(epoch):
        if epoch == 3:
            raise KeyError("lambda")
        return 1.0
    opt.add_schedule("lambda", lr_lambda=factor)
    with pytest.raises(KeyError, match="lambda"):
        gdescent.minimize(f, [1.0, 2.0], opt, max_iter=10)
