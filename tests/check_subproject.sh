#!/usr/bin/env bash
# Builds libgd as the meson subproject of a tiny parent project, on a view of the
# machine without CMocka, Doxygen, Graphviz, MPI, GSL or CMake, and runs the parent's
# program: embedded, libgd must configure and build the library alone, its tests,
# examples, bench and docs off by default.  Usage: check_subproject.sh SRCDIR.
# Environment: CC (default cc).
set -euo pipefail
src=$1
fail() { echo "$1"; exit 1; }
git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
    { echo "SRCDIR is not a git checkout: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/pkgconfig" "$tmp/parent/subprojects/gdescent"

# Tracked and new files (not ignored ones), as they are in the working tree.
(cd "$src" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done) |
    tar -C "$src" --null -T - -cf - |
    tar -C "$tmp/parent/subprojects/gdescent" -xf -

cat >"$tmp/parent/meson.build" <<'EOF'
project('parent', 'c', default_options: ['c_std=c11', 'warning_level=3', 'werror=true'])
gdescent = dependency('gdescent', fallback: ['gdescent', 'gdescent_dep'])
executable('parent', 'parent.c', dependencies: gdescent)
EOF
cat >"$tmp/parent/parent.c" <<'EOF'
/* Minimizes (x-2)^2 + (y+1)^2 with Adam. */
#include <gdescent.h>
#include <stdio.h>

int main(void)
{
    const double center[2] = {2.0, -1.0};
    gd_objective *f = gd_quadratic_new(2, center, 1.0);
    gd_optimizer *opt = gd_optimizer_new(GD_ADAM, 2);
    if (!f || !opt || gd_optimizer_set(opt, GD_PARAM_LR, 0.1) != GD_OK)
        return 1;
    double x[2] = {5.0, 5.0};
    int status = gd_minimize(opt, f, x, NULL);
    double dx = x[0] - 2.0, dy = x[1] + 1.0;
    printf("libgd %u: %s x = (%.9f, %.9f)\n", gd_version(), gd_strerror(status), x[0], x[1]);
    int ok = gd_version() == GD_VERSION_MAJOR * 10000 + GD_VERSION_MINOR * 100 +
             GD_VERSION_PATCH && status >= 0 && dx * dx + dy * dy < 1e-12;
    gd_optimizer_free(opt);
    gd_objective_free(f);
    return ok ? 0 : 1;
}
EOF

# The build sees a PATH of only its tools and an empty pkg-config directory.
CC=${CC:-cc}
for tool in meson ninja python3 rm "$CC" cc gcc clang as ld ar gcc-ar llvm-ar nm readelf \
            pkg-config pkgconf; do
    path=$(command -v "$tool") && ln -sf "$path" "$tmp/bin/$(basename "$tool")"
done
view=(env -u PKG_CONFIG_PATH -u CMAKE_PREFIX_PATH PATH="$tmp/bin"
      PKG_CONFIG_LIBDIR="$tmp/pkgconfig" CC="$(basename "$CC")")
for tool in doxygen dot mpicc mpirun cmake; do
    ! PATH=$tmp/bin command -v "$tool" || fail "$tool is visible"
done
! "${view[@]}" pkg-config --exists cmocka || fail "pkg-config finds cmocka"

"${view[@]}" meson setup --force-fallback-for=gdescent --wrap-mode=nodownload "$tmp/build" \
    "$tmp/parent" >"$tmp/setup.log" || { cat "$tmp/setup.log"; exit 1; }
# Nothing of the optional parts was even looked for (a lookup logs "found: NO"), and
# neither their targets nor their tests exist.
! grep -iE '(cmocka|doxygen|mpi|gsl|lbfgs)[^:]*found:' "$tmp/build/meson-logs/meson-log.txt" ||
    fail "the subproject looked for the tools of its tests, examples, bench or docs"
ninja -C "$tmp/build" -t targets all >"$tmp/targets"
! grep -E '^subprojects/gdescent/(tests|examples|bench|doc)/|test_' "$tmp/targets" ||
    fail "the subproject configured more than the library"
tests=$("${view[@]}" meson introspect --tests "$tmp/build")
[ "$tests" = '[]' ] || fail "the subproject registered tests: $tests"
"${view[@]}" ninja -C "$tmp/build" >"$tmp/build.log" || { cat "$tmp/build.log"; exit 1; }
"$tmp/build/parent"
