#!/bin/sh
# A program outside the tree builds against an installed copy: `cmake --install` into a
# temporary prefix, then `cc prog.c $(pkg-config --cflags --libs mneedle)`, then the program
# runs a simulation through the shared library (it must need libmneedle.so.0, not a static
# copy) and prints what it found.
# usage: pkgconfig.sh BUILD_DIR SOURCE_DIR
set -u
build=$(cd "${1:?usage: pkgconfig.sh BUILD_DIR SOURCE_DIR}" && pwd) || exit 1
src=$(cd "${2:?usage: pkgconfig.sh BUILD_DIR SOURCE_DIR}" && pwd) || exit 1
cc=${CC:-cc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mn_install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1 ||
    fail "cmake --install: $(cat "$tmp/install.log")"
pc=$(find "$tmp/prefix" -name mneedle.pc | head -n 1)
[ -n "$pc" ] || fail "no mneedle.pc installed"
[ -f "$tmp/prefix/include/mneedle/mneedle.h" ] || fail "public headers not installed"
# The outputs name documents by their path under docs/ ("Model and sources:
# docs/models/healing.md"): every such path is installed, under share/doc/mneedle.
for d in $(grep -rhoE 'docs/[a-z/_-]+\.md' "$src/cli" "$src/src" | sort -u); do
    [ -f "$tmp/prefix/share/doc/mneedle/$d" ] || fail "$d, named by an output, not installed"
done
# So is every example file the help names (examples/scenarios/absorb-*.json: at least one).
for e in $(grep -rhoE 'examples/[a-z/_*.-]+\.json' "$src/cli" | sort -u); do
    # shellcheck disable=SC2086
    ls "$tmp"/prefix/share/doc/mneedle/$e >/dev/null 2>&1 ||
        fail "$e, named by the help, not installed"
done
[ -f "$tmp/prefix/share/doc/mneedle/LICENSE" ] || fail "LICENSE not installed"
ls "$tmp"/prefix/lib*/libmneedle.so.0 "$tmp"/prefix/lib*/*/libmneedle.so.0 2>/dev/null |
    grep -q . || fail "libmneedle.so.0 not installed"
# Only the installed copy is visible: no path into the source or build tree.
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
flags=$(pkg-config --cflags --libs mneedle) || fail "pkg-config does not know mneedle"
case "$flags" in *"$src"*|*"$build"*) fail "pkg-config points outside the install: $flags" ;; esac
[ "$(pkg-config --modversion mneedle)" = "$(sed -n 's/^project(mneedle VERSION \([0-9.]*\).*/\1/p' \
    "$src/CMakeLists.txt")" ] || fail "pkg-config version differs from the project's"

cat >"$tmp/prog.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <mneedle/mneedle.h>

int main(int argc, char **argv)
{
    mn_ctx *ctx;
    if (argc != 2 || mn_ctx_create(&ctx))
        return 1;
    static mn_healing_input in;
    mn_status st = mn_healing_scenario_load(ctx, argv[1], &in);
    mn_healing_sample samples[64];
    mn_healing_summary sum;
    mn_healing_options opts;
    mn_healing_options_init(&opts);
    if (!st && in.n_report_days <= 64)
        st = mn_healing_run(ctx, &in.scenario, NULL, &opts, in.report_days, in.n_report_days,
                            samples, &sum);
    if (st) {
        fprintf(stderr, "%s\n", mn_ctx_errmsg(ctx));
        mn_ctx_free(ctx);
        return 1;
    }
    printf("mneedle %s peak %.1f %% on day %d\n", mn_version(), sum.peak_improvement_pct,
           sum.peak_day);
    /* A bad scenario is refused with the place named, through the same library. */
    const char bad[] = "{\"patient\": {\"age\": \"forty\"}}";
    st = mn_healing_scenario_parse(ctx, "bad.json", bad, strlen(bad), &in);
    printf("bad: %s\n", st ? mn_ctx_errmsg(ctx) : "accepted");
    mn_ctx_free(ctx);
    return 0;
}
C
# shellcheck disable=SC2086 # the flags are words
# MN_SANITIZE_FLAGS: the sanitizers' runtime, when the library was built with them.
"$cc" -std=c11 -Wall -Werror ${MN_SANITIZE_FLAGS:-} -o "$tmp/prog" "$tmp/prog.c" $flags 2>"$tmp/cc.log" ||
    fail "the program does not build with pkg-config's flags: $(cat "$tmp/cc.log")"
readelf -d "$tmp/prog" | grep -q 'NEEDED.*\[libmneedle\.so\.0\]' ||
    fail "the program does not load libmneedle.so.0: $(readelf -d "$tmp/prog" | grep NEEDED)"
libdir=$(pkg-config --variable=libdir mneedle)
out=$(LD_LIBRARY_PATH=$libdir "$tmp/prog" "$src/examples/scenarios/simulate-wrinkles-course.json" \
    2>&1) || fail "the program failed: $out"
echo "$out"
echo "$out" | grep -q "^mneedle [0-9.]* peak [0-9]" || fail "unexpected output: $out"
echo "$out" | grep -q '^bad: bad.json: \$\.patient' || fail "bad input not refused with its place: $out"
# It ran the installed library, not one from the build tree.
LD_LIBRARY_PATH=$libdir LD_DEBUG=libs "$tmp/prog" "$src/examples/scenarios/simulate-wrinkles-course.json" \
    2>&1 | grep -q "calling init: $libdir/libmneedle.so.0" ||
    fail "the program did not load $libdir/libmneedle.so.0"
echo "pkgconfig: ok"
