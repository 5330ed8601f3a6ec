#!/bin/sh
# Proves tests/lib/symbols.sh can fail: a library that exports exactly what its header declares
# passes; one that also exports an mn__ internal or an unprefixed helper, or hides a declared
# function, fails naming the symbol. The header has the forms a naive reading gets wrong:
# function-pointer typedefs and parameters (neither their names nor their return types are
# functions), a typedef of a function type, and a function returning a function pointer (which
# is one).
set -u
check=${1:?usage: symbols_selftest.sh path/to/symbols.sh}
cc=${CC:-cc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mn_symself.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$tmp/inc/mneedle"
cat >"$tmp/inc/mneedle/good.h" <<'EOF'
int mn_good(int x);
const char *mn_name(void);
typedef int (*mn_cb)(void *p);
typedef int mn_code;
typedef mn_code (*mn_code_fn)(void *p);
typedef mn_code ( * mn_spaced_fn ) (int (*inner)(void));
typedef int mn_hook_fn(int x);
mn_code mn_call(mn_code (*cb)(void *p), void *p);
int (*mn_pick(int which))(void *p);
EOF
build() { # build NAME C-SOURCE
    printf '%s\n' "$2" >"$tmp/$1.c"
    "$cc" -shared -fPIC -fvisibility=hidden -o "$tmp/$1.so" "$tmp/$1.c" || fail "cannot build $1"
}
V='__attribute__((visibility("default")))'
N="$V const char *mn_name(void) { return \"n\"; }"
C="$V int mn_call(int (*cb)(void *p), void *p) { return cb(p); }"
P="$V int (*mn_pick(int which))(void *p) { (void)which; return 0; }"
build clean "$N $C $P $V int mn_good(int x) { return x; } static int helper(void) { return 1; }"
out=$(sh "$check" "$tmp/clean.so" "$tmp/inc" 2>&1) || fail "clean library refused: $out"
build internal "$N $C $P $V int mn_good(int x) { return x; } $V int mn__leak(void) { return 1; }"
out=$(sh "$check" "$tmp/internal.so" "$tmp/inc" 2>&1) && fail "mn__ export passed: $out"
echo "$out" | grep -q 'mn__leak' || fail "mn__leak not named: $out"
build foreign "$N $C $P $V int mn_good(int x) { return x; } $V int helper(void) { return 1; }"
out=$(sh "$check" "$tmp/foreign.so" "$tmp/inc" 2>&1) && fail "unprefixed export passed: $out"
echo "$out" | grep -q 'helper' || fail "helper not named: $out"
build hidden "$N $C $P int mn_good(int x) { return x; } $V int mn_other(void) { return 1; }"
out=$(sh "$check" "$tmp/hidden.so" "$tmp/inc" 2>&1) && fail "hidden declared function passed: $out"
echo "$out" | grep -q 'mn_good' || fail "mn_good not named: $out"
# A function returning a pointer (the name after a '*') is found as a declaration too.
build hidden2 "$C $P $V int mn_good(int x) { return x; } const char *mn_name(void) { return 0; }"
out=$(sh "$check" "$tmp/hidden2.so" "$tmp/inc" 2>&1) && fail "hidden pointer function passed: $out"
echo "$out" | grep -q 'mn_name' || fail "mn_name not named: $out"
# So is a function returning a function pointer.
build hidden3 "$N $C $V int mn_good(int x) { return x; } int (*mn_pick(int w))(void *p) { (void)w; return 0; }"
out=$(sh "$check" "$tmp/hidden3.so" "$tmp/inc" 2>&1) && fail "hidden mn_pick passed: $out"
echo "$out" | grep -q 'mn_pick' || fail "mn_pick not named: $out"
# And a function with a function-pointer parameter.
build hidden4 "$N $P $V int mn_good(int x) { return x; } int mn_call(int (*cb)(void *p), void *p) { return cb(p); }"
out=$(sh "$check" "$tmp/hidden4.so" "$tmp/inc" 2>&1) && fail "hidden mn_call passed: $out"
echo "$out" | grep -q 'mn_call' || fail "mn_call not named: $out"
echo "symbols selftest: ok"
