#!/usr/bin/env bash
# Compares the built library's ABI with the committed baseline abi/gdescent.abi (made by
# `abidw --no-corpus-path --headers-dir include build/libgdescent.so.1`) and fails
# on any incompatible change: a removed function, a changed prototype or type.
# Additions are allowed (they belong in a new version node).
# Usage: check_abi.sh BASELINE LIBRARY HEADERS_DIR
set -uo pipefail
baseline=$1 library=$2 headers=$3
command -v abidiff >/dev/null || { echo "abidiff missing (Debian: abigail-tools)"; exit 77; }
report=$(abidiff --headers-dir2 "$headers" "$baseline" "$library" 2>&1)
status=$?
# abidiff's exit status is a bit mask: 1 error, 2 usage error, 4 ABI change,
# 8 incompatible ABI change.
if (( status & 11 )); then
    echo "$report"
    echo "incompatible ABI change or abidiff error (status $status)"
    exit 1
fi
(( status & 4 )) && { echo "$report"; echo "compatible ABI change: update abi/gdescent.abi"; }
echo "ok: ABI compatible with abi/gdescent.abi"
