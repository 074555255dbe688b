#!/usr/bin/env bash
# Installs the build into a temporary root, then builds and runs a program that finds
# libgd only through pkg-config.  Usage: check_install.sh BUILDDIR CONSUMER.c
# Environment: CC and PKG_CONFIG.
set -euo pipefail
builddir=$1 consumer=$2
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
meson install -C "$builddir" --no-rebuild --quiet --destdir "$root" >/dev/null
pc=$(find "$root" -name gdescent.pc | head -n 1)
[ -n "$pc" ] || { echo "gdescent.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")
prefix=$("$PKG_CONFIG" --variable=prefix gdescent)
pkg() { "$PKG_CONFIG" --define-variable=prefix="$root$prefix" "$@" gdescent; }
libdir=$(pkg --variable=libdir)
includedir=$(pkg --variable=includedir)
version=$(pkg --modversion)
for f in "$includedir/gdescent.h" "$libdir/libgdescent.so.1" "$libdir/libgdescent.so.$version" \
         "$libdir/libgdescent.a"; do
    [ -e "$f" ] || { echo "missing after install: $f"; exit 1; }
done
readelf -d "$libdir/libgdescent.so.$version" | grep -q 'SONAME.*\[libgdescent\.so\.1\]' ||
    { echo "SONAME is not libgdescent.so.1"; exit 1; }
# -H lists the headers used: the installed one, not the source tree's.
$CC -std=c11 -Wall -Wextra -Werror -H "$consumer" $(pkg --cflags --libs) -lm \
    -o "$root/consumer" 2>"$root/headers"
grep -q "^\. $includedir/gdescent.h" "$root/headers" ||
    { echo "the consumer did not use the installed header"; cat "$root/headers"; exit 1; }
LD_LIBRARY_PATH=$libdir "$root/consumer"
