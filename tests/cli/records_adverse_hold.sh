# End-to-end: open adverse events hold the visits. replan lists the events with no resolved
# date and books nothing while a severe one is open; record session refuses a session without
# --override while one is open on its date; recall lists the client on hold; recording the
# event again with its resolved date lifts the hold (docs/records.md, "Holds").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02 (UTC)

amelia_planned 2
# A moderate event still open is listed, not held on.
printf '{"client": "c-amelia", "date": "2027-01-02", "session": 2, "kind": "swelling", "severity": "moderate"}' > "$TMP/mild.json"
expect 0 "stdout:recorded 1 adverse event" -- "$MNEEDLE" record adverse-event --db "$DB" "$TMP/mild.json"
expect 0 "stdout:Open adverse events" -- "$MNEEDLE" replan --db "$DB" c-amelia
ok 'grep -q "2027-01-02  Swelling (oedema) (moderate) after session 2" "$TMP/out" && ! grep -q "ON HOLD" "$TMP/out" &&
    grep -Eq "^ +3 course" "$TMP/out"' "a moderate open event holds the visits, or is not listed"
# Severe PIH and a severe infection, neither resolved.
cat > "$TMP/severe.json" <<'EOF2'
[{"client": "c-amelia", "date": "2027-01-05", "session": 2, "kind": "post-inflammatory-hyperpigmentation", "severity": "severe"},
 {"client": "c-amelia", "date": "2027-01-06", "session": 2, "kind": "infection", "severity": "severe"}]
EOF2
expect 0 "stdout:recorded 2 adverse events" -- "$MNEEDLE" record adverse-event --db "$DB" "$TMP/severe.json"
expect 0 "stdout:ON HOLD: a severe adverse event is open: Post-inflammatory hyperpigmentation \(PIH\) since 2027-01-05" \
    -- "$MNEEDLE" replan --db "$DB" c-amelia
ok 'grep -q "2027-01-05  Post-inflammatory hyperpigmentation (PIH) (severe) after session 2" "$TMP/out" &&
    grep -q "2027-01-06  Bacterial skin infection (severe) after session 2" "$TMP/out"' "replan does not list the open events"
ok 'grep -q "none booked: on hold (5 planned visits not booked)" "$TMP/out" && ! grep -q " mm x " "$TMP/out"' \
    "replan books visits while a severe event is open"
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
ok '$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"remaining\"] == [] and \"maintenance\" not in d and d[\"hold\"][\"held\"] is True
assert [e[\"event\"] for e in d[\"open_adverse_events\"]] == [\"swelling\", \"post-inflammatory-hyperpigmentation\", \"infection\"]
assert \"severe adverse event\" in d[\"hold\"][\"reason\"] and d[\"screening\"][\"decision\"] == \"proceed\"
" "$TMP/out"' "replan --json does not list the open events or the hold"
session 3 c-amelia "$TMP/s3.json"
expect 2 "a severe adverse event is open: Post-inflammatory hyperpigmentation \(PIH\) since 2027-01-05" \
    -- "$MNEEDLE" record session --db "$DB" "$TMP/s3.json"
expect 0 "stdout:sessions 2," -- "$MNEEDLE" client show --db "$DB" c-amelia
expect 0 "stdout:0 clients due" -- "$MNEEDLE" recall --db "$DB" --due-before 2029-01-01
ok 'grep -Eq "^c-amelia +due .*on hold: a severe adverse event is open: Post-inflammatory hyperpigmentation" "$TMP/out"' \
    "recall does not hold a client with a severe open event"
# FHIR while a severe event holds: the CarePlan and its visits not done are on-hold, with a
# note saying why in words and what clears it (docs/records.md, "Export"); each open event is
# an AdverseEvent, severity coded, no outcome, the session it followed its suspectEntity.
expect 0 "" -- "$MNEEDLE" export --db "$DB" c-amelia --fhir "$TMP/held.fhir.json" --ics "$TMP/held.ics" --csv "$TMP/held.csv"
ok '$PY -c "$HELD_CAREPLAN_PY
note, = [n[\"text\"] for n in cp[\"note\"]]
assert note.startswith(\"On hold: a severe adverse event is open: Post-inflammatory hyperpigmentation (PIH) since 2027-01-05\"), note
assert \"resolved date before booking\" in note and \"MN-\" not in note and \"post-inflammatory-hyperpigmentation\" not in note, note
ae = [r for r in res if r[\"resourceType\"] == \"AdverseEvent\"]
assert [a[\"severity\"][\"coding\"][0][\"code\"] for a in ae] == [\"moderate\", \"severe\", \"severe\"], ae
assert all(a[\"actuality\"] == \"actual\" and \"outcome\" not in a and a[\"suspectEntity\"] for a in ae), ae
" "$TMP/held.fhir.json"' "the FHIR bundle of a client held by adverse events does not carry them open"
fhir_r4 "$TMP/held.fhir.json" "the FHIR bundle of a client held by an adverse event"
# iCalendar and CSV while held: no visit to keep in the calendar; the visits left typed apart.
ok '! grep -q "BEGIN:VEVENT" "$TMP/held.ics"' "the .ics of a client held by an adverse event lists visits"
ok '$PY -c "
import csv, sys
types = [r[\"type\"] for r in csv.DictReader(open(sys.argv[1])) if r[\"type\"].startswith(\"planned\")]
assert types and set(types) <= {\"planned\", \"planned-held\", \"planned-maintenance-held\"}, types
assert \"planned-held\" in types and \"planned-maintenance-held\" in types, types
" "$TMP/held.csv"' "the CSV of a client held by an adverse event types its visits left as planned"
# Resolved: each recorded again with its resolved date; the hold lifts.
cat > "$TMP/resolved.json" <<'EOF2'
[{"client": "c-amelia", "date": "2027-01-05", "session": 2, "kind": "post-inflammatory-hyperpigmentation", "severity": "severe", "resolved": "2027-01-25"},
 {"client": "c-amelia", "date": "2027-01-06", "session": 2, "kind": "infection", "severity": "severe", "resolved": "2027-01-20"}]
EOF2
expect 0 "stdout:recorded 2 adverse events" -- "$MNEEDLE" record adverse-event --db "$DB" "$TMP/resolved.json"
expect 0 "stdout:Visits left" -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "ON HOLD" "$TMP/out" && grep -Eq "^ +3 course" "$TMP/out" && ! grep -q "post-inflammatory" "$TMP/out"' \
    "the hold stays after the events are recorded resolved"
# The PIH steps the next visit down (records_pih_step.sh): the planned depths are refused, the
# stepped-down ones go through.
expect 2 "cheek 0.75 mm is deeper than the 0.25 mm allowed at visit 3 .*, after the Post-inflammatory" \
    -- "$MNEEDLE" record session --db "$DB" "$TMP/s3.json"
as_replanned c-amelia "$TMP/s3.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s3.json"
# --override records a session while one is open; the session keeps the reason, the audit log
# the rules overridden (visit 4's 1.00 mm on the cheek is also more than the rise per visit
# above the 0.25 mm of session 3).
printf '{"client": "c-amelia", "date": "2027-02-10", "kind": "infection", "severity": "severe"}' > "$TMP/inf2.json"
expect 0 "" -- "$MNEEDLE" record adverse-event --db "$DB" "$TMP/inf2.json"
session 4 c-amelia "$TMP/s4.json"
expect 2 "a severe adverse event is open: Bacterial skin infection since 2027-02-10" \
    -- "$MNEEDLE" record session --db "$DB" "$TMP/s4.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" \
    --override "infection treated, cleared by GP" "$TMP/s4.json"
ok '$PY -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
r = c.execute(\"SELECT detail FROM audit WHERE action = \x27override\x27\").fetchall()
assert r == [(\"override: rise-per-visit, adverse-event-open, step-down-after-adverse-event\",)], r
assert c.execute(\"SELECT override_reason FROM sessions WHERE override_reason IS NOT NULL\").fetchall() == [(\"infection treated, cleared by GP\",)]
" "$DB"' "the override is not in the audit log by its rule alone, with the reason in the session"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
finish
