#!/bin/sh
# The browser tests of `mneedle serve` (docs/serve.md): node's own test runner over
# tests/e2e/*.test.js, driving Debian's chromium through playwright-core from node_modules/
# (sh scripts/node-deps.sh; never a browser download). Screenshots of the main pages go to
# $MN_E2E_ARTEFACTS (ctest sets BUILD/e2e-artefacts). Everything else lives in one temporary
# directory that goes, with any server still running, whatever way the tests end.
# Exit 77 (ctest: skipped) when node, node_modules/ or chromium is missing, unless
# MN_REQUIRE_NODE_MODULES=1 (scripts/check.sh) makes that a failure.
set -u
: "${MNEEDLE:?MNEEDLE must point at the mneedle binary}"
: "${MN_SOURCE_DIR:?MN_SOURCE_DIR must point at the source tree}"
: "${MN_E2E_ARTEFACTS:?MN_E2E_ARTEFACTS must name the screenshots directory}"
export MN_E2E_ARTEFACTS
missing=""
command -v node >/dev/null || missing="node"
[ -f "$MN_SOURCE_DIR/node_modules/playwright-core/package.json" ] || missing="$missing node_modules/playwright-core"
[ -f "$MN_SOURCE_DIR/node_modules/axe-core/axe.min.js" ] || missing="$missing node_modules/axe-core"
[ -x "${MN_CHROMIUM:-/usr/bin/chromium}" ] || missing="$missing ${MN_CHROMIUM:-/usr/bin/chromium}"
if [ -n "$missing" ]; then
    echo "browser tests: missing$missing (sh scripts/deps.sh && sh scripts/node-deps.sh)"
    [ "${MN_REQUIRE_NODE_MODULES:-0}" = 1 ] && exit 1
    exit 77
fi

# A run killed outright (SIGKILL, a ctest timeout) cannot clean up after itself: its
# directory names the shell that made it, so the next run removes it, and stops its server,
# once that shell is gone.
for old in "${TMPDIR:-/tmp}"/mneedle-e2e.*; do
    [ -f "$old/owner.pid" ] || continue
    kill -0 "$(cat "$old/owner.pid")" 2>/dev/null && continue
    if [ -f "$old/server.pid" ]; then
        kill -KILL "$(cat "$old/server.pid")" 2>/dev/null
    fi
    rm -rf "$old" && echo "browser tests: removed $old, left by a run that was killed"
done
MN_E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mneedle-e2e.XXXXXX")
export MN_E2E_TMP
echo $$ >"$MN_E2E_TMP/owner.pid"
cleanup() {
    # A server the tests failed to stop (the test process itself was killed): its pid only.
    if [ -f "$MN_E2E_TMP/server.pid" ]; then
        pid=$(cat "$MN_E2E_TMP/server.pid")
        kill -KILL "$pid" 2>/dev/null && echo "browser tests: killed a server left running ($pid)"
    fi
    rm -rf "$MN_E2E_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$MN_E2E_ARTEFACTS"
mkdir -p "$MN_E2E_ARTEFACTS"
# chromium's profile and playwright's own files go under the temporary directory too.
TMPDIR="$MN_E2E_TMP" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    node --test "$MN_SOURCE_DIR"/tests/e2e/*.test.js
status=$?
if [ -f "$MN_E2E_TMP/server.pid" ] && kill -0 "$(cat "$MN_E2E_TMP/server.pid")" 2>/dev/null; then
    echo "browser tests: FAIL: the server was still running after the tests"
    status=1
fi
exit $status
