"""What Python code receives and calls during a run is safe to keep and to use: arrays
handed to objectives and callbacks are copies, any exception (Ctrl-C included) stops
the run and is raised again, overlapping arrays and nested runs are handled."""
import gc

import numpy as np

import gdescent


def test_kept_arrays_are_copies_equal_to_the_iterates():
    # history.append(x), the SciPy habit: every array kept must stay valid after the
    # run, and the optimizer (whose buffers the library frees) is collected first.
    n = 100_000
    center = np.linspace(-1.0, 1.0, n)
    seen_by_fun, seen_by_callback = [], []

    def fun(x):
        seen_by_fun.append(x)
        d = x - center
        return float(d @ d), 2 * d

    traj = gdescent.Trajectory(n, record_x=True)
    opt = gdescent.Optimizer("adam", n, lr=0.1, max_iter=5)
    r = gdescent.minimize(gdescent.Objective(fun, n), np.zeros(n), opt, trajectory=traj,
                          callback=lambda k, x, f: seen_by_callback.append(x))
    del opt
    gc.collect()
    kept = seen_by_fun + seen_by_callback
    assert len(seen_by_fun) == 6 and len(seen_by_callback) == 5
    # Own memory (checked before reading, which would crash on freed memory).
    assert all(a.flags.owndata for a in kept)
    for i, a in enumerate(kept):
        for b in kept[i + 1:]:
            assert not np.shares_memory(a, b)
    np.testing.assert_array_equal(np.array(seen_by_fun), traj.x)
    np.testing.assert_array_equal(np.array(seen_by_callback), traj.x[1:])
    np.testing.assert_array_equal(seen_by_callback[-1], r.x)
    assert not np.shares_memory(seen_by_callback[-1], r.x)
