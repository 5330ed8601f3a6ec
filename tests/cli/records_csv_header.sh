# End-to-end: an error about a CSV column (a field that is not UTF-8, a column no record has)
# names the file, the line and the column's name: whole when it is short, odd characters named
# (<U+202E>); a long one cut at a whole character with a visible "...", the rest of the message
# (its column number, what was expected) kept. Exit 2, nothing stored. Record files and the
# client list (import) read CSV with the same reader.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02 (UTC)

expect 0 "" -- "$MNEEDLE" db init --db "$DB"
expect 0 "stdout:^c-a$" -- "$MNEEDLE" client add --db "$DB" --id c-a \
    "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
$PY - "$TMP" <<'PYEOF' || exit 1
import sys
tmp = sys.argv[1]
head = b"client,date,scale,score,rater,"
row = b"c-a,2027-01-01,vas,5,nurse,"
long_name = ("x" * 200 + "END").encode()
# A field that is not UTF-8 under a long column name.
open(tmp + "/bad_byte.csv", "wb").write(head + long_name + b"\n" + row + b"\xff\n")
# A column no record has, 2000 bytes long.
open(tmp + "/unknown.csv", "wb").write(head + b"y" * 2000 + b"END\n" + row + b"v\n")
# A short odd name: a right-to-left override in it.
open(tmp + "/odd.csv", "wb").write(head + "note\u202eevil".encode() + b"\n" + row + b"v\n")
# A long name of multi-byte characters: cut between two of them, never inside one.
open(tmp + "/wide.csv", "wb").write(head + ("\u00e9" * 100).encode() + b"\n" + row + b"v\n")
# The client list (import): the same reader.
open(tmp + "/clients.csv", "wb").write(
    b"id,age,sex,fitzpatrick,concern,zones,severity," + b"z" * 300 + b"\n"
    b"c-new,40,female,2,fine-lines-wrinkles,forehead,2,v\n")
PYEOF

X64=$(printf 'x%.0s' $(seq 64))
expect 2 "bad_byte\.csv: line 2\.${X64}\.\.\. \(column 6\): byte 0xFF at byte 1 of the field is not UTF-8; expected UTF-8 text" \
    -- "$MNEEDLE" record assessment --db "$DB" "$TMP/bad_byte.csv"
ok '! grep -q "xEND" "$TMP/err"' "a long column name is shown whole past the cut"
expect 2 "unknown\.csv: line 2\.y{64}\.\.\.: unknown key; expected one of: client, date, .*, _line$" \
    -- "$MNEEDLE" record assessment --db "$DB" "$TMP/unknown.csv"
expect 2 "odd\.csv: line 2\.note<U\+202E>evil: unknown key; expected one of" \
    -- "$MNEEDLE" record assessment --db "$DB" "$TMP/odd.csv"
expect 2 "wide\.csv: line 2\.(é){32}\.\.\.: unknown key" \
    -- "$MNEEDLE" record assessment --db "$DB" "$TMP/wide.csv"
ok '$PY -c "import sys; open(sys.argv[1], encoding=\"utf-8\").read()" "$TMP/err"' \
    "a cut name leaves a character cut in two"
expect 2 "clients\.csv: line 2\.z{64}\.\.\.: unknown key; expected one of: id, name" \
    -- "$MNEEDLE" import --db "$DB" "$TMP/clients.csv"
# Nothing stored: no assessment, no new client.
expect 0 "" -- "$MNEEDLE" history --db "$DB" --json c-a --output "$TMP/h.json"
ok '$PY -c "import json, sys; assert json.load(open(sys.argv[1]))[\"assessments\"] == []" "$TMP/h.json"' \
    "a refused file stored an assessment"
expect 0 "" -- "$MNEEDLE" client list --db "$DB" --output "$TMP/list.txt"
ok '! grep -q "c-new" "$TMP/list.txt"' "a refused client list stored a client"
finish
