#!/usr/bin/env bash
# The one-command install of README.md's Python section: builds the wheel of the
# top-level pyproject.toml offline (meson-python, the library built inside it), installs
# it into a fresh virtual environment that sees Debian's cffi and numpy, and runs the
# README's example from outside the source tree with no environment variable.  The
# source tree is copied first (meson-python writes .mesonpy-native-file.ini into it).
# Prints TAP.
# Usage: check_python_wheel.sh PYTHON SOURCE_ROOT
set -uo pipefail
python=$1 source=$2
if ! "$python" -c 'import cffi, numpy, mesonpy, pip, venv' 2>/dev/null; then
    echo "1..0 # SKIP $python lacks cffi, numpy, mesonpy, pip or venv (Debian: python3-cffi python3-numpy python3-mesonpy python3-pip python3-venv)"
    exit 0
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo 1..4
mkdir "$scratch/src" "$scratch/run"
if git -C "$source" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # The tracked files and the new ones, as they are in the work tree.
    (cd "$source" && git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
        tar --null -T - -cf -) | tar -xf - -C "$scratch/src"
else
    tar -C "$source" --exclude='./build*' --exclude=./.git -cf - . | tar -xf - -C "$scratch/src"
fi
log=$scratch/log
# No PYTHONPATH, GDESCENT_LIBRARY or LD_LIBRARY_PATH: the wheel must stand alone.
clean=(env -u PYTHONPATH -u GDESCENT_LIBRARY -u LD_LIBRARY_PATH PYTHONDONTWRITEBYTECODE=1)
if "${clean[@]}" "$python" -m pip wheel --quiet --no-build-isolation --no-deps --no-index \
        -w "$scratch/dist" "$scratch/src" >"$log" 2>&1; then
    echo "ok 1 - wheel built offline by meson-python"
else
    echo "not ok 1 - wheel built offline by meson-python"
    sed 's/^/# /' "$log"
fi
wheel=$(ls "$scratch"/dist/gdescent-*.whl 2>/dev/null | head -n 1)
if [ -n "$wheel" ] && "$python" -m venv --system-site-packages "$scratch/venv" >"$log" 2>&1 &&
    "${clean[@]}" "$scratch/venv/bin/python" -m pip install --quiet --no-index --no-deps \
        "$wheel" >>"$log" 2>&1; then
    echo "ok 2 - wheel installed into a fresh venv"
else
    echo "not ok 2 - wheel installed into a fresh venv"
    sed 's/^/# /' "$log"
fi
cd "$scratch/run" || exit 1
check() { # number, description, python code run by the venv's python
    if "${clean[@]}" "$scratch/venv/bin/python" -c "$3" >"$scratch/out" 2>&1; then
        echo "ok $1 - $2"
    else
        echo "not ok $1 - $2"
        sed 's/^/# /' "$scratch/out"
    fi
}
# The first python block after README.md's "## Python" heading.
awk '/^## Python$/ {p = 1} p && /^```python$/ {c = 1; next} c && /^```$/ {exit} c' \
    "$source/README.md" >"$scratch/run/example.py"
check 3 "README's example runs from outside the tree on the bundled library" "
import runpy, sys, io, contextlib
out = io.StringIO()
with contextlib.redirect_stdout(out):
    runpy.run_path('example.py', run_name='__main__')
import gdescent, gdescent._native as native
assert gdescent.__file__.startswith('$scratch/venv/'), gdescent.__file__
assert native._lib is not None and native._lib[0] == native.BUNDLED, native._lib
lines = out.getvalue().splitlines()
assert len(lines) == 2 and lines[0].startswith('gtol ') and lines[0].endswith('[1. 1.]'), lines
print(out.getvalue())"
check 4 "the wheel's version is the library's, and it holds every module, compiled too" "
import importlib.metadata, os, gdescent, gdescent.lr_scheduler
assert importlib.metadata.version('gdescent') == gdescent.version() == gdescent.__version__
here = os.path.dirname(gdescent.__file__)
sources = set(os.listdir('$source/bindings/python/gdescent')) - {'__pycache__'}
wanted = {name for name in sources if not name.endswith('.c')}
assert wanted <= set(os.listdir(here)), sorted(wanted - set(os.listdir(here)))
# _callbacks.c built into the wheel, and what a Python objective's callbacks are.
assert gdescent._compiled is not None, 'no gdescent._callbacks in the wheel'
assert os.path.dirname(gdescent._compiled.__file__) == here, gdescent._compiled.__file__
objective = gdescent.Objective(lambda x: (float(x @ x), 2 * x), 2)
assert isinstance(objective._state, gdescent._compiled.Plain)"
