# End-to-end: replan screens the stored record on its own day, so a health questionnaire older
# than the catalogue's validity (rules.json's history_older_months rule, MN-HISTORY-OLD, as plan
# and screen apply it) holds the client: the finding printed with the questionnaire's day and
# age, no visit booked, nothing stored. record session refuses a session on a day the answers
# were out of date (naming the client, the day, the age and what to do) unless --override,
# audited; recall lists a client whose answers will be out of date on the due day as due,
# marked to be re-screened (text, CSV type, JSON, iCalendar summary), not on hold.
# The questionnaire's day is history.date; a record without one counts from the day the plan
# was saved, as plan counts undated answers from the day it is prepared (docs/records.md,
# "Holds").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02: the plan saved, the answers undated
on() { SOURCE_DATE_EPOCH=$(date -u -d "$1" +%s); export SOURCE_DATE_EPOCH; }
dump() { $PY -c "import sqlite3,sys; [print(r) for r in sqlite3.connect(sys.argv[1]).iterdump()]" "$1"; }
# redate FILE DATE [OUT]: a session record with another date.
redate() {
    $PY -c 'import json, sys
d = json.load(open(sys.argv[1])); d["date"] = sys.argv[2]; json.dump(d, open(sys.argv[3], "w"))' \
        "$1" "$2" "${3:-$1}"
}
# The validity, read from the catalogue (the test writes no number of its own for it).
MONTHS=$($PY -c 'import json, sys
print([r for r in json.load(open(sys.argv[1]))["rules"] if r["code"] == "MN-HISTORY-OLD"][0]["threshold"])' \
    "$MN_SOURCE_DIR/data/rules.json")
ok '[ "$MONTHS" = 6 ]' "the test's dates assume a validity of 6 months, the catalogue says $MONTHS"

amelia_planned 2

# recall on the plan's day: the maintenance due 2028-04-10 is over 6 months after the answers
# (undated: the plan's day), so the client is listed as due and marked, never on hold.
expect 0 "stdout:^c-amelia +due 2028-04-10 .*questionnaire out of date: re-screen before booking \(not dated, so counted from the day the plan was saved, 2027-04-02: 12 months and 8 days old on 2028-04-10" -- \
    "$MNEEDLE" recall --db "$DB" --due-before 2028-12-31
ok 'grep -q "^1 client due (1 with the health questionnaire out of date: re-screen before booking)" "$TMP/out" &&
    ! grep -q "On hold" "$TMP/out"' \
    "recall holds a client whose questionnaire will be out of date, or does not count them"
expect 0 "stdout:^c-amelia,2028-04-10,.*,due-rescreen$" -- \
    "$MNEEDLE" recall --db "$DB" --due-before 2028-12-31 --csv
ok 'head -1 "$TMP/out" | grep -q "^client,due,last_session,reason,type$"' "recall --csv has no type column"
expect 0 "" -- "$MNEEDLE" recall --db "$DB" --due-before 2028-12-31 --json
ok '$PY - "$TMP/out" <<PYEOF
import json, sys
d = json.load(open(sys.argv[1]))
assert d["on_hold"] == [], d["on_hold"]
[e] = d["due"]
assert e["client"] == "c-amelia" and e["questionnaire_stale"] is True, e
assert e["questionnaire"] == {"date": "2027-04-02", "date_from": "plan_saved", "on": "2028-04-10",
                              "age_days": 374, "valid_months": 6, "out_of_date": True}, e
# The reason stays the maintenance reason client show and history give; the mark is apart.
assert "questionnaire" not in e["reason"], e
# The overdue course visit is booked from today, the plan'"'"'s day: the answers are valid then.
assert [o["questionnaire_stale"] for o in d["overdue"]] == [False], d["overdue"]
PYEOF' "recall --json does not mark a questionnaire out of date on the due day"
expect 0 "" -- "$MNEEDLE" recall --db "$DB" --due-before 2028-12-31 --ics
ok 'grep -q "^SUMMARY:Maintenance due\\\\, re-screen first: c-amelia" "$TMP/out"' \
    "recall --ics does not mark a client to re-screen"

# export marks the planned visits the answers will be out of date by (the maintenance visit of
# 2028-04-10), as recall marks the client: the iCalendar summary and a last CSV column.
expect 0 "" -- "$MNEEDLE" export --db "$DB" c-amelia --ics "$TMP/x.ics" --csv "$TMP/x.csv"
cat > "$TMP/x_check.py" <<'PYEOF'
import csv, re, sys
ics = open(sys.argv[1], newline="").read().replace("\r\n ", "")
summaries = dict(re.findall(r"DTSTART;VALUE=DATE:(\d+)\r\nDTEND;VALUE=DATE:\d+\r\nSUMMARY:([^\r]*)", ics))
assert summaries["20280410"] == "Microneedling maintenance visit 7\\, re-screen first: c-amelia", summaries
assert all("re-screen" not in v for k, v in summaries.items() if k < "20271002"), summaries
# The DESCRIPTION, a client's calendar text, says where the validity comes from in words, with
# no internal path.
desc = re.findall(r"DESCRIPTION:([^\r]*)", ics)
assert not [d for d in desc if "data/" in d or "[" in d], desc
assert [d for d in desc if d.endswith("re-screen before this visit (the questionnaire is valid for 6 months: the screening rules).")], desc
rows = list(csv.reader(open(sys.argv[2])))
assert rows[0][-1] == "rescreen" and rows[0][:15] == ["client", "type", "date", "number", "zone",
    "depth_mm", "passes", "planned_depth_mm", "scale", "score", "rater", "event", "severity",
    "device", "resolved"], rows[0]
assert all(len(r) == 16 for r in rows), [r for r in rows if len(r) != 16]
marks = {(r[1], r[3]): r[15] for r in rows[1:]}
assert marks[("planned-maintenance", "7")] == "yes" and marks[("planned", "6")] == "no", marks
assert marks[("planned", "1")] == "" and marks[("session", "1")] == "", marks
PYEOF
ok '$PY "$TMP/x_check.py" "$TMP/x.ics" "$TMP/x.csv"' "export does not mark the visits the questionnaire will be out of date by"

# client show and history give the questionnaire's day and age today, as replan does.
expect 0 "stdout:^  health questionnaire not dated, so counted from the day the plan was saved, 2027-04-02: 0 days old on 2027-04-02; valid for 6 months \(the screening rules\)$" -- \
    "$MNEEDLE" client show --db "$DB" c-amelia
expect 0 "stdout:^Health questionnaire: not dated, so counted from the day the plan was saved, 2027-04-02: 0 days old on 2027-04-02; valid for 6 months" -- \
    "$MNEEDLE" history --db "$DB" c-amelia

# Five months on: the answers still hold.
on 2027-09-01
expect 0 "stdout:Visits left" -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "ON HOLD\|MN-HISTORY-OLD\|Health questionnaire:" "$TMP/out"' \
    "replan holds answers younger than their validity"

# Six months and three days after the plan was saved (the answers undated): held, with why.
on 2027-10-05
dump "$DB" > "$TMP/before"
expect 0 "stdout:ON HOLD: screening of the client's current record: defer \(health questionnaire out of date\)" -- \
    "$MNEEDLE" replan --db "$DB" c-amelia
ok 'grep -q "health questionnaire was answered more than 6 months ago" "$TMP/out" &&
    grep -q "none booked: on hold" "$TMP/out" && ! grep -q "^Maintenance due" "$TMP/out"' \
    "replan books visits on a questionnaire older than its validity, or does not say why"
ok 'grep -q "^  Health questionnaire: not dated, so counted from the day the plan was saved, 2027-04-02: 6 months and 3 days old on 2027-10-05; the questionnaire is valid for 6 months (the screening rules)\. Take it again" "$TMP/out"' \
    "replan held on an old questionnaire does not print its day and age"
# Nothing stored but the reads' entries (detail 'replan', docs/records.md, "The audit log")
# and the log's count of them.
unread() { grep -v -e ",.replan.," -e "^INSERT INTO .sqlite_sequence. VALUES(.audit.,"; }
ok 'dump "$DB" | unread > "$TMP/after" && unread < "$TMP/before" | cmp -s - "$TMP/after"' "replan held on an old questionnaire stored something"
expect 0 "stdout:^  health questionnaire not dated, so counted from the day the plan was saved, 2027-04-02: 6 months and 3 days old on 2027-10-05; the questionnaire is valid for 6 months \(the screening rules\); OUT OF DATE: re-screen before booking$" -- \
    "$MNEEDLE" client show --db "$DB" c-amelia
for view in "client show" history; do
    expect 0 "" -- "$MNEEDLE" $view --db "$DB" --json c-amelia
    ok '$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"questionnaire\"] == {\"date\": \"2027-04-02\", \"date_from\": \"plan_saved\", \"on\": \"2027-10-05\",
    \"age_days\": 186, \"valid_months\": 6, \"out_of_date\": True}, d.get(\"questionnaire\")
" "$TMP/out"' "$view --json does not give the questionnaire's day and age"
done
expect 0 "stdout:^Health questionnaire: .*6 months and 3 days old on 2027-10-05.*OUT OF DATE" -- \
    "$MNEEDLE" history --db "$DB" c-amelia
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
ok '$PY - "$TMP/out" <<PYEOF
import json, sys
d = json.load(open(sys.argv[1]))
assert d["hold"]["held"] is True and "MN-HISTORY-OLD" in d["hold"]["reason"], d["hold"]
assert [f["code"] for f in d["screening"]["findings"]] == ["MN-HISTORY-OLD"], d["screening"]
assert d["remaining"] == [] and "maintenance" not in d
assert d["questionnaire"] == {"date": "2027-04-02", "date_from": "plan_saved", "on": "2027-10-05",
                              "age_days": 186, "valid_months": 6, "out_of_date": True}, d
PYEOF' "replan --json does not hold on an old questionnaire, or does not give its day and age"

# record session: visit 3 on 2027-10-05 is refused, naming the client, the day the answers
# count from, their age that day and what to do; nothing stored.
session 3 c-amelia "$TMP/s3.json"
redate "$TMP/s3.json" 2027-10-05
dump "$DB" > "$TMP/before" # after the reads above, which the audit log records
expect 2 "client c-amelia: the health questionnaire was out of date on the day of this session: not dated, so counted from the day the plan was saved, 2027-04-02: 6 months and 3 days old on 2027-10-05; the questionnaire is valid for 6 months \(the screening rules\); take the questionnaire again \(re-screen the client\), record it with 'mneedle client update c-amelia FILE' giving history.date, and save the plan again with 'mneedle plan c-amelia --save' \(\\\$.date\); nothing was recorded \(give --override REASON" -- \
    "$MNEEDLE" record session --db "$DB" "$TMP/s3.json"
ok 'dump "$DB" | cmp -s - "$TMP/before"' "record session refused on an old questionnaire stored something"
# The session's own day counts, not today: the same visit dated 2027-09-30 (under 6 months
# after the answers) is recorded today.
redate "$TMP/s3.json" 2027-09-30 "$TMP/s3early.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s3early.json"
# With --override and a reason: recorded, the rule it overrode named in the audit log.
session 4 c-amelia "$TMP/s4.json"
redate "$TMP/s4.json" 2027-10-29
on 2027-10-29
expect 2 "the health questionnaire was out of date on the day of this session" -- \
    "$MNEEDLE" record session --db "$DB" "$TMP/s4.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" \
    --override "answers checked by phone; form to follow" "$TMP/s4.json"
ok '$PY - "$DB" <<PYEOF
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT detail FROM audit WHERE action = '"'"'override'"'"'").fetchall()
assert rows == [("override: questionnaire-out-of-date",)], rows
PYEOF' "record session --override on an old questionnaire is not audited with what it overrode"

# The questionnaire taken again (history.date 2027-10-01) and the plan saved again: booked.
$PY -c 'import json, sys
d = json.load(open(sys.argv[1])); d["history"] = {"date": "2027-10-01"}
json.dump(d, open(sys.argv[2], "w"))' "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json" "$TMP/again.json"
expect 0 "" -- "$MNEEDLE" client update --db "$DB" c-amelia "$TMP/again.json"
expect 0 "" -- "$MNEEDLE" plan c-amelia --save --db "$DB"
expect 0 "stdout:Visits left" -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "ON HOLD" "$TMP/out"' "replan holds a client whose questionnaire was taken again"

# history.date is the questionnaire's day: 2028-04-03 is over 6 months after 2027-10-01, though
# under 6 months after the plan was saved (2027-10-29).
on 2028-04-03
expect 0 "stdout:ON HOLD: screening of the client's current record: defer \(health questionnaire out of date\)" -- \
    "$MNEEDLE" replan --db "$DB" c-amelia
ok 'grep -q "^  Health questionnaire: answered 2027-10-01: 6 months and 2 days old on 2028-04-03;" "$TMP/out"' \
    "replan does not count a dated questionnaire from history.date"
finish
