# End-to-end: a run stopped by SIGINT, SIGTERM or SIGHUP ends with that signal, leaves every
# target it was to write as it was (old file kept, or still absent) and no temporary file. The
# temporary file is created only when writing starts and removed by the signal handler.
. "$(dirname "$0")/lib.sh"
EX="$MN_SOURCE_DIR/examples"
OUT="$TMP/dest"
mkdir "$OUT"
# A shell starts background jobs with SIGINT ignored (and an ignored signal stays ignored, as
# with nohup); this starts the command with every signal at its default action.
# (Run as python3 -c "$DFLT" CMD..., not through a function: a function would run in a subshell
# that the signal would reach instead.)
DFLT='import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP): signal.signal(s, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])'
signum() { case $1 in INT) echo 2;; TERM) echo 15;; HUP) echo 1;; esac; }
leftovers() { ls -A "$OUT" | grep -v '^out\.json$' | grep -v '^rows\.csv$' || true; }

# appear GLOB: waits up to 60 s for a file matching GLOB in $OUT; 1 if none came.
appear() {
    t=0
    while [ $t -lt 600 ]; do
        for f in "$OUT"/$1; do [ -e "$f" ] && return 0; done
        sleep 0.1; t=$((t + 1))
    done
    return 1
}

# stopped SIG: a cohort long enough to be caught while it runs, stopped once its per-patient
# CSV is being written (its temporary file exists, so the check can fail).
stopped() {
    sig=$1
    printf 'OLD\n' > "$OUT/out.json"
    rm -f "$OUT/rows.csv"
    python3 -c "$DFLT" "$MNEEDLE" cohort --json --n 2000000 --threads 1 --csv "$OUT/rows.csv" -o "$OUT/out.json" \
        "$EX/trials/lotfi-2013-acne-scars.json" 2>/dev/null &
    pid=$!
    if ! appear 'rows.csv.tmp.*'; then
        echo "FAIL: SIG$sig: no temporary CSV while the run went on"; fails=$((fails + 1))
    fi
    kill -s "$sig" "$pid"
    wait "$pid"
    got=$?
    kill -s KILL "$pid" 2>/dev/null # should it have survived the signal
    want=$((128 + $(signum "$sig")))
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: SIG$sig: exit $got, expected $want (ended by the signal)"; fails=$((fails + 1))
    elif [ "$(cat "$OUT/out.json")" != "OLD" ]; then
        echo "FAIL: SIG$sig: the old output was changed"; fails=$((fails + 1))
    elif [ -e "$OUT/rows.csv" ]; then
        echo "FAIL: SIG$sig: a partial CSV was left as the target"; fails=$((fails + 1))
    elif [ -n "$(leftovers)" ]; then
        echo "FAIL: SIG$sig: temporary files left: $(leftovers)"; fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
}
stopped INT
stopped TERM
stopped HUP

# A signal ignored by the caller (nohup) stays ignored: the run completes and writes.
printf 'OLD\n' > "$OUT/out.json"
sh -c "trap '' HUP; \"$MNEEDLE\" plan --json -o \"$OUT/out.json\" \"$EX/clients/amelia-wrinkles.json\" & p=\$!; kill -s HUP \$p; wait \$p" 2>/dev/null
expect 0 "stdout:\"kind\": \"mneedle.plan\"" -- cat "$OUT/out.json"

# The harness first: a job signalled before it execs must not take this test's folder with it
# (lib.sh's EXIT trap, run by the job's forked copy of the shell, once did).
exec 3>&2 2>/dev/null # the copy's own complaint as it dies ("wait_for: No record of process")
sleep 5 &
kill -s TERM $!
wait $!
exec 2>&3 3>&-
if [ -d "$OUT" ]; then passes=$((passes + 1)); else
    echo "FAIL: a job stopped before exec removed the test's own folder"; fails=$((fails + 1))
    mkdir -p "$OUT"
fi

# started PID: waits until the background job PID is mneedle itself, not still the shell's
# forked copy about to exec it (a signal then would stop the shell, not the program).
BIN=$(readlink -f "$MNEEDLE")
started() {
    t=0
    while [ "$(readlink "/proc/$1/exe" 2>/dev/null)" != "$BIN" ] && kill -0 "$1" 2>/dev/null &&
        [ $t -lt 1000 ]; do
        sleep 0.001; t=$((t + 1))
    done
}

# Stopped at random moments (the write included): always the old file or the whole new one,
# never a temporary file.
"$MNEEDLE" plan --json --years 20 "$EX/clients/maya-striae-melasma.json" > "$TMP/full.json" || exit 1
bad=0
i=0
while [ $i -lt 30 ]; do
    printf 'OLD\n' > "$OUT/out.json"
    "$MNEEDLE" plan --json --years 20 -o "$OUT/out.json" "$EX/clients/maya-striae-melasma.json" &
    pid=$!
    started "$pid"
    sleep "0.0$((i % 10))"
    kill -s TERM "$pid" 2>/dev/null
    wait "$pid"
    if [ "$(cat "$OUT/out.json")" != "OLD" ] && ! cmp -s "$OUT/out.json" "$TMP/full.json"; then
        echo "FAIL: run $i: the target is neither the old nor the new file"; bad=1
    fi
    if [ -n "$(leftovers)" ]; then echo "FAIL: run $i: left $(leftovers)"; bad=1; rm -f "$OUT"/*.tmp.*; fi
    i=$((i + 1))
done
if [ $bad -eq 0 ]; then passes=$((passes + 1)); else fails=$((fails + 1)); fi

finish
