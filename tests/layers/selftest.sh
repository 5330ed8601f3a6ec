#!/bin/sh
# Proves scripts/check_layers.sh can fail: on a small tree that keeps to the layers it must
# pass; add one upward include in a source file and one in a public header and it must exit 1
# naming both places and both layers; an include it cannot place must exit 2.
set -u
check=${1:?usage: selftest.sh path/to/check_layers.sh}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mn_layers.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$tmp/src/core" "$tmp/src/data" "$tmp/src/clinic" "$tmp/include/mneedle" "$tmp/cli"
printf '#include "mneedle/core.h"\n' >"$tmp/src/core/internal.h"
printf '#include <stdio.h>\n#include "core/internal.h"\n' >"$tmp/src/core/ctx.c"
printf '#include "core/internal.h"\n#include "mneedle/catalog.h"\n' >"$tmp/src/data/catalog.c"
printf '#include "mneedle/clinic.h"\n#include "plan_internal.h"\n' >"$tmp/src/clinic/plan.c"
printf '#include "mneedle/healing.h"\n' >"$tmp/src/clinic/plan_internal.h"
: >"$tmp/include/mneedle/core.h"
printf '#include "mneedle/core.h"\n' >"$tmp/include/mneedle/catalog.h"
printf '#include "mneedle/catalog.h"\n' >"$tmp/include/mneedle/healing.h"
printf '#include "mneedle/healing.h"\n' >"$tmp/include/mneedle/clinic.h"
printf '#include "mneedle/clinic.h"\n' >"$tmp/include/mneedle/mneedle.h"
printf '#include "mneedle/mneedle.h"\n#include "cli.h"\n' >"$tmp/cli/main.c"
: >"$tmp/cli/cli.h"

out=$(sh "$check" "$tmp" 2>&1); rc=$?
[ "$rc" -eq 0 ] || fail "clean tree: expected exit 0, got $rc: $out"

# An upward include in a source file (core reaching into data) ...
printf '/* context */\n#include "core/internal.h"\n#include "data/catalog_internal.h"\n' \
    >"$tmp/src/core/ctx.c"
: >"$tmp/src/data/catalog_internal.h"
# ... and in a public header (healing's header taking clinic's).
printf '#include "mneedle/catalog.h"\n#include "mneedle/clinic.h"\n' >"$tmp/include/mneedle/healing.h"
out=$(sh "$check" "$tmp" 2>&1); rc=$?
[ "$rc" -eq 1 ] || fail "upward includes: expected exit 1, got $rc: $out"
echo "$out" | grep -q '^src/core/ctx.c:3: upward include: core (layer 0) .*data/catalog_internal.h.* data (layer 1)' ||
    fail "src/core/ctx.c:3 not reported with both layers: $out"
echo "$out" | grep -q '^include/mneedle/healing.h:2: upward include: healing .*clinic' ||
    fail "include/mneedle/healing.h:2 not reported: $out"
[ "$(echo "$out" | grep -c 'upward include:')" -eq 2 ] || fail "expected exactly 2 reports: $out"

# The command reaching into a private header of the library (same or lower layer) fails too.
printf '#include "core/internal.h"\n' >"$tmp/src/core/ctx.c"
printf '#include "mneedle/mneedle.h"\n#include "core/internal.h"\n' >"$tmp/cli/main.c"
out=$(sh "$check" "$tmp" 2>&1); rc=$?
[ "$rc" -eq 1 ] || fail "private include from cli/: expected exit 1, got $rc: $out"
echo "$out" | grep -q '^cli/main.c:2: private include: .*core/internal.h' ||
    fail "cli/main.c:2 not reported as a private include: $out"
printf '#include "mneedle/mneedle.h"\n#include "cli.h"\n' >"$tmp/cli/main.c"

# A header that cannot be placed is an error, not a silent pass.
printf '#include "core/internal.h"\n#include "nowhere/missing.h"\n' >"$tmp/src/core/ctx.c"
printf '#include "mneedle/catalog.h"\n' >"$tmp/include/mneedle/healing.h"
out=$(sh "$check" "$tmp" 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "unresolvable include: expected exit 2, got $rc: $out"
echo "$out" | grep -q '^src/core/ctx.c:2: cannot find "nowhere/missing.h"' ||
    fail "unresolvable include not named: $out"
echo "ok: check_layers passes a layered tree and fails on upward, private or unknown includes"
