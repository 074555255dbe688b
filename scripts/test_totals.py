"""Prints one line 'N passed, N failed[, N skipped]' for the meson test logs given
(build directories or JSON log files), counting each TAP subtest (CMocka case) on its own and every
other test once.  Exits 1 when anything failed or nothing ran."""
import json
import re
import sys

TAP_LINE = re.compile(r"^(not ok|ok)\b[^#]*(#\s*(SKIP|TODO)\b)?", re.IGNORECASE)


def tap_counts(stdout):
    passed = failed = skipped = 0
    for line in stdout.splitlines():
        m = TAP_LINE.match(line.strip())
        if not m:
            continue
        if m.group(3) and m.group(3).upper() == "SKIP":
            skipped += 1
        elif m.group(1).lower() == "ok":
            passed += 1
        else:
            failed += 1
    return passed, failed, skipped


def totals(log_path):
    """Counts of one meson JSON test log (a build directory means its testlog.json)."""
    if not log_path.endswith(".json"):
        log_path = f"{log_path}/meson-logs/testlog.json"
    passed = failed = skipped = 0
    with open(log_path) as log:
        for line in log:
            test = json.loads(line)
            result = test["result"]
            p, f, s = tap_counts(test.get("stdout") or "")
            if p + f + s == 0:  # not a TAP test: one count by its result
                p, f, s = result == "OK", result not in ("OK", "SKIP"), result == "SKIP"
            elif result not in ("OK", "SKIP") and f == 0:
                f = 1  # crashed or timed out after its last TAP line
            passed, failed, skipped = passed + p, failed + f, skipped + s
    return passed, failed, skipped


def main(dirs):
    counts = [totals(d) for d in dirs]
    passed, failed, skipped = (sum(c[i] for c in counts) for i in range(3))
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
