#!/usr/bin/env bash
# The shared library exports exactly the functions of tests/exported_symbols.txt, each
# with the version node LIBGDESCENT_1.0.  Usage: check_symbols.sh LIB LIST NM
set -euo pipefail
lib=$1 list=$2 nm=$3
dynamic=$("$nm" -D --defined-only "$lib" | awk '$2 != "A" { print $3 }')
actual=$(printf '%s\n' "$dynamic" | sed 's/@.*//' | sort)
if ! diff -u <(sort "$list") <(printf '%s\n' "$actual"); then
    echo "exported symbols differ from $list (- expected, + exported)"
    exit 1
fi
unversioned=$(printf '%s\n' "$dynamic" | grep -v '@@LIBGDESCENT_1\.0$' || true)
if [ -n "$unversioned" ]; then
    echo "symbols without the LIBGDESCENT_1.0 version: $unversioned"
    exit 1
fi
echo "ok: $(printf '%s\n' "$actual" | wc -l) symbols, all @@LIBGDESCENT_1.0"
