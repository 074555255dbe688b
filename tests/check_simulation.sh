#!/usr/bin/env bash
# The simulation example: its lag agrees with the closed form printed beside it, and
# under valgrind the number of heap allocations does not depend on the number of
# frames (the frame loop never allocates) and nothing leaks.
# Usage: check_simulation.sh SIMULATION valgrind|no-valgrind
set -uo pipefail
sim=$1 mode=$2
out=$("$sim" --frames 3000 --followers 16 --lr 0.3) || { echo "run failed"; exit 1; }
echo "$out"
awk '{ measured = $(NF-3); predicted = $NF; sub(/\)/, "", predicted)
       d = measured - predicted; if (d < 0) d = -d
       exit !(predicted > 0 && d <= 2e-6) }' <<<"$out" ||
    { echo "lag differs from the closed form"; exit 1; }
[ "$mode" = valgrind ] || { echo "allocation count not checked in this build"; exit 0; }
command -v valgrind >/dev/null || { echo "valgrind missing: allocation count not checked"; exit 77; }
allocations() { # frames -> "N allocs"
    valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=all \
        "$sim" --frames "$1" --followers 8 --method adam --lr 0.05 2>&1 >/dev/null |
        sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p'
}
short=$(allocations 10) || { echo "valgrind found errors or leaks"; exit 1; }
long=$(allocations 5000) || { echo "valgrind found errors or leaks"; exit 1; }
echo "heap allocations: $short over 10 frames, $long over 5000 frames"
[ -n "$short" ] && [ "$short" = "$long" ] || { echo "the frame loop allocates"; exit 1; }
