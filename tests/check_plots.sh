#!/usr/bin/env bash
# The plot script turns the demo's CSV files into non-empty PNG files.
# Usage: check_plots.sh path/to/gdescent-demo path/to/plot.py
# Exit 77 (skipped) when matplotlib is not installed.
set -uo pipefail
demo=$1 plot=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$demo" all --out "$out" >/dev/null || { echo "the demo failed"; exit 1; }
/usr/bin/python3 "$plot" "$out" > "$out/list"
status=$?
[ $status -eq 77 ] && { cat "$out/list"; exit 77; }
[ $status -eq 0 ] || { echo "plot.py failed ($status)"; exit 1; }
for png in median.png sweeps.png path2d.png linreg_loss.png compare_rosenbrock.png \
    compare_quadratic.png; do
    grep -qx "$out/$png" "$out/list" || { echo "plot.py did not list $png"; exit 1; }
    # A PNG starts with its 8-byte signature; a picture of these plots is far above 10 kB.
    [ "$(head -c 8 "$out/$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
        { echo "$png is not a PNG"; exit 1; }
    [ "$(stat -c %s "$out/$png")" -gt 10000 ] || { echo "$png is too small"; exit 1; }
done
# The comparison draws whichever paths there are, labelled without compare.csv too.
rm "$out/compare.csv" "$out"/compare-*-sgd.csv
/usr/bin/python3 "$plot" "$out" >/dev/null || { echo "plot.py failed on fewer paths"; exit 1; }
echo "ok: 6 PNG files drawn"
