#!/usr/bin/env bash
# Runs the Rust crate's tests (cargo test, offline: the crate has no dependencies)
# against the library just built, and prints each test as a TAP line.
# Usage: check_rust.sh CRATE_DIR LIBRARY_DIR TARGET_DIR
set -uo pipefail
crate=$1 libdir=$2 target=$3
command -v cargo >/dev/null || { echo "1..0 # SKIP cargo not installed"; exit 0; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cd "$crate" || exit 1
GDESCENT_LIB_DIR=$libdir CARGO_TARGET_DIR=$target RUST_BACKTRACE=0 \
    cargo test --offline --color never >"$log" 2>&1
status=$?
# libtest prints "test NAME ... ok|FAILED|ignored" for every test, doc-tests included.
tap=$(awk '/^test .* \.\.\. (ok|FAILED|ignored)$/ {
        n++; name = $0; sub(/^test /, "", name); sub(/ \.\.\. [a-zA-Z]+$/, "", name)
        if ($NF == "ok") print "ok " n " - " name
        else if ($NF == "ignored") print "ok " n " - " name " # SKIP ignored"
        else print "not ok " n " - " name
     }' "$log")
count=$(grep -c '^\(not \)\?ok' <<<"$tap")
if [ $status -ne 0 ] && ! grep -q '^not ok' <<<"$tap"; then
    count=$((count + 1))  # it did not build, or failed outside a test
    tap+=${tap:+$'\n'}"not ok $count - cargo test exited with status $status"
fi
[ -n "$tap" ] && echo "$tap"
echo "1..$count"
[ $status -eq 0 ] || sed 's/^/# /' "$log"
exit $status
