# End-to-end: an override's reason and the values it went past are the session's own, so
# `client erase` takes them away: the audit log's `override` entry names only the rules
# broken (docs/records.md, "The audit log"), and after the erasure neither the reason nor the
# depth is anywhere in the database, its dump or its files' bytes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02

REASON="ZEBRA-QUOKKA scar tissue at the jaw"
amelia_planned 2
# Visit 3 sets cheek 0.75 mm; 1.25 mm is deeper than that (within the plan's 1.5 mm maximum).
session 3 c-amelia "$TMP/s3.json"
sed 's/"depth_mm": 0.75/"depth_mm": 1.25/' "$TMP/s3.json" > "$TMP/deep.json"
ok 'grep -q "1.25" "$TMP/deep.json"' "the test's session file was not made"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" \
    --override "$REASON" "$TMP/deep.json"
# The row keeps the reason; the log names the rule, with no value and no free text.
ok '[ "$($PY -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT override_reason FROM sessions WHERE override_reason IS NOT NULL\").fetchone()[0])" "$DB")" = "$REASON" ]' \
    "the session row does not keep the override's reason"
ok '$PY - "$DB" <<PYEOF
import sqlite3, sys
r = [d for (d,) in sqlite3.connect(sys.argv[1]).execute("SELECT detail FROM audit WHERE action = ?", ("override",))]
assert r == ["override: depth-beyond-visit"], r
PYEOF' "the override's audit entry is not the rule's name alone"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"

expect 0 "stdout:erased c-amelia" -- "$MNEEDLE" client erase --db "$DB" c-amelia
$PY -c "import sqlite3,sys; [print(r) for r in sqlite3.connect(sys.argv[1]).iterdump()]" "$DB" > "$TMP/dump"
ok '[ -s "$TMP/dump" ] && grep -q "INSERT INTO \"audit\"" "$TMP/dump"' "the database's dump is empty"
for what in "ZEBRA-QUOKKA" "scar tissue at the jaw" "1.25 mm" "deeper than the"; do
    ok '! grep -q "$what" "$TMP/dump"' "\"$what\" is still in the database after client erase"
    ok '! cat "$DB" "$DB-wal" 2>/dev/null | grep -aq "$what"' "\"$what\" is still in the database's files after client erase"
done
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
finish
