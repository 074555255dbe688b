#!/usr/bin/env bash
# Runs the Python binding's pytest suite against the library just built, printing TAP.
# Usage: check_python.sh PYTHON LIBRARY TESTS_DIR
set -uo pipefail
python=$1 library=$2 tests=$3
if ! "$python" -c 'import cffi, numpy, pytest' 2>/dev/null; then
    echo "1..0 # SKIP $python lacks cffi, numpy or pytest (Debian: python3-cffi python3-numpy python3-pytest)"
    exit 0
fi
cd "$(mktemp -d)" || exit 1
trap 'rm -rf "$PWD"' EXIT
GDESCENT_TAP=1 GDESCENT_LIBRARY=$library PYTHONDONTWRITEBYTECODE=1 \
    "$python" -m pytest -p no:terminal -p no:cacheprovider "$tests"
