#!/usr/bin/python3
"""Writes the L-BFGS goldens that tests/test_lbfgs.c replays: for every case of CASES,
torch.optim.LBFGS (float64) from a fixed start, one or more step(closure) calls, and
after each call the iterate, state["func_evals"], state["n_iter"] and why the call
stopped.

Run with Debian's python3-torch:  /usr/bin/python3 tests/golden/make_lbfgs.py
Writes next to this script lbfgs.txt: per case a line
  name problem line_search history_size lr tolerance_grad tolerance_change max_iter
  max_eval calls
(line_search 0 none, 1 strong_wolfe; max_eval 0 for torch's default max_iter * 5 // 4)
then one line per call: "func_evals n_iter stop x_0 .. x_{n-1}", x in C99 hex floats
and stop a GD_STOP_* name.

The problems are those of tests/test_lbfgs.c's objectives: Rosenbrock in 2 and 10
dimensions from the standard start (-1.2, 1, -1.2, ...), the quadratic
||x - c||^2 (gd_quadratic_new with scale 1), and make_golden.py's least squares with
intercept from 0.  torch's autograd and the C gradients may differ in the last bits,
and torch's dot products sum in its BLAS's order, so the test compares x to 1e-8
relative and the counts and stop reasons exactly."""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_golden import LSQ_SCALE, LSQ_X, LSQ_Y, least_squares, rosenbrock  # noqa: E402

torch.set_default_dtype(torch.float64)

QUAD_CENTER = [1.0, -2.0, 3.0, 0.5, -1.0]


def quadratic(x):
    c = torch.tensor(QUAD_CENTER)
    return ((x - c) ** 2).sum()


PROBLEMS = {
    "rosen2": (rosenbrock, [-1.2, 1.0]),
    "rosen10": (rosenbrock, [-1.2 if i % 2 == 0 else 1.0 for i in range(10)]),
    "quad5": (quadratic, [0.0] * 5),
    "lsq": (least_squares, [0.0] * (len(LSQ_X[0]) + 1)),
}
LINE_SEARCH = {0: None, 1: "strong_wolfe"}

# (problem, line_search, history_size, lr, tolerance_grad, tolerance_change, max_iter,
#  max_eval (0: torch's default), calls)
CASES = [
    # max_iter, both line searches, both history sizes
    ("rosen2", 1, 100, 1.0, 1e-7, 1e-9, 20, 0, 1),
    ("rosen2", 1, 3, 1.0, 1e-7, 1e-9, 20, 0, 1),
    ("rosen2", 0, 100, 0.1, 1e-7, 1e-9, 20, 0, 1),
    ("rosen2", 0, 3, 0.1, 1e-7, 1e-9, 20, 0, 1),
    ("rosen10", 1, 100, 1.0, 1e-7, 1e-9, 30, 0, 1),
    ("rosen10", 1, 3, 1.0, 1e-7, 1e-9, 30, 0, 1),
    ("rosen10", 0, 100, 0.05, 1e-7, 1e-9, 30, 0, 1),
    ("rosen10", 0, 3, 0.05, 1e-7, 1e-9, 30, 0, 1),
    ("lsq", 1, 100, 1.0, 1e-7, 1e-9, 5, 0, 1),
    ("lsq", 0, 3, 0.5, 1e-7, 1e-9, 12, 0, 1),
    # runs to convergence: tolerance_grad, or tolerance_change on f or on the step
    ("rosen2", 1, 100, 1.0, 1e-7, 1e-9, 200, 1000, 1),
    ("rosen10", 1, 3, 1.0, 1e-7, 1e-9, 500, 2000, 1),
    ("quad5", 0, 100, 1.0, 1e-7, 1e-9, 20, 0, 1),
    ("quad5", 1, 100, 1.0, 1e-7, 1e-9, 20, 0, 1),
    ("lsq", 1, 100, 1.0, 1e-7, 1e-9, 100, 0, 1),
    ("lsq", 0, 100, 0.5, 1e-7, 1e-3, 100, 0, 1),
    ("rosen2", 1, 100, 1.0, 1e-7, 1e-3, 100, 0, 1),
    ("rosen2", 0, 100, 1e-4, 1e-7, 1e-4, 100, 0, 1),
    ("rosen10", 1, 100, 1.0, 1e-7, 1e-2, 100, 0, 1),
    # the evaluation budget
    ("rosen2", 1, 100, 1.0, 1e-7, 1e-9, 100, 10, 1),
    ("rosen10", 1, 100, 1.0, 1e-7, 1e-9, 20, 0, 1),
    ("rosen10", 0, 100, 0.05, 1e-7, 1e-9, 100, 7, 1),
    # successive calls continue the history
    ("rosen2", 1, 100, 1.0, 1e-7, 1e-9, 5, 0, 3),
    ("rosen2", 0, 3, 0.1, 1e-7, 1e-9, 4, 0, 3),
    ("rosen10", 1, 3, 1.0, 1e-7, 1e-9, 7, 0, 2),
    ("lsq", 0, 100, 0.5, 1e-7, 1e-9, 3, 0, 2),
    # converged at the start of a call: torch returns after one evaluation
    ("quad5", 1, 100, 1.0, 1e-7, 1e-9, 20, 0, 2),
    # tolerance_grad on problems that take more than two iterations
    ("rosen2", 1, 100, 1.0, 1e-4, 1e-12, 100, 0, 1),
    ("lsq", 0, 3, 0.5, 1e-5, 1e-12, 100, 0, 1),
    ("rosen10", 1, 3, 1.0, 1e-3, 1e-12, 200, 400, 1),
]


def stop_reason(opt, x, f, before, max_iter, max_eval, tol_grad, tol_change):
    """Why torch's step() returned, from its state and the closure at the final x,
    with step()'s checks in its order (lbfgs.py lines 318-322, 410-412, 450-465)."""
    state = opt.state[x]
    calls = state["n_iter"] - before["n_iter"]
    evals = state["func_evals"] - before["func_evals"]
    xc = x.detach().clone().requires_grad_(True)
    loss = f(xc)
    loss.backward()
    g = xc.grad
    if calls == 0:
        return "GD_STOP_GTOL" if g.abs().max() <= tol_grad else "GD_STOP_MAXITER"
    # A call that ended on g.d > -tolerance_change did not move: the gradient it saved
    # is the one at the final x, and its f too.
    if torch.equal(state["prev_flat_grad"], g) and state["prev_loss"] == float(loss):
        return "GD_STOP_FTOL"
    if calls == max_iter:
        return "GD_STOP_MAXITER"
    if evals >= max_eval:
        return "GD_STOP_MAXEVAL"
    if g.abs().max() <= tol_grad:
        return "GD_STOP_GTOL"
    if (state["d"] * state["t"]).abs().max() <= tol_change:
        return "GD_STOP_XTOL"
    if abs(float(loss) - state["prev_loss"]) < tol_change:
        return "GD_STOP_FTOL"
    raise SystemExit("no stop reason found")


def run(case):
    problem, ls, history, lr, tol_grad, tol_change, max_iter, max_eval, calls = case
    f, start = PROBLEMS[problem]
    x = torch.tensor(start, requires_grad=True)
    kwargs = dict(lr=lr, history_size=history, tolerance_grad=tol_grad,
                  tolerance_change=tol_change, max_iter=max_iter,
                  line_search_fn=LINE_SEARCH[ls])
    if max_eval:
        kwargs["max_eval"] = max_eval
    opt = torch.optim.LBFGS([x], **kwargs)
    budget = max_eval or max_iter * 5 // 4

    def closure():
        opt.zero_grad()
        loss = f(x)
        loss.backward()
        return loss

    rows = []
    for _ in range(calls):
        state = opt.state[x]
        before = {"n_iter": state.get("n_iter", 0), "func_evals": state.get("func_evals", 0)}
        opt.step(closure)
        state = opt.state[x]
        stop = stop_reason(opt, x, f, before, max_iter, budget, tol_grad, tol_change)
        rows.append((state["func_evals"], state["n_iter"], stop, x.detach().clone()))
    return rows


def main():
    lines, reasons = [], set()
    for number, case in enumerate(CASES):
        problem, ls, history, lr, tol_grad, tol_change, max_iter, max_eval, calls = case
        name = f"lbfgs{number:02d}-{problem}"
        lines.append(f"{name} {problem} {ls} {history} {lr!r} {tol_grad!r} {tol_change!r} "
                     f"{max_iter} {max_eval} {calls}")
        for evals, n_iter, stop, x in run(case):
            if not torch.isfinite(x).all():
                raise SystemExit(f"{name}: not finite")
            reasons.add(stop)
            lines.append(f"{evals} {n_iter} {stop} " + " ".join(float(v).hex() for v in x))
    with open(os.path.join(HERE, "lbfgs.txt"), "w") as out:
        out.write("\n".join(lines) + "\n")
    print(f"wrote {len(CASES)} cases with torch {torch.__version__}; stops: "
          + " ".join(sorted(reasons)))


if __name__ == "__main__":
    main()
