# End-to-end: after post-inflammatory hyperpigmentation (PIH) is resolved, replan sets the next
# visit on each zone the session before it treated one setting of the device below the depth
# used there, and says so (data/adverse_events.json: "after": "step-down", a judgement with
# its reason); the visits after it go on as before (docs/records.md, "Replan").
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
expect 0 "stdout:Stepped down one setting after an adverse event \(data/adverse_events.json: a judgement\): " -- \
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
# The visit after it goes on as before: never below the depth last used within the protocol.
for s in after["settings"]:
    assert s["depth_mm"] >= used[s["zone"]] - 1e-9, (s, used)
assert r["next_visit_keeps_plan"] is False, r["next_visit_keeps_plan"]
PYEOF
ok '$PY "$TMP/step_check.py" "$TMP/out" "$TMP/h.json" "$MN_SOURCE_DIR/data/devices.json"' \
    "replan does not step the next visit down one setting after PIH"
# Once a session has treated the zone since, nothing is stepped down any more.
session 3 c-amelia "$TMP/s3.json"
$PY -c 'import json, sys
d = json.load(open(sys.argv[1])); d["date"] = "2027-03-01"
for z in d["zones"]: z["depth_mm"] = 0.25
json.dump(d, open(sys.argv[1], "w"))' "$TMP/s3.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s3.json"
expect 0 "stdout:Visits left" -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "Stepped down" "$TMP/out"' "replan steps down again after a session since the PIH"
finish
