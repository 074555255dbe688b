#!/usr/bin/python3
"""Writes the exact goldens that tests/test_exact.c compares bit for bit: for every
case of CASES, STEPS updates of torch.optim from a start and with gradients that C
computes to the same bits, at two sizes (a vector tail either side of the widths).

torch's float64 results depend on its CPU dispatch (its AVX2/AVX-512 kernels fuse
multiply-add in add_(alpha=), addcmul_ and lerp_), so this runs torch's scalar path:
ATEN_CPU_CAPABILITY=default (the script sets it and runs itself again) with float64
as the default dtype, so that scalar state tensors are float64 too.

Run with Debian's python3-torch:  /usr/bin/python3 tests/golden/make_exact.py
and, for the float32 goldens of gd_optimizer_new_f32, with --f32: float32 as the
default dtype (so that torch's scalar state tensors are float32, as a float32 user
has them), the start and noise rounded to float32, and every file name's "exact"
replaced by "exact32" (no defaults file).  Writes next to this script:
  exact.txt          one case per line: name method n seed file key=value...
  exact-defaults.txt one method per line: its name and torch's defaults, key=value
  exact-<name>.txt   for each checkpoint k of CHECKPOINTS, the line "k" and x after k
                     updates, n numbers in C99 hex float notation (exact)
  exact-state-<name>.txt  for the methods of STATE_GOLDENS at the smallest size,
                     torch's state at each checkpoint, one key a line (run())

The gradient at update t is g = 0.5 * x + noise_t: 0.5 * x is exact and the addition
rounds once, in torch as in C.  noise_t and the start are drawn from the 64-bit
generator of next_noise(), one stream per case, and are multiples of 2^-32, exact in
a double (with --f32: x and g are float32 tensors, the start and the noise rounded to
float, and g = 0.5 * x + noise rounds once in float, in torch as in C).  Adding a method is adding it to METHODS (its torch class, or a reference
step written with torch's tensor operations, and its defaults) and its rows to
CASES."""
import math
import os
import sys

if os.environ.get("ATEN_CPU_CAPABILITY") != "default":
    os.environ["ATEN_CPU_CAPABILITY"] = "default"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import torch  # noqa: E402

F32 = "--f32" in sys.argv[1:]
PREFIX = "exact32" if F32 else "exact"
torch.set_default_dtype(torch.float32 if F32 else torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 40
CHECKPOINTS = (1, 3, STEPS)
SIZES = (19, 1003)
MASK = (1 << 64) - 1


class Noise:
    """An LCG (Knuth's MMIX constants); each value is (s >> 33) - 2^30 times 2^-32, a
    multiple of 2^-32 in [-0.25, 0.25).  tests/test_exact.c draws the same."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & MASK
        return ((self.state >> 33) - (1 << 30)) * 2.0 ** -32

    def vector(self, n, scale=1.0):
        return torch.tensor([scale * self.next() for _ in range(n)])


# libgd's names of torch's arguments where they differ; pairs are split in two.
RENAMED = {"initial_accumulator_value": "initial_accumulator", "line_search_fn": "line_search"}
PAIRS = {"betas": ("beta1", "beta2"), "etas": ("eta_minus", "eta_plus"),
         "step_sizes": ("step_min", "step_max")}
BOOLEANS = ("nesterov", "amsgrad", "centered", "maximize", "decoupled_weight_decay")
NOT_PARAMETERS = ("foreach", "capturable", "differentiable", "fused")
RUN_KEYS = ("max_iter", "max_eval")  # L-BFGS's: libgd's run keys, not the method's
LINE_SEARCHES = {None: 0.0, "strong_wolfe": 1.0}  # GD_LINE_SEARCH_NONE, _STRONG_WOLFE


def torch_kwargs(params, defaults):
    """libgd's parameter names and values to torch's keyword arguments; the other half
    of a pair (betas, etas, step_sizes) set alone is the method's default."""
    kw, back = {}, {v: k for k, v in RENAMED.items()}
    for key, value in params.items():
        pair = next((p for p, names in PAIRS.items() if key in names), None)
        if pair:
            both = list(kw.get(pair, [defaults[name] for name in PAIRS[pair]]))
            both[PAIRS[pair].index(key)] = value
            kw[pair] = tuple(both)
        else:
            kw[back.get(key, key)] = bool(value) if key in BOOLEANS else value
    return kw


def libgd_defaults(torch_defaults):
    """torch's defaults under libgd's names, booleans as 0 and 1."""
    out = {}
    for key, value in torch_defaults.items():
        if key in NOT_PARAMETERS or key in RUN_KEYS:
            continue
        if key == "line_search_fn":
            out[RENAMED[key]] = LINE_SEARCHES[value]
        elif key in PAIRS:
            out.update(zip(PAIRS[key], value))
        else:
            out[RENAMED.get(key, key)] = float(value)
    return out



def torch_method(cls, **overrides):
    """A torch.optim class: its factory, and its defaults with overrides (SGD's lr,
    which torch requires and the contract sets to 0.01)."""
    probe = torch.zeros(1, requires_grad=True)
    defaults = libgd_defaults(cls([probe], **overrides).defaults)
    return (lambda x, params: cls([x], **{**overrides, **torch_kwargs(params, defaults)})), defaults


def reference_method(cls):
    """A reference step written below (behaviour torch 1.13 lacks): its factory, and
    its defaults, under libgd's names."""
    return (lambda x, params: cls(x, {**cls.DEFAULTS, **params})), dict(cls.DEFAULTS)


class NAdam:
    """torch.optim.NAdam as torch 2.x computes it, in torch 1.13's operations
    (_single_tensor_nadam): 2.x's product mu_product_next = mu_product * mu_next (1.13
    multiplies by mu twice), decoupled_weight_decay and maximize; 1.13's roundings where
    2.x only rounds otherwise (mul_().add_() for its lerp_).  With 1.13's product and
    the options off it gives torch.optim.NAdam's bits."""

    DEFAULTS = {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
                "momentum_decay": 4e-3, "decoupled_weight_decay": 0.0, "maximize": 0.0}

    def __init__(self, x, params):
        self.x, self.p = x, params
        self.step_t = torch.tensor(0.)
        self.mu_product = torch.tensor(1.)
        self.exp_avg = torch.zeros_like(x)
        self.exp_avg_sq = torch.zeros_like(x)

    @property
    def state(self):
        """torch.optim.NAdam's state, keyed by the parameter."""
        return {self.x: {"step": self.step_t, "mu_product": self.mu_product,
                         "exp_avg": self.exp_avg, "exp_avg_sq": self.exp_avg_sq}}

    @torch.no_grad()
    def step(self):
        p, param = self.p, self.x
        lr, beta1, beta2, eps = p["lr"], p["beta1"], p["beta2"], p["eps"]
        weight_decay, momentum_decay = p["weight_decay"], p["momentum_decay"]
        grad = -param.grad if p["maximize"] else param.grad
        self.step_t += 1
        step = self.step_t.item()
        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0:
            if p["decoupled_weight_decay"]:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)
        mu = beta1 * (1. - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1. - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        self.mu_product *= mu
        mu_product_next = self.mu_product.item() * mu_next  # a Python float
        self.exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        self.exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = self.exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
        param.addcdiv_(grad, denom, value=-lr * (1. - mu) / (1. - self.mu_product.item()))
        param.addcdiv_(self.exp_avg, denom, value=-lr * mu_next / (1. - mu_product_next))


class RAdam:
    """torch.optim.RAdam as torch 1.13 computes it (_single_tensor_radam), with torch
    2.x's decoupled_weight_decay and maximize; with these off it gives
    torch.optim.RAdam's bits."""

    DEFAULTS = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
                "decoupled_weight_decay": 0.0, "maximize": 0.0}

    def __init__(self, x, params):
        self.x, self.p = x, params
        self.step_t = torch.tensor(0.)
        self.exp_avg = torch.zeros_like(x)
        self.exp_avg_sq = torch.zeros_like(x)

    @property
    def state(self):
        """torch.optim.RAdam's state, keyed by the parameter."""
        return {self.x: {"step": self.step_t, "exp_avg": self.exp_avg,
                         "exp_avg_sq": self.exp_avg_sq}}

    @torch.no_grad()
    def step(self):
        p, param = self.p, self.x
        lr, beta1, beta2, eps = p["lr"], p["beta1"], p["beta2"], p["eps"]
        weight_decay = p["weight_decay"]
        grad = -param.grad if p["maximize"] else param.grad
        self.step_t += 1
        step = self.step_t.item()
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0:
            if p["decoupled_weight_decay"]:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)
        self.exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        self.exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias_corrected_exp_avg = self.exp_avg / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                             / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            adaptive_lr = math.sqrt(bias_correction2) / self.exp_avg_sq.sqrt().add_(eps)
            param.add_(bias_corrected_exp_avg * lr * adaptive_lr * rect, alpha=-1.0)
        else:
            param.add_(bias_corrected_exp_avg * lr, alpha=-1.0)
class Lion(torch.optim.Optimizer):
    """Lion (Chen et al. 2023), not in torch: the common PyTorch version, decoupled
    weight decay first; lib/methods/lion.c follows these operations in this order."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0,
                 maximize=False):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay,
                                      maximize=maximize))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, wd = group["lr"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                g = -p.grad if group["maximize"] else p.grad
                state = self.state[p]
                if not state:
                    state["exp_avg"] = torch.zeros_like(p)
                exp_avg = state["exp_avg"]
                if wd != 0:
                    p.mul_(1 - lr * wd)
                c = exp_avg.mul(beta1).add_(g, alpha=1 - beta1)
                p.add_(torch.sign(c), alpha=-lr)
                exp_avg.mul_(beta2).add_(g, alpha=1 - beta2)


# method: (factory(x, params) -> an object with step(), defaults under libgd's names)
METHODS = {
    "sgd": torch_method(torch.optim.SGD, lr=0.01),
    "adam": torch_method(torch.optim.Adam),
    "adamw": torch_method(torch.optim.AdamW),
    "rmsprop": torch_method(torch.optim.RMSprop),
    "adagrad": torch_method(torch.optim.Adagrad),
    "nadam": reference_method(NAdam),
    "radam": reference_method(RAdam),
    "adamax": torch_method(torch.optim.Adamax),
    "adadelta": torch_method(torch.optim.Adadelta),
    "rprop": torch_method(torch.optim.Rprop),
    "asgd": torch_method(torch.optim.ASGD),
    "lion": torch_method(Lion),
    # Defaults only: its step needs a closure; tests/golden/make_lbfgs.py has its goldens.
    "lbfgs": torch_method(torch.optim.LBFGS),
}

# (method, libgd parameters): each case runs at every size of SIZES.
CASES = [
    ("sgd", {"lr": 0.05}),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": 1, "weight_decay": 0.01}),
    ("sgd", {"lr": 0.05, "momentum": 0.5, "dampening": 0.25, "maximize": 1}),
    ("adam", {"lr": 0.01}),
    ("adam", {"lr": 0.01, "amsgrad": 1, "weight_decay": 0.1, "beta1": 0.8}),
    ("adam", {"lr": 0.01, "maximize": 1, "eps": 1e-6}),
    ("adamw", {"lr": 0.01}),
    ("adamw", {"lr": 0.01, "amsgrad": 1, "weight_decay": 0.3, "maximize": 1}),
    ("rmsprop", {"lr": 0.001}),
    ("rmsprop", {"lr": 0.001, "centered": 1, "momentum": 0.9, "weight_decay": 0.01}),
    ("rmsprop", {"lr": 0.001, "alpha": 0.9, "maximize": 1}),
    ("adagrad", {"lr": 0.1}),
    ("adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator": 0.1,
                 "weight_decay": 0.05, "maximize": 1}),
    ("nadam", {"lr": 0.01}),
    ("nadam", {"lr": 0.01, "weight_decay": 0.1, "momentum_decay": 0.01, "beta1": 0.8}),
    ("nadam", {"lr": 0.01, "weight_decay": 0.3, "decoupled_weight_decay": 1, "maximize": 1,
               "beta2": 0.99, "eps": 1e-6}),
    ("nadam", {"lr": 0.01, "weight_decay": 0.05, "maximize": 1, "momentum_decay": 0.0}),
    # RAdam: the first steps unrectified (rho_t <= 5), the later ones rectified; with
    # beta2 = 0.5 (rho_inf = 3) none is.
    ("radam", {"lr": 0.01}),
    ("radam", {"lr": 0.01, "weight_decay": 0.1, "beta1": 0.8, "beta2": 0.9}),
    ("radam", {"lr": 0.01, "weight_decay": 0.3, "decoupled_weight_decay": 1, "maximize": 1,
               "eps": 1e-6}),
    ("radam", {"lr": 0.01, "beta2": 0.5, "maximize": 1, "weight_decay": 0.05}),
    ("adamax", {"lr": 0.01}),
    ("adamax", {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.1}),
    ("adamax", {"lr": 0.01, "eps": 1e-3, "maximize": 1}),
    ("adamax", {"lr": 0.01, "beta1": 0.0, "beta2": 0.0, "eps": 0.0}),
    ("adadelta", {}),
    ("adadelta", {"lr": 0.5, "rho": 0.6, "eps": 1e-4, "weight_decay": 0.1}),
    ("adadelta", {"lr": 0.1, "rho": 1.0, "maximize": 1}),
    ("adadelta", {"rho": 0.0, "weight_decay": 0.05}),
    # Rprop: g = 0.5 x + noise changes sign often; small step_max and a step_min above
    # what eta_minus reaches make both clamps act.
    ("rprop", {"lr": 0.01}),
    ("rprop", {"lr": 0.05, "eta_minus": 0.3, "eta_plus": 1.5, "step_max": 0.08,
               "maximize": 1}),
    ("rprop", {"lr": 0.001, "eta_minus": 0.2, "step_min": 5e-4, "step_max": 0.02}),
    # ASGD: t0 = 5 so that ax averages (mu = 1/(t - 5) from step 8 on).
    ("asgd", {"lr": 0.01}),
    ("asgd", {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 5, "weight_decay": 0.1}),
    ("asgd", {"lr": 0.05, "t0": 5, "maximize": 1}),
    # Lion: torch_kwargs fills a missing beta from Adam's pair, so both are given.
    ("lion", {"lr": 0.01}),
    ("lion", {"lr": 0.01, "beta1": 0.8, "beta2": 0.9, "weight_decay": 0.5}),
    ("lion", {"lr": 0.01, "weight_decay": 0.1, "maximize": 1}),
    # The training loop (a third element): parameter ranges, torch's param groups, as
    # (from, to, parameters) with from and to fractions of n; gradient clipping.
    ("sgd", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01},
     {"ranges": [(0.75, 1.0, {"weight_decay": 0.0, "lr": 0.1, "nesterov": 1})]}),
    ("adam", {"lr": 0.01, "weight_decay": 0.1},
     {"ranges": [(0.0, 0.25, {"lr": 0.002, "beta1": 0.5, "amsgrad": 1}),
                 (0.5, 0.6, {"weight_decay": 0.0, "maximize": 1, "eps": 1e-3})]}),
    ("adamw", {"lr": 0.01},
     {"ranges": [(0.3, 0.7, {"weight_decay": 0.0, "beta2": 0.9, "lr": 0.05})]}),
    ("rmsprop", {"lr": 0.001, "momentum": 0.5},
     {"ranges": [(0.0, 0.5, {"centered": 1, "alpha": 0.9}),
                 (0.5, 1.0, {"momentum": 0.0, "weight_decay": 0.1, "lr": 0.01})]}),
    ("nadam", {"lr": 0.01}, {"ranges": [(0.5, 1.0, {"momentum_decay": 0.01, "lr": 0.02})]}),
    ("asgd", {"lr": 0.05, "t0": 5}, {"ranges": [(0.0, 0.4, {"lr": 0.01, "lambd": 0.01})]}),
    ("sgd", {"lr": 0.05, "momentum": 0.9}, {"clip_value": 0.1}),
    ("adam", {"lr": 0.01}, {"clip_norm": 1.0}),
    ("sgd", {"lr": 0.05}, {"clip_norm": 0.5, "clip_value": 0.2}),
    ("rmsprop", {"lr": 0.01}, {"clip_norm": 1.0,
                                "ranges": [(0.0, 0.5, {"lr": 0.002, "momentum": 0.9})]}),
]

# Clipping by norm sums in torch's order (its scalar path's lanes) and is bit for bit
# on one tensor.  With ranges torch's norm is the norm of the parts' norms (one tensor
# per group here), libgd's one norm of all of g: the factors differ in their last
# bit, which 40 steps of momentum grow to this relative difference of the smallest x
# (tests/test_exact.c compares those cases so).
CLIP_NORM_TOLERANCE = 1e-3 if F32 else 1e-11


# The methods whose whole torch state (vectors and scalars) is written too (all), at the
# smallest size, to exact-state-<name>.txt: one line per checkpoint and key,
# "step key count values"; tests/test_state.c compares gd_optimizer_get_state's.
STATE_GOLDENS = tuple(m for m in METHODS if m != "lbfgs")


def range_bounds(n, lo, hi):
    return int(n * lo), int(n * hi)


def groups_of(n, params, ranges):
    """The partition of 0..n-1 that the ranges make, as (first, end, parameters)."""
    cuts = sorted({0, n} | {b for lo, hi, _ in ranges for b in range_bounds(n, lo, hi)})
    groups = []
    for first, end in zip(cuts, cuts[1:]):
        merged = dict(params)
        for lo, hi, extra in ranges:
            a, b = range_bounds(n, lo, hi)
            if a <= first and end <= b:
                merged.update(extra)
        groups.append((first, end, merged))
    return groups


class EachPart:
    """A reference step (NAdam, RAdam) over groups: one instance per part, as torch's
    per-tensor state is."""

    def __init__(self, steps):
        self.steps = steps

    def step(self):
        for step in self.steps.values():
            step.step()


def optimizer_with_groups(method, x_parts, groups):
    """torch's optimizer over one tensor per group, each group with its options."""
    factory, defaults = METHODS[method]
    probe = factory(x_parts[0], {})  # its defaults: torch's, for what a group omits
    if not isinstance(probe, torch.optim.Optimizer):
        return EachPart({part: factory(part, params) for part, (_, _, params)
                         in zip(x_parts, groups)})
    param_groups = [{"params": [part], **torch_kwargs(params, defaults)}
                    for part, (_, _, params) in zip(x_parts, groups)]
    return type(probe)(param_groups, **probe.defaults)


def clip(x_parts, extras):
    if extras.get("clip_value"):
        torch.nn.utils.clip_grad_value_(x_parts, extras["clip_value"])
    if extras.get("clip_norm"):
        torch.nn.utils.clip_grad_norm_(x_parts, extras["clip_norm"])


def run(method, params, n, seed, states=None, extras=None):
    """x at each checkpoint; and there, when states is a dict, torch's state."""
    extras = extras or {}
    noise = Noise(seed)
    start = noise.vector(n, 4.0)
    groups = groups_of(n, params, extras.get("ranges", []))
    parts = [start[a:b].clone().requires_grad_(True) for a, b, _ in groups]
    if len(parts) == 1:
        opt = METHODS[method][0](parts[0], params)
    else:
        opt = optimizer_with_groups(method, parts, groups)
    kept = {}
    for step in range(1, STEPS + 1):
        with torch.no_grad():
            g = 0.5 * torch.cat([p.detach() for p in parts]) + noise.vector(n)
            for part, (a, b, _) in zip(parts, groups):
                part.grad = g[a:b].clone()
        clip(parts, extras)
        opt.step()
        if step in CHECKPOINTS:
            kept[step] = torch.cat([p.detach() for p in parts]).clone()
            if states is not None:
                states[step] = {key: torch.as_tensor(value).double().flatten().tolist()
                                for key, value in opt.state[parts[0]].items()
                                if value is not None}
    if not all(torch.isfinite(v).all() for v in kept.values()):
        raise SystemExit(f"{method} {params} n={n}: not finite")
    return kept


def case_tokens(params, extras, n):
    """The index line's settings: key=value for the optimizer, @first:count:key=value
    for a range, ~tolerance for the comparison."""
    tokens = [f"{k}={v!r}" for k, v in params.items()]
    tokens += [f"{k}={extras[k]!r}" for k in ("clip_value", "clip_norm") if k in extras]
    for lo, hi, extra in extras.get("ranges", []):
        a, b = range_bounds(n, lo, hi)
        tokens += [f"@{a}:{b - a}:{k}={v!r}" for k, v in extra.items()]
    if "clip_norm" in extras and extras.get("ranges"):
        tokens.append(f"~{CLIP_NORM_TOLERANCE!r}")
    return " ".join(tokens)


def write_state(file, states):
    with open(os.path.join(HERE, file), "w") as out:
        for step, state in states.items():
            for key, values in state.items():
                out.write(f"{step} {key} {len(values)} "
                          + " ".join(float(v).hex() for v in values) + "\n")


def main():
    index = []
    for number, (method, params, *rest) in enumerate(CASES):
        extras = rest[0] if rest else {}
        for n in SIZES:
            name = f"{method}{number:02d}-n{n}"
            seed = 1000 * number + n
            plain = method in STATE_GOLDENS and n == min(SIZES) and not extras
            states = {} if plain else None
            with open(os.path.join(HERE, f"{PREFIX}-{name}.txt"), "w") as out:
                for step, x in run(method, params, n, seed, states, extras).items():
                    out.write(f"{step}\n" + " ".join(float(v).hex() for v in x) + "\n")
            if states is not None:
                write_state(f"{PREFIX}-state-{name}.txt", states)
            index.append(f"{name} {method} {n} {seed} {PREFIX}-{name}.txt "
                         + case_tokens(params, extras, n))
    with open(os.path.join(HERE, f"{PREFIX}.txt"), "w") as out:
        out.write("\n".join(index) + "\n")
    if F32:
        print(f"wrote {len(index)} float32 cases with torch {torch.__version__}")
        return
    with open(os.path.join(HERE, "exact-defaults.txt"), "w") as out:
        for method, (_, defaults) in METHODS.items():
            out.write(" ".join([method] + [f"{k}={v!r}" for k, v in defaults.items()]) + "\n")
    print(f"wrote {len(index)} cases with torch {torch.__version__}, "
          f"ATEN_CPU_CAPABILITY={os.environ['ATEN_CPU_CAPABILITY']}")


if __name__ == "__main__":
    main()
