"""Makes the package importable from the source tree, with the compiled module that
the meson build made (GDESCENT_CALLBACKS: its path), and with GDESCENT_TAP=1 (as
`meson test` runs it, with -p no:terminal) reports each test as a TAP line so that
the project's totals count Python tests one by one.

The fixture `callbacks` runs a test twice: with the compiled callbacks of
gdescent/_callbacks.c, and with the cffi callbacks the package uses without them."""
import importlib.util
import os
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

COMPILED_PATH = os.environ.get("GDESCENT_CALLBACKS", "")
if COMPILED_PATH:
    # Where an installed package has it: gdescent._callbacks, before gdescent's own
    # import looks for it.  A path that does not load fails every test.
    _spec = importlib.util.spec_from_file_location("gdescent._callbacks", COMPILED_PATH)
    assert _spec is not None and _spec.loader is not None, COMPILED_PATH
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
    sys.modules["gdescent._callbacks"] = _module


@pytest.fixture(params=["compiled", "cffi"])
def callbacks(request, monkeypatch):
    """The kind of callback the Objectives a test makes use."""
    import gdescent
    if request.param == "cffi":
        monkeypatch.setattr(gdescent, "_compiled", None)
    elif gdescent._compiled is None:
        pytest.skip("gdescent._callbacks is not built (Debian: python3-dev)")
    return request.param

_tap = {"count": 0}


def _emit(line):
    sys.__stdout__.write(line + "\n")
    sys.__stdout__.flush()


def _diagnostic(text):
    for line in str(text).splitlines():
        _emit("# " + line)


if os.environ.get("GDESCENT_TAP") == "1":
    def pytest_runtest_logreport(report):
        failed_outside_call = report.when != "call" and report.failed
        if not (report.when == "call" or failed_outside_call or report.skipped):
            return
        _tap["count"] += 1
        n, name = _tap["count"], report.nodeid
        if report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            _emit(f"ok {n} - {name} # SKIP {reason}")
        elif report.passed:
            _emit(f"ok {n} - {name}")
        else:
            _emit(f"not ok {n} - {name} ({report.when})")
            _diagnostic(report.longrepr)

    def pytest_collectreport(report):
        if report.failed:
            _tap["count"] += 1
            _emit(f"not ok {_tap['count']} - collecting {report.nodeid}")
            _diagnostic(report.longrepr)

    def pytest_sessionfinish(session, exitstatus):
        _emit(f"1..{_tap['count']}")
