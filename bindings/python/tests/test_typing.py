"""The package is typed: py.typed is shipped, mypy --strict is clean on the package
and on code that uses it, and the two calls of minimize() have their result types."""
import importlib.util
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1]

USER_CODE = '''
import copy
import pathlib
import pickle
from typing import Any, Tuple, assert_type

import numpy as np
import numpy.typing as npt

import gdescent


def f(x: npt.NDArray[np.float64]) -> Tuple[float, npt.NDArray[np.float64]]:
    return float(x @ x), 2 * x


objective = gdescent.Objective(f, 2)
assert_type(gdescent.minimize(objective, [1.0, 2.0], "adam", lr=0.1), gdescent.Result)
assert_type(gdescent.minimize(lambda x: float(x @ x), [1.0, 2.0], method="Adam",
                              jac=lambda x: 2 * x, options={"maxiter": 3}),
            gdescent.OptimizeResult)
opt = gdescent.Optimizer("Adam", 2, betas=(0.8, 0.9))
assert_type(opt.params(), dict[str, bool | int | float])
assert_type(gdescent.step(opt, objective, np.zeros(2)), float)
assert_type(gdescent.__version__, str)
single = gdescent.Optimizer("sgd", 2, dtype=np.float32)
x32 = np.zeros(2, dtype=np.float32)
single.update(x32, x32)
assert_type(opt.add_schedule("OneCycleLR", max_lr=0.1, total_steps=5), gdescent.Optimizer)
assert_type(opt.schedule_step(), None)
opt.clear_schedules()
opt.add_schedule("sequential", milestones=[2], children=[
    ("lambda", {"lr_lambda": lambda epoch: 0.5 ** epoch}), {"kind": "step", "step_size": 1}])
assert_type(gdescent.SCHEDULES["step"], int)
state = opt.state_dict()
assert_type(state, bytes)
assert_type(opt.load_state_dict(state), None)
assert_type(opt.save("optimizer.state"), None)
assert_type(opt.load(pathlib.Path("optimizer.state")), None)
plain = gdescent.Optimizer("sgd", 2)
assert_type(copy.deepcopy(plain), gdescent.Optimizer)
assert_type(pickle.loads(pickle.dumps(plain)), Any)
'''


def test_py_typed_is_shipped():
    assert (PACKAGE / "gdescent" / "py.typed").is_file()
    assert 'gdescent = ["py.typed"]' in (PACKAGE / "pyproject.toml").read_text()


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                    reason=f"mypy is not installed for {sys.executable} (Debian: "
                    "python3-mypy)")
@pytest.mark.skipif(sys.version_info < (3, 11),
                    reason="the user script needs typing.assert_type (Python 3.11)")
def test_mypy_strict_is_clean_on_the_package_and_its_use(tmp_path):
    user = tmp_path / "user.py"
    user.write_text(USER_CODE)
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file",
         str(PACKAGE / "pyproject.toml"), "--cache-dir", str(tmp_path / "cache"),
         str(PACKAGE / "gdescent"), str(user)],
        cwd=tmp_path, env={"MYPYPATH": str(PACKAGE), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
