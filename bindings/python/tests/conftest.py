"""Makes the package importable from the source tree, and with GDESCENT_TAP=1 (as
`meson test` runs it, with -p no:terminal) reports each test as a TAP line so that
the project's totals count Python tests one by one."""
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

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
