# End-to-end: a client's name is kept whole up to MN_CLIENT_NAME_LEN - 1 (255) bytes in every
# output and in the clinic record, and a longer one is refused with exit 2 naming the file, the
# JSON path and the limit, with nothing written; it is never silently cut.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
DB="$TMP/clinic.db"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-01
unset MNEEDLE_DB MNEEDLE_KEY

# A 250-byte name (three-byte characters and a distinct ending, so a cut one is seen), and
# 256-byte ones given as client.name and as identity.name.
$PY - "$MN_SOURCE_DIR/examples/clients/ravi-acne-scars.json" "$TMP" <<'EOF' || exit 1
import json, sys
src, tmp = sys.argv[1], sys.argv[2]
long_name = "María-José Núñez de la Torre y " + "名" * 60 + " Ω-end"
long_name += "x" * (250 - len(long_name.encode()))
assert len(long_name.encode()) == 250
too_long = "y" * 256
d = json.load(open(src))
d["client"]["name"] = long_name
json.dump(d, open(tmp + "/long.json", "w"))
open(tmp + "/long.txt", "w").write(long_name)
d["client"]["name"] = too_long
json.dump(d, open(tmp + "/toolong.json", "w"))
d["client"]["name"] = "Ravi"
d["identity"] = {"name": too_long}
json.dump(d, open(tmp + "/toolong-identity.json", "w"))
EOF
NAME=$(cat "$TMP/long.txt")

# plan: the whole name in the text title, the JSON and the report.
expect 0 "" -- "$MNEEDLE" plan --output "$TMP/plan.txt" "$TMP/long.json"
ok 'grep -qF "mneedle plan for $NAME" "$TMP/plan.txt"' "plan text does not show the whole name"
expect 0 "" -- "$MNEEDLE" plan --json --output "$TMP/plan.json" "$TMP/long.json"
expect 0 "" -- $PY -c "
import json, sys
sys.exit(0 if json.load(open(sys.argv[1]))['client']['name'] == open(sys.argv[2]).read() else 1)" \
    "$TMP/plan.json" "$TMP/long.txt"
expect 0 "" -- "$MNEEDLE" plan --report "$TMP/r.html" --output "$TMP/x.txt" "$TMP/long.json"
ok 'grep -qF "Ω-endxx" "$TMP/r.html"' "the report does not show the whole name"

# plan: one byte over, refused, nothing written.
expect 2 'toolong\.json: \$\.client\.name: at most 255 bytes, got 256' -- \
    "$MNEEDLE" plan --output "$TMP/no.txt" "$TMP/toolong.json"
ok '[ ! -e "$TMP/no.txt" ]' "a refused plan left its output"

# The clinic record: stored whole, shown whole; too long refused, nothing stored.
expect 0 "" -- "$MNEEDLE" db init --db "$DB"
expect 0 "stdout:^long-1$" -- "$MNEEDLE" client add --db "$DB" --id long-1 "$TMP/long.json"
expect 0 "" -- "$MNEEDLE" client show --db "$DB" --identity long-1
ok 'grep -qF "$NAME" "$TMP/out"' "client show does not show the whole stored name"
expect 0 "" -- "$MNEEDLE" client show --db "$DB" --identity --json long-1
cp "$TMP/out" "$TMP/show.json"
expect 0 "" -- $PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if open(sys.argv[2]).read() in json.dumps(d, ensure_ascii=False) else 1)" \
    "$TMP/show.json" "$TMP/long.txt"
expect 2 'toolong\.json: \$\.client\.name: at most 255 bytes, got 256' -- \
    "$MNEEDLE" client add --db "$DB" --id long-2 "$TMP/toolong.json"
expect 2 'toolong-identity\.json: \$\.identity\.name: at most 255 bytes, got 256' -- \
    "$MNEEDLE" client add --db "$DB" --id long-3 "$TMP/toolong-identity.json"
expect 0 "stdout:1 client" -- "$MNEEDLE" client list --db "$DB"
finish
