# End-to-end: replan books by the plan's calendar rule. Its course visits left move off a Sunday
# to the Monday, as plan's do (mn_plan_visit_date, docs/clinic.md), and each counts from the one
# before as booked, so no gap is shorter than the plan's (docs/records.md, "Replan").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806796800 # 2027-04-04, a Sunday

amelia_planned 2
# Visit 3 (planned 2027-01-26) has passed: the visits left start today at the earliest, and
# today is a Sunday, so visit 3 is booked on the Monday.
expect 0 "stdout:^ +3 course +2027-04-05 " -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "2027-04-04" "$TMP/out"' "replan books a visit on Sunday 2027-04-04"
"$MNEEDLE" history --db "$DB" --json c-amelia > "$TMP/h.json"
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
ok '$PY -c "
import json, sys, datetime
d = json.load(open(sys.argv[1]))
h = json.load(open(sys.argv[2]))
day = lambda s: datetime.date.fromisoformat(s)
r = d[\"remaining\"]
assert [v[\"number\"] for v in r] == [3, 4, 5, 6, 7], r
assert r[0][\"date\"] == \"2027-04-05\", r[0]
assert all(day(v[\"date\"]).weekday() != 6 for v in r if v[\"phase\"] == \"course\"), [v[\"date\"] for v in r]
planned = {v[\"number\"]: day(v[\"date\"]) for v in h[\"planned\"]}
for a, b in zip(r, r[1:4]):
    gap = (day(b[\"date\"]) - day(a[\"date\"])).days
    assert gap >= (planned[b[\"number\"]] - planned[a[\"number\"]]).days, (a, b)
" "$TMP/out" "$TMP/h.json"' "replan books a Sunday, or shrinks a gap of the plan"
finish
