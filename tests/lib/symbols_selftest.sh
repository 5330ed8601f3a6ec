#!/bin/sh
# Proves tests/lib/symbols.sh can fail: a library that exports exactly what its header declares
# passes; one that also exports an mn__ internal or an unprefixed helper, or hides a declared
# function, fails naming the symbol.
set -u
check=${1:?usage: symbols_selftest.sh path/to/symbols.sh}
cc=${CC:-cc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mn_symself.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$tmp/inc/mneedle"
printf 'int mn_good(int x);\nconst char *mn_name(void);\ntypedef int (*mn_cb)(void *p);\n' >"$tmp/inc/mneedle/good.h"
build() { # build NAME C-SOURCE
    printf '%s\n' "$2" >"$tmp/$1.c"
    "$cc" -shared -fPIC -fvisibility=hidden -o "$tmp/$1.so" "$tmp/$1.c" || fail "cannot build $1"
}
V='__attribute__((visibility("default")))'
N="$V const char *mn_name(void) { return \"n\"; }"
build clean "$N $V int mn_good(int x) { return x; } static int helper(void) { return 1; }"
out=$(sh "$check" "$tmp/clean.so" "$tmp/inc" 2>&1) || fail "clean library refused: $out"
build internal "$N $V int mn_good(int x) { return x; } $V int mn__leak(void) { return 1; }"
out=$(sh "$check" "$tmp/internal.so" "$tmp/inc" 2>&1) && fail "mn__ export passed: $out"
echo "$out" | grep -q 'mn__leak' || fail "mn__leak not named: $out"
build foreign "$N $V int mn_good(int x) { return x; } $V int helper(void) { return 1; }"
out=$(sh "$check" "$tmp/foreign.so" "$tmp/inc" 2>&1) && fail "unprefixed export passed: $out"
echo "$out" | grep -q 'helper' || fail "helper not named: $out"
build hidden "$N int mn_good(int x) { return x; } $V int mn_other(void) { return 1; }"
out=$(sh "$check" "$tmp/hidden.so" "$tmp/inc" 2>&1) && fail "hidden declared function passed: $out"
echo "$out" | grep -q 'mn_good' || fail "mn_good not named: $out"
# A function returning a pointer (the name after a '*') is found as a declaration too.
build hidden2 "$V int mn_good(int x) { return x; } const char *mn_name(void) { return 0; }"
out=$(sh "$check" "$tmp/hidden2.so" "$tmp/inc" 2>&1) && fail "hidden pointer function passed: $out"
echo "$out" | grep -q 'mn_name' || fail "mn_name not named: $out"
echo "symbols selftest: ok"
