"""Saved states: Optimizer.state_dict/load_state_dict, save/load of files, pickling and
copy.deepcopy.  A loaded optimizer continues bit for bit (in this process and in
another), and a damaged or foreign state is refused with the optimizer unchanged."""
import copy
import os
import pathlib
import pickle
import subprocess
import sys

import numpy as np
import pytest

import gdescent
from gdescent import GDError, Optimizer

N = 4
PACKAGE = pathlib.Path(__file__).resolve().parents[1]


def gradient(x, k):
    """A gradient that depends on x and the step, so that x decides the future."""
    return np.sin(3.0 * x + 0.7 * k) + 0.1 * x


def adam():
    """Adam with a range of its own rate, a cosine schedule and clipping by norm."""
    opt = Optimizer("adam", N, lr=0.05, clip_norm=0.5, amsgrad=True)
    opt.set_range(2, 2, lr=0.02, betas=(0.8, 0.99))
    opt.add_schedule("cosine", T_max=7)
    return opt


def train(opt, x, first, steps):
    for k in range(first, first + steps):
        opt.update(x, gradient(x, k))
        opt.schedule_step()


def assert_same(x, y):
    assert np.array_equal(x, y)
    assert x.tobytes() == y.tobytes()


def test_a_loaded_optimizer_continues_bit_for_bit():
    opt = adam()
    x = np.array([0.5, -0.25, 1.0, 0.0])
    train(opt, x, 0, 10)
    state = opt.state_dict()
    assert isinstance(state, bytes) and state[:8] == b"GDSTATE\0"
    loaded = Optimizer("adam", N)  # the range, schedule and clipping come from state
    loaded.load_state_dict(state)
    assert loaded.state_dict() == state
    assert loaded.get_range(3, "lr") == opt.get_range(3, "lr")
    assert loaded.get("clip_norm") == 0.5 and loaded.iterations == 10
    y = x.copy()
    train(opt, x, 10, 10)
    train(loaded, y, 10, 10)
    assert_same(x, y)
    assert loaded.state_dict() == opt.state_dict()
    loaded.load_state_dict(bytearray(state))  # any bytes-like object
    assert loaded.iterations == 10


def test_pickle_continues_in_another_process(tmp_path):
    opt = adam()
    x = np.array([0.5, -0.25, 1.0, 0.0])
    train(opt, x, 0, 10)
    pickled = tmp_path / "optimizer.pickle"
    pickled.write_bytes(pickle.dumps((opt, x)))
    out = tmp_path / "x.bin"
    script = f"""
import pickle, sys
import numpy as np
sys.path.insert(0, {str(PACKAGE)!r})
sys.path.insert(0, {str(pathlib.Path(__file__).parent)!r})
from test_saved import train
opt, x = pickle.loads(open({str(pickled)!r}, "rb").read())
assert (opt.method, opt.n, opt.iterations) == ("adam", 4, 10)
train(opt, x, 10, 10)
open({str(out)!r}, "wb").write(x.tobytes() + opt.state_dict())
"""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if "GDESCENT_LIBRARY" not in env:  # as the test session loaded it
        env["GDESCENT_LIBRARY"] = gdescent._native._lib[0]
    run = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    train(opt, x, 10, 10)
    data = out.read_bytes()
    assert_same(x, np.frombuffer(data[:N * 8], dtype=np.float64))
    assert data[N * 8:] == opt.state_dict()


def test_deepcopy_and_copy_are_independent_and_continue_bit_for_bit():
    opt = adam()
    x = np.array([0.5, -0.25, 1.0, 0.0])
    train(opt, x, 0, 5)
    for twin in (copy.deepcopy(opt), copy.copy(opt), pickle.loads(pickle.dumps(opt))):
        assert type(twin) is Optimizer and twin is not opt
        assert (twin.method, twin.n) == (opt.method, opt.n)
        assert twin._handle != opt._handle
        a, b = x.copy(), x.copy()
        before = opt.state_dict()
        train(twin, b, 5, 7)
        assert opt.state_dict() == before  # the copy has its own state
        original = copy.deepcopy(opt)
        train(original, a, 5, 7)
        assert_same(a, b)


def test_lambda_schedules_are_not_pickled():
    opt = Optimizer("sgd", N)
    opt.add_schedule("lambda", lr_lambda=lambda epoch: 0.5 ** epoch)
    opt.schedule_step()
    with pytest.raises(TypeError, match="lr_lambda"):
        pickle.dumps(opt)
    with pytest.raises(TypeError, match="lr_lambda"):
        copy.deepcopy(opt)
    state = opt.state_dict()
    bare = Optimizer("sgd", N)
    with pytest.raises(GDError, match="lr_lambda") as info:
        bare.load_state_dict(state)
    assert info.value.status == gdescent.EINVAL
    # The way to move such an optimizer: the same schedules first, then the state.
    same = Optimizer("sgd", N).add_schedule("lambda", lr_lambda=lambda epoch: 0.5 ** epoch)
    same.load_state_dict(state)
    opt.schedule_step()
    same.schedule_step()
    assert same.get("lr") == opt.get("lr") == 0.01 * 0.5 ** 2
    # Once the lambda schedule is gone, pickling works again.
    opt.clear_schedules()
    assert pickle.loads(pickle.dumps(opt)).state_dict() == opt.state_dict()


def damaged(state, byte):
    flipped = bytearray(state)
    flipped[byte] ^= 0x10
    return bytes(flipped)


def test_a_damaged_state_is_refused_and_changes_nothing():
    source = adam()
    x = np.array([0.5, -0.25, 1.0, 0.0])
    train(source, x, 0, 4)
    state = source.state_dict()
    target = adam()
    train(target, x, 0, 2)
    before = target.state_dict()
    for byte in (0, 9, 30, len(state) // 2, len(state) - 1):
        with pytest.raises(GDError) as info:
            target.load_state_dict(damaged(state, byte))
        assert info.value.status == gdescent.EFORMAT
        assert target.state_dict() == before
    for truncated in (b"", state[:39], state[:-1], state + b"\0"):
        with pytest.raises(GDError) as info:
            target.load_state_dict(truncated)
        assert info.value.status == gdescent.EFORMAT
    assert target.state_dict() == before
    for wrong in ("a str", None, [1, 2]):
        with pytest.raises(TypeError):
            target.load_state_dict(wrong)
    target.load_state_dict(state)
    assert target.state_dict() == state


def test_a_state_of_another_method_or_size_is_refused():
    state = adam().state_dict()
    for method, n in (("sgd", N), ("adamw", N), ("adam", N + 1)):
        other = Optimizer(method, n, lr=0.3)
        before = other.state_dict()
        with pytest.raises(GDError, match=f"a state of adam with n = {N}") as info:
            other.load_state_dict(state)
        assert info.value.status == gdescent.EINVAL
        assert other.state_dict() == before


def test_files_round_trip(tmp_path):
    opt = adam()
    x = np.array([0.5, -0.25, 1.0, 0.0])
    train(opt, x, 0, 3)
    path = tmp_path / "state"
    opt.save(path)
    opt.save(str(path))  # replaces it
    assert path.read_bytes() == opt.state_dict()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state"]
    for given in (path, str(path), os.fsencode(path)):
        loaded = Optimizer("adam", N)
        loaded.load(given)
        assert loaded.state_dict() == opt.state_dict()
    with pytest.raises(ValueError, match="NUL"):
        opt.save(str(path) + "\0x")
    with pytest.raises(ValueError, match="NUL"):
        loaded.load(os.fsencode(path) + b"\0x")
    with pytest.raises(GDError) as info:
        loaded.load(tmp_path / "missing")
    assert info.value.status == gdescent.EIO
    with pytest.raises(GDError) as info:
        opt.save(tmp_path / "no-such-directory" / "state")
    assert info.value.status == gdescent.EIO
    with pytest.raises(GDError) as info:
        opt.save("")
    assert info.value.status == gdescent.EINVAL
    before = loaded.state_dict()
    (tmp_path / "damaged").write_bytes(damaged(opt.state_dict(), 50))
    with pytest.raises(GDError) as info:
        loaded.load(tmp_path / "damaged")
    assert info.value.status == gdescent.EFORMAT
    with pytest.raises(GDError, match="a state of adam") as info:
        Optimizer("sgd", N).load(path)
    assert info.value.status == gdescent.EINVAL
    assert loaded.state_dict() == before


def test_minimize_with_mini_batches_resumes_bit_for_bit():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((12, 3)), rng.standard_normal(12)
    objective = gdescent.least_squares(X, y, intercept=True)
    opt = Optimizer("adam", 4, lr=0.05, batch_size=5, seed=11, max_iter=7,
                    clip_norm=0.5)
    opt.add_schedule("step", step_size=3)
    opt.set(schedule_every=1)
    first = gdescent.minimize(objective, np.zeros(4), opt)
    loaded = pickle.loads(pickle.dumps(opt))
    fresh = Optimizer("adam", 4)
    fresh.load_state_dict(opt.state_dict())
    results = [gdescent.minimize(objective, first.x, o, max_iter=9)
               for o in (opt, loaded, fresh)]
    for r in results[1:]:
        assert_same(r.x, results[0].x)
        assert r.f == results[0].f and r.iterations == results[0].iterations == 9
    assert loaded.state_dict() == fresh.state_dict() == opt.state_dict()


def test_loading_during_a_run_of_the_same_optimizer_is_refused():
    objective = gdescent.quadratic(N)
    opt = Optimizer("sgd", N, lr=0.1, max_iter=3)
    state = opt.state_dict()

    def callback(k, x, f):
        opt.load_state_dict(state)

    with pytest.raises(GDError) as info:
        gdescent.minimize(objective, np.ones(N), opt, callback=callback)
    assert info.value.status == gdescent.EBUSY
    assert opt.iterations == 1
