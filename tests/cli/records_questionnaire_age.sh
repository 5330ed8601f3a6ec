# End-to-end: replan screens the stored record on its own day, so a health questionnaire older
# than the catalogue's validity (rules.json's history_older_months rule, MN-HISTORY-OLD, as plan
# and screen apply it) holds the client: the finding printed, no visit booked, nothing stored.
# The questionnaire's day is history.date; a record without one counts from the day the plan
# was saved, as plan counts undated answers from the day it is prepared (docs/records.md,
# "Holds").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02: the plan saved, the answers undated
on() { SOURCE_DATE_EPOCH=$(date -u -d "$1" +%s); export SOURCE_DATE_EPOCH; }
dump() { $PY -c "import sqlite3,sys; [print(r) for r in sqlite3.connect(sys.argv[1]).iterdump()]" "$1"; }
# The validity, read from the catalogue (the test writes no number of its own for it).
MONTHS=$($PY -c 'import json, sys
print([r for r in json.load(open(sys.argv[1]))["rules"] if r["code"] == "MN-HISTORY-OLD"][0]["threshold"])' \
    "$MN_SOURCE_DIR/data/rules.json")
ok '[ "$MONTHS" = 6 ]' "the test's dates assume a validity of 6 months, the catalogue says $MONTHS"

amelia_planned 2
# Five months on: the answers still hold.
on 2027-09-01
expect 0 "stdout:Visits left" -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "ON HOLD\|MN-HISTORY-OLD" "$TMP/out"' "replan holds answers younger than their validity"

# Six months and three days after the plan was saved (the answers undated): held, with why.
on 2027-10-05
dump "$DB" > "$TMP/before"
expect 0 "stdout:ON HOLD: screening of the client's current record: defer \(MN-HISTORY-OLD\)" -- \
    "$MNEEDLE" replan --db "$DB" c-amelia
ok 'grep -q "health questionnaire was answered more than 6 months ago" "$TMP/out" &&
    grep -q "none booked: on hold" "$TMP/out" && ! grep -q "^Maintenance due" "$TMP/out"' \
    "replan books visits on a questionnaire older than its validity, or does not say why"
ok 'dump "$DB" | cmp -s - "$TMP/before"' "replan held on an old questionnaire stored something"
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
ok '$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"hold\"][\"held\"] is True and \"MN-HISTORY-OLD\" in d[\"hold\"][\"reason\"], d[\"hold\"]
assert [f[\"code\"] for f in d[\"screening\"][\"findings\"]] == [\"MN-HISTORY-OLD\"], d[\"screening\"]
assert d[\"remaining\"] == [] and \"maintenance\" not in d
" "$TMP/out"' "replan --json does not hold on an old questionnaire"

# The questionnaire taken again (history.date 2027-10-01) and the plan saved again: booked.
$PY -c 'import json, sys
d = json.load(open(sys.argv[1])); d["history"] = {"date": "2027-10-01"}
json.dump(d, open(sys.argv[2], "w"))' "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json" "$TMP/again.json"
expect 0 "" -- "$MNEEDLE" client update --db "$DB" c-amelia "$TMP/again.json"
expect 0 "" -- "$MNEEDLE" plan c-amelia --save --db "$DB"
expect 0 "stdout:Visits left" -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "ON HOLD" "$TMP/out"' "replan holds a client whose questionnaire was taken again"

# history.date is the questionnaire's day: 2028-04-03 is over 6 months after 2027-10-01, though
# under 6 months after the plan was saved (2027-10-05).
on 2028-04-03
expect 0 "stdout:ON HOLD: screening of the client's current record: defer \(MN-HISTORY-OLD\)" -- \
    "$MNEEDLE" replan --db "$DB" c-amelia
finish
