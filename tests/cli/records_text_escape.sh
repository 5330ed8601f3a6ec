# End-to-end: free text stored in the clinic record (a client's name and address, a session's
# serum, lots, endpoint, reactions and override reason, a rater, an adverse event's own words)
# and names from a clinic's own catalogue (--data: a zone, a device) never reach a text output
# raw. history, replan, client show and list, recall and the records' iCalendar name every
# control character, bidirectional override and byte that is not UTF-8 ("<U+001B>", "<U+202E>",
# "<byte 0xFF>"), as every text writer does (docs/input-formats.md); the CSV keeps the exact
# bytes of valid text, quoted so no character of it can end a row, and names bytes that are not
# UTF-8; JSON and FHIR keep the exact strings (docs/records.md, "Export").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02 (UTC)

# The attack strings: a colour escape, a right-to-left override, a forged line; each under the
# length its field allows. The byte 0xFF (not UTF-8) cannot come in through a JSON or CSV file;
# it is written into the database below, as a record written by another tool would hold it.
$PY - "$MN_SOURCE_DIR" "$TMP" <<'PYEOF' || exit 1
import json, os, sys
src, tmp = sys.argv[1], sys.argv[2]
def evil(word):
    return word + " \x1b[31mred\x1b[0m \u202eright-to-left\u202c\nforged line"
d = json.load(open(src + "/examples/clients/amelia-wrinkles.json"))
d["identity"] = {"name": evil("Eve"), "address": evil("1 High St"), "email": "eve@example.org"}
d["consents"] = [{"what": "treatment", "version": "v1", "date": "2026-11-20"}]
json.dump(d, open(tmp + "/eve.json", "w"))
# A clinic's own catalogue: the forehead and the SkinPen by names of its own.
os.mkdir(tmp + "/data")
sites = json.load(open(src + "/data/sites.json"))
for s in sites["sites"]:
    if s["id"] == "forehead":
        s["name"] = evil("Brow")
json.dump(sites, open(tmp + "/data/sites.json", "w"))
dev = json.load(open(src + "/data/devices.json"))
for e in dev["devices"]:
    if e["id"] == "skinpen":
        e["name"] = evil("Pen")
json.dump(dev, open(tmp + "/data/devices.json", "w"))
for k, w in {"serum": "Serum", "serum_lot": "Lot", "endpoint": "Endpoint",
             "reactions": "Reaction", "rater": "Rater", "event": "Itch", "reason": "Why"}.items():
    open(tmp + "/" + k + ".txt", "w", newline="").write(evil(w))
PYEOF
DATA="$TMP/data"

expect 0 "" -- "$MNEEDLE" db init --db "$DB"
expect 0 "stdout:^c-eve$" -- "$MNEEDLE" client add --db "$DB" --id c-eve "$TMP/eve.json"
expect 0 "" -- "$MNEEDLE" plan c-eve --save --db "$DB" --data "$DATA"
# A second client, due for maintenance: recall's reason for it is the record's (below).
expect 0 "stdout:^c-amy$" -- "$MNEEDLE" client add --db "$DB" --id c-amy \
    "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
expect 0 "" -- "$MNEEDLE" plan c-amy --save --db "$DB"
# Session 1 with every free-text field, an adverse event in the client's words (severe, open:
# replan and recall hold on it and quote it), and the cheek deeper than planned, recorded with
# an override reason.
session 1 c-eve "$TMP/s1.json"
$PY - "$TMP" <<'PYEOF' || exit 1
import json, sys
tmp = sys.argv[1]
t = lambda k: open(tmp + "/" + k + ".txt", newline="").read()
s = json.load(open(tmp + "/s1.json"))
s.update(serial="SN-1", cartridge_lot=t("serum_lot"), serum=t("serum"), serum_lot=t("serum_lot"),
         endpoint=t("endpoint"), reactions=t("reactions"),
         adverse_events=[{"event": t("event"), "severity": "severe"}])
for z in s["zones"]:
    if z["zone"] == "cheek":
        z["depth_mm"] += 0.25
json.dump(s, open(tmp + "/s1.json", "w"))
a = {"client": "c-eve", "date": s["date"], "scale": "fitzpatrick-wrinkle", "score": 5,
     "rater": t("rater"), "zone": "forehead", "session": 1}
json.dump(a, open(tmp + "/a1.json", "w"))
PYEOF
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" --data "$DATA" \
    --override "$(cat "$TMP/reason.txt")" "$TMP/s1.json"
expect 0 "stdout:recorded 1 assessment" -- "$MNEEDLE" record assessment --db "$DB" "$TMP/a1.json"

# raw FILE [--crlf]: exit 1 (naming what it found) when FILE holds a byte that is not UTF-8, or a
# character that can forge, hide or reorder a line (C0 controls other than the newline, and CR
# before it with --crlf; DEL, C1 controls, line and paragraph separators, bidirectional
# controls), or a line starting "forged line".
cat >"$TMP/raw.py" <<'PYEOF'
import re, sys
data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    print("raw: not UTF-8:", e)
    sys.exit(1)
if len(sys.argv) > 2 and sys.argv[2] == "--crlf":
    text = text.replace("\r\n", "\n")
bad = re.findall("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]", text)
if bad:
    print("raw:", sorted({hex(ord(c)) for c in bad}))
    sys.exit(1)
if any(l.startswith("forged line") for l in text.split("\n")):
    print("raw: a forged line")
    sys.exit(1)
PYEOF
raw() { $PY "$TMP/raw.py" "$@"; }
# named FILE WORD...: each WORD's attack string is in FILE as text shows it, every character
# named (and, after the database edit below, with its byte 0xFF named).
named() {
    f=$1; shift
    for w in "$@"; do
        ok "grep -qF '$w <U+001B>[31mred<U+001B>[0m <U+202E>right-to-left<U+202C><U+000A>forged line' '$f'" \
            "$f does not name the characters of '$w'"
    done
}

# The text views, before and after a byte that is not UTF-8 is written into the record.
views() {
    expect 0 "" -- "$MNEEDLE" history --db "$DB" --data "$DATA" --output "$TMP/history$1.txt" c-eve
    expect 0 "" -- "$MNEEDLE" replan --db "$DB" --data "$DATA" --output "$TMP/replan$1.txt" c-eve
    expect 0 "" -- "$MNEEDLE" client show --db "$DB" --identity --output "$TMP/show$1.txt" c-eve
    expect 0 "" -- "$MNEEDLE" client list --db "$DB" --identity --output "$TMP/list$1.txt"
    expect 0 "" -- "$MNEEDLE" recall --db "$DB" --due-before 2030-01-01 --output "$TMP/recall$1.txt"
    # Standard output too (a terminal).
    expect 0 "" -- sh -c "'$MNEEDLE' history --db '$DB' --data '$DATA' c-eve >'$TMP/history$1.out'"
    for v in history replan show list recall; do
        expect 0 "" -- raw "$TMP/$v$1.txt"
    done
    expect 0 "" -- raw "$TMP/history$1.out"
}
views ""
named "$TMP/history.txt" Serum Lot Endpoint Reaction Why Rater Itch Brow Pen
named "$TMP/replan.txt" Itch Why Pen
named "$TMP/show.txt" Eve "1 High St"
named "$TMP/list.txt" Eve
named "$TMP/recall.txt" Itch
ok 'grep -q "ON HOLD: a severe adverse event is open: Itch <U+001B>" "$TMP/replan.txt"' \
    "replan does not quote the open event in its hold"

# The exports: iCalendar names the characters; CSV keeps the exact strings, quoted, so the file
# has the rows it should; FHIR (JSON) keeps them exact, escaped as JSON.
expect 0 "" -- "$MNEEDLE" export --db "$DB" --all --ics "$TMP/all.ics" --csv "$TMP/all.csv" \
    --fhir "$TMP/all.fhir.json"
expect 0 "" -- raw "$TMP/all.ics" --crlf
expect 0 "" -- raw "$TMP/all.fhir.json"
ok '$PY - "$TMP" <<PYEOF
import csv, json, sys
tmp = sys.argv[1]
t = lambda k: open(tmp + "/" + k + ".txt", newline="").read()
rows = [r for r in csv.DictReader(open(tmp + "/all.csv", newline="", encoding="utf-8"))
        if r["client"] == "c-eve"]
h = json.load(open(tmp + "/h.json"))
assert len(rows) == sum(len(v["settings"]) for v in h["planned"]) + 3 + 1 + 1, len(rows)
assert [r["event"] for r in rows if r["type"] == "adverse_event"] == [t("event")]
assert [r["rater"] for r in rows if r["type"] == "assessment"] == [t("rater")]
def strings(v):
    if isinstance(v, str):
        yield v
    for x in v.values() if isinstance(v, dict) else v if isinstance(v, list) else []:
        yield from strings(x)
texts = list(strings(json.load(open(tmp + "/all.fhir.json"))))
assert t("event") in texts and "serum %s lot %s" % (t("serum"), t("serum_lot")) in texts
PYEOF' "the CSV or the FHIR bundle does not keep the stored strings exact"

# A byte that is not UTF-8 in the record (written by another tool): named in every text view.
# The maintenance reason recall gives c-amy is the record's too: changed the same way.
$PY - "$DB" "$TMP/reason.txt" <<'PYEOF' || exit 1
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE clients SET maintenance_reason = maintenance_reason || ' ' || ? || "
          "CAST(X'FF' AS TEXT) WHERE id = 'c-amy'", (open(sys.argv[2], newline="").read(),))
for table, col in [("identities", "name"), ("sessions", "serum"), ("sessions", "override_reason"),
                   ("adverse_events", "event"), ("assessments", "rater")]:
    c.execute("UPDATE %s SET %s = CAST(X'FF' AS TEXT) || %s WHERE %s LIKE '%%forged%%'"
              % (table, col, col, col))
c.commit()
PYEOF
views 2
for f in history2 replan2 show2 list2 recall2; do
    ok 'grep -qF "<byte 0xFF>" "$TMP/$f.txt"' "$f does not name a byte that is not UTF-8"
done
ok 'grep -qF "<byte 0xFF>Serum <U+001B>" "$TMP/history2.txt"' "history does not name the serum's byte"
named "$TMP/recall2.txt" Why
expect 0 "" -- "$MNEEDLE" export --db "$DB" --all --ics "$TMP/all2.ics" --csv "$TMP/all2.csv"
expect 0 "" -- raw "$TMP/all2.ics" --crlf
# recall's iCalendar and CSV: named in the calendar (a reader's text; a newline is the value's
# own "\n", RFC 5545 3.3.11), exact in the CSV but for the byte that is not UTF-8.
expect 0 "" -- "$MNEEDLE" recall --db "$DB" --due-before 2030-01-01 --ics --output "$TMP/recall2.ics"
expect 0 "" -- raw "$TMP/recall2.ics" --crlf
expect 0 "" -- "$MNEEDLE" recall --db "$DB" --due-before 2030-01-01 --csv --output "$TMP/recall2.csv"
ok '$PY - "$TMP" <<PYEOF
import csv, sys
tmp = sys.argv[1]
t = open(tmp + "/reason.txt", newline="").read()
ics = open(tmp + "/recall2.ics", newline="").read().replace("\r\n ", "")
assert "Why <U+001B>[31mred<U+001B>[0m <U+202E>right-to-left<U+202C>\\\\nforged line<byte 0xFF>\\\\;" in ics, ics
rows = list(csv.DictReader(open(tmp + "/recall2.csv", newline="", encoding="utf-8")))
assert [r["client"] for r in rows] == ["c-amy"], rows
assert rows[0]["reason"].endswith(" " + t + "<byte 0xFF>"), rows
PYEOF' "recall's iCalendar or CSV does not show the record's reason as it should"
ok '$PY - "$TMP" <<PYEOF
import csv, sys
tmp = sys.argv[1]
t = lambda k: open(tmp + "/" + k + ".txt", newline="").read()
rows = list(csv.DictReader(open(tmp + "/all2.csv", newline="", encoding="utf-8")))
assert [r["event"] for r in rows if r["type"] == "adverse_event"] == ["<byte 0xFF>" + t("event")]
PYEOF' "the CSV holds a byte that is not UTF-8, or does not name it"

# The checker finds a raw escape, an override, a byte that is not UTF-8 and a forged line.
printf 'a\033[8mb\n' >"$TMP/esc.txt"
expect 1 "" -- raw "$TMP/esc.txt"
printf 'a\342\200\256b\n' >"$TMP/rlo.txt"
expect 1 "" -- raw "$TMP/rlo.txt"
printf 'a\377b\n' >"$TMP/ff.txt"
expect 1 "" -- raw "$TMP/ff.txt"
printf 'a\nforged line\n' >"$TMP/forged.txt"
expect 1 "" -- raw "$TMP/forged.txt"

# Free text as long as a field allows (250 bytes), of two-byte characters: kept whole when read
# back (history) and in the FHIR note that joins serum and lot, never cut inside a character.
DB="$TMP/long.db"
expect 0 "" -- "$MNEEDLE" db init --db "$DB"
expect 0 "stdout:^c-long$" -- "$MNEEDLE" client add --db "$DB" --id c-long \
    "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
expect 0 "" -- "$MNEEDLE" plan c-long --save --db "$DB"
session 1 c-long "$TMP/long.json"
$PY - "$TMP/long.json" <<'PYEOF' || exit 1
import json, sys
s = json.load(open(sys.argv[1]))
s.update(serial="\u00e9" * 125, cartridge_lot="\u00e8" * 125, serum="\u00e9" * 125,
         serum_lot="\u00ea" * 125, endpoint="\u00eb" * 125, reactions="\u00ef" * 125)
json.dump(s, open(sys.argv[1], "w"))
PYEOF
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/long.json"
expect 0 "" -- "$MNEEDLE" history --db "$DB" --json --output "$TMP/long-h.json" c-long
expect 0 "" -- "$MNEEDLE" export --db "$DB" c-long --fhir "$TMP/long.fhir.json" --csv "$TMP/long.csv"
expect 0 "" -- raw "$TMP/long.fhir.json"
ok '$PY - "$TMP" <<PYEOF
import json, sys
tmp = sys.argv[1]
want = json.load(open(tmp + "/long.json"))
[x] = json.load(open(tmp + "/long-h.json", encoding="utf-8"))["sessions"]
for k in ("serial", "cartridge_lot", "serum", "serum_lot", "endpoint", "reactions"):
    assert x[k] == want[k], (k, len(x[k].encode()))
b = json.load(open(tmp + "/long.fhir.json", encoding="utf-8"))
[p] = [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == "Procedure"]
notes = [n["text"] for n in p["note"]]
assert "serum %s lot %s" % (want["serum"], want["serum_lot"]) in notes, notes
PYEOF' "a long serum and lot of two-byte characters are cut in history or the FHIR export"
finish
