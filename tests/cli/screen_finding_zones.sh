# A finding of a rule that covers some zones (cold sores: every facial zone) names every treated
# zone it covers, not only the first: the screen command, the text plan, the report and the JSON
# (screening.findings[].zones, beside zone, the first, as before) list the same zones, once
# each, in the client's order; zones the rule does not cover (the scalp) are not named.
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1796515200

cat >"$TMP/hsv.json" <<'J'
{"client": {"name": "Cold sores", "age": 44, "sex": "female", "fitzpatrick": 2},
 "concerns": [{"concern": "fine-lines-wrinkles", "zones": ["forehead", "periorbital", "cheek"]},
              {"concern": "hair-loss", "zones": ["scalp"]},
              {"concern": "texture-tone", "zones": ["cheek", "perioral"]}],
 "history": {"herpes_simplex_history": true}, "lifestyle": {"smoker": false, "sun": "low"},
 "clinic": {"device": "skinpen", "price_per_session": 300, "currency": "USD",
            "start": "2027-01-11"}}
J
ZONES='Forehead, Periorbital / eyelid, Cheek, Perioral / upper lip'
expect 0 "stdout:^  \\[caution\\] MN-HSV-PERIORAL \\($ZONES\\)$" -- "$MNEEDLE" screen "$TMP/hsv.json"
expect 0 "stdout:^  - \\($ZONES\\) You have had cold sores" -- "$MNEEDLE" plan "$TMP/hsv.json"
expect 0 "" -- "$MNEEDLE" plan "$TMP/hsv.json" --report "$TMP/r.html" -o "$TMP/plan.txt"
expect 0 "stdout:You have had cold sores.*</td><td><span class=\"badge [a-z]+\">[a-z]+</span></td><td>$ZONES</td>" -- cat "$TMP/r.html"
for cmd in screen plan; do
    expect 0 "" -- "$MNEEDLE" "$cmd" --json -o "$TMP/$cmd.json" "$TMP/hsv.json"
    if python3 - "$TMP/$cmd.json" >"$TMP/py.out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = [f for f in d["screening"]["findings"] if f["code"] == "MN-HSV-PERIORAL"]
assert len(f) == 1, d["screening"]
f = f[0]
assert f["zones"] == ["forehead", "periorbital", "cheek", "perioral"], f
assert f["zone"] == "forehead", f
for g in d["screening"]["findings"]:
    assert ("zones" in g) == ("zone" in g), g
PY
    then passes=$((passes + 1)); else echo "FAIL: $cmd --json: the finding's zones"; sed 's/^/  | /' "$TMP/py.out"; fails=$((fails + 1)); fi
done
# One zone: named alone, as before.
sed 's/"zones": \["forehead", "periorbital", "cheek"\]/"zones": ["nose"]/; /texture-tone/d; s/\["scalp"\]}\,/["scalp"]}],/' \
    "$TMP/hsv.json" >"$TMP/one.json"
expect 0 "stdout:^  \\[caution\\] MN-HSV-PERIORAL \\(Nose\\)$" -- "$MNEEDLE" screen "$TMP/one.json"
# The plan names the zones it books, by their names, never the ids: Ravi in phototype V with
# cold sores asks for the cheek and the forehead, and the forehead is not booked (0.2 mm, under
# half the acne-scar studies' 1.5 mm), so the plan's caution is for the cheek alone; the screen
# command, before any plan, names both. When the finding covers no booked zone (the forehead
# alone beside a body zone), the plan names it and says it is not booked, never "all".
sed 's/"herpes_simplex_history": false/"herpes_simplex_history": true/' \
    "$MN_SOURCE_DIR/examples/clients/ravi-acne-scars.json" >"$TMP/ravi-hsv.json"
expect 0 "stdout:^  \\[caution\\] MN-HSV-PERIORAL \\(Cheek, Forehead\\)$" -- "$MNEEDLE" screen "$TMP/ravi-hsv.json"
expect 0 "stdout:^  - \\(Cheek\\) You have had cold sores" -- "$MNEEDLE" plan "$TMP/ravi-hsv.json"
expect 0 "" -- "$MNEEDLE" plan "$TMP/ravi-hsv.json" --report "$TMP/rh.html" -o "$TMP/rh.txt"
expect 0 "stdout:You have had cold sores.*</td><td><span class=\"badge [a-z]+\">[a-z]+</span></td><td>Cheek</td>" -- cat "$TMP/rh.html"
expect 0 "" -- "$MNEEDLE" plan --json "$TMP/ravi-hsv.json" -o "$TMP/rh.json"
expect 0 "" -- python3 -c '
import json, sys
f = [f for f in json.load(open(sys.argv[1]))["screening"]["findings"] if f["code"] == "MN-HSV-PERIORAL"]
assert f[0]["zones"] == ["cheek", "forehead"], f  # the JSON keeps the ids, every covered zone
' "$TMP/rh.json"
python3 - "$TMP/ravi-hsv.json" "$TMP/fh-only.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["concerns"] = [{"concern": "acne-scars", "zones": ["forehead"], "severity": "severe"},
                 {"concern": "stretch-marks", "zones": ["abdomen"], "severity": "moderate"}]
json.dump(d, open(sys.argv[2], "w"))
PY
expect 0 "stdout:^  - \\(Forehead, not booked\\) You have had cold sores" -- "$MNEEDLE" plan "$TMP/fh-only.json"
finish
