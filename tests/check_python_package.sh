#!/usr/bin/env bash
# Builds the Python package's wheel from bindings/python/pyproject.toml offline, installs
# it into a scratch directory, and checks that the installed package imports, reports
# the library's version as its own, and runs.  Prints TAP.
# Usage: check_python_package.sh PYTHON LIBRARY PACKAGE_DIR
set -uo pipefail
python=$1 library=$2 package=$3
if ! "$python" -c 'import cffi, numpy, setuptools, pip' 2>/dev/null; then
    echo "1..0 # SKIP $python lacks cffi, numpy, setuptools or pip (Debian: python3-cffi python3-numpy python3-setuptools python3-pip)"
    exit 0
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo 1..3
# A copy: setuptools writes build/ and *.egg-info beside the sources.
cp -r "$package" "$scratch/src"
if "$python" -m pip wheel --quiet --no-build-isolation --no-deps --no-index \
        -w "$scratch/dist" "$scratch/src" >"$scratch/log" 2>&1 &&
    "$python" -m pip install --quiet --no-index --no-deps --target "$scratch/site" \
        "$scratch"/dist/gdescent-*.whl >>"$scratch/log" 2>&1; then
    echo "ok 1 - wheel built and installed offline"
else
    echo "not ok 1 - wheel built and installed offline"
    sed 's/^/# /' "$scratch/log"
fi
cd "$scratch" || exit 1
check() { # number, description, python code run against the installed package
    if PYTHONPATH="$scratch/site" GDESCENT_LIBRARY=$library PYTHONDONTWRITEBYTECODE=1 \
            "$python" -c "$3" >"$scratch/out" 2>&1; then
        echo "ok $1 - $2"
    else
        echo "not ok $1 - $2"
        sed 's/^/# /' "$scratch/out"
    fi
}
check 2 "installed package's version is the library's, and it is typed" '
import importlib.metadata, os, gdescent
assert os.path.dirname(gdescent.__file__) == os.path.join(os.getcwd(), "site", "gdescent"), gdescent.__file__
assert importlib.metadata.version("gdescent") == gdescent.version(), (importlib.metadata.version("gdescent"), gdescent.version())
assert gdescent.__version__ == gdescent.version(), gdescent.__version__
assert os.path.isfile(os.path.join(os.path.dirname(gdescent.__file__), "py.typed"))'
check 3 "installed package minimizes x^2 to the closed form" '
import gdescent
r = gdescent.minimize(gdescent.quadratic(1), [5.0], "sgd", lr=0.1, max_iter=10)
# 10 steps of x - 0.1 * 2x, two roundings each: within 1e-14 of 5 * 0.8^10.
assert abs(r.x[0] - 5.0 * 0.8 ** 10) <= 1e-14, r.x'
