"""K calls of gdescent.step() at n = 2 with a Python objective, for instruction counts
that do not depend on the machine's load (bench/README.md, "Python callbacks"):

    for k in 2000 6000; do
        PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
            /usr/bin/python3 bench/python_step_loop.py $k compiled 2>&1 | grep refs
    done

The difference of the two counts over 4000 is the instructions of one call.  The
second argument is compiled (gdescent/_callbacks.c, from build/bindings/python/),
cffi (the cffi callbacks), or bare (the function alone, no step).
"""
import gc
import glob
import importlib.util
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))


def fun(x):
    return float(x @ x), 2 * x


def main():
    count, kind = int(sys.argv[1]), sys.argv[2]
    built = glob.glob(os.path.join(ROOT, "build", "bindings", "python", "_callbacks.*.so"))
    if kind == "compiled":
        spec = importlib.util.spec_from_file_location("gdescent._callbacks", built[0])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules["gdescent._callbacks"] = module
    import gdescent
    if kind == "cffi":
        gdescent._compiled = None
    assert (gdescent._compiled is not None) == (kind == "compiled")
    gdescent.load_library(os.path.join(ROOT, "build", "libgdescent.so.1"))
    opt = gdescent.Optimizer("sgd", 2, lr=1e-9, gtol=0.0, ftol=0.0, xtol=0.0)
    objective, x, step = gdescent.Objective(fun, 2), np.array([1.0, 2.0]), gdescent.step
    gc.disable()
    if kind == "bare":
        for _ in range(count):
            fun(x)
    else:
        for _ in range(count):
            step(opt, objective, x)


if __name__ == "__main__":
    main()
