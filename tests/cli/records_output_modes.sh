# End-to-end: what a command writes from the clinic record carries a client's record, so it is
# created with mode 0600 as the database and its backups are, whatever the umask: exports
# (--ics, --fhir, --csv), a client's identity (client show --identity --output), history, and
# the plan and report of a stored client. A plan of a client file stays an ordinary output
# (0666 less the umask).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02
umask 022

mode() { stat -c %a "$1"; }
expect 0 "" -- "$MNEEDLE" db init --db "$DB"
expect 0 "stdout:^c-amelia$" -- "$MNEEDLE" client add --db "$DB" --id c-amelia \
    "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
expect 0 "" -- "$MNEEDLE" plan c-amelia --save --db "$DB" -o "$TMP/plan.txt" \
    --report "$TMP/report.html"
expect 0 "" -- "$MNEEDLE" export --db "$DB" c-amelia --ics "$TMP/a.ics" --fhir "$TMP/a.fhir.json" \
    --csv "$TMP/a.csv"
expect 0 "" -- "$MNEEDLE" export --db "$DB" --all --csv "$TMP/all.csv"
expect 0 "" -- "$MNEEDLE" client show --db "$DB" c-amelia --identity --output "$TMP/identity.txt"
expect 0 "" -- "$MNEEDLE" history --db "$DB" c-amelia -o "$TMP/history.txt"
expect 0 "" -- "$MNEEDLE" history --db "$DB" c-amelia --json -o "$TMP/history.json"
for f in plan.txt report.html a.ics a.fhir.json a.csv all.csv identity.txt history.txt history.json; do
    ok '[ -s "$TMP/$f" ] && [ "$(mode "$TMP/$f")" = 600 ]' \
        "$f, written from the record under umask 022, has mode $(mode "$TMP/$f" 2>/dev/null), not 600"
done
ok '[ "$(mode "$DB")" = 600 ]' "the database is not 0600"
# An ordinary output: a plan of a client file, no record opened.
expect 0 "" -- "$MNEEDLE" plan "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json" -o "$TMP/file-plan.txt"
ok '[ "$(mode "$TMP/file-plan.txt")" = 644 ]' \
    "a plan of a client file under umask 022 has mode $(mode "$TMP/file-plan.txt"), not 644"
finish
