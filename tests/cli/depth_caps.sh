# End-to-end: needle lengths in absorb, simulate and cohort. A length outside the device's
# catalogue range is refused (exit 2, the file and the place named, nothing written); a length
# beyond the zone's depth caps (the planner's: the zone's clinical limit and the anatomy cap)
# runs, with a warning on stderr and the same warning in the JSON output's warnings[].
. "$(dirname "$0")/lib.sh"

absorb_scn() {
    cat <<JSON
{"site": "${SITE:-cheek}", "patient": {"age": 45, "sex": "female", "fitzpatrick": 3},
 "device": "${DEVICE:-skinpen}", "needle_mm": ${MM:-1.0}, "passes": 2,
 "product": {"name": "ascorbic-acid", "concentration_mg_ml": 150, "dose_ul_cm2": 10},
 "occluded": false, "hours": 2, "report_hours": [1, 2]}
JSON
}
sim_scn() {
    cat <<JSON
{"patient": {"age": 45, "sex": "female", "fitzpatrick": 2}, "zone": "${ZONE:-cheek}",
 "concern": "fine-lines-wrinkles", "horizon_days": 400, "sessions": [
  {"day": 0, "device": "${DEVICE:-skinpen}", "needle_mm": 0.5, "passes": 3},
  {"day": 28, "device": "${DEVICE:-skinpen}", "needle_mm": ${MM:-1.0}, "passes": 3},
  {"day": 56, "device": "${DEVICE:-skinpen}", "needle_mm": ${MM:-1.0}, "passes": 3}]}
JSON
}
# 80 patients: at least 72 give the 5th and 95th percentiles closed confidence intervals, so
# the cohort has no warning of its own (docs/models/cohort.md, Percentiles).
trial() {
    cat <<JSON
{"population": {"n": 80, "age": [30, 50], "sex": "female", "fitzpatrick": [1, 4],
                "smoker_fraction": 0},
 "zone": "${ZONE:-cheek}", "concern": "fine-lines-wrinkles",
 "protocol": {"device": "${DEVICE:-skinpen}", "needle_mm": ${MM:-1.0}, "passes": 3,
              "session_days": [0, 28]},
 "endpoints_days": [90], "seed": 3}
JSON
}

# refused CMD GENERATOR PATTERN VAR=value...: exit 2 naming file and place, no output left.
refused() {
    cmd=$1; gen=$2; pattern=$3; shift 3
    env "$@" sh -c "$(declare -f "$gen"); $gen" >"$TMP/in.json"
    rm -f "$TMP/never.json"
    expect 2 "$pattern" -- "$MNEEDLE" "$cmd" --json -o "$TMP/never.json" "$TMP/in.json"
    expect 1 "" -- test -e "$TMP/never.json"
    [ -z "$(ls "$TMP" | grep '\.tmp\.')" ] && passes=$((passes + 1)) ||
        { echo "FAIL: $cmd left a temporary file"; fails=$((fails + 1)); }
}
refused absorb absorb_scn "in.json: \\\$\\.needle_mm: 2 mm is outside exceed's range 0.25-1.5 mm" DEVICE=exceed MM=2
refused simulate sim_scn "in.json: \\\$\\.sessions\\[1\\]\\.needle_mm: 2 mm is outside exceed's range 0.25-1.5 mm" DEVICE=exceed MM=2
refused cohort trial "in.json: \\\$\\.protocol\\.needle_mm: 2 mm is outside exceed's range 0.25-1.5 mm" DEVICE=exceed MM=2
# A roller is made in fixed lengths: one between two of them (1.2 mm on a roller made in 1.0 and
# 1.5 mm) is refused, naming the lengths; a length it is made in runs.
for c in "absorb absorb_scn \\\$\\.needle_mm" "simulate sim_scn \\\$\\.sessions\\[1\\]\\.needle_mm" \
    "cohort trial \\\$\\.protocol\\.needle_mm"; do
    set -- $c
    refused "$1" "$2" "in.json: $3: 1.2 mm is not a length dermaroller-192 is made in \(lengths 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5 mm\)" \
        DEVICE=dermaroller-192 MM=1.2
done
MM=1.5 DEVICE=dermaroller-192 absorb_scn >"$TMP/roller.json"
expect 0 "" -- "$MNEEDLE" absorb -o "$TMP/roller.txt" "$TMP/roller.json"
# At the device's ends: accepted.
MM=1.5 DEVICE=exceed absorb_scn >"$TMP/end.json"
expect 0 "" -- "$MNEEDLE" absorb "$TMP/end.json"

# Within every cap: no warning, and an empty warnings[] (the key is always there).
absorb_scn >"$TMP/a.json"
sim_scn >"$TMP/s.json"
trial >"$TMP/t.json"
for c in "absorb a" "simulate s" "cohort t"; do
    set -- $c
    expect 0 "" -- "$MNEEDLE" "$1" --json -o "$TMP/$2.out" "$TMP/$2.json"
    no_stderr "$1 within every cap"
    expect 0 "" -- python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["warnings"] == []' "$TMP/$2.out"
done

# checkjson FILE PATH CODE...: warnings[] holds exactly these codes, each at PATH, and each
# message is the line the run that wrote FILE printed on stderr ("warning: FILE: PATH: ...").
checkjson() {
    cp "$TMP/err" "$TMP/warned"
    expect 0 "" -- python3 -c "$CHECK" "$@" "$TMP/warned"
}
CHECK='
import json, sys
out, path, *codes, err = sys.argv[1:]
w = json.load(open(out))["warnings"]
assert [x["code"] for x in w] == codes, w
assert all(x["path"] == path for x in w), w
printed = [l.split(": warning: ", 1)[1].rstrip("\n") for l in open(err) if ": warning: " in l]
assert len(printed) == len(w), (printed, w)
for p, x in zip(printed, w):
    assert p.endswith(": " + x["path"] + ": " + x["message"]), (p, x)
    assert x["message"] not in ("", None) and "running as asked" in x["message"], x
'


# Beyond the periorbital's 0.5 mm clinical limit and its anatomy cap (thin eyelid skin): runs,
# exit 0, warns on stderr naming the file and the place, and returns both in JSON.
SITE=periorbital absorb_scn >"$TMP/eye.json"
expect 0 "warning: .*eye\.json: \\\$\\.needle_mm: 1 mm is beyond the periorbital's depth cap of 0\.5 mm" -- "$MNEEDLE" absorb "$TMP/eye.json"
expect 0 "warning: .*eye\.json: \\\$\\.needle_mm: 1 mm is beyond the anatomy cap of [0-9.]+ mm on the periorbital for this person" -- "$MNEEDLE" absorb "$TMP/eye.json"
expect 0 "" -- "$MNEEDLE" absorb --json -o "$TMP/eye.out" "$TMP/eye.json"
checkjson "$TMP/eye.out" '$.needle_mm' depth_beyond_zone_cap depth_beyond_anatomy_cap

# simulate: once per kind of cap, at the first session beyond it (sessions[1], not [2]).
ZONE=periorbital sim_scn >"$TMP/eye-s.json"
expect 0 "warning: .*eye-s\.json: \\\$\\.sessions\\[1\\]\\.needle_mm: 1 mm is beyond the periorbital's depth cap" -- "$MNEEDLE" simulate "$TMP/eye-s.json"
expect 0 "" -- test "$(grep -c 'warning:' "$TMP/err")" -eq 2
expect 0 "" -- "$MNEEDLE" simulate --json -o "$TMP/eye-s.out" "$TMP/eye-s.json"
checkjson "$TMP/eye-s.out" '$.sessions[1].needle_mm' depth_beyond_zone_cap depth_beyond_anatomy_cap

# cohort: the anatomy cap of the population's thinnest skin (the oldest), named.
ZONE=periorbital trial >"$TMP/eye-t.json"
expect 0 "warning: .*eye-t\.json: \\\$\\.protocol\\.needle_mm: 1 mm is beyond the anatomy cap of [0-9.]+ mm on the periorbital for the thinnest skin in the population \\(female, 50\\)" -- "$MNEEDLE" cohort "$TMP/eye-t.json"
expect 0 "" -- "$MNEEDLE" cohort --json -o "$TMP/eye-t.out" "$TMP/eye-t.json"
checkjson "$TMP/eye-t.out" '$.protocol.needle_mm' depth_beyond_zone_cap depth_beyond_anatomy_cap
# A sharded run merged back gives the same warnings (the trial is read again from the parts).
expect 0 "" -- "$MNEEDLE" cohort --shard 1/2 -o "$TMP/p1.json" "$TMP/eye-t.json"
expect 0 "" -- "$MNEEDLE" cohort --shard 2/2 -o "$TMP/p2.json" "$TMP/eye-t.json"
expect 0 "warning: .*\\\$\\.protocol\\.needle_mm: 1 mm is beyond the periorbital's depth cap" -- "$MNEEDLE" merge --json -o "$TMP/merged.json" "$TMP/p1.json" "$TMP/p2.json"
expect 0 "" -- cmp "$TMP/merged.json" "$TMP/eye-t.out"

# The cheek without a concern (absorb): the clinical limit is 1.5 mm and the anatomy cap for
# this 45-year-old about 1.7 mm; 1.5 mm runs quietly, 1.75 mm is beyond both.
MM=1.5 absorb_scn >"$TMP/c15.json"
expect 0 "" -- "$MNEEDLE" absorb "$TMP/c15.json"
no_stderr "1.5 mm on the cheek"
MM=1.75 absorb_scn >"$TMP/c175.json"
expect 0 "beyond the cheek's depth cap of 1\.5 mm \\(its clinical limit, CAP in 'mneedle catalog sites'\\)" -- "$MNEEDLE" absorb "$TMP/c175.json"
expect 0 "beyond the anatomy cap of 1\.[0-9]+ mm on the cheek" -- "$MNEEDLE" absorb "$TMP/c175.json"

# The acne-scar exception (2 mm on the cheek) is for phototypes I-III: 1.75 mm runs without a
# zone-cap warning in phototype III and with one in phototype V, naming why (docs/clinic.md, "Depth").
for f in 3 5; do
    sed -e "s/\"fitzpatrick\": 2/\"fitzpatrick\": $f/" -e 's/fine-lines-wrinkles/acne-scars/' \
        "$TMP/s.json" | sed 's/"needle_mm": 1.0/"needle_mm": 1.75/' >"$TMP/scar$f.json"
done
expect 0 "" -- "$MNEEDLE" simulate -o "$TMP/scar3.out" "$TMP/scar3.json"
cp "$TMP/err" "$TMP/scar3.err"
expect 1 "" -- grep -q "depth cap of" "$TMP/scar3.err"
expect 0 "1.75 mm is beyond the cheek's depth cap of 1.5 mm \(its clinical limit, CAP in 'mneedle catalog sites': the concern's deep-face exception, DEEP FACE in 'mneedle catalog concerns', is for phototypes I-III only\)" -- \
    "$MNEEDLE" simulate -o "$TMP/scar5.out" "$TMP/scar5.json"
# Past the exception itself (2 mm for acne scars, DEEP FACE in 'mneedle catalog concerns'), in
# phototype III: the warning names the exception and where it is shown.
sed 's/"needle_mm": 1.75/"needle_mm": 2.25/' "$TMP/scar3.json" >"$TMP/scar3-deep.json"
expect 0 "2.25 mm is beyond the cheek's depth cap of 2 mm \(the concern's deep-face exception, DEEP FACE in 'mneedle catalog concerns'\)" -- \
    "$MNEEDLE" simulate -o "$TMP/scar3-deep.out" "$TMP/scar3-deep.json"

finish
