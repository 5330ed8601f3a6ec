# End-to-end: a command with several outputs (-o, --csv, --plot, --report, --fhir ...) writes
# all of them or none. One output that cannot be created (a missing folder, a bad extension)
# stops the command before anything is written, whichever option names it: no figure, no
# report, no side file, no plan stored, nothing on standard output, no temporary file.
. "$(dirname "$0")/lib.sh"
EX="$MN_SOURCE_DIR/examples"
CLIENT="$EX/clients/amelia-wrinkles.json"
SCEN="$EX/scenarios/simulate-wrinkles-course.json"
MISSING="$TMP/no-such-folder"

# Runs "$@" in a fresh folder $D (its outputs go there) expecting exit $1 and stderr /$2/;
# afterwards $D must hold only what $3 lists (a space-separated list of names, sorted; the
# record's SQLite side files c.db-wal and c.db-shm, which readers may create, aside).
clean_run() {
    want=$1 pattern=$2 keep=$3
    shift 3
    rm -rf "$D" && mkdir "$D" && cp "$TMP/c.db" "$D/c.db"
    expect "$want" "$pattern" -- "$@"
    left=$(cd "$D" && ls -A | grep -v '^c\.db-' | sort | tr '\n' ' ' | sed 's/ $//')
    if [ "$left" = "$keep" ]; then passes=$((passes + 1)); else
        echo "FAIL: left '$left', expected '$keep': $*"; fails=$((fails + 1)); fi
    if [ "$want" -ne 0 ] && [ -s "$TMP/out" ]; then
        echo "FAIL: printed on standard output after failing: $*"; head -3 "$TMP/out"
        fails=$((fails + 1))
    fi
}
D="$TMP/d"
export MNEEDLE_DB="$TMP/c.db" MNEEDLE_ACTOR=test
"$MNEEDLE" db init >/dev/null 2>&1 || { echo "FAIL: db init"; exit 1; }
id=$("$MNEEDLE" client add "$CLIENT" 2>/dev/null | tail -1)
[ -n "$id" ] || { echo "FAIL: client add"; exit 1; }
"$MNEEDLE" plan --save "$id" >/dev/null 2>&1 || { echo "FAIL: plan --save"; exit 1; }

# plan: the good run writes all four kinds; each bad output leaves nothing.
clean_run 0 "" "c.db plan.txt projection.csv projection.png projection.svg r.html zones.svg" \
    "$MNEEDLE" plan "$CLIENT" -o "$D/plan.txt" --report "$D/r.html" --plot "$D"
clean_run 2 "no-such-folder/plan.txt: cannot create" "c.db" \
    "$MNEEDLE" plan "$CLIENT" -o "$MISSING/plan.txt" --report "$D/r.html" --plot "$D"
clean_run 2 "r.txt: a report's file name must end in .html or .pdf" "c.db" \
    "$MNEEDLE" plan "$CLIENT" -o "$D/plan.txt" --report "$D/r.txt" --plot "$D"
clean_run 2 "no-such-folder/r.html: cannot create" "c.db" \
    "$MNEEDLE" plan "$CLIENT" --report "$MISSING/r.html" --plot "$D"
clean_run 2 "no-such-folder: cannot use as the figure directory" "c.db" \
    "$MNEEDLE" plan "$CLIENT" -o "$D/plan.txt" --report "$D/r.html" --plot "$MISSING"
# A PDF report without WeasyPrint on PATH: found before the figures are drawn.
mkdir "$TMP/empty-bin"
clean_run 1 "apt-get install weasyprint" "c.db" env PATH="$TMP/empty-bin" \
    "$MNEEDLE" plan "$CLIENT" -o "$D/plan.txt" --report "$D/r.pdf" --plot "$D"
# With --save: a bad output also stores no plan.
plans() { sqlite3 "$D/c.db" 'SELECT count(*) FROM plans' 2>/dev/null || echo "?"; }
clean_run 2 "" "c.db" "$MNEEDLE" plan --save "$id" --db "$D/c.db" --report "$D/r.txt"
if [ "$(plans)" = "1" ]; then passes=$((passes + 1)); else
    echo "FAIL: a plan was stored although its report could not be written ($(plans) plans)"
    fails=$((fails + 1)); fi
# --db and --actor belong to --save: alone, they are refused rather than ignored.
expect 2 "--db goes with --save" -- "$MNEEDLE" plan "$CLIENT" --db "$TMP/c.db"
expect 2 "--actor goes with --save" -- "$MNEEDLE" plan "$CLIENT" --actor someone

# simulate: -o, --csv and --plot.
clean_run 0 "" "c.db collagen.csv collagen.png collagen.svg days.csv erythema.csv erythema.png erythema.svg improvement.csv improvement.png improvement.svg sim.txt" \
    "$MNEEDLE" simulate "$SCEN" -o "$D/sim.txt" --csv "$D/days.csv" --plot "$D"
clean_run 2 "no-such-folder/days.csv: cannot create" "c.db" \
    "$MNEEDLE" simulate "$SCEN" -o "$D/sim.txt" --csv "$MISSING/days.csv" --plot "$D"
clean_run 2 "no-such-folder/sim.txt: cannot create" "c.db" \
    "$MNEEDLE" simulate "$SCEN" -o "$MISSING/sim.txt" --csv "$D/days.csv" --plot "$D"

# sensitivity: a small SPEC; -o, --csv and --plot FILE.
printf '{"scenario": %s, "outputs": ["peak_improvement_pct"], "inputs": [{"name": "needle_mm", "uniform": [0.5, 2.0]}], "n": 16, "bootstrap": 20, "seed": 7}\n' \
    "$(cat "$SCEN")" >"$TMP/spec.json"
clean_run 0 "" "c.db s.csv s.svg s.txt" \
    "$MNEEDLE" sensitivity "$TMP/spec.json" -o "$D/s.txt" --csv "$D/s.csv" --plot "$D/s.svg"
clean_run 2 "no-such-folder/s.csv: cannot create" "c.db" \
    "$MNEEDLE" sensitivity "$TMP/spec.json" -o "$D/s.txt" --csv "$MISSING/s.csv" --plot "$D/s.svg"
clean_run 2 "no-such-folder/s.txt: cannot create" "c.db" \
    "$MNEEDLE" sensitivity "$TMP/spec.json" -o "$MISSING/s.txt" --csv "$D/s.csv" --plot "$D/s.svg"

# absorb: a bad --plot folder is refused before the run, not after it.
clean_run 2 "no-such-folder: cannot use as the figure directory" "c.db" \
    "$MNEEDLE" absorb "$EX/scenarios/absorb-vitc-pen.json" -o "$D/a.txt" --csv "$D/a.csv" --plot "$MISSING"

# export: --ics, --fhir and --csv together; the last one bad leaves the first two unwritten.
clean_run 0 "" "a.ics c.csv c.db f.json" \
    "$MNEEDLE" export --all --db "$D/c.db" --ics "$D/a.ics" --fhir "$D/f.json" --csv "$D/c.csv"
clean_run 2 "no-such-folder/c.csv: cannot create" "c.db" \
    "$MNEEDLE" export --all --db "$D/c.db" --ics "$D/a.ics" --fhir "$D/f.json" --csv "$MISSING/c.csv"
finish
