"""One full evaluation (f and gradient) of least squares and logistic regression,
libgd's one pass over X (gdescent.least_squares, gdescent.logistic) against NumPy's
two passes (z = X @ w, then X.T @ r), at m = 1e4, 1e5, 1e6 rows of p = 8 and 64 (the
sizes and parameters of bench_eval), timed in alternating rounds of one process.
Each pair's f and gradient are checked against each other (relative 1e-10) first.

    /usr/bin/python3 bench/numpy_eval.py [--quick] [--library PATH]

GB/s are of the bytes of X and y (8 (p + 1) a row) per second; `ratio` is NumPy's
time over libgd's (above 1: libgd is faster).  NumPy's BLAS runs on one thread
(OPENBLAS_NUM_THREADS and OMP_NUM_THREADS default to 1), as libgd does.
"""
import argparse
import os
import statistics
import sys
import time

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))

SCALE, L2 = 0.5, 1e-3  # bench_eval's least squares scale and logistic penalty


def numpy_least_squares(X, y, w):
    """(SCALE/m) sum r^2 with r = X w[:p] + b - y, and its gradient, in two passes."""
    m = X.shape[0]
    r = X @ w[:-1] + w[-1] - y
    grad = np.empty_like(w)
    grad[:-1] = X.T @ r
    grad[-1] = r.sum()
    grad *= 2.0 * SCALE / m
    return SCALE * float(r @ r) / m, grad


def numpy_logistic(X, y, w):
    """Mean log-loss + (L2/2)||w[:p]||^2 and its gradient, in two passes."""
    m = X.shape[0]
    z = X @ w[:-1] + w[-1]
    loss = np.logaddexp(0.0, z) - y * z
    slope = np.exp(-np.logaddexp(0.0, -z)) - y  # sigmoid(z) - y without overflow
    grad = np.empty_like(w)
    grad[:-1] = X.T @ slope / m + L2 * w[:-1]
    grad[-1] = slope.sum() / m
    return float(loss.mean()) + 0.5 * L2 * float(w[:-1] @ w[:-1]), grad


class Native:
    """gd_objective_eval on a bundled objective, its buffers made once."""

    def __init__(self, objective, ffi, lib, n):
        self.objective, self.lib = objective, lib
        self.f = ffi.new("double *")
        self.grad = np.empty(n)
        self.grad_buffer = ffi.from_buffer("double[]", self.grad)
        self.ffi = ffi

    def __call__(self, w):
        status = self.lib.gd_objective_eval(self.objective._handle,
                                            self.ffi.from_buffer("double[]", w),
                                            self.f, self.grad_buffer)
        assert status == 0, status
        return float(self.f[0]), self.grad


def seconds(evaluate, w, reps):
    start = time.perf_counter()
    for _ in range(reps):
        evaluate(w)
    return (time.perf_counter() - start) / reps


def check(name, native, reference, w):
    f, grad = native(w)
    f_ref, grad_ref = reference(w)
    scale = np.abs(grad_ref).max()
    if abs(f - f_ref) > 1e-10 * abs(f_ref) or np.abs(grad - grad_ref).max() > 1e-10 * scale:
        sys.exit(f"{name}: libgd and NumPy disagree (f {f!r} against {f_ref!r})")


def bench_size(gdescent, ffi, lib, m, p, rounds):
    rng = np.random.default_rng(11)
    X = rng.uniform(-1.0, 1.0, (m, p))
    y = (rng.uniform(size=m) < 0.5).astype(float)
    w = 0.1 * (rng.uniform(size=p + 1) - 0.5)
    pairs = [
        ("least_squares",
         Native(gdescent.least_squares(X, y, scale=SCALE, intercept=True), ffi, lib, p + 1),
         lambda v: numpy_least_squares(X, y, v)),
        ("logistic",
         Native(gdescent.logistic(X, y, l2=L2, intercept=True), ffi, lib, p + 1),
         lambda v: numpy_logistic(X, y, v)),
    ]
    reps = int(2e7 / (m * p)) + 1
    data_bytes = 8.0 * m * (p + 1)
    for name, native, reference in pairs:
        check(name, native, reference, w)
        times = {"libgd": [], "numpy": []}
        for _ in range(rounds):
            times["libgd"].append(seconds(native, w, reps))
            times["numpy"].append(seconds(reference, w, reps))
        ours, theirs = statistics.median(times["libgd"]), statistics.median(times["numpy"])
        print(f"{name:<14} {m:>8} {p:>3} {data_bytes / ours * 1e-9:9.2f} "
              f"{data_bytes / theirs * 1e-9:9.2f} {theirs / ours:6.2f}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="m / 10, 3 rounds")
    parser.add_argument("--library")
    args = parser.parse_args()
    import gdescent
    from gdescent._native import ffi
    lib = gdescent.load_library(args.library or os.environ.get("GDESCENT_LIBRARY")
                                or os.path.join(ROOT, "build", "libgdescent.so.1"))
    rounds = 3 if args.quick else 11
    print("one evaluation (f and gradient); medians of", rounds, "rounds")
    print(f"{'objective':<14} {'m':>8} {'p':>3} {'libgdGB/s':>9} {'numpyGB/s':>9} {'ratio':>6}")
    for p in (8, 64):
        for m in (10_000, 100_000, 1_000_000):
            bench_size(gdescent, ffi, lib, m // 10 if args.quick else m, p, rounds)


if __name__ == "__main__":
    main()
