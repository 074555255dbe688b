#!/usr/bin/env bash
# The shared library exports exactly the functions that the version script lists, each
# with the version node that lists it (LIBGDESCENT_1.0, LIBGDESCENT_1.1, ...), and the
# version script lists exactly the functions the header declares with GD_API.
# Usage: check_symbols.sh LIB MAP HEADER NM
set -euo pipefail
lib=$1 map=$2 header=$3 nm=$4
# name@@NODE for every name in the global part of every node of the map.
from_map=$(sed 's,/\*.*\*/,,; s,/\*.*,,; s,^ \*.*,,' "$map" | awk '
    /^[A-Z0-9_.]+ *\{/ { node = $1; global = 0; next }
    /^ *global:/ { global = 1; next }
    /^ *local:/ { global = 0; next }
    /^ *\}/ { node = ""; next }
    node != "" && global && /^ *[a-z_0-9]+;/ { gsub(/[ ;]/, ""); print $0 "@@" node }' | sort)
bad_nodes=$(printf '%s\n' "$from_map" | grep -v '@@LIBGDESCENT_[0-9]*\.[0-9]*$' || true)
[ -z "$bad_nodes" ] || { echo "symbols in nodes not named LIBGDESCENT_MAJOR.MINOR: $bad_nodes"; exit 1; }
declared=$(grep '^GD_API ' "$header" | sed 's/(.*//; s/.*[ *]//' | sort)
if ! diff -u <(printf '%s\n' "$declared") <(printf '%s\n' "$from_map" | sed 's/@@.*//' | sort); then
    echo "the version script differs from the header's GD_API functions (- header, + map)"
    exit 1
fi
exported=$("$nm" -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' | sort)
if ! diff -u <(printf '%s\n' "$from_map") <(printf '%s\n' "$exported"); then
    echo "exported symbols differ from $map (- expected, + exported)"
    exit 1
fi
nodes=$(printf '%s\n' "$exported" | sed 's/.*@@//' | sort -u | tr '\n' ' ')
echo "ok: $(printf '%s\n' "$exported" | wc -l) symbols, nodes $nodes"
