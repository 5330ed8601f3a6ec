# End-to-end: a write that fails part-way through a command's outputs (a full disk found only
# while writing, after the figures or the side files are already complete) leaves none of the
# run's outputs: no figure, no report, no side file, no temporary file, and a file that was
# there before the run is left as it was. The failing output is /dev/full (every write fails
# with ENOSPC), named directly or through a symbolic link among the figures' names; the
# message names it, and the exit status is 1 (a write error, as for any other).
. "$(dirname "$0")/lib.sh"
EX="$MN_SOURCE_DIR/examples"
CLIENT="$EX/clients/amelia-wrinkles.json"
SCEN="$EX/scenarios/simulate-wrinkles-course.json"
ABSORB="$EX/scenarios/absorb-vitc-pen.json"
TRIAL="$EX/trials/lotfi-2013-acne-scars.json"
if [ ! -w /dev/full ]; then
    echo "SKIP: no writable /dev/full"
    exit 77
fi

# fail_run PATTERN KEEP -- command...: runs the command in the prepared folder $D expecting
# exit 1 and stderr /PATTERN/; afterwards $D must hold exactly KEEP (names, space-separated,
# sorted; c.db-wal and c.db-shm aside), each file of $TMP/before unchanged, and nothing on
# standard output.
fail_run() {
    pattern=$1 keep=$2
    shift 2
    expect 1 "$pattern" "$@"
    left=$(cd "$D" && ls -A | grep -v '^c\.db-' | sort | tr '\n' ' ' | sed 's/ $//')
    if [ "$left" = "$keep" ]; then passes=$((passes + 1)); else
        echo "FAIL: left '$left', expected '$keep': $*"; fails=$((fails + 1)); fi
    for f in $(cd "$TMP/before" && ls -A); do
        if [ -L "$D/$f" ] || cmp -s "$TMP/before/$f" "$D/$f"; then passes=$((passes + 1)); else
            echo "FAIL: $f changed although the run failed: $*"; fails=$((fails + 1)); fi
    done
    if [ -s "$TMP/out" ]; then
        echo "FAIL: printed on standard output after failing: $*"; head -3 "$TMP/out"
        fails=$((fails + 1))
    fi
}

# fresh NAME...: an empty $D, and for each NAME an old file $D/NAME (copied to $TMP/before).
fresh() {
    rm -rf "$D" "$TMP/before" && mkdir "$D" "$TMP/before"
    for f in "$@"; do
        echo "old $f from an earlier run" >"$TMP/before/$f"
        cp "$TMP/before/$f" "$D/$f"
    done
}
D="$TMP/d"

# plan: the plan itself to /dev/full, after the figures and the report are complete.
fresh zones.svg
fail_run "/dev/full: cannot write: No space left on device" "zones.svg" -- \
    "$MNEEDLE" plan "$CLIENT" -o /dev/full --report "$D/r.html" --plot "$D"
# plan: the last figure fails; the plan (-o), the report and the earlier figures are complete.
fresh r.html
ln -s /dev/full "$D/projection.svg"
fail_run "projection.svg: cannot write: No space left on device" "projection.svg r.html" -- \
    "$MNEEDLE" plan "$CLIENT" -o "$D/plan.txt" --report "$D/r.html" --plot "$D"
# plan: standard output (the plan) after the figures and the report, HTML and PDF.
for report in r.html r.pdf; do
    if [ "$report" = r.pdf ] && ! command -v weasyprint >/dev/null; then
        echo "(no weasyprint: the PDF report's case skipped)"; continue; fi
    fresh "$report" zones.svg
    fail_run "standard output: cannot write: No space left on device" "$report zones.svg" -- \
        sh -c '"$1" plan "$2" --report "$3" --plot "$4" >/dev/full' sh "$MNEEDLE" "$CLIENT" \
        "$D/$report" "$D"
done

# simulate: the report after the figures and the CSV; the CSV after the figures.
fresh days.csv collagen.png
fail_run "/dev/full: cannot write: No space left on device" "collagen.png days.csv" -- \
    "$MNEEDLE" simulate "$SCEN" -o /dev/full --csv "$D/days.csv" --plot "$D"
fresh sim.txt
fail_run "/dev/full: cannot write: No space left on device" "sim.txt" -- \
    "$MNEEDLE" simulate "$SCEN" -o "$D/sim.txt" --csv /dev/full --plot "$D"

# sensitivity: the report after the figure and the CSV.
printf '{"scenario": %s, "outputs": ["peak_improvement_pct"], "inputs": [{"name": "needle_mm", "uniform": [0.5, 2.0]}], "n": 16, "bootstrap": 20, "seed": 7}\n' \
    "$(cat "$SCEN")" >"$TMP/spec.json"
fresh s.csv
fail_run "/dev/full: cannot write: No space left on device" "s.csv" -- \
    "$MNEEDLE" sensitivity "$TMP/spec.json" -o /dev/full --csv "$D/s.csv" --plot "$D/s.svg"

# absorb: the report after the figures and the CSV.
fresh a.csv
fail_run "/dev/full: cannot write: No space left on device" "a.csv" -- \
    "$MNEEDLE" absorb "$ABSORB" -o /dev/full --csv "$D/a.csv" --plot "$D"

# cohort: the summary after the figures and the per-patient CSV.
fresh c.csv
fail_run "/dev/full: cannot write: No space left on device" "c.csv" -- \
    "$MNEEDLE" cohort "$TRIAL" --n 200 -o /dev/full --csv "$D/c.csv" --plot "$D"

# merge: the summary after the merged CSV.
"$MNEEDLE" cohort "$TRIAL" --n 40 --shard 1/2 --patients -o "$TMP/p1.json" 2>/dev/null &&
    "$MNEEDLE" cohort "$TRIAL" --n 40 --shard 2/2 --patients -o "$TMP/p2.json" 2>/dev/null ||
    { echo "FAIL: cohort --shard"; exit 1; }
fresh m.csv
fail_run "/dev/full: cannot write: No space left on device" "m.csv" -- \
    "$MNEEDLE" merge "$TMP/p1.json" "$TMP/p2.json" -o /dev/full --csv "$D/m.csv"

# export: --csv last, after --ics and --fhir.
export MNEEDLE_DB="$TMP/c.db" MNEEDLE_ACTOR=test
"$MNEEDLE" db init >/dev/null 2>&1 && "$MNEEDLE" client add "$CLIENT" >/dev/null 2>&1 ||
    { echo "FAIL: db init, client add"; exit 1; }
fresh a.ics
fail_run "/dev/full: cannot write: No space left on device" "a.ics" -- \
    "$MNEEDLE" export --all --ics "$D/a.ics" --fhir "$D/f.json" --csv /dev/full

# The same commands with every output a file: all of them written (the check above is not
# met by writing nothing).
fresh zones.svg
expect 0 "" -- "$MNEEDLE" plan "$CLIENT" -o "$D/plan.txt" --report "$D/r.html" --plot "$D"
left=$(cd "$D" && ls -A | sort | tr '\n' ' ' | sed 's/ $//')
if [ "$left" = "plan.txt projection.csv projection.png projection.svg r.html zones.svg" ] &&
    ! cmp -s "$TMP/before/zones.svg" "$D/zones.svg"; then passes=$((passes + 1)); else
    echo "FAIL: plan wrote '$left'"; fails=$((fails + 1)); fi
fresh
expect 0 "" -- "$MNEEDLE" cohort "$TRIAL" --n 200 -o "$D/c.txt" --csv "$D/c.csv" --plot "$D"
if [ -s "$D/c.txt" ] && [ -s "$D/c.csv" ] && ! ls "$D" | grep -q '\.tmp\.'; then
    passes=$((passes + 1)); else echo "FAIL: cohort left $(ls "$D")"; fails=$((fails + 1)); fi
finish
