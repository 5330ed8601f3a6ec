# End-to-end: mneedle simulate on the example scenarios, its outputs, and bad input.
. "$(dirname "$0")/lib.sh"
EX="$MN_SOURCE_DIR/examples/scenarios"

scn() {
    cat <<JSON
{"patient": {"age": ${AGE:-45}, "sex": "${SEX:-female}", "fitzpatrick": ${FITZ:-2},
             "smoker": ${SMOKER:-false}, "sun": "${SUN:-moderate}"},
 "zone": "${ZONE:-cheek}", "concern": "${CONCERN:-fine-lines-wrinkles}",
 "sessions": [{"day": ${DAY:-0}, "device": "${DEVICE:-skinpen}", "needle_mm": ${MM:-1.5},
               "passes": ${PASSES:-3}},
              {"day": 28, "device": "skinpen", "needle_mm": 1.5, "passes": 3}],
 "report_days": [${DAYS:-0, 7, 90, 365}], "horizon_days": ${HORIZON:-730}}
JSON
}

expect 0 "stdout:usage: mneedle simulate" -- "$MNEEDLE" simulate --help
expect 2 "expected one SCENARIO" -- "$MNEEDLE" simulate
expect 2 "unknown option" -- "$MNEEDLE" simulate --bogus "$EX/simulate-wrinkles-course.json"
expect 2 "--integrator" -- "$MNEEDLE" simulate --integrator rk4 "$EX/simulate-wrinkles-course.json"
expect 2 "--band" -- "$MNEEDLE" simulate --band -3 "$EX/simulate-wrinkles-course.json"

# Every example runs; the text answers "how long will it last?" with numbers and says it is a
# simulation.
for f in "$EX"/simulate-*.json; do
    expect 0 "stdout:How long will it last\? In this simulation, improvement peaks at about [0-9]+ %" -- "$MNEEDLE" simulate "$f"
    expect 0 "stdout:not promised results" -- "$MNEEDLE" simulate "$f"
    expect 0 'stdout:"back_to_baseline_day"' -- "$MNEEDLE" simulate --json "$f"
done

# JSON: the DESIGN 4 keys, one sample per report day, valid JSON.
"$MNEEDLE" simulate --json "$EX/simulate-lotfi-acne-scars.json" >"$TMP/l.json"
expect 0 "" -- python3 - "$TMP/l.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["samples"]:
    for k in ("day", "collagen_change_pct", "epidermis_change_pct", "improvement_pct",
              "erythema", "barrier_open_fraction"):
        assert k in s, k
for k in ("peak_improvement_pct", "peak_day", "durability_days", "back_to_baseline_day"):
    assert k in d["summary"], k
assert [s["day"] for s in d["samples"]] == [0, 1, 5, 30, 60, 90, 120, 176, 365, 730]
s176 = [s for s in d["samples"] if s["day"] == 176][0]
assert 48 < s176["collagen_change_pct"] < 58, s176      # Lotfi 2013 (F05b)
assert 45 < s176["epidermis_change_pct"] < 55, s176     # Lotfi 2013 (F05a)
assert d["summary"]["peak_day"] > 120                   # keeps rising after the last session
assert d["simulation"] is True and "simulation" in d["answer"]
PY

# CSV: a header and one row per day 0..horizon, treated and untreated; atomic and complete.
expect 0 "" -- "$MNEEDLE" simulate --csv "$TMP/t.csv" "$EX/simulate-smoker-neck.json"
expect 0 "" -- test "$(wc -l <"$TMP/t.csv")" -eq 1097
expect 0 "stdout:^day,collagen_change_pct,.*untreated_collagen_change_pct" -- head -1 "$TMP/t.csv"
expect 0 "stdout:^1095," -- tail -1 "$TMP/t.csv"

# The CVODE reference gives the same answer as the exact integrator (to the printed digits).
"$MNEEDLE" simulate --band 0 "$EX/simulate-wrinkles-course.json" | grep -v integrator >"$TMP/a.txt"
"$MNEEDLE" simulate --band 0 --integrator cvode "$EX/simulate-wrinkles-course.json" | grep -v integrator >"$TMP/b.txt"
expect 0 "" -- cmp "$TMP/a.txt" "$TMP/b.txt"

# A home roller at 0.25 mm stays in the epidermis: it runs, and says there is no lasting gain.
DEVICE=home-roller MM=0.25 scn | sed 's/"device": "skinpen", "needle_mm": 1.5/"device": "home-roller", "needle_mm": 0.25/' >"$TMP/home.json"
expect 0 "stdout:barely reach the dermis" -- "$MNEEDLE" simulate "$TMP/home.json"

# Standard input and --output.
scn | expect 0 'stdout:"samples"' -- "$MNEEDLE" simulate --json -
scn >"$TMP/s.json"
expect 0 "" -- "$MNEEDLE" simulate --json -o "$TMP/out.json" "$TMP/s.json"
expect 0 '' -- python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$TMP/out.json"

# Bad input: exit 2, the file and the place named, nothing written.
bad() { # PATTERN then VAR=value pairs
    pattern=$1; shift
    env "$@" sh -c "$(declare -f scn); scn" >"$TMP/bad.json"
    rm -f "$TMP/never.json" "$TMP/never.csv"
    expect 2 "$pattern" -- "$MNEEDLE" simulate --json -o "$TMP/never.json" --csv "$TMP/never.csv" "$TMP/bad.json"
    expect 1 "" -- test -e "$TMP/never.json"
    expect 1 "" -- test -e "$TMP/never.csv"
}
bad 'bad.json: \$\.patient\.age: 300 is out of range' AGE=300
bad '\$\.patient\.fitzpatrick' FITZ=7
bad 'unknown zone "cheeks2"' ZONE=cheeks2
bad 'unknown concern' CONCERN=botox
bad '\$\.sessions\[0\]\.device: unknown device "laser"' DEVICE=laser
bad "\\\$\\.sessions\\[0\\]\\.needle_mm: 9 mm is outside skinpen's range" MM=9
bad '\$\.sessions\[0\]\.passes' PASSES=0
bad '\$\.sessions\[0\]\.day: 900 is after horizon_days' DAY=900
bad '\$\.report_days\[1\]: 9999 is out of range' DAYS='0, 9999'
bad '\$\.sessions\[0\]\.passes: expected a number' PASSES='"three"'
bad 'bad.json:[0-9]+:[0-9]+: malformed JSON' SMOKER='tru'
expect 2 "empty" -- "$MNEEDLE" simulate /dev/null
expect 2 "cannot open" -- "$MNEEDLE" simulate "$TMP/does-not-exist.json"
head -c 5000000 /dev/zero | tr '\0' ' ' >"$TMP/huge.json"
expect 2 "limit" -- "$MNEEDLE" simulate "$TMP/huge.json"

finish
