#!/usr/bin/python3
"""Writes the golden trajectories that tests/test_golden.c replays: for every case of
CASES, 200 steps of torch.optim in float64 from a fixed start, all 201 iterates.

Run with Debian's python3-torch:  /usr/bin/python3 tests/golden/make_golden.py
CI never runs this; it uses the committed files.  Files written next to this script:
  index.txt   one case per line: name method objective file key=value...
  lsq.txt     the least-squares data (m p, then m rows "x_1 .. x_p y")
  <name>.txt  201 lines of n numbers (repr, 17 significant digits)
Adding a method or an option is adding a row to CASES."""
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 200

# Least squares with intercept: f(w) = (0.5/m) sum (X_i . w[:p] + w[p] - y_i)^2.
LSQ_X = [[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-0.2, 2.2, 1.1], [0.9, -0.4, 0.0],
         [2.0, 1.0, -1.5], [-1.3, 0.8, 0.6], [0.1, -2.0, 1.9], [1.1, 1.4, -0.3]]
LSQ_Y = [1.0, -0.5, 2.5, 0.3, -1.2, 1.8, 0.7, -0.4]
LSQ_SCALE = 0.5

START = {
    "rosen2": [-1.5, 2.0],
    "rosen10": [-1.2 if i % 2 == 0 else 1.0 for i in range(10)],
    "lsq": [0.0, 0.0, 0.0, 0.0],
}


def rosenbrock(x):
    return (100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2).sum()


def least_squares(w):
    X = torch.tensor(LSQ_X, dtype=torch.float64)
    y = torch.tensor(LSQ_Y, dtype=torch.float64)
    r = X @ w[:3] + w[3] - y
    return LSQ_SCALE * (r * r).mean()


def objective(name):
    """'neg-' in front negates the function (maximize cases ascend -f)."""
    sign = -1.0 if name.startswith("neg-") else 1.0
    base = name[4:] if sign < 0 else name
    f = least_squares if base == "lsq" else rosenbrock
    return base, (lambda x: sign * f(x))


TORCH_CLASS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam,
               "adamw": torch.optim.AdamW, "rmsprop": torch.optim.RMSprop,
               "adagrad": torch.optim.Adagrad}
# libgd's key names where torch's differ.
TORCH_NAME = {"initial_accumulator": "initial_accumulator_value"}

# (method, objectives, libgd parameters)
CASES = [
    ("sgd", ["rosen2", "rosen10", "lsq"], {"lr": 1e-4}),
    ("sgd", ["rosen2", "lsq"], {"lr": 1e-4, "momentum": 0.9}),
    ("sgd", ["rosen2", "lsq"], {"lr": 1e-4, "momentum": 0.9, "dampening": 0.5}),
    ("sgd", ["rosen2", "rosen10", "lsq"], {"lr": 1e-4, "momentum": 0.9, "nesterov": 1}),
    ("sgd", ["rosen2", "lsq"], {"lr": 1e-4, "weight_decay": 0.1}),
    ("sgd", ["neg-rosen2", "neg-lsq"], {"lr": 1e-4, "momentum": 0.5, "maximize": 1}),
    ("sgd", ["rosen2", "lsq"], {"lr": 1e-4, "momentum": 0.8, "nesterov": 1,
                                "weight_decay": 0.01}),
    ("adam", ["rosen2", "rosen10", "lsq"], {"lr": 1e-2}),
    ("adam", ["rosen2", "lsq"], {"lr": 1e-2, "amsgrad": 1}),
    ("adam", ["rosen2", "lsq"], {"lr": 1e-2, "weight_decay": 0.1, "beta1": 0.8,
                                 "beta2": 0.99, "eps": 1e-6}),
    ("adam", ["neg-rosen2", "neg-lsq"], {"lr": 1e-2, "maximize": 1, "amsgrad": 1}),
    ("adamw", ["rosen2", "rosen10", "lsq"], {"lr": 1e-2}),
    ("adamw", ["rosen2", "lsq"], {"lr": 1e-2, "weight_decay": 0.3, "amsgrad": 1}),
    ("adamw", ["neg-rosen2"], {"lr": 1e-2, "maximize": 1}),
    ("rmsprop", ["rosen2", "rosen10", "lsq"], {"lr": 1e-3}),
    ("rmsprop", ["rosen2", "lsq"], {"lr": 1e-3, "centered": 1, "momentum": 0.9,
                                    "weight_decay": 0.01}),
    ("rmsprop", ["rosen2", "lsq"], {"lr": 1e-3, "alpha": 0.9, "momentum": 0.5}),
    ("rmsprop", ["neg-lsq"], {"lr": 1e-3, "maximize": 1, "centered": 1}),
    ("adagrad", ["rosen2", "rosen10", "lsq"], {"lr": 1e-1}),
    ("adagrad", ["rosen2", "lsq"], {"lr": 1e-1, "lr_decay": 0.01,
                                    "initial_accumulator": 0.1, "weight_decay": 0.05}),
    ("adagrad", ["neg-lsq"], {"lr": 1e-1, "maximize": 1, "eps": 1e-6}),
]


def torch_kwargs(params):
    kw = {}
    for key, value in params.items():
        name = TORCH_NAME.get(key, key)
        if key in ("nesterov", "amsgrad", "centered", "maximize"):
            value = bool(value)
        if key in ("beta1", "beta2"):
            b1, b2 = kw.get("betas", (0.9, 0.999))
            kw["betas"] = (value, b2) if key == "beta1" else (b1, value)
            continue
        kw[name] = value
    return kw


def run(method, objective_name, params):
    base, f = objective(objective_name)
    x = torch.tensor(START[base], dtype=torch.float64, requires_grad=True)
    opt = TORCH_CLASS[method]([x], **torch_kwargs(params))
    rows = [x.detach().clone()]
    for _ in range(STEPS):
        opt.zero_grad()
        f(x).backward()
        opt.step()
        rows.append(x.detach().clone())
    if not all(torch.isfinite(r).all() for r in rows):
        raise SystemExit(f"{method} {objective_name} {params}: not finite, lower lr")
    return rows


def write_lsq():
    with open(os.path.join(HERE, "lsq.txt"), "w") as out:
        out.write(f"{len(LSQ_X)} {len(LSQ_X[0])} {LSQ_SCALE!r}\n")
        for row, y in zip(LSQ_X, LSQ_Y):
            out.write(" ".join(repr(v) for v in row + [y]) + "\n")


def main():
    write_lsq()
    index = []
    for number, (method, objectives, params) in enumerate(CASES):
        for objective_name in objectives:
            name = f"{method}{number:02d}-{objective_name}"
            with open(os.path.join(HERE, name + ".txt"), "w") as out:
                for row in run(method, objective_name, params):
                    out.write(" ".join(repr(float(v)) for v in row) + "\n")
            keys = " ".join(f"{k}={v!r}" for k, v in params.items())
            index.append(f"{name} {method} {objective_name} {name}.txt {keys}")
    with open(os.path.join(HERE, "index.txt"), "w") as out:
        out.write("\n".join(index) + "\n")
    print(f"wrote {len(index)} cases with torch {torch.__version__}")


if __name__ == "__main__":
    main()
