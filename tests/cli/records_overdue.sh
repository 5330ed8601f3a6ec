# End-to-end: course visits overdue. A client who stops coming mid-course: history marks the
# planned visits not done whose dates have passed "overdue", and recall lists the client's
# first overdue course visit with its planned date and the days since (docs/records.md,
# "Overdue course visits"). Today is SOURCE_DATE_EPOCH's day, as every record command's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02 (UTC)

amelia_planned 0
# A second client whose course starts after today: nothing overdue.
$PY -c 'import json, sys
d = json.load(open(sys.argv[1])); d["clinic"]["start"] = "2027-06-01"
json.dump(d, open(sys.argv[2], "w"))' "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json" "$TMP/later.json"
expect 0 "" -- "$MNEEDLE" client add --db "$DB" --id c-later "$TMP/later.json"
expect 0 "" -- "$MNEEDLE" plan c-later --save --db "$DB"
for k in 1 2; do
    session $k c-amelia "$TMP/s$k.json"
    expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s$k.json"
done
# The plan's visits 3 to 5 (2027-01-26, 02-23, 03-23) have passed undone; 6 has not.
"$MNEEDLE" history --db "$DB" --json c-amelia > "$TMP/h.json"
today=$($PY -c 'import json, sys, datetime
h = json.load(open(sys.argv[1]))
print(h["planned"][2]["date"])' "$TMP/h.json")
ok '[ "$today" = 2027-01-26 ]' "the plan's visit 3 is not on 2027-01-26 (the test's dates moved)"
expect 0 "stdout:^ +3 course +planned 2027-01-26  overdue \(66 days\)$" \
    -- "$MNEEDLE" history --db "$DB" c-amelia
ok 'grep -Eq "^ +5 course +planned 2027-03-23  overdue \(10 days\)$" "$TMP/out" &&
    grep -Eq "^ +6 course +planned 2027-04-20  not done yet$" "$TMP/out" &&
    ! grep -Eq "^ +2 course.*overdue" "$TMP/out"' "history marks the wrong visits overdue"
expect 0 "" -- "$MNEEDLE" history --db "$DB" --json c-amelia
ok '$PY -c "
import json, sys
p = json.load(open(sys.argv[1]))[\"planned\"]
assert [v.get(\"days_overdue\") for v in p] == [None, None, 66, 38, 10, None, None], p
assert all(v.get(\"overdue\") is True for v in p[2:5])
" "$TMP/out"' "history --json does not mark the overdue visits"
# Plain recall: nobody due for maintenance, one client with a course visit overdue.
expect 0 "stdout:^0 clients due$" -- "$MNEEDLE" recall --db "$DB"
ok 'grep -Eq "^c-amelia +visit 3 planned 2027-01-26  66 days overdue  last session 2026-12-29  4 course visits left$" "$TMP/out" &&
    grep -q "^1 client with a course visit overdue$" "$TMP/out" && ! grep -q c-later "$TMP/out"' \
    "recall does not list the overdue course visit"
expect 0 "" -- "$MNEEDLE" recall --db "$DB" --json
ok '$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"due\"] == [] and d[\"on_hold\"] == []
o = d[\"overdue\"]
assert len(o) == 1 and o[0][\"client\"] == \"c-amelia\" and o[0][\"visit\"] == 3, o
assert o[0][\"planned\"] == \"2027-01-26\" and o[0][\"days_overdue\"] == 66
assert o[0][\"course_visits_left\"] == 4 and o[0][\"last_session\"] == \"2026-12-29\"
" "$TMP/out"' "recall --json does not list the overdue course visit"
expect 0 "" -- "$MNEEDLE" recall --db "$DB" --csv
ok '! grep -q c-amelia "$TMP/out"' "recall --csv lists an overdue visit as maintenance due"
# Caught up: sessions for visits 3 to 5; nothing overdue any more.
for k in 3 4 5; do
    session $k c-amelia "$TMP/s$k.json"
    expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s$k.json"
done
expect 0 "stdout:^0 clients due$" -- "$MNEEDLE" recall --db "$DB"
ok '! grep -q "overdue" "$TMP/out"' "recall lists a client who caught up"
expect 0 "" -- "$MNEEDLE" history --db "$DB" c-amelia
ok '! grep -q "overdue" "$TMP/out"' "history marks a visit done as overdue"
finish
