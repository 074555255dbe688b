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
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
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
expect_line logistic "logistic: m = 200, p = 2, lbfgs: 12 iterations, 12 evaluations"
expect_line logistic "loss 0.260551, accuracy 0.8750"
rows=$(mktemp)
printf 'a,b,label\n1,2,1\n0,0,0\n2,1,1\n-1,0,0\n' >"$rows"
expect_status 0 logistic --data "$rows"
printf '1,2,3\n1,2\n' >"$rows"
expect_status 1 logistic --data "$rows" # rows of different widths
printf '1,2,3\n' >"$rows"
expect_status 1 logistic --data "$rows" # a label that is not 0 or 1
rm -f "$rows"
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
# Lines the reader would split or cut short at a NUL byte: refused, naming the line.
printf 'x,y\n1,2\n1,2%1020s3,4%974s\n' '' '' > "$tmp/long.csv"
printf 'x,y\n1,2\n2,4\0005,10\n3,6\n' > "$tmp/nul.csv"
expect_status 1 sgd --data "$tmp/long.csv"
expect_message "$tmp/long.csv:3: longer than 1023 bytes" sgd --data "$tmp/long.csv"
expect_status 1 sgd --data "$tmp/nul.csv"
expect_message "$tmp/nul.csv:3: a NUL byte" sgd --data "$tmp/nul.csv"
# Counts a double cannot hold exactly, nor the library take: refused, not cast.
for args in "sgd --steps 1e30" "sgd --steps 4611686018427387904" "median --seed 1e300"; do
    expect_status 2 $args
    expect_message "'${args##* }' is not a whole number below 2^53" $args
done
# Times 3 samples: over 2^53 steps.  (Not closer to 2^53: a run that starts records
# steps until memory runs out.)
expect_status 1 sgd --steps 3002399751580332
expect_message "3002399751580332 epochs of 3 samples are 2^53 steps or more" \
    sgd --steps 3002399751580332
# A run that fails (here diverges) says so and exits 1, without a result.
diverged="The objective or its gradient became NaN or infinite."
for run in "linreg:linreg --lr 100" "median:median --lr 1e308" "sgd:sgd --lr 1e300" \
    "x2:quadratic --lr 1e200"; do
    expect_status 1 ${run#*:}
    expect_message "gdescent-demo: ${run%%:*}: $diverged" ${run#*:}
done
[[ $("$demo" linreg --lr 100 2>/dev/null) != *final:* ]] || fail "a diverged linreg prints final w"
# Under a locale whose decimal point is a comma (made here: Debian's package locales has
# localedef) the demo reads and writes the same '.' numbers as in the C locale.
mkdir "$tmp/locale"
if localedef -i de_DE -f UTF-8 "$tmp/locale/de_DE.UTF-8" >&2 &&
    [ "$(LOCPATH=$tmp/locale LC_ALL=de_DE.UTF-8 locale decimal_point)" = , ]; then
    LC_ALL=C "$demo" linreg --data "$tmp/good.csv" --trajectory "$tmp/t.csv" > "$tmp/c.txt"
    mv "$tmp/t.csv" "$tmp/c.csv"
    LOCPATH=$tmp/locale LC_ALL=de_DE.UTF-8 "$demo" linreg --data "$tmp/good.csv" \
        --trajectory "$tmp/t.csv" > "$tmp/de.txt"
    cmp -s "$tmp/c.txt" "$tmp/de.txt" && cmp -s "$tmp/c.csv" "$tmp/t.csv" ||
        fail "the demo reads or writes other numbers under de_DE.UTF-8"
else
    fail "no locale with a decimal comma: localedef -i de_DE -f UTF-8 failed (apt-get install locales)"
fi
# compare: every method on both problems, one line and one path each; with the demo's
# learning rates none diverges and each at least halves f; Adam reaches (0, 0).
mkdir "$tmp/compare"
"$demo" compare --out "$tmp/compare" > "$tmp/compare.txt" || fail "compare exited $?"
for problem in rosenbrock quadratic; do
    # Fields: problem method lr X steps N f F distance D [diverged: ...]
    awk -v p=$problem '$1 == p && $3 == "lr"' "$tmp/compare.txt" > "$tmp/$problem.txt"
    count=$(wc -l < "$tmp/$problem.txt")
    [ "$count" -ge 5 ] || fail "compare ran $count methods on $problem, expected at least 5"
    [ -z "$(awk '{ print $2 }' "$tmp/$problem.txt" | sort | uniq -d)" ] ||
        fail "compare ran a method twice on $problem"
    while read -r _ method _ lr _ steps _ f _ distance diverged; do
        csv="$tmp/compare/compare-$problem-$method.csv"
        [ -f "$csv" ] || { fail "compare did not write $csv"; continue; }
        [ "$(head -n 1 "$csv")" = "iter,f,grad_norm,x0,x1" ] &&
            [ "$(wc -l < "$csv")" -eq $((steps + 2)) ] ||
            fail "$csv is not a header and $((steps + 1)) records"
        [ -z "$diverged" ] || fail "$method, lr $lr, diverged on $problem"
        start_f=$(sed -n 2p "$csv" | cut -d, -f2)
        awk -v f="$f" -v s="$start_f" 'BEGIN { exit !(f <= s / 2) }' ||
            fail "$method, lr $lr, on $problem: f $f, not half the start's $start_f"
    done < "$tmp/$problem.txt"
done
awk '$1 == "quadratic" && $2 == "adam" { found = 1; ok = $10 < 1e-3 } END { exit !(found && ok) }' \
    "$tmp/compare.txt" || fail "adam does not end within 1e-3 of (0, 0) on the quadratic"
# A run that diverges is reported, keeps its path and fails nothing: sgd, lr 0.1, on
# Rosenbrock diverges within a few steps.
"$demo" compare --lr 0.1 --out "$tmp/compare" > "$tmp/diverged.txt" ||
    fail "compare --lr 0.1 exited $?"
grep -q '^rosenbrock sgd .* diverged' "$tmp/diverged.txt" ||
    fail "compare --lr 0.1 does not say sgd diverged"
[ "$(wc -l < "$tmp/compare/compare-rosenbrock-sgd.csv")" -ge 3 ] ||
    fail "the diverged run did not keep its path"
grep -q "^  compare " <("$demo" --help) || fail "--help does not list compare"
if [ $failures -ne 0 ]; then
    echo "$failures demo checks failed"
    exit 1
fi
echo "ok: demo output and errors as documented"
