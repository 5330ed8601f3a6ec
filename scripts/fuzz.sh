#!/bin/sh
# Fuzzes every input parser with libFuzzer (the "fuzz" preset: clang, ASan + UBSan).
#   sh scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# SECONDS_PER_TARGET defaults to 300 (scripts/check.sh runs 15). Targets default to every
# fuzz/fuzz_*.c. Each run starts from the committed corpus (fuzz/corpus/TARGET) and the
# examples and data files, and keeps what it learns in build/fuzz/corpus/TARGET. A crash or
# a violated property stops with the input saved as build/fuzz/artifacts/crash-*; copy it
# into fuzz/corpus/TARGET so that every build replays it. Prints one line per target with
# the number of inputs tried, and appends it to build/fuzz/summary.txt. Runs one target per
# core at a time.
set -eu
cd "$(dirname "$0")/.."
seconds="${1:-300}"
[ $# -gt 0 ] && shift
targets="$*"
if [ -z "$targets" ]; then
    for f in fuzz/fuzz_*.c; do
        t=$(basename "$f" .c)
        targets="$targets ${t#fuzz_}"
    done
fi

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)" >/dev/null

mkdir -p build/fuzz/artifacts
# fontconfig's process-wide font caches are not leaks of ours (fuzz/lsan.supp).
LSAN_OPTIONS="suppressions=$(pwd)/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
# One target per core at a time: libFuzzer runs one thread, so on two cores two targets take
# the time of one and the default 15-second check fuzzes eleven in about 90 s, not 165.
jobs=$(nproc)
fuzz_one() {
    t=$1
    case $t in
        client) seeds="examples/clients" ;;
        json) seeds="examples/clients data" ;;
        catalog) seeds="data" ;;
        scenario | absorb) seeds="examples/scenarios" ;;
        trial) seeds="examples/trials" ;;
        evidence) seeds="data/evidence" ;;
        posterior) seeds="data/posterior" ;;
        *) seeds="" ;;
    esac
    mkdir -p "build/fuzz/corpus/$t"
    log="build/fuzz/$t.log"
    # -rss_limit_mb: inputs are at most 4 MiB (MN_MAX_INPUT_BYTES); -max_len keeps mutations
    # in the size of real files so the time goes into structure, not bulk.
    # shellcheck disable=SC2086
    if ./build/fuzz/fuzz/fuzz_"$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/ \
        "build/fuzz/corpus/$t" "fuzz/corpus/$t" $seeds >"$log" 2>&1; then
        result="no crash"
        ok=1
    else
        result="FAILED (see $log)"
        ok=0
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    corpus=$(ls "build/fuzz/corpus/$t" | wc -l)
    echo "$(date -u +%Y-%m-%d) fuzz_$t: ${runs:-0} inputs in ${seconds} s, corpus $corpus, $result" \
        >"build/fuzz/$t.result"
    [ "$ok" -eq 1 ]
}
# Report a finished target: its line on stdout and in the summary, its log's tail if it failed.
report_one() {
    t=$1
    cat "build/fuzz/$t.result"
    cat "build/fuzz/$t.result" >>build/fuzz/summary.txt
    rm -f "build/fuzz/$t.result"
    if [ "$2" -ne 0 ]; then
        tail -30 "build/fuzz/$t.log"
        status=1
    fi
}
status=0
set -- $targets
while [ $# -gt 0 ]; do
    batch=""
    pids=""
    n=0
    while [ $# -gt 0 ] && [ "$n" -lt "$jobs" ]; do
        fuzz_one "$1" &
        pids="$pids $!"
        batch="$batch $1"
        n=$((n + 1))
        shift
    done
    for t in $batch; do
        pid=${pids# }
        pid=${pid%% *}
        pids=${pids# }
        pids=${pids#"$pid"}
        rc=0
        wait "$pid" || rc=$?
        report_one "$t" "$rc"
    done
done
exit $status
