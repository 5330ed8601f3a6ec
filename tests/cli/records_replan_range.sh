# End-to-end: before any score, replan's projected range is the plan's own (the stored plan's
# 10-90 % range over virtual people: the peak's peak_improvement_pct_low/high and each day's
# low_pct/high_pct), and replan says, in plan's words, how far the model has been borne out
# (docs/records.md, "Replan").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02

amelia_planned 0
expect 0 "" -- "$MNEEDLE" plan --json "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
cp "$TMP/out" "$TMP/plan.json"
expect 0 "" -- "$MNEEDLE" plan "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
cp "$TMP/out" "$TMP/plan.txt"
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
cp "$TMP/out" "$TMP/replan.json"
expect 0 "" -- "$MNEEDLE" replan --db "$DB" c-amelia
cp "$TMP/out" "$TMP/replan.txt"
ok '$PY - "$TMP/plan.json" "$TMP/replan.json" <<PYEOF
import json, sys
p = json.load(open(sys.argv[1]))["projection"]
r = json.load(open(sys.argv[2]))
assert r["response"]["scores_used"] == 0, r["response"]
assert r["band_source"] == "plan", r.get("band_source")
pk = r["peak"]
assert abs(pk["low_pct"] - p["peak_improvement_pct_low"]) < 1e-6, (pk, p["peak_improvement_pct_low"])
assert abs(pk["high_pct"] - p["peak_improvement_pct_high"]) < 1e-6, (pk, p["peak_improvement_pct_high"])
ps = {s["day"]: s for s in p["samples"]}
assert len(r["projection"]) == len(ps), (len(r["projection"]), len(ps))
for s in r["projection"]:
    q = ps[s["day"]]
    assert abs(s["low_pct"] - q["low_pct"]) < 1e-6 and abs(s["high_pct"] - q["high_pct"]) < 1e-6, (s, q)
v = r["validation"]
assert v == p["validation"], (v, p["validation"])
PYEOF' "replan's range before any score is not the plan's, or its validation is missing"
# The text: the peak's range as plan prints it, and the same validation sentence.
range=$($PY -c "import json,sys; p=json.load(open(sys.argv[1]))['projection']; print('range %.0f-%.0f %%' % (p['peak_improvement_pct_low'], p['peak_improvement_pct_high']))" "$TMP/plan.json")
ok 'grep -q "$range" "$TMP/plan.txt" && grep -q "^  peak about .*($range)$" "$TMP/replan.txt"' \
    "replan's text does not give the plan's peak range ($range)"
sentence=$(grep -o "Checked against [0-9]* published results.*result\." "$TMP/plan.txt" | head -1)
ok '[ -n "$sentence" ] && grep -qF "$sentence" "$TMP/replan.txt"' \
    "replan's text lacks the validation sentence plan prints"
ok 'grep -q "range: the plan.s own 10-90 % range" "$TMP/replan.txt"' "replan does not name the range's source"
# After scores the band is the plan's, updated: its source says so and it stays inside 0-100.
cat > "$TMP/a.json" <<AEOF
[{"client": "c-amelia", "date": "2026-11-30", "scale": "fitzpatrick-wrinkle", "score": 6, "rater": "dr-a"},
 {"client": "c-amelia", "date": "2027-03-30", "scale": "fitzpatrick-wrinkle", "score": 4, "rater": "dr-a"}]
AEOF
expect 0 "" -- "$MNEEDLE" record assessment --db "$DB" "$TMP/a.json"
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
ok '$PY -c "
import json, sys
r = json.load(open(sys.argv[1]))
assert r[\"response\"][\"scores_used\"] == 1 and r[\"band_source\"] == \"plan_updated\", r[\"band_source\"]
for s in r[\"projection\"]:
    assert s[\"low_pct\"] <= s[\"improvement_pct\"] + 1e-9 and s[\"improvement_pct\"] <= s[\"high_pct\"] + 1e-9 and s[\"high_pct\"] <= 100, s
" "$TMP/out"' "replan's band after a score is out of order or does not name its source"
finish
