# End-to-end: absorb's resource guard. Before a run, its work (cells x time steps) is estimated;
# a run estimated over a minute says so on stderr first. Progress goes to stderr only when
# asked (--progress) or when stderr is a terminal, so scripted runs and goldens stay clean.
# --max-seconds S stops a run that takes longer: exit 1, a clear message, nothing written.
. "$(dirname "$0")/lib.sh"
EX="$MN_SOURCE_DIR/examples/scenarios"

# A 3D run of 30 simulated days at twice the resolution: minutes of work.
python3 - "$EX/absorb-field-niacinamide.json" "$TMP/long.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
a.update(hours=720, report_hours=[1, 24, 720], resolution=2, site="cheek", needle_mm=1.0)
json.dump(a, open(sys.argv[2], "w"))
PY

expect 0 "stdout:--max-seconds S" -- "$MNEEDLE" absorb --help
expect 0 "stdout:--progress" -- "$MNEEDLE" absorb --help
for bad in 0 -1 2.5 x; do
    expect 2 "--max-seconds" -- "$MNEEDLE" absorb --max-seconds "$bad" "$TMP/long.json"
done

# Said before it starts, then stopped by the limit: exit 1, the file named, no report, no CSV,
# no temporary file.
expect 1 "long\.json: stopped after --max-seconds 1 \(absorb: stopped at [0-9.e+-]+ of 720 simulated hours\); nothing written" -- \
    "$MNEEDLE" absorb --field --max-seconds 1 -o "$TMP/long.out" --csv "$TMP/long.csv" "$TMP/long.json"
cp "$TMP/err" "$TMP/said"
expect 0 "stdout:^mneedle absorb: this run is estimated at about [0-9.]+ (min|h) \([0-9.e+]+ cells x [0-9]+ time steps at ~[0-9]+ ns a cell-step" -- \
    cat "$TMP/said"
expect 1 "" -- test -e "$TMP/long.out"
expect 1 "" -- test -e "$TMP/long.csv"
expect 0 "" -- test -z "$(ls "$TMP" | grep '\.tmp\.')"
# The notice without a limit also says how to set one.
expect 124 "^mneedle absorb: this run is estimated .*; --max-seconds S stops it after S seconds" -- timeout 3 "$MNEEDLE" absorb --field "$TMP/long.json"

# A short run: no notice and no progress unless asked; --progress prints lines (stderr is not
# a terminal here), ending at 100 %; the report is the same either way.
expect 0 "" -- "$MNEEDLE" absorb --field --json -o "$TMP/quiet.json" "$EX/absorb-vitc-pen.json"
no_stderr "a short absorb run"
expect 0 "mneedle absorb: 100% after [0-9]+ s" -- "$MNEEDLE" absorb --field --progress --json -o "$TMP/shown.json" "$EX/absorb-vitc-pen.json"
expect 0 "" -- test "$(grep -c '% after' "$TMP/err")" -ge 5
expect 0 "" -- cmp "$TMP/quiet.json" "$TMP/shown.json"
# A limit it stays under changes nothing.
expect 0 "" -- "$MNEEDLE" absorb --field --max-seconds 600 --json -o "$TMP/limited.json" "$EX/absorb-vitc-pen.json"
expect 0 "" -- cmp "$TMP/quiet.json" "$TMP/limited.json"

finish
