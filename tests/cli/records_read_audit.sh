# End-to-end: the commands that show a client's record log the read in the audit log, as the
# workstation does (docs/records.md, "The audit log"): history, export (one client and --all, one
# entry per client), client show (with and without --identity), client list --identity and db
# backup (one entry per client), each as action "read" on the client's row with the view as
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

# No value in any read entry: the client's row, the view and the actor only.
ok '$PY -c "
import sqlite3, sys
for actor, entity, detail, row_hash in sqlite3.connect(sys.argv[1]).execute(
        \"SELECT actor, entity, detail, row_hash FROM audit WHERE action = \x27read\x27\"):
    assert actor in (\"test-nurse\", \"dr-lee\"), actor
    assert entity.startswith(\"clients:\") and entity[8:].isdigit(), entity
    assert detail in (\"history\", \"export\", \"show\", \"identity\", \"backup\"), detail
    assert len(row_hash) == 64, row_hash
" "$DB"' "a read entry holds more than the actor, the client's row and the view"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
finish
