# End-to-end: the commands that show a client's record log the read in the audit log, as the
# workstation does (docs/records.md, "The audit log"): history, export (one client and --all, one
# entry per client), client show (with and without --identity), client list --identity, db
# backup (one entry per client, inside the backup itself), replan, plan --save (the stored
# record planned) and recall (one entry per client listed; --csv and --ics only those due),
# each as action "read" on the client's row with the view as
# detail, under --actor, $MNEEDLE_ACTOR or $USER, and no health value in the entry. A read that
# fails on bad input (exit 2) logs nothing, and the chain still checks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1814400000 # 2027-07-01

# reads: every read entry after entry $mark as "actor action entity detail", one a line, in
# order (the set-up's own history reads, which build the session files, come before it).
reads() {
    $PY -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute(
        "SELECT actor, action, entity, detail FROM audit WHERE action = ? AND seq > ? ORDER BY seq",
        ("read", int(sys.argv[2]))):
    print(" ".join(r))' "$DB" "$mark"
}
# audit_count: all entries, so a failed read is seen to add none of any kind.
audit_count() {
    n=$($PY -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM audit").fetchone()[0])' "$DB")
}
# unchanged CODE CMD...: the command exits CODE and the audit log is as it was.
unchanged() {
    want=$1; shift
    audit_count; before=$n
    expect "$want" "" -- "$@"
    audit_count
    ok '[ "$n" -eq "$before" ]' "a read refused on bad input wrote $((n - before)) audit entries: $*"
}

amelia_planned 1
expect 0 "stdout:^c-tom$" -- "$MNEEDLE" client add --db "$DB" --id c-tom \
    "$MN_SOURCE_DIR/examples/clients/tom-hair-loss.json"
amelia=$($PY -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT num FROM clients WHERE id = ?", ("c-amelia",)).fetchone()[0])' "$DB")
audit_count; mark=$n

# Bad input first: nothing is logged, nor anything else written.
unchanged 2 "$MNEEDLE" history --db "$DB" c-nobody
unchanged 2 "$MNEEDLE" history --db "$DB" c-amelia --no-such-option
unchanged 2 "$MNEEDLE" export --db "$DB" c-nobody --csv "$TMP/x.csv"
unchanged 2 "$MNEEDLE" export --db "$DB" c-amelia
unchanged 2 "$MNEEDLE" export --db "$DB" --all c-amelia --csv "$TMP/x.csv"
unchanged 2 "$MNEEDLE" client show --db "$DB" c-nobody --identity
unchanged 2 "$MNEEDLE" client show --db "$DB" c-amelia extra
touch "$TMP/taken.bak"
unchanged 2 "$MNEEDLE" db backup --db "$DB" "$TMP/taken.bak"
# An output that cannot be made (a folder named as the file) fails before anything is shown:
# not logged either.
unchanged 1 "$MNEEDLE" export --db "$DB" c-amelia --csv "$TMP"
unchanged 1 "$MNEEDLE" history --db "$DB" c-amelia -o "$TMP"
unchanged 2 "$MNEEDLE" replan --db "$DB" c-nobody
unchanged 2 "$MNEEDLE" replan --db "$DB" c-tom # no stored plan to replan from
unchanged 2 "$MNEEDLE" plan --save --db "$DB" c-nobody
unchanged 2 "$MNEEDLE" recall --db "$DB" --due-before 2027-13-01
unchanged 2 "$MNEEDLE" recall --db "$DB" --csv --ics
unchanged 1 "$MNEEDLE" recall --db "$DB" --due-before 2999-12-31 -o "$TMP"
ok '[ -z "$(reads)" ]' "a refused read was logged: $(reads)"

# history: one entry, the handle's actor ($MNEEDLE_ACTOR, else --actor).
expect 0 "stdout:^History of c-amelia" -- "$MNEEDLE" history --db "$DB" c-amelia
expect 0 "" -- "$MNEEDLE" history --db "$DB" --json --actor dr-lee c-amelia
ok '[ "$(reads)" = "test-nurse read clients:$amelia history
dr-lee read clients:$amelia history" ]' "history's reads not logged as expected: $(reads)"

# export: one entry for one client, one per client for --all (standard output and files alike).
expect 0 "stdout:^client,type" -- "$MNEEDLE" export --db "$DB" c-amelia --csv -
expect 0 "" -- "$MNEEDLE" export --db "$DB" --all --fhir "$TMP/all.json" --ics "$TMP/all.ics"
ok '[ "$(reads | grep -c " export$")" -eq 3 ] && [ "$(reads | grep " export$" | sort -u | wc -l)" -eq 2 ]' \
    "export did not log one read per client exported: $(reads)"

# client show, show --identity, list --identity: the workstation's views; a list of ids alone
# shows no record and is not logged.
audit_count; before=$n
expect 0 "stdout:^client c-amelia" -- "$MNEEDLE" client show --db "$DB" c-amelia
expect 0 "stdout:Amelia" -- "$MNEEDLE" client show --db "$DB" c-amelia --identity
expect 0 "stdout:^2 clients" -- "$MNEEDLE" client list --db "$DB"
expect 0 "stdout:Amelia" -- "$MNEEDLE" client list --db "$DB" --identity
audit_count
ok '[ "$((n - before))" -eq 4 ] && reads | tail -4 | head -2 | grep -q "^test-nurse read clients:$amelia show$" &&
    reads | tail -4 | sed -n 2p | grep -q " identity$" && [ "$(reads | tail -2 | grep -c " identity$")" -eq 2 ]' \
    "client show/list did not log show, identity, and one identity per client listed: $(reads | tail -4)"

# db backup: one entry per client copied.
expect 0 "" -- "$MNEEDLE" db backup --db "$DB" "$TMP/clinic.bak"
ok '[ "$(reads | grep -c " backup$")" -eq 2 ]' "db backup did not log each client: $(reads)"

# The backup holds its own entries: they are written before the copy is made.
ok '[ "$($PY -c "import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM audit WHERE action = \x27read\x27 AND detail = \x27backup\x27\").fetchone()[0])" "$TMP/clinic.bak")" -eq 2 ]' \
    "the backup does not hold its own read entries"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$TMP/clinic.bak"

# replan: one entry, after its maintenance date's own change entry.
expect 0 "stdout:c-amelia" -- "$MNEEDLE" replan --db "$DB" c-amelia
ok '[ "$(reads | tail -1)" = "test-nurse read clients:$amelia replan" ]' \
    "replan's read not logged: $(reads | tail -1)"
# plan --save: the stored record planned and shown, one entry under --actor.
expect 0 "" -- "$MNEEDLE" plan --save --db "$DB" --actor dr-lee c-tom
tom=$($PY -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT num FROM clients WHERE id = ?", ("c-tom",)).fetchone()[0])' "$DB")
ok '[ "$(reads | tail -1)" = "dr-lee read clients:$tom plan" ]' \
    "plan --save's read not logged: $(reads | tail -1)"
# recall: one entry per client listed (due, on hold or overdue), each once.
listed() {
    $PY -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(len({e["client"] for k in ("due", "on_hold", "overdue") for e in r[k]}))' "$TMP/out"
}
audit_count; before=$n
expect 0 "" -- "$MNEEDLE" recall --db "$DB" --due-before 2027-07-01 --json
audit_count
ok '[ "$((n - before))" -eq "$(listed)" ]' "recall logged $((n - before)) entries, listing $(listed)"
expect 0 "stdout:c-amelia" -- "$MNEEDLE" recall --db "$DB" --due-before 2999-12-31 --json
ok '[ "$(reads | tail -2 | sort)" = "$(printf "test-nurse read clients:%s recall\ntest-nurse read clients:%s recall" "$amelia" "$tom" | sort)" ]' \
    "recall did not log each client listed once: $(reads | tail -3)"
audit_count; before=$n
expect 0 "stdout:c-tom" -- "$MNEEDLE" recall --db "$DB" --due-before 2999-12-31 --csv
audit_count
ok '[ "$((n - before))" -eq "$($PY -c "import csv, sys
print(len({r[\"client\"] for r in csv.DictReader(open(sys.argv[1]))}))" "$TMP/out")" ]' \
    "recall --csv did not log the clients it lists"

# No value in any read entry: the client's row, the view and the actor only.
ok '$PY -c "
import sqlite3, sys
for actor, entity, detail, row_hash in sqlite3.connect(sys.argv[1]).execute(
        \"SELECT actor, entity, detail, row_hash FROM audit WHERE action = \x27read\x27\"):
    assert actor in (\"test-nurse\", \"dr-lee\"), actor
    assert entity.startswith(\"clients:\") and entity[8:].isdigit(), entity
    assert detail in (\"history\", \"export\", \"show\", \"identity\", \"backup\", \"replan\",
                      \"plan\", \"recall\"), detail
    assert len(row_hash) == 64, row_hash
" "$DB"' "a read entry holds more than the actor, the client's row and the view"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
finish
