#!/usr/bin/python3
"""Writes tests/golden/schedule.txt, the learning-rate schedules of torch 1.13's
torch.optim.lr_scheduler that tests/test_schedule.c replays bit for bit.

Run with Debian's python3-torch:  /usr/bin/python3 tests/golden/make_schedule.py

For each case of CASES, the schedulers are constructed in order on a one-group
optimizer (several act in turn, as ChainedScheduler; a plateau scheduler among them
is stepped with the metric), then stepped STEPS times; after the construction and
after every step the line "row METRIC LR [MOMENTUM]" records the metric passed (nan
when none), the lr and, when a scheduler cycles it, the momentum or beta1, all as
C99 hex floats (float.hex).  The file's other lines:

  case NAME METHOD STEPS COLUMN   COLUMN: none, momentum or beta1
  opt KEY VALUE                   an optimizer parameter (libgd's name)
  schedule KIND KEY=VALUE...      a scheduler added to the optimizer
  child KIND KEY=VALUE...         a child of the last (sequential) schedule
  end

KEY is libgd's gd_schedule_param name, lower case (torch's argument name), VALUE a
hex float; milestones=A,B,... lists integers and lambda=NAME names one of LAMBDAS,
which test_schedule.c defines with the same operations.

torch 1.13's CyclicLR refuses an optimizer without 'momentum' (Adam); later versions
cycle beta1 instead, as libgd does.  For such a case (cyclic_beta1) the script lets
1.13 cycle a 'momentum' entry of the group, whose values are those of beta1."""
import math
import os
import warnings

import torch

warnings.simplefilter("ignore")
torch.set_default_dtype(torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
LS = torch.optim.lr_scheduler

LAMBDAS = {
    "pow95": lambda e: 0.95**e,
    "inverse": lambda e: 1.0 / (1.0 + e),
    "wave": lambda e: 1.05 if e % 4 == 0 else 0.97,
}

METHODS = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}

CYCLIC_MODES = ["triangular", "triangular2", "exp_range"]

# libgd's key -> torch's argument name, where they differ
TORCH_NAMES = {"t_max": "T_max", "t_0": "T_0", "t_mult": "T_mult"}
INTEGER_KEYS = {"step_size", "t_max", "t_0", "t_mult", "total_iters", "total_steps",
                "patience", "cooldown"}


def torch_kwargs(options):
    kwargs = {}
    for key, value in options.items():
        if key in ("milestones", "lambda"):
            continue
        if key == "anneal_linear":
            kwargs["anneal_strategy"] = "linear" if value else "cos"
        elif key == "three_phase" or key == "cycle_momentum":
            kwargs[key] = bool(value)
        elif key == "threshold_abs":
            kwargs["threshold_mode"] = "abs" if value else "rel"
        elif key == "mode":
            kwargs["mode"] = value  # translated by the caller, which knows the kind
        else:
            kwargs[TORCH_NAMES.get(key, key)] = int(value) if key in INTEGER_KEYS else value
    return kwargs


def build(opt, kind, options, children=()):
    kw = torch_kwargs(options)
    if kind == "step":
        return LS.StepLR(opt, **kw)
    if kind == "multistep":
        return LS.MultiStepLR(opt, milestones=options.get("milestones", []), **kw)
    if kind == "exponential":
        return LS.ExponentialLR(opt, **kw)
    if kind == "cosine":
        return LS.CosineAnnealingLR(opt, **kw)
    if kind == "cosine_restarts":
        return LS.CosineAnnealingWarmRestarts(opt, **kw)
    if kind == "linear":
        return LS.LinearLR(opt, **kw)
    if kind == "constant":
        return LS.ConstantLR(opt, **kw)
    if kind == "polynomial":
        return LS.PolynomialLR(opt, **kw)
    if kind == "one_cycle":
        return LS.OneCycleLR(opt, **kw)
    if kind == "cyclic":
        kw["mode"] = CYCLIC_MODES[int(kw.get("mode", 0))]
        return LS.CyclicLR(opt, **kw)
    if kind == "plateau":
        kw["mode"] = "max" if kw.get("mode", 0) else "min"
        return LS.ReduceLROnPlateau(opt, **kw)
    if kind == "lambda":
        return LS.LambdaLR(opt, LAMBDAS[options["lambda"]])
    if kind == "multiplicative":
        return LS.MultiplicativeLR(opt, LAMBDAS[options["lambda"]])
    if kind == "sequential":
        made = [build(opt, k, o) for k, o in children]
        return LS.SequentialLR(opt, made, milestones=options["milestones"])
    raise ValueError(kind)


def metric_at(t):
    """A validation loss that falls, rises and stalls (rounded: exact repeats)."""
    value = 2.0 / (1.0 + 0.03 * t) + 0.4 * math.sin(t / 9.0) + 0.002 * t
    return round(value, 2)


def case(name, method, opt, schedules, steps, cyclic_beta1=False, second=None):
    return dict(name=name, method=method, opt=opt, schedules=schedules, steps=steps,
                cyclic_beta1=cyclic_beta1, second=second)


def s(kind, children=(), **options):
    return (kind, options, list(children))


SGD_M = {"lr": 0.1, "momentum": 0.9}
CASES = [
    case("step", "sgd", {"lr": 0.1}, [s("step", step_size=7, gamma=0.5)], 100),
    case("step_default_gamma", "adam", {"lr": 0.01}, [s("step", step_size=30)], 120),
    case("multistep", "sgd", {"lr": 0.3},
         [s("multistep", milestones=[60, 10, 25, 25], gamma=0.3)], 100),
    case("exponential", "sgd", {"lr": 0.2}, [s("exponential", gamma=0.97)], 150),
    case("cosine", "sgd", {"lr": 0.1}, [s("cosine", t_max=30, eta_min=0.001)], 200),
    case("cosine_default", "adam", {"lr": 0.003}, [s("cosine", t_max=17)], 120),
    case("restarts_mult2", "sgd", {"lr": 0.1},
         [s("cosine_restarts", t_0=10, t_mult=2, eta_min=1e-4)], 200),
    case("restarts", "sgd", {"lr": 0.07}, [s("cosine_restarts", t_0=13)], 100),
    case("linear", "sgd", {"lr": 0.1},
         [s("linear", start_factor=0.25, end_factor=0.9, total_iters=40)], 60),
    case("linear_default", "sgd", {"lr": 0.05}, [s("linear")], 20),
    case("constant", "sgd", {"lr": 0.1}, [s("constant", factor=0.4, total_iters=25)], 40),
    case("constant_default", "adam", {"lr": 0.02}, [s("constant")], 12),
    case("polynomial", "sgd", {"lr": 0.1}, [s("polynomial", total_iters=80, power=2.5)], 100),
    case("polynomial_default", "sgd", {"lr": 0.1}, [s("polynomial")], 10),
    case("one_cycle", "sgd", SGD_M, [s("one_cycle", max_lr=0.2, total_steps=200)], 200),
    case("one_cycle_three_linear", "adam", {"lr": 0.001},
         [s("one_cycle", max_lr=0.01, total_steps=150, pct_start=0.25, anneal_linear=1,
            three_phase=1, div_factor=10.0, final_div_factor=100.0, base_momentum=0.8,
            max_momentum=0.92)], 150),
    case("one_cycle_three_cos", "rmsprop", {"lr": 0.01, "momentum": 0.5},
         [s("one_cycle", max_lr=0.05, total_steps=120, pct_start=0.4, three_phase=1)], 120),
    case("one_cycle_no_momentum", "adagrad", {"lr": 0.01},
         [s("one_cycle", max_lr=0.3, total_steps=100, cycle_momentum=0)], 100),
    case("cyclic", "sgd", SGD_M, [s("cyclic", base_lr=0.01, max_lr=0.1, step_size_up=10)],
         120),
    case("cyclic_triangular2", "rmsprop", {"lr": 0.01, "momentum": 0.5},
         [s("cyclic", base_lr=0.002, max_lr=0.03, step_size_up=8, step_size_down=12, mode=1,
            base_momentum=0.7, max_momentum=0.95)], 150),
    case("cyclic_exp_range_adam", "adam", {"lr": 0.001},
         [s("cyclic", base_lr=0.001, max_lr=0.006, step_size_up=15, mode=2, gamma=0.99)],
         150, cyclic_beta1=True),
    case("cyclic_no_momentum", "adagrad", {"lr": 0.5},
         [s("cyclic", base_lr=0.05, max_lr=0.2, step_size_up=6.5, step_size_down=3,
            cycle_momentum=0)], 80),
    case("plateau", "sgd", {"lr": 0.1},
         [s("plateau", patience=3, factor=0.5, cooldown=2, min_lr=0.001)], 200),
    case("plateau_max_abs", "sgd", {"lr": 0.1},
         [s("plateau", mode=1, threshold_abs=1, threshold=0.01, patience=5, factor=0.3,
            eps=1e-3)], 200),
    case("plateau_default", "adam", {"lr": 0.01}, [s("plateau")], 300),
    case("lambda", "sgd", {"lr": 0.1}, [s("lambda", **{"lambda": "pow95"})], 100),
    case("lambda_inverse", "adam", {"lr": 0.01}, [s("lambda", **{"lambda": "inverse"})], 60),
    case("multiplicative", "sgd", {"lr": 0.1}, [s("multiplicative", **{"lambda": "wave"})],
         100),
    case("sequential_warmup_cosine", "sgd", {"lr": 0.1},
         [s("sequential", [("linear", {"start_factor": 0.1, "total_iters": 10}),
                           ("cosine", {"t_max": 50, "eta_min": 0.002})], milestones=[10])],
         100),
    case("sequential_three", "sgd", {"lr": 0.2},
         [s("sequential", [("constant", {"factor": 0.5, "total_iters": 5}),
                           ("exponential", {"gamma": 0.9}), ("step", {"step_size": 5})],
            milestones=[8, 30])], 60),
    case("sequential_restarts_multistep", "sgd", {"lr": 0.3},
         [s("sequential", [("cosine_restarts", {"t_0": 4, "t_mult": 2}),
                           ("multistep", {"milestones": [0, 3, 3, 9], "gamma": 0.5}),
                           ("polynomial", {"total_iters": 20, "power": 0.5})],
            milestones=[12, 30])], 70),
    case("sequential_cyclic", "sgd", SGD_M,
         [s("sequential", [("exponential", {"gamma": 0.95}),
                           ("cyclic", {"base_lr": 0.01, "max_lr": 0.05, "step_size_up": 5})],
            milestones=[20])], 60),
    case("sequential_lambda_one_cycle", "sgd", SGD_M,
         [s("sequential", [("lambda", {"lambda": "inverse"}),
                           ("one_cycle", {"max_lr": 0.4, "total_steps": 50}),
                           ("multiplicative", {"lambda": "wave"})], milestones=[15, 65])],
         90),
    case("chained", "sgd", {"lr": 1.0},
         [s("constant", factor=0.1, total_iters=2), s("exponential", gamma=0.9)], 50),
    case("chained_plateau", "sgd", {"lr": 0.1},
         [s("multistep", milestones=[50, 120], gamma=0.5), s("plateau", patience=4),
          s("linear", start_factor=0.5, total_iters=30)], 200),
    case("chained_step_one_cycle", "sgd", SGD_M,
         [s("step", step_size=10, gamma=0.7), s("one_cycle", max_lr=0.3, total_steps=100)],
         100),
    case("chained_exponential_cyclic", "sgd", {"lr": 0.5, "momentum": 0.9},
         [s("exponential", gamma=0.99),
          s("cyclic", base_lr=0.01, max_lr=0.1, step_size_up=7, mode=1)], 80),
    case("chained_cosine_restarts_multiplicative", "adam", {"lr": 0.01},
         [s("cosine", t_max=25), s("cosine_restarts", t_0=9),
          s("multiplicative", **{"lambda": "pow95"})], 80),
]


# Every kind again on two ranges, torch's two parameter groups: the optimizer's second
# element has its own base rate (and momentum), which each schedule acts on separately.
TWO_RANGES = ["step", "multistep", "exponential", "cosine", "restarts_mult2", "linear",
              "constant", "polynomial", "one_cycle", "one_cycle_three_linear", "cyclic",
              "cyclic_exp_range_adam", "plateau", "lambda", "multiplicative",
              "sequential_warmup_cosine", "sequential_cyclic", "chained_plateau",
              "chained_exponential_cyclic"]


def second_range(c):
    second = {"lr": c["opt"]["lr"] * 0.3}
    if "momentum" in c["opt"]:
        second["momentum"] = 0.5
    return second


CASES += [dict(c, name=c["name"] + "_two_ranges", second=second_range(c))
          for c in CASES if c["name"] in TWO_RANGES]


def value_text(key, value):
    if key == "milestones":
        return ",".join(str(int(m)) for m in value)
    if key == "lambda":
        return value
    return float(value).hex()


def options_text(options):
    return "".join(f" {k}={value_text(k, v)}" for k, v in options.items())


def momentum_column(method, schedules):
    def cycles(kind, options):
        return kind in ("one_cycle", "cyclic") and options.get("cycle_momentum", 1)

    cycled = any(cycles(k, o) for k, o, children in schedules) or any(
        cycles(k, o) for _, _, children in schedules for k, o in children)
    if not cycled:
        return "none"
    return "beta1" if method == "adam" else "momentum"


def torch_optimizer(c):
    """One group over both elements, or one per element with the second's options."""
    method = METHODS[c["method"]]
    if not c["second"]:
        return method([torch.zeros(2, requires_grad=True)], **c["opt"])
    groups = [{"params": [torch.zeros(1, requires_grad=True)]},
              {"params": [torch.zeros(1, requires_grad=True)], **c["second"]}]
    return method(groups, **c["opt"])


def run(c):
    opt = torch_optimizer(c)
    if c["cyclic_beta1"]:
        opt.defaults["momentum"] = 0.0  # lets 1.13's CyclicLR cycle group['momentum']
        for group in opt.param_groups:
            group.setdefault("momentum", 0.0)
    made = [build(opt, kind, options, children) for kind, options, children in c["schedules"]]
    column = momentum_column(c["method"], c["schedules"])

    def momentum(group):
        if column == "beta1" and not c["cyclic_beta1"]:
            return group["betas"][0]
        return group["momentum"]

    def row(metric):
        text = f"row {float(metric).hex()}"
        for group in opt.param_groups:
            text += f" {float(group['lr']).hex()}"
            text += f" {float(momentum(group)).hex()}" if column != "none" else ""
        return text

    plateau = any(k == "plateau" for k, _, _ in c["schedules"])
    lines = [f"case {c['name']} {c['method']} {c['steps']} {column}"]
    lines += [f"opt {k} {float(v).hex()}" for k, v in c["opt"].items()]
    lines += [f"range 1 1 {k} {float(v).hex()}" for k, v in (c["second"] or {}).items()]
    for kind, options, children in c["schedules"]:
        lines.append(f"schedule {kind}{options_text(options)}")
        lines += [f"child {k}{options_text(o)}" for k, o in children]
    lines.append(row(math.nan))
    for t in range(1, c["steps"] + 1):
        metric = metric_at(t) * (-1 if c["name"] == "plateau_max_abs" else 1)
        metric = metric if plateau else math.nan
        for sched in made:
            if isinstance(sched, LS.ReduceLROnPlateau):
                sched.step(metric)
            else:
                sched.step()
        lines.append(row(metric))
    lines.append("end")
    return lines


def main():
    out = ["# tests/golden/make_schedule.py: torch " + torch.__version__]
    for c in CASES:
        out += run(c)
    with open(os.path.join(HERE, "schedule.txt"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
