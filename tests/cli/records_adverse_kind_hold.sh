# End-to-end: an open adverse event of a kind the catalogue marks "holds": "any-severity"
# (an infection, a cold sore, the persistent kinds) holds the visits whatever its grade, as
# screening defers an active infection or cold sore whatever its grade; a moderate event of a
# transient kind, or one given as free text, is listed and not held on (docs/records.md,
# "Holds"). The catalogue refuses a hold without its reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02 (UTC)

amelia_planned 2
session 3 c-amelia "$TMP/s3.json"
# Free text, moderate: listed, not held on.
printf '{"client": "c-amelia", "date": "2027-01-03", "session": 2, "event": "itchy rash on the cheek", "severity": "moderate"}' > "$TMP/rash.json"
expect 0 "stdout:recorded 1 adverse event" -- "$MNEEDLE" record adverse-event --db "$DB" "$TMP/rash.json"
expect 0 "stdout:Open adverse events" -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "ON HOLD" "$TMP/out" && grep -Eq "^ +3 course" "$TMP/out"' \
    "a moderate free-text event holds the visits"

# A moderate infection, open: held, the session refused, recall holds.
printf '{"client": "c-amelia", "date": "2027-01-06", "session": 2, "kind": "infection", "severity": "moderate"}' > "$TMP/inf.json"
expect 0 "stdout:recorded 1 adverse event" -- "$MNEEDLE" record adverse-event --db "$DB" "$TMP/inf.json"
expect 0 "stdout:ON HOLD: an open Bacterial skin infection .moderate. holds visits whatever its grade: Bacterial skin infection since 2027-01-06, with no resolved date" \
    -- "$MNEEDLE" replan --db "$DB" c-amelia
ok 'grep -q "none booked: on hold" "$TMP/out" && ! grep -q " mm x " "$TMP/out"' \
    "replan books visits while a moderate infection is open"
expect 2 "an open Bacterial skin infection .moderate. holds visits whatever its grade: Bacterial skin infection since 2027-01-06" \
    -- "$MNEEDLE" record session --db "$DB" "$TMP/s3.json"
expect 0 "stdout:0 clients due" -- "$MNEEDLE" recall --db "$DB" --due-before 2029-01-01
ok 'grep -Eq "^c-amelia +due .*on hold: an open Bacterial skin infection \(moderate\)" "$TMP/out"' \
    "recall does not hold a client with a moderate infection open"
printf '{"client": "c-amelia", "date": "2027-01-06", "session": 2, "kind": "infection", "severity": "moderate", "resolved": "2027-01-15"}' > "$TMP/inf-r.json"
expect 0 "" -- "$MNEEDLE" record adverse-event --db "$DB" "$TMP/inf-r.json"

# A mild PIH (persistent), open: held too; resolved, the session goes through.
printf '{"client": "c-amelia", "date": "2027-01-08", "session": 2, "kind": "post-inflammatory-hyperpigmentation", "severity": "mild"}' > "$TMP/pih.json"
expect 0 "" -- "$MNEEDLE" record adverse-event --db "$DB" "$TMP/pih.json"
expect 2 "an open Post-inflammatory hyperpigmentation .PIH. .mild. holds visits whatever its grade" \
    -- "$MNEEDLE" record session --db "$DB" "$TMP/s3.json"
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
ok '$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"hold\"][\"held\"] is True and d[\"remaining\"] == [], d[\"hold\"]
assert \"Post-inflammatory hyperpigmentation (PIH) (mild)\" in d[\"hold\"][\"reason\"], d[\"hold\"]
" "$TMP/out"' "replan --json does not hold on a mild open PIH"
printf '{"client": "c-amelia", "date": "2027-01-08", "session": 2, "kind": "post-inflammatory-hyperpigmentation", "severity": "mild", "resolved": "2027-01-20"}' > "$TMP/pih-r.json"
expect 0 "" -- "$MNEEDLE" record adverse-event --db "$DB" "$TMP/pih-r.json"
expect 2 "allowed at visit 3 .*, after the Post-inflammatory hyperpigmentation .PIH. recorded on 2027-01-08" \
    -- "$MNEEDLE" record session --db "$DB" "$TMP/s3.json"
as_replanned c-amelia "$TMP/s3.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s3.json"

# The catalogue: a hold without its reason, or a reason without a hold, is refused.
mkdir -p "$TMP/data"
$PY - "$MN_SOURCE_DIR/data/adverse_events.json" "$TMP/data/adverse_events.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
for e in d["adverse_events"]:
    if e["id"] == "swelling":
        e["holds"] = "any-severity"
json.dump(d, open(sys.argv[2], "w"))
PYEOF
expect 2 "adverse_events.json: .*adverse_events.1..holds_source: expected the reason" \
    -- "$MNEEDLE" catalog devices --data "$TMP/data"
finish
