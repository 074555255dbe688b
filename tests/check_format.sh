#!/usr/bin/env bash
# Every C file of the tree is as clang-format formats it with the checked-in
# .clang-format (Debian 12's clang-format 14; others may format differently).
# Usage: check_format.sh SOURCE_ROOT CLANG_FORMAT
set -euo pipefail
root=$1 clang_format=$2
cd "$root"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
    { echo "$root is not a git checkout: skipped"; exit 77; }
mapfile -d '' files < <(git ls-files -z --cached --others --exclude-standard '*.c' '*.h')
changed=()
for f in "${files[@]}"; do
    [ -e "$f" ] || continue
    "$clang_format" --style=file "$f" | cmp -s - "$f" || changed+=("$f")
done
if [ ${#changed[@]} -gt 0 ]; then
    echo "clang-format would change: ${changed[*]}"
    echo "run: $clang_format -i ${changed[*]}"
    exit 1
fi
echo "ok: ${#files[@]} files as clang-format formats them"
