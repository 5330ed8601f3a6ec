# End-to-end: the record's holds. A client whose stored record is updated after the plan was
# saved is screened again: replan books nothing while the record screens defer or decline,
# record session refuses a session without --override (audited), and recall
# lists the client as on hold, not as due (docs/records.md, "Holds").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02 (UTC)

amelia_planned 2
# Before the update: replan books the rest, recall lists her as due.
expect 0 "stdout:Visits left" -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "ON HOLD" "$TMP/out"' "replan holds a client whose record screens proceed"
expect 0 "stdout:^c-amelia +due" -- "$MNEEDLE" recall --db "$DB" --due-before 2029-01-01

# ---- screening re-run on the current record ----
# with_history JSON FILE: Amelia's client file with its history replaced by JSON.
with_history() {
    $PY -c 'import json, sys
d = json.load(open(sys.argv[1])); d["history"] = json.loads(sys.argv[2])
json.dump(d, open(sys.argv[3], "w"))' "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json" "$1" "$2"
}
with_history '{"pregnant": true, "isotretinoin_months_ago": 1}' "$TMP/upd.json"
expect 0 "" -- "$MNEEDLE" client update --db "$DB" c-amelia "$TMP/upd.json"
session 3 c-amelia "$TMP/s3.json"
expect 2 "screening of the client's current record gives defer \(recent isotretinoin; pregnancy|screening of the client's current record gives defer \(pregnancy" \
    -- "$MNEEDLE" record session --db "$DB" "$TMP/s3.json"
ok 'grep -q "override" "$TMP/err"' "the refusal does not say how to override"
expect 0 "stdout:sessions 2," -- "$MNEEDLE" client show --db "$DB" c-amelia
# Replan: on hold, the findings printed, nothing booked, no maintenance date.
expect 0 "stdout:ON HOLD: screening of the client's current record: defer" \
    -- "$MNEEDLE" replan --db "$DB" c-amelia
ok 'grep -q "^  Pregnancy (defer): " "$TMP/out" && grep -q "^  Recent isotretinoin (defer): " "$TMP/out" &&
    ! grep -q "MN-" "$TMP/out"' \
    "replan does not name the findings"
ok 'grep -q "none booked: on hold (5 planned visits not booked)" "$TMP/out"' \
    "replan still books visits for a deferred client"
ok '! grep -q "1.50 mm" "$TMP/out" && ! grep -q "^Maintenance due" "$TMP/out"' \
    "replan prints a setting or a maintenance date while on hold"
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
ok '$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"remaining\"] == [] and \"maintenance\" not in d, d.get(\"remaining\")
assert d[\"hold\"][\"held\"] is True and d[\"hold\"][\"visits_not_booked\"] == 5
assert \"MN-PREGNANT\" in d[\"hold\"][\"reason\"]
assert d[\"screening\"][\"decision\"] == \"defer\"
assert {f[\"code\"] for f in d[\"screening\"][\"findings\"]} >= {\"MN-PREGNANT\", \"MN-ISOTRETINOIN\"}
" "$TMP/out"' "replan --json does not say why nothing is booked"
# Recall: on hold with the reason, not due.
expect 0 "stdout:0 clients due" -- "$MNEEDLE" recall --db "$DB" --due-before 2029-01-01
ok 'grep -Eq "^c-amelia +due .*on hold: screening .*defer .*pregnancy" "$TMP/out" &&
    grep -q "1 client on hold" "$TMP/out"' "recall does not list the client on hold"
expect 0 "" -- "$MNEEDLE" recall --db "$DB" --due-before 2029-01-01 --json
ok '$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"due\"] == [] and [x[\"client\"] for x in d[\"on_hold\"]] == [\"c-amelia\"], d
" "$TMP/out"' "recall --json lists a held client as due"
expect 0 "" -- "$MNEEDLE" recall --db "$DB" --due-before 2029-01-01 --csv
ok '! grep -q c-amelia "$TMP/out"' "recall --csv lists a held client"
# FHIR while held: the update that holds her also made the plan stale, so the CarePlan and
# its visits not done are on-hold, the two done completed, a note for each (the hold first)
# (docs/records.md, "Export").
expect 0 "" -- "$MNEEDLE" export --db "$DB" c-amelia --fhir "$TMP/held.fhir.json" --ics "$TMP/held.ics" --csv "$TMP/held.csv"
ok '$PY -c "$HELD_CAREPLAN_PY
assert [r[\"status\"] for r in res if r[\"resourceType\"] == \"Procedure\"] == [\"completed\"] * 2
notes = [n[\"text\"] for n in cp[\"note\"]]
assert len(notes) == 2 and notes[0].startswith(\"On hold: screening of the client\x27s current record: defer (\"), notes
assert \"pregnancy\" in notes[0].lower() and \"Screen the client again\" in notes[0] and \"MN-\" not in notes[0], notes
assert notes[1].startswith(\"Made from an earlier record of the client\"), notes
" "$TMP/held.fhir.json"' "the FHIR bundle of a held client does not put its plan and visits left on hold"
fhir_r4 "$TMP/held.fhir.json" "the FHIR bundle of a client on hold"
# Both held and stale: the visits left are typed -held (the hold is cleared first), none is
# in the calendar.
ok '! grep -q "BEGIN:VEVENT" "$TMP/held.ics"' "the .ics of a client on hold lists visits"
ok '$PY -c "
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r[\"type\"].startswith(\"planned\")]
left = {r[\"type\"] for r in rows if r[\"rescreen\"]}
assert left == {\"planned-held\", \"planned-maintenance-held\"}, left
assert {r[\"type\"] for r in rows if not r[\"rescreen\"]} == {\"planned\"}, rows
" "$TMP/held.csv"' "the CSV of a client on hold does not type its visits left planned-held"
# --override records it: the session keeps the reason, the audit log names the rule overridden.
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" \
    --override "obstetrician's letter on file" "$TMP/s3.json"
ok '$PY -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
r = c.execute(\"SELECT detail FROM audit WHERE action = \x27override\x27\").fetchall()
assert r == [(\"override: stale-plan, screening\",)], r
assert c.execute(\"SELECT override_reason FROM sessions WHERE override_reason IS NOT NULL\").fetchall() == [(\"obstetrician\x27s letter on file\",)]
" "$DB"' "the override is not in the audit log by its rule alone, with the reason in the session"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
# Cleared: the record updated again, replan books the rest.
with_history '{}' "$TMP/upd2.json"
expect 0 "" -- "$MNEEDLE" client update --db "$DB" c-amelia "$TMP/upd2.json"
expect 0 "stdout:Visits left" -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "ON HOLD" "$TMP/out" && grep -Eq "^ +4 course" "$TMP/out"' \
    "replan stays on hold after the record clears"

# ---- clients screened out when planned, and one with no session ----
# A plan saved for a deferred (pregnant) and a declined (keloid history) client has no visit;
# Tom's has visits and no session yet. Each bundle shape passes the R4 schema.
for c in lena-pregnant:defer george-keloid:decline tom-hair-loss:proceed; do
    expect 0 "" -- "$MNEEDLE" client add --db "$DB" --id "c-${c%%:*}" "$MN_SOURCE_DIR/examples/clients/${c%%:*}.json"
    expect 0 "stdout:^Screening: ${c#*:}" -- "$MNEEDLE" plan "c-${c%%:*}" --save --db "$DB"
done
expect 0 "" -- "$MNEEDLE" export --db "$DB" --all --fhir "$TMP/all.fhir.json"
ok '$PY -c "
import json, sys
res = [e[\"resource\"] for e in json.load(open(sys.argv[1]))[\"entry\"]]
plans = {r[\"subject\"][\"reference\"]: r for r in res if r[\"resourceType\"] == \"CarePlan\"}
done = {r[\"subject\"][\"reference\"] for r in res if r[\"resourceType\"] == \"Procedure\"}
for c in (\"c-lena-pregnant\", \"c-george-keloid\"):
    p = plans[\"Patient/\" + c]
    assert not p.get(\"activity\") and \"Patient/\" + c not in done, p
    assert p[\"status\"] == \"on-hold\" and p[\"note\"][0][\"text\"].startswith(\"On hold: screening\"), p
t = plans[\"Patient/c-tom-hair-loss\"]
assert t[\"status\"] == \"active\" and {a[\"detail\"][\"status\"] for a in t[\"activity\"]} == {\"scheduled\"}, t
assert \"Patient/c-tom-hair-loss\" not in done
" "$TMP/all.fhir.json"' "the FHIR bundle books visits for a client screened out, or a client with no session has one done"
fhir_r4 "$TMP/all.fhir.json" "the FHIR bundle of deferred, declined and not yet treated clients"
finish
