#!/bin/sh
# Load on `mneedle serve` (issue: the web workstation, "Load"): wrk with 32 connections for
# 30 s on loopback against a client page and the plan API, signed in, over the demonstration
# database. Reports for each: requests, socket errors, responses other than 200, requests per
# second, latency percentiles (p50/p90/p99, max; bench/wrk_report.lua), and the server's peak
# resident memory (VmHWM) before and after the run, so memory growth under load shows. As a
# peer in the same server, the stylesheet (no database, no rendering) gives the floor the
# pages are compared with: the ratio page p99 / stylesheet p99.
# Not a test: nothing here fails on a figure. The "SIGKILL under load loses no committed
# record" check is a test: tests/cli/serve_sigkill.sh.
# usage: sh bench/bench_serve.sh [BUILD_DIR] [SECONDS] [CONNECTIONS]  (build/release, 30, 32)
# MN_BENCH_SERVE_ARGS: more options for the server (e.g. "--threads 8"); none by default.
set -u
src=$(cd "$(dirname "$0")/.." && pwd) || exit 1
build=$(cd "${1:-$src/build/release}" && pwd) || exit 1
secs=${2:-30}
conns=${3:-32}
MNEEDLE="$build/mneedle"
fail() { echo "bench_serve: $*" >&2; exit 1; }
command -v wrk >/dev/null || fail "wrk is missing (sh scripts/deps.sh installs it)"
command -v curl >/dev/null || fail "curl is missing"
[ -x "$MNEEDLE" ] || fail "no $MNEEDLE: build first"
. "$src/tests/cli/lib_serve.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mn_bench_serve.XXXXXX") || exit 1
trap 'serve_stop; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# shellcheck disable=SC2086 # the options are words
serve_start "$tmp/serve.log" --demo --db "$tmp/demo.db" ${MN_BENCH_SERVE_ARGS:-} || fail "the server did not start"
pw=$(serve_demo_password "$tmp/serve.log")
[ -n "$pw" ] || fail "no admin password in: $(cat "$tmp/serve.log")"
serve_signin "$tmp/jar" admin "$pw" >/dev/null || fail "cannot sign in"
MN_COOKIE=$(serve_cookie "$tmp/jar")
export MN_COOKIE
client=$(curl -s -b "$tmp/jar" "$SERVE_URL/api/v1/clients" |
    /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); c=d.get("clients", d); print(c[0]["id"])') ||
    fail "no client in the demo database"
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$SERVE_PID/status"; }
threads=$(nproc)
[ "$threads" -le "$conns" ] || threads=$conns

echo "mneedle serve${MN_BENCH_SERVE_ARGS:+ $MN_BENCH_SERVE_ARGS} under wrk: $conns connections, $secs s, $threads wrk threads, loopback; client $client"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server peak RSS before: $(hwm) kB"
for target in "stylesheet /style.css" "client-page /clients/$client" "plan-api /api/v1/clients/$client/plan"; do
    name=${target%% *}; path=${target#* }
    code=$(curl -s -o /dev/null -w '%{http_code}' -b "$tmp/jar" "$SERVE_URL$path")
    [ "$code" = 200 ] || fail "$path answers $code before the run"
    line=$(wrk -t "$threads" -c "$conns" -d "${secs}s" --timeout 10s -s "$src/bench/wrk_report.lua" \
        "$SERVE_URL$path" | grep '^requests ') || fail "wrk failed on $path"
    echo "$name $path: $line"
    eval "p99_$(echo "$name" | tr - _)=$(echo "$line" | sed 's/.*p99_ms \([0-9.]*\).*/\1/')"
    echo "  server peak RSS so far: $(hwm) kB"
done
kill -0 "$SERVE_PID" 2>/dev/null || fail "the server died under load: $(tail -n 5 "$tmp/serve.log")"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v s="$p99_stylesheet" -v c="$p99_client_page" -v p="$p99_plan_api" 'BEGIN {
    printf "p99 ratio to the stylesheet: client page %.1f x, plan API %.1f x\n", c / s, p / s }'
