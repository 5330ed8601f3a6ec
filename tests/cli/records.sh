# End-to-end: the clinic record. db init/check/backup/restore/migrate, clients, plan --save,
# record session/assessment (JSON and CSV, checked against the plan, --override), history,
# erasure; every bad input exits 2 naming the file and place and changes nothing; the audit
# chain finds an edited, deleted or forged row.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
DB="$TMP/clinic.db"
# Records are dated: "today" is fixed so the checks against the future hold forever.
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-01
export MNEEDLE_ACTOR=test-nurse
unset MNEEDLE_DB MNEEDLE_KEY

# Row-by-row dump of every table (sorted), for "nothing changed" and "restores identical".
dump() { $PY - "$1" <<'EOF'
import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
    for row in sorted(c.execute("SELECT * FROM " + t).fetchall(), key=repr):
        print(t, repr(row))
EOF
}
sql() { $PY -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()' "$@"; }
ok() { if eval "$1"; then passes=$((passes + 1)); else echo "FAIL: $2"; fails=$((fails + 1)); fi; }

# ---- db init, mode, check ----
expect 0 "stdout:schema version 2" -- "$MNEEDLE" db init --db "$DB"
ok '[ "$(stat -c %a "$DB")" = 600 ]' "the database is not mode 0600"
expect 2 "exists already" -- "$MNEEDLE" db init --db "$DB"
expect 2 "no such database" -- "$MNEEDLE" client list --db "$TMP/none.db"
ok '[ ! -e "$TMP/none.db" ]' "opening a missing database created it"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
printf 'not a database at all, just text that is long enough to fill a header\n' > "$TMP/junk.db"
expect 2 "not an mneedle database" -- "$MNEEDLE" db check --db "$TMP/junk.db"
expect 2 "not an action" -- "$MNEEDLE" db frobnicate --db "$DB"
expect 2 "takes one FILE" -- "$MNEEDLE" db backup --db "$DB"

# ---- clients ----
$PY - "$MN_SOURCE_DIR/examples/clients/ravi-acne-scars.json" "$TMP/ravi.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["identity"] = {"email": "ravi.secret@example.org", "phone": "+44 7000 111222"}
d["consents"] = [{"what": "treatment", "version": "2026-01", "date": "2026-12-01"},
                 {"what": "photos", "version": "2026-01", "date": "2026-12-01"}]
json.dump(d, open(sys.argv[2], "w"))
EOF
expect 0 "stdout:^c-[a-z0-9]{10}$" -- "$MNEEDLE" client add --db "$DB" "$TMP/ravi.json"
ID=$(cat "$TMP/out")
expect 0 "stdout:^amelia-1$" -- "$MNEEDLE" client add --db "$DB" --id amelia-1 \
    "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
expect 2 "in use" -- "$MNEEDLE" client add --db "$DB" --id amelia-1 \
    "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
expect 2 "client id" -- "$MNEEDLE" client add --db "$DB" --id "1bad id" \
    "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
# The name is identity, not planning input; list and show leave identity out by default.
expect 0 "stdout:Ravi \(example\)" -- "$MNEEDLE" client show --db "$DB" --identity "$ID"
expect 0 "" -- "$MNEEDLE" client show --db "$DB" "$ID"
ok '! grep -q "Ravi\|ravi.secret" "$TMP/out"' "client show without --identity shows the name"
ok 'grep -q "consent 2: photos" "$TMP/out"' "client show lists the consents"
expect 0 "stdout:2 clients" -- "$MNEEDLE" client list --db "$DB"
ok '! grep -q Ravi "$TMP/out"' "client list shows names without --identity"
expect 0 "" -- "$MNEEDLE" client list --db "$DB" --json
ok '$PY -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d[\"clients\"])==2 and d[\"version\"]" "$TMP/out"' "client list --json"
# A bad client file: the loader's message (file and JSON path), exit 2, nothing changed.
dump "$DB" > "$TMP/before"
printf '{"client": {"age": 300, "sex": "female", "fitzpatrick": 2}, "concerns": [], "clinic": {"start": "2027-01-01"}}' > "$TMP/bad.json"
expect 2 "bad.json: \\\$\.client\.age" -- "$MNEEDLE" client add --db "$DB" "$TMP/bad.json"
printf '{"client": {"age": 30, "sex": "female", "fitzpatrick": 2}, "concerns": [{"concern": "acne-scars", "zones": ["cheek"]}], "clinic": {"start": "2027-01-01"}, "consents": [{"what": "photos", "date": "2027-13-01", "version": "1"}]}' > "$TMP/bad2.json"
expect 2 "bad2.json: \\\$\.consents\[0\]\.date" -- "$MNEEDLE" client add --db "$DB" "$TMP/bad2.json"
ok 'dump "$DB" | cmp -s - "$TMP/before"' "a refused client file changed the database"

# ---- plans ----
expect 0 "saved as plan 1" -- "$MNEEDLE" plan --save --db "$DB" --json "$ID"
ok '$PY -c "import json,sys; json.load(open(sys.argv[1]))[\"zones\"]" "$TMP/out"' "plan --save still prints the plan"
expect 2 "no client" -- "$MNEEDLE" plan --save --db "$DB" c-unknown

# ---- sessions ----
cat > "$TMP/s1.json" <<EOF
{"client": "$ID", "date": "2027-01-11", "device": "dermapen-4", "serial": "DP4-001",
 "cartridge_lot": "L77", "zones": [{"zone": "cheek", "depth_mm": 0.7, "passes": 3},
 {"zone": "forehead", "depth_mm": 0.2, "passes": 3}], "serum": "hyaluronic-acid",
 "serum_lot": "HA9", "endpoint": "uniform erythema", "reactions": "erythema",
 "adverse_events": ["none"]}
EOF
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s1.json"
dump "$DB" > "$TMP/before"
# Beyond the plan's cap: refused with the place, nothing recorded.
sed 's/"depth_mm": 0.2/"depth_mm": 0.5/; s/2027-01-11/2027-02-22/' "$TMP/s1.json" > "$TMP/deep.json"
expect 2 "deep.json: .*forehead 0.50 mm is beyond the plan's 0.20 mm \(\\\$\.zones\[1\]\.depth_mm\)" -- \
    "$MNEEDLE" record session --db "$DB" "$TMP/deep.json"
# Outside the device's range (dermapen-4 starts at 0.2 mm... and ends at 3 mm).
sed 's/"depth_mm": 0.7/"depth_mm": 3.5/; s/2027-01-11/2027-02-22/' "$TMP/s1.json" > "$TMP/dev.json"
expect 2 "outside the dermapen-4's range" -- "$MNEEDLE" record session --db "$DB" "$TMP/dev.json"
# No adverse-event record, an empty one, a future date, an unknown zone or device, a typo.
sed 's/"adverse_events": \["none"\]/"adverse_events": []/; s/2027-01-11/2027-02-22/' "$TMP/s1.json" > "$TMP/noae.json"
expect 2 "adverse_events: expected \[\"none\"\]" -- "$MNEEDLE" record session --db "$DB" "$TMP/noae.json"
sed 's/2027-01-11/2027-05-01/' "$TMP/s1.json" > "$TMP/future.json"
expect 2 "future.json: \\\$\.date: 2027-05-01 is in the future" -- "$MNEEDLE" record session --db "$DB" "$TMP/future.json"
sed 's/"cheek"/"cheeks2"/; s/2027-01-11/2027-02-22/' "$TMP/s1.json" > "$TMP/zone.json"
expect 2 "zone.json: \\\$\.zones\[0\]\.zone: unknown zone" -- "$MNEEDLE" record session --db "$DB" "$TMP/zone.json"
sed 's/dermapen-4/dermapen-9/' "$TMP/s1.json" > "$TMP/device.json"
expect 2 "device.json: \\\$\.device: unknown device" -- "$MNEEDLE" record session --db "$DB" "$TMP/device.json"
sed 's/"passes": 3}/"passes": "3"}/' "$TMP/s1.json" > "$TMP/type.json"
expect 2 "type.json: \\\$\.zones\[0\]\.passes: expected a number" -- "$MNEEDLE" record session --db "$DB" "$TMP/type.json"
# An array: the second record is bad, so the first is not stored either.
{ printf '['; sed 's/2027-01-11/2027-02-22/' "$TMP/s1.json"; printf ','; cat "$TMP/deep.json"; printf ']'; } > "$TMP/pair.json"
expect 2 "pair.json: \\\$\[1\]" -- "$MNEEDLE" record session --db "$DB" "$TMP/pair.json"
ok 'dump "$DB" | cmp -s - "$TMP/before"' "a refused session file changed the database"
# --override records it, and the reason is in the audit log.
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" \
    --override "thick scar tissue on the forehead" "$TMP/deep.json"
ok '$PY -c "
import sqlite3,sys
c=sqlite3.connect(sys.argv[1])
r=c.execute(\"SELECT actor, detail FROM audit WHERE action=\x27override\x27\").fetchall()
assert len(r)==1 and r[0][0]==\"test-nurse\" and \"thick scar tissue\" in r[0][1] and \"forehead 0.50 mm\" in r[0][1], r
" "$DB"' "the override and its reason are not in the audit log"
# CSV: one row per zone, grouped by client and date; a bad row is named by its line.
cat > "$TMP/s3.csv" <<EOF
client,date,device,zone,depth_mm,passes,serum,adverse_event,adverse_severity
$ID,2027-03-20,dermapen-4,cheek,1.1,3,,,
$ID,2027-03-20,dermapen-4,forehead,0.2,2,,swelling,mild
EOF
dump "$DB" > "$TMP/before"
sed 's/cheek,1.1,3/cheek,1.1,x/' "$TMP/s3.csv" > "$TMP/bad.csv"
expect 2 "bad.csv: line 2\.passes: expected a number" -- "$MNEEDLE" record session --db "$DB" "$TMP/bad.csv"
printf 'client,date\n"%s,2027-03-20\n' "$ID" > "$TMP/quote.csv"
expect 2 "quote.csv:2: a quoted field is not closed" -- "$MNEEDLE" record session --db "$DB" "$TMP/quote.csv"
ok 'dump "$DB" | cmp -s - "$TMP/before"' "a refused CSV changed the database"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s3.csv"

# ---- assessments ----
SHA=$(printf 'photo bytes' | sha256sum | cut -c1-64)
cat > "$TMP/a.json" <<EOF
[{"client": "$ID", "date": "2027-01-11", "scale": "goodman-baron-quantitative", "score": 40,
  "rater": "dr-a", "zone": "cheek", "photos": [{"consent": 2, "sha256": "$SHA"}]},
 {"client": "$ID", "date": "2027-03-20", "scale": "goodman-baron-quantitative", "score": 31,
  "rater": "dr-a", "zone": "cheek", "session": 3}]
EOF
dump "$DB" > "$TMP/before"
sed 's/"score": 31/"score": 85/' "$TMP/a.json" > "$TMP/range.json"
expect 2 "range.json: \\\$\[1\]\.score: .*84" -- "$MNEEDLE" record assessment --db "$DB" "$TMP/range.json"
sed 's/"score": 31/"score": 31.5/' "$TMP/a.json" > "$TMP/step.json"
expect 2 "step.json: \\\$\[1\]\.score: 31.5 is not a score" -- "$MNEEDLE" record assessment --db "$DB" "$TMP/step.json"
sed 's/goodman-baron-quantitative", "score": 31/no-such-scale", "score": 31/' "$TMP/a.json" > "$TMP/scale.json"
expect 2 "scale.json: \\\$\[1\]\.scale: unknown scale" -- "$MNEEDLE" record assessment --db "$DB" "$TMP/scale.json"
sed 's/"consent": 2/"consent": 1/' "$TMP/a.json" > "$TMP/consent.json"
expect 2 "consent.json: \\\$\[0\]\.photos\[0\]\.consent: consent 1 is for \"treatment\"" -- \
    "$MNEEDLE" record assessment --db "$DB" "$TMP/consent.json"
sed "s/$SHA/abc/" "$TMP/a.json" > "$TMP/sha.json"
expect 2 "sha.json: \\\$\[0\]\.photos\[0\]\.sha256" -- "$MNEEDLE" record assessment --db "$DB" "$TMP/sha.json"
sed 's/"session": 3/"session": 9/' "$TMP/a.json" > "$TMP/sess.json"
expect 2 "sess.json: \\\$\[1\]\.session: the client has no session 9" -- "$MNEEDLE" record assessment --db "$DB" "$TMP/sess.json"
ok 'dump "$DB" | cmp -s - "$TMP/before"' "a refused assessment file changed the database"
expect 0 "stdout:recorded 2 assessments" -- "$MNEEDLE" record assessment --db "$DB" "$TMP/a.json"

# ---- history ----
expect 0 "stdout:done 2027-01-11 with dermapen-4" -- "$MNEEDLE" history --db "$DB" "$ID"
ok 'grep -q "overridden: thick scar tissue" "$TMP/out" && grep -q "swelling (mild) after session 3" "$TMP/out" && grep -q "none after session 1" "$TMP/out"' "history text misses the override or the adverse events"
expect 0 "" -- "$MNEEDLE" history --db "$DB" --json "$ID"
ok '$PY - "$TMP/out" <<EOF
import json, sys
h = json.load(open(sys.argv[1]))
s = h["sessions"]
assert [x["date"] for x in s] == ["2027-01-11", "2027-02-22", "2027-03-20"], s
assert s[0]["date_shift_days"] == 0 and s[0]["zones"][0]["planned_depth_mm"] == 0.7
fh = [z for z in s[1]["zones"] if z["zone"] == "forehead"][0]
assert abs(fh["depth_deviation_mm"] - 0.3) < 1e-9, fh
assert [a["score"] for a in h["assessments"]] == [40, 31] and h["assessments"][0]["photos"] == 1
assert [e["event"] for e in h["adverse_events"]] == ["none", "none", "swelling"], h["adverse_events"]
assert h["plan"]["catalogue_hash"] and len(h["planned"]) >= 3
EOF' "history --json is not the timeline recorded"
expect 2 "no client" -- "$MNEEDLE" history --db "$DB" c-nobody

# ---- the audit chain ----
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
cp "$DB" "$TMP/edit.db"
sql "$TMP/edit.db" "UPDATE session_zones SET depth_mm = 0.7 WHERE zone = 'forehead' AND depth_mm = 0.5"
expect 1 "stdout:session_zones: row [0-9]+ differs from its last audit entry" -- "$MNEEDLE" db check --db "$TMP/edit.db"
cp "$DB" "$TMP/edit.db"
sql "$TMP/edit.db" "DELETE FROM adverse_events WHERE event = 'swelling'"
expect 1 "stdout:adverse_events: row [0-9]+ is in the audit log but missing" -- "$MNEEDLE" db check --db "$TMP/edit.db"
cp "$DB" "$TMP/edit.db"
sql "$TMP/edit.db" "DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'someone-else' WHERE seq = 3"
expect 1 "stdout:audit log: entry 3 does not match its hash" -- "$MNEEDLE" db check --db "$TMP/edit.db"
cp "$DB" "$TMP/edit.db"
sql "$TMP/edit.db" "INSERT INTO consents(client, what, version, date) VALUES (1, 'photos', 'x', '2027-01-01')"
expect 1 "stdout:consents: row [0-9]+ differs" -- "$MNEEDLE" db check --db "$TMP/edit.db"
cp "$DB" "$TMP/edit.db"
ok '! sql "$TMP/edit.db" "DELETE FROM audit WHERE seq = 1" 2>/dev/null' "the audit log accepted a DELETE"

# ---- backups ----
expect 0 "" -- "$MNEEDLE" db backup --db "$DB" "$TMP/plain.bak"
ok '[ "$(stat -c %a "$TMP/plain.bak")" = 600 ]' "the backup is not mode 0600"
expect 0 "" -- "$MNEEDLE" db restore --db "$TMP/restored.db" "$TMP/plain.bak"
ok 'dump "$DB" > "$TMP/a" && dump "$TMP/restored.db" > "$TMP/b" && cmp -s "$TMP/a" "$TMP/b" && [ -s "$TMP/a" ]' "the plain backup does not restore row for row"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$TMP/restored.db"
expect 2 "exists already" -- "$MNEEDLE" db backup --db "$DB" "$TMP/plain.bak"
expect 0 "" -- "$MNEEDLE" db keygen "$TMP/key"
ok '[ "$(stat -c %a "$TMP/key")" = 600 ]' "the key file is not mode 0600"
expect 2 "no key" -- "$MNEEDLE" db backup --db "$DB" --encrypt "$TMP/sealed.bak"
expect 0 "" -- "$MNEEDLE" db backup --db "$DB" --key-file "$TMP/key" "$TMP/sealed.bak"
ok '! grep -q "ravi.secret" "$TMP/sealed.bak" && grep -q "ravi.secret" "$TMP/plain.bak"' "the encrypted backup holds plaintext"
expect 2 "is encrypted; give its key" -- "$MNEEDLE" db restore --db "$TMP/r1.db" "$TMP/sealed.bak"
"$MNEEDLE" db keygen "$TMP/other.key"
expect 2 "wrong key" -- "$MNEEDLE" db restore --db "$TMP/r1.db" --key-file "$TMP/other.key" "$TMP/sealed.bak"
ok '[ ! -e "$TMP/r1.db" ] && [ -z "$(ls -A "$TMP" | grep "^\.r1")" ]' "a refused restore left a file"
printf 'zz' > "$TMP/short.key"
expect 2 "64 hexadecimal digits" -- "$MNEEDLE" db restore --db "$TMP/r1.db" --key-file "$TMP/short.key" "$TMP/sealed.bak"
# One flipped byte in the middle, or the last chunk cut off: refused.
cp "$TMP/sealed.bak" "$TMP/flip.bak"
$PY -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[len(b)//2]^=1; open(p,"wb").write(b)' "$TMP/flip.bak"
expect 2 "damaged backup|authentication" -- "$MNEEDLE" db restore --db "$TMP/r1.db" --key-file "$TMP/key" "$TMP/flip.bak"
head -c 70000 "$TMP/sealed.bak" > "$TMP/cut.bak"
expect 2 "truncated|damaged" -- "$MNEEDLE" db restore --db "$TMP/r1.db" --key-file "$TMP/key" "$TMP/cut.bak"
MNEEDLE_KEY=$(cat "$TMP/key") expect 0 "" -- "$MNEEDLE" db restore --db "$TMP/r2.db" "$TMP/sealed.bak"
ok 'dump "$TMP/r2.db" | cmp -s - "$TMP/a"' "the encrypted backup does not restore row for row"

# ---- migrations: from every earlier schema version ----
v=1
while [ $v -lt 2 ]; do
    OLD="$TMP/v$v.db"
    expect 0 "stdout:schema version $v" -- "$MNEEDLE" db init --db "$OLD" --schema $v
    expect 1 "older than this mneedle" -- "$MNEEDLE" client add --db "$OLD" "$TMP/ravi.json"
    expect 0 "stdout:schema version $v -> 2" -- "$MNEEDLE" db migrate --db "$OLD"
    expect 0 "stdout:^c-" -- "$MNEEDLE" client add --db "$OLD" "$TMP/ravi.json"
    expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$OLD"
    v=$((v + 1))
done
expect 0 "stdout:schema version 2 -> 2" -- "$MNEEDLE" db migrate --db "$DB"

# ---- erasure ----
expect 0 "stdout:erased $ID" -- "$MNEEDLE" client erase --db "$DB" "$ID"
expect 2 "no client" -- "$MNEEDLE" client show --db "$DB" "$ID"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
ok '! cat "$DB"* | grep -a -q "ravi.secret\|7000 111222\|Ravi (example)"' "erased personal data is still in the database files"
ok '$PY -c "
import sqlite3,sys
c=sqlite3.connect(sys.argv[1])
n=c.execute(\"SELECT count(*) FROM audit WHERE action=\x27erase\x27\").fetchone()[0]
assert n >= 10, n
assert c.execute(\"SELECT count(*) FROM sessions\").fetchone()[0] == 0
" "$DB"' "erasure left rows or no audit entries"
expect 0 "stdout:1 client" -- "$MNEEDLE" client list --db "$DB"
finish
