"""Times the Python binding around Python callbacks (issue 23): what gdescent.step()
and gdescent.minimize() cost beyond the user's own function, and what the copy of the
library's x into a new NumPy array (the binding's safety guarantee) costs.

The objective is f(x) = x @ x, gradient 2 x, written as a user would write it.  Every
figure is the median over ROUNDS rounds; within a round each quantity is timed in turn
(interleaved, so that a slow moment of a shared machine hits all of them alike).

    bare      the user's function called directly on one NumPy array
    step      gdescent.step(opt, objective, x) with SGD, per call, with the compiled
              callbacks (gdescent/_callbacks.c); "cffi" rows: the same with the cffi
              callbacks the package uses without them
    minimize  gdescent.minimize(objective, x0, opt) with SGD, max_iter iterations and
              every tolerance off, per iteration (its nfev = max_iter + 1 calls of the
              function are subtracted at the bare function's time)
    copy      the binding's copy of n doubles at a C pointer into a new array
    floor     what cffi itself costs: gd_step, and gd_minimize per iteration, with a
              C callback whose Python body only stores f = 0 and a zero gradient
    library   gd_step, and gd_minimize per iteration, on the library's own quadratic
              (gdescent.quadratic), without Python: the library's share at n = 1e6

usage: /usr/bin/python3 bench/python_callbacks.py [--quick] [--library PATH]
                                                  [--callbacks PATH]
(the library: --library, else $GDESCENT_LIBRARY, else build/libgdescent.so.1; the
compiled module: --callbacks, else the one in build/bindings/python/)
"""
import argparse
import glob
import importlib.util
import os
import statistics
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))


def fun(x):
    return float(x @ x), 2 * x


def timed(body, count):
    """Nanoseconds per call of body(count), which runs count calls."""
    start = time.perf_counter_ns()
    body(count)
    return (time.perf_counter_ns() - start) / count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--library")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--callbacks")
    args = parser.parse_args()
    library = (args.library or os.environ.get("GDESCENT_LIBRARY")
               or os.path.join(ROOT, "build", "libgdescent.so.1"))
    built = glob.glob(os.path.join(ROOT, "build", "bindings", "python", "_callbacks.*.so"))
    compiled_path = args.callbacks or (built[0] if built else None)
    if compiled_path is None:
        sys.exit("no compiled gdescent._callbacks: build it (python3-dev) or --callbacks")
    # As an installed package has it (tests/conftest.py loads it the same way).
    spec = importlib.util.spec_from_file_location("gdescent._callbacks", compiled_path)
    compiled = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compiled)
    sys.modules["gdescent._callbacks"] = compiled
    import gdescent
    assert gdescent._compiled is compiled
    from gdescent._native import ffi
    gdescent.load_library(library)
    lib = gdescent.load_library()
    rounds = args.rounds or (3 if args.quick else 15)
    small = 20_000 if args.quick else 40_000       # calls per round at n = 2
    iters = 10_000                                 # minimize's max_iter at n = 2
    big_n, big_calls, big_iters = 1_000_000, (5 if args.quick else 20), 20

    def objects(n, callbacks="compiled"):
        opt = gdescent.Optimizer("sgd", n, lr=1e-9, gtol=0.0, ftol=0.0, xtol=0.0)
        # Without the compiled module, Objective makes cffi callbacks.
        gdescent._compiled = compiled if callbacks == "compiled" else None
        objective = gdescent.Objective(fun, n)
        gdescent._compiled = compiled
        return opt, objective, np.linspace(1.0, 2.0, n)

    # C memory to copy from, as the library's x is.
    c_small = ffi.new("double[]", [1.0, 2.0])
    c_big = ffi.new("double[]", big_n)
    copy_of = gdescent._copy_of

    def loop_bare(x):
        def body(count):
            for _ in range(count):
                fun(x)
        return body

    def loop_step(n, callbacks="compiled"):
        opt, obj, x = objects(n, callbacks)
        step = gdescent.step

        def body(count):
            for _ in range(count):
                step(opt, obj, x)
        return body

    def loop_copy(ptr, n):
        def body(count):
            for _ in range(count):
                copy_of(ptr, n)
        return body

    def minimize_per_iteration(n, max_iter, callbacks="compiled"):
        opt, obj, x0 = objects(n, callbacks)
        start = time.perf_counter_ns()
        r = gdescent.minimize(obj, x0, opt, max_iter=max_iter)
        elapsed = time.perf_counter_ns() - start
        assert r.status_name == "maxiter" and r.iterations == max_iter, r
        return elapsed / max_iter, r.nfev / max_iter

    # The floor: a cffi callback whose body stores constants.
    @ffi.callback("gd_fdf_fn", error=1)
    def c_floor(x, n, f, grad, user):
        f[0] = 0.0
        if grad != ffi.NULL:
            grad[0] = 0.0
            grad[1] = 0.0
        return 0
    floor_obj = ffi.gc(lib.gd_objective_new(2, c_floor, ffi.NULL), lib.gd_objective_free)

    def floor_step(count):
        opt = gdescent.Optimizer("sgd", 2, lr=1e-9)
        x = ffi.new("double[]", [1.0, 2.0])
        f = ffi.new("double *")
        gd_step, h = lib.gd_step, opt._handle
        start = time.perf_counter_ns()
        for _ in range(count):
            gd_step(h, floor_obj, x, f)
        return (time.perf_counter_ns() - start) / count

    def floor_minimize(max_iter):
        opt = gdescent.Optimizer("sgd", 2, lr=1e-9, max_iter=max_iter)
        x = ffi.new("double[]", [1.0, 2.0])
        start = time.perf_counter_ns()
        status = lib.gd_minimize(opt._handle, floor_obj, x, ffi.NULL)
        elapsed = time.perf_counter_ns() - start
        assert status == gdescent.STOP_MAXITER, status
        return elapsed / max_iter

    # The library alone at n = 1e6: its own quadratic, no Python in the evaluation.
    c_opt, c_obj, c_x = objects(big_n)
    c_obj = gdescent.quadratic(big_n)

    def library_step(count):
        f = ffi.new("double *")
        x = ffi.from_buffer("double[]", c_x)
        start = time.perf_counter_ns()
        for _ in range(count):
            lib.gd_step(c_opt._handle, c_obj._handle, x, f)
        return (time.perf_counter_ns() - start) / count

    def library_minimize(max_iter):
        c_opt.set(max_iter=max_iter)
        x = ffi.from_buffer("double[]", c_x)
        start = time.perf_counter_ns()
        status = lib.gd_minimize(c_opt._handle, c_obj._handle, x, ffi.NULL)
        elapsed = time.perf_counter_ns() - start
        assert status == gdescent.STOP_MAXITER, status
        return elapsed / max_iter

    x_small, x_big = np.array([1.0, 2.0]), np.linspace(1.0, 2.0, big_n)
    small_loops = {"bare": loop_bare(x_small), "step": loop_step(2),
                   "step cffi": loop_step(2, "cffi"), "copy": loop_copy(c_small, 2)}
    big_loops = {"bare": loop_bare(x_big), "step": loop_step(big_n),
                 "copy": loop_copy(c_big, big_n)}
    samples = {key: [] for key in
               ["bare 2", "step 2", "step cffi 2", "copy 2", "minimize 2",
                "minimize cffi 2", "floor step",
                "floor minimize", "bare 1e6", "step 1e6", "copy 1e6", "minimize 1e6", "library step",
                "library minimize"]}
    calls_per_iter = {}
    for name, body in small_loops.items():   # warm-up
        body(1000)
    for _ in range(rounds):
        for name, body in small_loops.items():
            samples[name + " 2"].append(timed(body, small))
        per_iter, calls_per_iter[2] = minimize_per_iteration(2, iters)
        samples["minimize 2"].append(per_iter)
        per_iter, _ = minimize_per_iteration(2, iters, "cffi")
        samples["minimize cffi 2"].append(per_iter)
        samples["floor step"].append(floor_step(small))
        samples["floor minimize"].append(floor_minimize(iters))
        for name, body in big_loops.items():
            samples[name + " 1e6"].append(timed(body, big_calls))
        per_iter, calls_per_iter[big_n] = minimize_per_iteration(big_n, big_iters)
        samples["minimize 1e6"].append(per_iter)
        samples["library step"].append(library_step(big_calls))
        samples["library minimize"].append(library_minimize(big_iters))
    med = {key: statistics.median(v) for key, v in samples.items()}
    spread = {key: (min(v), max(v)) for key, v in samples.items()}

    def us(ns):
        return f"{ns / 1000:.3f}" if ns < 1e5 else f"{ns / 1000:.0f}"

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"{rounds} rounds, library {library}")
    print("| quantity | n | median us | min-max us | beyond the bare function, us |")
    print("| --- | --- | --- | --- | --- |")
    for key, n, bare in [("bare 2", 2, None), ("step 2", 2, "bare 2"),
                         ("step cffi 2", 2, "bare 2"), ("minimize 2", 2, "bare 2"),
                         ("minimize cffi 2", 2, "bare 2"), ("copy 2", 2, None),
                         ("floor step", 2, None), ("floor minimize", 2, None),
                         ("bare 1e6", big_n, None), ("step 1e6", big_n, "bare 1e6"),
                         ("minimize 1e6", big_n, "bare 1e6"), ("copy 1e6", big_n, None),
                         ("library step", big_n, None), ("library minimize", big_n, None)]:
        lo, hi = spread[key]
        label = key.rsplit(" ", 1)[0] if key[-1].isdigit() else key
        if "minimize" in label:
            label += " (per iteration)"
        beyond = ""
        if bare is not None:
            # minimize calls the function nfev / iterations times per iteration.
            calls = calls_per_iter[n] if key.startswith("minimize") else 1
            beyond = us(med[key] - calls * med[bare])
        print(f"| {label} | {n:g} | {us(med[key])} | {us(lo)}-{us(hi)} | {beyond} |")
    print(f"targets: step at n = 2 within 2 us of the bare function: "
          f"{us(med['step 2'] - med['bare 2'])} us; minimize within 1.5 us per "
          f"iteration: {us(med['minimize 2'] - calls_per_iter[2] * med['bare 2'])} us")


if __name__ == "__main__":
    main()
