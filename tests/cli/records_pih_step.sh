# End-to-end: after post-inflammatory hyperpigmentation (PIH) is resolved, replan sets the next
# visit on each zone the session before it treated one setting of the device below the depth
# used there, and says so (data/adverse_events.json: "after": "step-down", a judgement with
# its reason); the visits after it rise from there by the plan's own steps, not back to the
# plan's depths. record session holds to the same settings: deeper is refused without
# --override (audited). A plan without a projection (melasma) is replanned and stepped down
# too, saying plainly there are no projection figures (docs/records.md, "Replan").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02

amelia_planned 2
"$MNEEDLE" history --db "$DB" --json c-amelia > "$TMP/h.json"
# PIH after session 2, open: replan holds (records_adverse_kind_hold.sh); then resolved.
printf '{"client": "c-amelia", "date": "2027-01-05", "session": 2, "kind": "post-inflammatory-hyperpigmentation", "severity": "mild"}\n' > "$TMP/pih.json"
expect 0 "stdout:recorded 1" -- "$MNEEDLE" record adverse-event --db "$DB" "$TMP/pih.json"
expect 0 "stdout:ON HOLD" -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "Stepped down" "$TMP/out"' "replan steps a zone down while it books nothing"
sed 's/"severity": "mild"}/"severity": "mild", "resolved": "2027-02-01"}/' "$TMP/pih.json" > "$TMP/pih-done.json"
expect 0 "stdout:recorded 1" -- "$MNEEDLE" record adverse-event --db "$DB" "$TMP/pih-done.json"
expect 0 "stdout:Stepped down one setting after an adverse event \(a judgement of the adverse-event catalogue\): " -- \
    "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "ON HOLD" "$TMP/out" && ! grep -q "MN-\|post-inflammatory-hyperpigmentation" "$TMP/out"' \
    "replan still holds after the PIH was resolved, or names it by an internal code"
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
cat > "$TMP/step_check.py" <<'PYEOF'
import json, sys
r, h, devices = (json.load(open(p)) for p in sys.argv[1:4])
dev = [d for d in devices["devices"] if d["id"] == "skinpen"][0]
step, shortest = dev["depth_step_mm"], dev["depth_min_mm"]
used = {z["zone"]: z["depth_mm"] for z in h["sessions"][1]["zones"]}
first, after = r["remaining"][0], r["remaining"][1]
assert first["number"] == 3, first
for s in first["settings"]:
    want = used[s["zone"]] - step if used[s["zone"]] - step >= shortest - 1e-9 else used[s["zone"]]
    assert abs(s["depth_mm"] - want) < 1e-9, (s, used, want)
    assert s["zone"] in r["step_down"], r["step_down"]
# The visit after it rises from the stepped-down depth by the plan's own step for the zone
# (visit 3 to 4), not back to the plan's depth or the depth last used.
plan = {v["number"]: {z["zone"]: z["depth_mm"] for z in v["settings"]} for v in h["planned"]}
stepped = {s["zone"]: s["depth_mm"] for s in first["settings"]}
lowered = 0
for s in after["settings"]:
    want = stepped[s["zone"]] + max(0, plan[4][s["zone"]] - plan[3][s["zone"]])
    assert abs(s["depth_mm"] - want) < 1e-9, (s, stepped, want)
    lowered += s["depth_mm"] < plan[4][s["zone"]] - 1e-9
assert lowered and "cheek: 0.50 mm at visit 4, not 1.00 mm" in r["step_down_carried"], r
assert r["next_visit_keeps_plan"] is False, r["next_visit_keeps_plan"]
PYEOF
ok '$PY "$TMP/step_check.py" "$TMP/out" "$TMP/h.json" "$MN_SOURCE_DIR/data/devices.json"' \
    "replan does not step the next visit down one setting after PIH and rise from there"
# The next visit is lower than the plan's: the sentence says why, not that it was raised.
expect 0 "stdout:The next visit \(3, [0-9-]+\) does not keep the plan's settings for it: a depth is set below the plan's after an adverse event" \
    -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "raised to the last used" "$TMP/out"' \
    "replan says the stepped-down visit was raised to the last depth used"
# record session holds to the step down: the plan's depths for visit 3 are refused, naming the
# zone, the depth, the stepped-down maximum and the event, and nothing is stored.
session 3 c-amelia "$TMP/s3.json"
$PY -c 'import json, sys
d = json.load(open(sys.argv[1])); d["date"] = "2027-03-01"
json.dump(d, open(sys.argv[1], "w"))' "$TMP/s3.json"
expect 2 "cheek 0.75 mm is deeper than the 0.25 mm allowed at visit 3 \(\\\$\.zones\[2\]\.depth_mm\), after the Post-inflammatory hyperpigmentation \(PIH\) recorded on 2027-01-05: one setting below session 2 \(a judgement of the adverse-event catalogue\); nothing was recorded" \
    -- "$MNEEDLE" record session --db "$DB" "$TMP/s3.json"
expect 0 "stdout:sessions 2," -- "$MNEEDLE" client show --db "$DB" c-amelia
# --override records it, the step down it overrode named in the audit log.
cp "$DB" "$TMP/override.db"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$TMP/override.db" \
    --override "test patch at 0.75 mm showed no darkening" "$TMP/s3.json"
ok '$PY -c "
import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute(\"SELECT detail FROM audit WHERE action = \x27override\x27\").fetchall()
assert r == [(\"override: step-down-after-adverse-event\",)], r
" "$TMP/override.db"' "the step down's override is not in the audit log by its rule alone"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$TMP/override.db"
# Once a session has treated the zone since (at the stepped-down depth), nothing is stepped
# down again, and the visits left still rise from the lowered depth by the plan's steps.
as_replanned c-amelia "$TMP/s3.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s3.json"
ok 'grep -q "lighter needs no --override; replan keeps the step down)" "$TMP/err" && ! grep -q "keeps the plan.s settings" "$TMP/err"' \
    "record session says replan keeps the plan's settings after a session held to the step down"
expect 0 "stdout:Visits left" -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "Stepped down" "$TMP/out"' "replan steps down again after a session since the PIH"
ok 'grep -Eq "^ +4 course +[0-9-]+ +Forehead 0.25 mm x 3, Periorbital / eyelid 0.25 mm x 3, Cheek 0.50 mm x 3$" "$TMP/out" &&
    grep -q "Kept below the plan after an adverse event .*Cheek: 0.50 mm at visit 4, not 1.00 mm" "$TMP/out"' \
    "replan snaps back to the plan's depths after the stepped-down visit"
# record session too: visit 4 at the plan's depths is refused, at replan's recorded.
session 4 c-amelia "$TMP/s4.json"
$PY -c 'import json, sys
d = json.load(open(sys.argv[1])); d["date"] = "2027-03-29"
json.dump(d, open(sys.argv[1], "w"))' "$TMP/s4.json"
expect 2 "cheek 1.00 mm is deeper than the 0.50 mm allowed at visit 4 .*, after the Post-inflammatory hyperpigmentation \(PIH\) recorded on 2027-01-05: stepped down at visit 3 one setting below session 2, and rising since by the plan.s own steps" \
    -- "$MNEEDLE" record session --db "$DB" "$TMP/s4.json"
as_replanned c-amelia "$TMP/s4.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s4.json"

# Melasma: the plan has no projection (the model does not follow pigment). replan still gives
# the visits left and the step down after a PIH, and says there are no projection figures.
cat > "$TMP/melasma.json" <<'EOF2'
{"client": {"age": 38, "sex": "female", "fitzpatrick": 6},
 "concerns": [{"concern": "melasma", "zones": ["cheek", "forehead"], "severity": "moderate"}],
 "history": {"date": "2027-01-01"}, "lifestyle": {"smoker": false, "sun": "moderate"},
 "clinic": {"device": "skinpen", "price_per_session": 300, "currency": "GBP", "start": "2027-01-04"}}
EOF2
expect 0 "stdout:^c-melasma$" -- "$MNEEDLE" client add --db "$DB" --id c-melasma "$TMP/melasma.json"
expect 0 "" -- "$MNEEDLE" plan c-melasma --save --db "$DB"
session 1 c-melasma "$TMP/m1.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/m1.json"
printf '{"client": "c-melasma", "date": "2027-01-20", "session": 1, "kind": "post-inflammatory-hyperpigmentation", "severity": "mild", "resolved": "2027-02-10"}\n' > "$TMP/mpih.json"
expect 0 "stdout:recorded 1 adverse event" -- "$MNEEDLE" record adverse-event --db "$DB" "$TMP/mpih.json"
expect 0 "stdout:No projection: The model does not project Melasma" -- "$MNEEDLE" replan --db "$DB" c-melasma
ok 'grep -Eq "^ +2 course +[0-9-]+ +Cheek 0.25 mm x 2, Forehead 0.25 mm x 2$" "$TMP/out" &&
    grep -q "Stepped down one setting after an adverse event .*Cheek: 0.25 mm at visit 2, as session 1 .the device.s shortest setting" "$TMP/out" &&
    ! grep -q "Response:\|Projection (" "$TMP/out"' \
    "replan of a plan without a projection gives no visits, no step down, or figures it has not"
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --json c-melasma
ok '$PY -c "
import json, sys
r = json.load(open(sys.argv[1]))
assert r[\"has_projection\"] is False and r[\"response\"] is None and r[\"projection\"] == [], r
assert \"Melasma\" in r[\"projection_note\"] and \"maintenance\" not in r and \"validation\" not in r and r[\"band_source\"] == \"none\"
assert r[\"remaining\"][0][\"settings\"][0][\"depth_mm\"] == 0.25 and \"cheek\" in r[\"step_down\"], r
" "$TMP/out"' "replan --json of a plan without a projection is not as documented"
session 2 c-melasma "$TMP/m2.json"
expect 2 "cheek 0.50 mm is deeper than the 0.25 mm allowed at visit 2 .*, after the Post-inflammatory hyperpigmentation \(PIH\) recorded on 2027-01-20: no deeper than session 1, already at its device.s shortest setting" \
    -- "$MNEEDLE" record session --db "$DB" "$TMP/m2.json"
as_replanned c-melasma "$TMP/m2.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/m2.json"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
finish
