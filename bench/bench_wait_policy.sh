#!/bin/sh
# Threads on a shared machine: a small 3D absorb run (a 0.8 x 0.8 mm patch at 10 um, 6 h) on 1
# and on 2 OpenMP threads while a competing busy process holds a core, under the passive wait
# policy the command sets by default (cli/main.c) and under OMP_WAIT_POLICY=active. Prints the
# median wall time of each and the ratio 2 threads / 1 thread per policy: with active waiting
# a thread spins on the core the other job needs, and 2 threads can be slower than 1; passive
# waiting should keep the ratio near or below 1.
# usage: sh bench/bench_wait_policy.sh [BUILD_DIR] [REPEATS]   (default build/release, 7)
set -u
src=$(cd "$(dirname "$0")/.." && pwd) || exit 1
build=$(cd "${1:-$src/build/release}" && pwd) || exit 1
reps=${2:-7}
mn="$build/mneedle"
[ -x "$mn" ] || { echo "bench_wait_policy: no $mn: build first" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mn_bench_wait.XXXXXX") || exit 1
busy=""
trap '[ -n "$busy" ] && kill "$busy" 2>/dev/null; rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$src/examples/scenarios/absorb-vitc-pen.json" "$tmp/s.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
a.update(hours=6, report_hours=[1, 6], field={"width_um": 800, "height_um": 800, "dx_um": 10})
json.dump(a, open(sys.argv[2], "w"))
PY
# median_s POLICY THREADS: median wall seconds of REPEATS runs.
median_s() {
    i=0
    : >"$tmp/t"
    while [ $i -lt "$reps" ]; do
        /usr/bin/python3 - "$mn" "$tmp/s.json" "$1" "$2" >>"$tmp/t" <<'PY'
import os, subprocess, sys, time
mn, scn, policy, threads = sys.argv[1:]
env = dict(os.environ, OMP_NUM_THREADS=threads, OMP_WAIT_POLICY=policy)
t0 = time.monotonic()
subprocess.run([mn, "absorb", "--field", scn], env=env, check=True, stdout=subprocess.DEVNULL)
print(time.monotonic() - t0)
PY
        i=$((i + 1))
    done
    sort -g "$tmp/t" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}
sh -c 'while :; do :; done' &
busy=$!
echo "mneedle wait policy: small 3D absorb run, median of $reps, one busy process competing"
echo "(load average at start: $(cut -d' ' -f1 /proc/loadavg); $(nproc) cores)"
for policy in passive active; do
    t1=$(median_s "$policy" 1)
    t2=$(median_s "$policy" 2)
    awk -v p="$policy" -v a="$t1" -v b="$t2" \
        'BEGIN {printf "  %-7s 1 thread %.3f s, 2 threads %.3f s: ratio 2/1 = %.2f\n", p, a, b, b / a}'
done
