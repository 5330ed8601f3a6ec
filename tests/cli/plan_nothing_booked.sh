# A plan every zone of which is not booked (docs/clinic.md, "Depth per zone": a forehead held to
# 0.2 mm for acne scars in phototype V, against the 1.5 mm the studies used) books nothing: it
# says so and why, in the text, the report and the JSON, and prints no aftercare sheet, no cost
# and no PIH line. The JSON keeps its fields, with values that say nothing is booked. The zone's
# projection line says why it is not booked, not only that no session treats it.
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1796515200

cat >"$TMP/forehead.json" <<'J'
{"client": {"name": "Forehead only", "age": 29, "sex": "male", "fitzpatrick": 5},
 "concerns": [{"concern": "acne-scars", "zones": ["forehead"], "severity": "severe"}],
 "history": {}, "lifestyle": {"smoker": false, "sun": "high"},
 "clinic": {"device": "dermapen-4", "price_per_session": 350, "currency": "USD",
            "start": "2027-01-11"}}
J
expect 0 "" -- "$MNEEDLE" plan "$TMP/forehead.json" -o "$TMP/plan.txt" --report "$TMP/r.html"
expect 0 "" -- "$MNEEDLE" plan "$TMP/forehead.json" --json -o "$TMP/plan.json"
WHY='No session is booked\. Every area you asked about \(Forehead\) allows less than half the needle length the studies of its concern used'
expect 0 "stdout:$WHY" -- cat "$TMP/plan.txt"
expect 0 "stdout:$WHY" -- cat "$TMP/r.html"
for f in plan.txt r.html; do
    for gone in "Aftercare" "Cost" "Pigmentation \\(PIH\\) risk" "0 in 100" "Risk of darker marks" \
        "Lasting effects" "How long will it last" "The dates, depths and costs below are a plan"; do
        if grep -Eq "$gone" "$TMP/$f"; then
            echo "FAIL: $f: a plan that books nothing prints \"$gone\""; fails=$((fails + 1))
        else
            passes=$((passes + 1))
        fi
    done
done
if python3 - "$TMP/plan.json" "$TMP/plan.txt" >"$TMP/py.out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
assert d["screening"]["decision"] == "proceed_with_caution", d["screening"]
assert [z["booked"] for z in d["zones"]] == [False], d["zones"]
assert d["booked"] is False and d["booked_note"].startswith("No session is booked."), d.get("booked")
assert " ".join(d["booked_note"].split()) in " ".join(text.split()), "text and JSON differ"
assert d["sessions"] == [] and d["aftercare"] == [] and d["pretreatment"] == [], d
c = d["cost"]
for k in ("per_session", "course_total", "maintenance_per_year", "currency"):
    assert k in c, ("cost keeps its fields", k)
assert c["course_total"] == 0 and c["maintenance_per_year"] == 0 and c["horizon_total"] == 0, c
r = d["risk"]
assert r["pih_probability"] == 0 and "no session is booked" in r["pih_note"], r
# No one is needled: no treatment risk to grade, so the label is "none", not "low".
assert r["pih"] == "none" and "pih is none" in r["pih_note"], r
assert r["pih_grade"] == "none" and "pih_grade too" in r["pih_note"], r
assert r["pih_probability_low"] == 0 and r["pih_probability_high"] == 0, r
assert all(z["pih_probability"] == 0 for z in d["zones"]), d["zones"]
assert not any("PIH" in n for n in r["notes"]), r["notes"]
p = d["projection"]
assert p["samples"] == [] and "No session is booked" in p["note"], p
PY
then passes=$((passes + 1)); else echo "FAIL: the JSON of a plan that books nothing"; sed 's/^/  | /' "$TMP/py.out"; fails=$((fails + 1)); fi
# A plan that books a zone keeps its booked flag true and no note; a declined one has neither.
expect 0 'stdout:"booked": true' -- "$MNEEDLE" plan --json "$MN_SOURCE_DIR/examples/clients/ravi-acne-scars.json"
if grep -q '"booked_note"' "$TMP/out"; then
    echo "FAIL: a plan that books a zone has a booked_note"; fails=$((fails + 1))
else
    passes=$((passes + 1))
fi
expect 0 'stdout:"note": "Forehead \(Atrophic acne scars \(rolling, boxcar\)\): not projected: not booked: it allows at most 0\.2 mm, less than half the 1\.5 mm' -- "$MNEEDLE" plan --json "$MN_SOURCE_DIR/examples/clients/ravi-acne-scars.json"
expect 0 'stdout:Forehead \(Atrophic acne scars \(rolling, boxcar\)\): not projected: not booked: it allows at most 0\.2 mm' -- "$MNEEDLE" plan "$MN_SOURCE_DIR/examples/clients/ravi-acne-scars.json"

# The rule reads what the course reaches, not only the zone's maximum. Phototype V on blood
# thinners, acne scars on the cheek with a SkinPen: the maximum, 0.75 mm, is half the studies'
# 1.5 mm, but a course of one session (a catalogue whose mild acne scars take one) stays at its
# start, 0.5 mm: not booked, its line says what the course would reach, no session treats the
# cheek, and the chin, texture and tone, is booked alone. The projection reads the course's
# deepest setting too, so a booked cheek would have been charged with no figure behind it.
mkdir "$TMP/one-session"
python3 - "$MN_SOURCE_DIR/data/concerns.json" "$TMP/one-session/concerns.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
[c for c in d["concerns"] if c["id"] == "acne-scars"][0]["sessions"]["min"] = 1
json.dump(d, open(sys.argv[2], "w"))
PY
cat >"$TMP/short.json" <<'J'
{"client": {"name": "Short course", "age": 40, "sex": "female", "fitzpatrick": 5},
 "concerns": [{"concern": "acne-scars", "zones": ["cheek"], "severity": "mild"},
              {"concern": "texture-tone", "zones": ["chin"]}],
 "history": {"anticoagulants": true}, "lifestyle": {"smoker": false, "sun": "low"},
 "clinic": {"device": "skinpen", "price_per_session": 100, "currency": "USD",
            "start": "2027-01-11"}}
J
expect 0 "" -- "$MNEEDLE" plan --data "$TMP/one-session" "$TMP/short.json" -o "$TMP/short.txt"
expect 0 "" -- "$MNEEDLE" plan --data "$TMP/one-session" --json "$TMP/short.json" -o "$TMP/short.out"
expect 0 "stdout:^      Not booked: " -- grep -A1 "^  Cheek: Atrophic acne scars (rolling, boxcar)$" "$TMP/short.txt"
expect 0 "stdout:Not booked: .*this course would reach at most 0\.5 mm \(its one session at 0\.5 mm\), less than half of that, and no study of them needled this shallow\. It is lowered because you take blood thinners" -- cat "$TMP/short.txt"
expect 0 "stdout:Cheek \(Atrophic acne scars \(rolling, boxcar\)\): not projected: not booked: its course would stay under half the 1\.5 mm" -- cat "$TMP/short.txt"
if python3 - "$TMP/short.out" >"$TMP/py.out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
z = {x["zone"]: x for x in d["zones"]}
assert z["cheek"]["booked"] is False and z["chin"]["booked"] is True, d["zones"]
assert z["cheek"]["depth_mm"]["max"] == 0.75, z["cheek"]["depth_mm"]
assert d["sessions"], "the chin is booked"
for s in d["sessions"]:
    assert all(x["zone"] == "chin" for x in s["settings"]), s
PY
then passes=$((passes + 1)); else echo "FAIL: a course that cannot reach half the studies' depth is booked"; sed 's/^/  | /' "$TMP/py.out"; fails=$((fails + 1)); fi
finish
