#!/usr/bin/env bash
# The demo prints the documents' numbers and refuses bad input with exit status 2.
# Usage: check_demo.sh path/to/gdescent-demo
set -uo pipefail
demo=$1
failures=0
expect_line() { # command, then a line that must appear exactly in its output
    local cmd=$1 line=$2
    if ! $demo $cmd | grep -qxF -- "$line"; then
        echo "FAIL: '$demo $cmd' does not print: $line"
        failures=$((failures + 1))
    fi
}
expect_status() { # expected exit status, then the arguments
    local want=$1
    shift
    "$demo" "$@" >/dev/null 2>&1
    local got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: '$demo $*' exited $got, expected $want"
        failures=$((failures + 1))
    fi
}
tab=$'\t'
expect_line sgd "predict (before training) 4 4.0"
expect_line sgd "${tab}grad:  1.0 2.0 -2.0"
expect_line sgd "${tab}grad:  2.0 4.0 -7.84"
expect_line sgd "${tab}grad:  3.0 6.0 -16.23"
expect_line sgd "progress: 0 w= 1.26 loss= 4.92"
expect_line "sgd --steps 50" "predict (after training) 4 8.0"
expect_line linreg "Epoch 0: Loss 42.043523674979085, w0 0.34099454173956956, w1 -0.51961840290539785"
expect_line linreg "final: w0 4.9992785957141868, w1 0.50013630951692301"
expect_status 0 --help
expect_status 2
expect_status 2 bogus
expect_status 2 sgd --lr abc
expect_status 2 sgd --steps 2.5
expect_status 2 sgd --frobnicate 1
expect_status 1 sgd --optimizer lbfgs
expect_status 1 sgd --lr -1
# Bad input files: a clear message naming the file (and line) and exit status 1.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'x,y\n1,2\n2,4\nthree,6\n' > "$tmp/bad.csv"
printf 'x,y\n1,2\n2,4\n3,6\n' > "$tmp/good.csv"
expect_message() { # expected message, then the arguments
    local want=$1
    shift
    local said
    said=$("$demo" "$@" 2>&1 >/dev/null)
    if ! printf '%s\n' "$said" | grep -qF -- "$want"; then
        echo "FAIL: '$demo $*' does not say: $want"
        failures=$((failures + 1))
    fi
}
expect_status 1 sgd --data "$tmp/bad.csv"
expect_message "$tmp/bad.csv:4: expected two numbers" sgd --data "$tmp/bad.csv"
expect_status 1 median --points "$tmp/missing.csv"
expect_message "cannot open $tmp/missing.csv" median --points "$tmp/missing.csv"
expect_line "sgd --data $tmp/good.csv" "progress: 0 w= 1.26 loss= 4.92"
"$demo" linreg --trajectory "$tmp/t.csv" >/dev/null
[ "$(head -n 1 "$tmp/t.csv")" = "iter,f,grad_norm,x0,x1" ] && [ "$(wc -l < "$tmp/t.csv")" -eq 5002 ] ||
    { echo "FAIL: --trajectory did not write 5001 records"; failures=$((failures + 1)); }
if [ $failures -ne 0 ]; then
    echo "$failures demo checks failed"
    exit 1
fi
echo "ok: demo output and errors as documented"
