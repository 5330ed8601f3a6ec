# End-to-end: a stored plan keeps the hash of the planning input it was made from. Once the
# client's record is edited (a phototype, a concern, a contraindication), the plan is stale:
# record session refuses a session against it (exit 2, nothing stored) unless --override gives
# a reason, which is audited; replan holds and says STALE PLAN; history and client show say so;
# recall lists the client on hold ("plan out of date: re-plan before booking"), not due, and the
# exports carry none of the plan's visits left as bookable.
# Saving the plan again clears it. An edit that leaves the planning input as it was (identity,
# consents, the same input written another way) does not make it stale, and a plan stored
# before plans kept the hash is "not known" (docs/records.md, "The planning input of a plan").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02

dump() { $PY -c "import sqlite3,sys; [print(r) for r in sqlite3.connect(sys.argv[1]).iterdump()]" "$1"; }
# input_current: history --json's plan.input_current, as Python prints it (True, False, None).
input_current() {
    "$MNEEDLE" history --db "$DB" --json c-amelia |
        $PY -c 'import json, sys; print(json.load(sys.stdin)["plan"]["input_current"])'
}
AMELIA="$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
amelia_planned 2
expect 0 "stdout:^Made from the client's current record$" -- "$MNEEDLE" history --db "$DB" c-amelia
ok '[ "$(input_current)" = True ]' "a plan just saved is not made from the current record"

# ---- edits that leave the planning input as it was ----
cat > "$TMP/identity.json" <<'EOF'
{"identity": {"email": "amelia@example.org", "phone": "+44 20 7946 0000"},
 "consents": [{"what": "photos", "version": "2", "date": "2027-03-01"}]}
EOF
expect 0 "" -- "$MNEEDLE" client update --db "$DB" c-amelia "$TMP/identity.json"
ok '[ "$(input_current)" = True ]' "an identity and consent edit made the plan stale"
# The same input written another way (keys in another order, 300.0 for 300): the same input.
$PY -c 'import json, sys
d = json.load(open(sys.argv[1]))
d["clinic"]["price_per_session"] = 300.0
d = {k: d[k] for k in reversed(list(d))}
d["client"] = {k: d["client"][k] for k in reversed(list(d["client"]))}
s = json.dumps(d)
assert "300.0" in s
open(sys.argv[2], "w").write(s)' "$AMELIA" "$TMP/same.json"
expect 0 "" -- "$MNEEDLE" client update --db "$DB" c-amelia "$TMP/same.json"
ok '[ "$(input_current)" = True ]' "the same planning input rewritten made the plan stale"
expect 0 "stdout:Visits left" -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "STALE PLAN\|ON HOLD" "$TMP/out"' "replan holds on a plan made from the current record"

# ---- the phototype edited after the plan was saved (II -> V) ----
$PY -c 'import json, sys
d = json.load(open(sys.argv[1])); d["client"]["fitzpatrick"] = 5
json.dump(d, open(sys.argv[2], "w"))' "$AMELIA" "$TMP/type5.json"
session 3 c-amelia "$TMP/s3.json"
expect 0 "" -- "$MNEEDLE" client update --db "$DB" c-amelia "$TMP/type5.json"
ok '[ "$(input_current)" = False ]' "history --json does not say the plan is stale"
expect 0 "stdout:^STALE PLAN: plan 1 was made from an earlier record of this client" -- \
    "$MNEEDLE" history --db "$DB" c-amelia
expect 0 "stdout:STALE PLAN: the latest plan was made from an earlier record" -- \
    "$MNEEDLE" client show --db "$DB" c-amelia
expect 0 "stdout:\"plan_stale\": true" -- "$MNEEDLE" client show --db "$DB" --json c-amelia

# record session: refused, naming the client and how to clear it; nothing stored.
dump "$DB" > "$TMP/before"
expect 2 "s3.json: \\\$: the stored plan \(plan 1, saved 2027-04-02\) was made from an earlier record of client c-amelia: the record has been edited since; save the plan again with 'mneedle plan c-amelia --save' \(\\\$\.client\); nothing was recorded \(give --override REASON" -- \
    "$MNEEDLE" record session --db "$DB" "$TMP/s3.json"
ok 'dump "$DB" | cmp -s - "$TMP/before"' "a session refused against a stale plan changed the database"

# replan: STALE PLAN first, on hold, nothing booked, no maintenance date stored.
expect 0 "stdout:^STALE PLAN: plan 1 \(saved 2027-04-02\) was made from an earlier record of this client" -- \
    "$MNEEDLE" replan --db "$DB" c-amelia
ok '[ "$(grep -n "STALE PLAN" "$TMP/out" | head -1 | cut -d: -f1)" -lt "$(grep -n "^Visits left" "$TMP/out" | cut -d: -f1)" ] &&
    grep -q "none booked: on hold (5 planned visits not booked)" "$TMP/out" && ! grep -q "^Maintenance due" "$TMP/out"' \
    "replan books visits of a stale plan, or warns only after them"
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
ok '$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"plan_stale\"] is True and d[\"plan_created\"] == \"2027-04-02\", d.get(\"plan_stale\")
assert d[\"hold\"][\"held\"] is True and \"earlier record\" in d[\"hold\"][\"reason\"], d[\"hold\"]
assert d[\"remaining\"] == [] and \"maintenance\" not in d
" "$TMP/out"' "replan --json does not hold on a stale plan"
# Nothing stored but the reads' entries (detail 'replan', docs/records.md, "The audit log")
# and the log's count of them.
unread() { grep -v -e ",.replan.," -e "^INSERT INTO .sqlite_sequence. VALUES(.audit.,"; }
ok 'dump "$DB" | unread > "$TMP/after" && unread < "$TMP/before" | cmp -s - "$TMP/after"' "replan of a stale plan stored something"

# recall: the client (visit 3 of the stale plan, planned 2027-01-26, not done) is to be
# re-planned, not called in: on hold with the reason, never due or overdue.
expect 0 "stdout:^c-amelia +due 2027-01-26  plan out of date: re-plan before booking \(plan 1, saved 2027-04-02" -- \
    "$MNEEDLE" recall --db "$DB"
ok 'grep -q "^1 client on hold" "$TMP/out" && ! grep -q "course visit overdue" "$TMP/out"' \
    "recall lists a client whose plan is stale as due for a visit"
expect 0 "" -- "$MNEEDLE" recall --db "$DB" --json
ok '$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert [x[\"client\"] for x in d[\"due\"] + d[\"overdue\"]] == [], d
h = d[\"on_hold\"]
assert len(h) == 1 and h[0][\"plan_stale\"] is True and h[0][\"reason\"].startswith(\"plan out of date: re-plan before booking\"), h
" "$TMP/out"' "recall --json lists a client whose plan is stale as due"
expect 0 "" -- "$MNEEDLE" recall --db "$DB" --csv
ok '! grep -q c-amelia "$TMP/out"' "recall --csv lists a client whose plan is stale"
# Exports: the stale plan's visits not done are no appointments. iCalendar leaves them out;
# FHIR puts the CarePlan and those activities on hold with a note; CSV types them apart.
expect 0 "" -- "$MNEEDLE" export --db "$DB" c-amelia --ics "$TMP/stale.ics" --fhir "$TMP/stale.fhir.json" --csv "$TMP/stale.csv"
ok 'grep -q "^BEGIN:VCALENDAR" "$TMP/stale.ics" && ! grep -q "^BEGIN:VEVENT" "$TMP/stale.ics"' \
    "the iCalendar export books the visits of a stale plan"
cat > "$TMP/stale_check.py" <<'PYEOF'
import csv, json, sys
fhir, table, stale = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
cps = [e["resource"] for e in json.load(open(fhir))["entry"] if e["resource"]["resourceType"] == "CarePlan"]
assert len(cps) == 1, cps
cp = cps[0]
acts = [a["detail"]["status"] for a in cp["activity"]]
if stale:
    assert cp["status"] == "on-hold" and "earlier record" in cp["note"][0]["text"], cp
    assert acts[:2] == ["completed", "completed"] and set(acts[2:]) == {"on-hold"}, acts
else:
    assert cp["status"] == "active" and "note" not in cp, cp
    assert "on-hold" not in acts and "scheduled" in acts, acts
rows = [r for r in csv.DictReader(open(table)) if r["type"].startswith("planned")]
done = {r["number"] for r in csv.DictReader(open(table)) if r["type"] == "session"}
for r in rows:
    late = r["number"] not in done
    want = ("planned-maintenance" if "maintenance" in r["type"] else "planned") + ("-stale" if stale and late else "")
    assert r["type"] == want, (r, want)
assert any(r["type"].endswith("-stale") for r in rows) == stale, rows
PYEOF
ok '$PY "$TMP/stale_check.py" "$TMP/stale.fhir.json" "$TMP/stale.csv" 1' \
    "the FHIR or CSV export carries a stale plan's visits as bookable"
fhir_r4 "$TMP/stale.fhir.json" "the FHIR bundle of a stale plan (on hold)"

# --override records it, and the audit log names the rule it overrode.
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" \
    --override "type V noted at the visit; depths kept to visit 3" "$TMP/s3.json"
ok '$PY -c "
import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute(\"SELECT detail FROM audit WHERE action = \x27override\x27\").fetchall()
assert r == [(\"override: stale-plan\",)], r
" "$DB"' "the override of a stale plan is not audited by its rule alone"

# ---- saved again: sessions are checked against the new plan ----
expect 0 "" -- "$MNEEDLE" plan c-amelia --save --db "$DB"
ok '[ "$(input_current)" = True ]' "a plan saved again is still stale"
expect 0 "stdout:Visits left" -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "STALE PLAN\|ON HOLD" "$TMP/out" && grep -Eq "^ +4 course" "$TMP/out"' \
    "replan still holds after the plan was saved again"
expect 0 "" -- "$MNEEDLE" recall --db "$DB" --json
ok '$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"on_hold\"] == [], d
" "$TMP/out"' "recall still holds a client whose plan was saved again"
expect 0 "" -- "$MNEEDLE" export --db "$DB" c-amelia --ics "$TMP/again.ics" --fhir "$TMP/again.fhir.json" --csv "$TMP/again.csv"
ok 'grep -q "^BEGIN:VEVENT" "$TMP/again.ics" && $PY "$TMP/stale_check.py" "$TMP/again.fhir.json" "$TMP/again.csv" 0' \
    "the exports still hold the visits of a plan saved again"
# Visit 4 of the new plan is dated after the test's today: record it on a later day.
export SOURCE_DATE_EPOCH=1819756800 # 2027-09-01
session 4 c-amelia "$TMP/s4.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s4.json"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"

# ---- a plan stored before plans kept the hash ----
# The database as an older mneedle left it: the plans have no input_hash column (nor the users
# what schema 5 added), schema 3. Each
# plan's hash is dropped and its audit entry made again as that mneedle made it (the row's
# columns without input_hash, keyed with the client's key, chained to the last entry).
$PY - "$DB" <<'PYEOF'
import hashlib, hmac, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.create_function("rowhash", 2, lambda k, t: hmac.new(k, t.encode(), hashlib.sha256).hexdigest())
c.execute("UPDATE plans SET input_hash = NULL")
for pid, rh in c.execute("SELECT p.id, rowhash(c.salt, json_array(p.id, p.client, p.created,"
                         " p.mneedle_version, p.catalogue_hash, p.plan_json)) FROM plans p"
                         " JOIN clients c ON c.num = p.client ORDER BY p.id").fetchall():
    seq, prev = c.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    entry = [prev, str(seq + 1), "2027-04-02T00:00:00Z", "test-nurse", "update",
             "plans:%d" % pid, rh, "input_hash"]
    h = hashlib.sha256(b"".join(b"%d:%s" % (len(p.encode()), p.encode()) for p in entry)).hexdigest()
    c.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (seq + 1, *entry[2:], h))
c.execute("ALTER TABLE plans DROP COLUMN input_hash")
# and without what later versions added (schema 5: the users' disabled_why and generation)
c.execute("ALTER TABLE users DROP COLUMN disabled_why")
c.execute("ALTER TABLE users DROP COLUMN generation")
c.execute("PRAGMA user_version = 3")
c.commit()
PYEOF
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
expect 0 "stdout:schema version 3 -> 5" -- "$MNEEDLE" db migrate --db "$DB"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
ok '[ "$(input_current)" = None ]' "history --json does not say an old plan's input is not known"
# Its device is the one the plan as stored records (client.device), not the client's record's.
expect 0 "stdout:^Planned for SkinPen \(Crown Aesthetics\): its depths are settings of that device$" -- \
    "$MNEEDLE" history --db "$DB" c-amelia
expect 0 "stdout:^Made from: not known \(plan saved before plans kept the record they were made from\)$" -- \
    "$MNEEDLE" history --db "$DB" c-amelia
expect 0 "stdout:\"plan_stale\": null" -- "$MNEEDLE" client show --db "$DB" --json c-amelia
expect 0 "stdout:whether the record has been edited since is not known" -- \
    "$MNEEDLE" replan --db "$DB" c-amelia
ok '! grep -q "STALE PLAN\|ON HOLD" "$TMP/out" && grep -Eq "^ +5 course" "$TMP/out"' \
    "replan holds on a plan whose input is not known"
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
ok '$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"plan_stale\"] is None and d[\"hold\"][\"held\"] is False, (d[\"plan_stale\"], d[\"hold\"])
" "$TMP/out"' "replan --json does not say an old plan's input is not known"
# Sessions against it are checked as before.
session 5 c-amelia "$TMP/s5.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s5.json"
# Saving it again gives it a hash.
expect 0 "" -- "$MNEEDLE" plan c-amelia --save --db "$DB"
ok '[ "$(input_current)" = True ]' "a plan saved after the migration has no input hash"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
finish
