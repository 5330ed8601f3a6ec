# A warning is never cut: at the longest its inputs allow, the warning of sessions closer than
# the concern's minimum interval (simulate and cohort), and those listing zones on a recorded
# session (sooner than the minimum, lighter than the plan), fit mn_warning.message (320 bytes)
# whole; a list of zones longer than the room left names the first and then "and N more zones",
# N exact.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02

# simulate: MN_HEALING_MAX_SESSIONS (1000) sessions, the first close one past day 10000 and 13
# days after the one before (fine lines' minimum is 14, its id the catalogue's longest), every
# interval close.
$PY - "$TMP/close.json" <<'PYEOF'
import json, sys
days = [10000, 10013] + [10013 + k for k in range(1, 999)]
json.dump({"patient": {"age": 45, "sex": "female", "fitzpatrick": 2}, "zone": "cheek",
           "concern": "fine-lines-wrinkles", "report_days": [days[-1] + 1],
           "sessions": [{"day": d, "device": "skinpen", "needle_mm": 1.5, "passes": 3}
                        for d in days]}, open(sys.argv[1], "w"))
PYEOF
expect 0 "" -- "$MNEEDLE" simulate --band 0 --json -o "$TMP/close.out" "$TMP/close.json"
ok '$PY - "$TMP/close.out" <<"PYEOF"
import json, sys
w = [x for x in json.load(open(sys.argv[1]))["warnings"] if x["code"] == "interval_below_concern_minimum"]
assert len(w) == 1, w
m = w[0]["message"]
assert m.startswith("day 10013 is 13 days after the session before, closer than fine-lines-wrinkles"), m
assert "999 of the 999 intervals are that close" in m, m
assert m.endswith("so read the result as an extrapolation") and "..." not in m, m
assert len(m.encode()) <= 300, len(m.encode())
PYEOF' "the longest close-sessions warning of simulate is cut or too long"

# record session: a plan treating surgical scars on all 17 zones (minimum 28 days), visit 1
# recorded, then a session 27 days after it on every zone: sooner, and lighter than visit 2.
cat > "$TMP/many.json" <<'JSON'
{"client": {"name": "Many zones", "age": 46, "sex": "female", "fitzpatrick": 2},
 "concerns": [{"concern": "surgical-scars", "severity": "moderate",
               "zones": ["forehead", "glabella", "periorbital", "nose", "cheek", "perioral",
                         "chin", "jawline", "neck", "decolletage", "scalp", "abdomen", "thigh",
                         "buttock", "upper-arm", "back", "hand"]}],
 "history": {}, "lifestyle": {"smoker": false, "sun": "moderate"},
 "clinic": {"device": "skinpen", "price_per_session": 300, "currency": "GBP",
            "start": "2026-12-01"}}
JSON
expect 0 "" -- "$MNEEDLE" db init --db "$DB"
expect 0 "stdout:^c-many$" -- "$MNEEDLE" client add --db "$DB" --id c-many "$TMP/many.json"
expect 0 "" -- "$MNEEDLE" plan c-many --save --db "$DB"
session 1 c-many "$TMP/s1.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s1.json"
session 2 c-many "$TMP/s2.json"
$PY - "$TMP/s2.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["date"] = "2026-12-28"
for z in d["zones"]:
    z["depth_mm"] = 0.25
json.dump(d, open(sys.argv[1], "w"))
PYEOF
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" \
    --override "travelling" "$TMP/s2.json"
ok '$PY - "$TMP/err" <<"PYEOF"
import re, sys
lines = [l.rstrip("\n") for l in open(sys.argv[1]) if "warning:" in l]
msg = lambda l: l.split(": ", 4)[4]  # mneedle record: warning: FILE: PATH: MESSAGE
close = [msg(l) for l in lines if "closer than the minimum interval" in l]
light = [msg(l) for l in lines if "lighter than the plan" in l]
assert len(close) == 1 and len(light) == 1, lines
for m in close + light:
    assert len(m.encode()) < 320 and not m.endswith("..."), m
    assert m.endswith("recorded, as done") or m.endswith("above it)") or m.endswith("next visit)"), m
zones, rest = close[0].split(": ", 1)
named = zones.split(", ")
more = re.fullmatch(r"and (\d+) more zones", named[-1])
assert more and len(named) - 1 + int(more.group(1)) == 17, zones
assert rest.startswith("2026-12-28 is 27 days after the session of 2026-12-01 that treated them"), rest
assert rest.endswith("for Surgical scars (the concern catalogue; the planner never books it); recorded, as done"), rest
items = light[0].split("; ")
more = [i for i in items if i.startswith("and ")]
assert len(more) == 1, items
n = int(re.fullmatch(r"and (\d+) more zones lighter than the plan", more[0]).group(1))
assert items.index(more[0]) + n == 17, items
assert all(" 0.25 mm x 3 is lighter than the plan" in i for i in items[:items.index(more[0])]), items
PYEOF' "a warning listing the zones of a recorded session is cut, or its count of the rest is wrong"

finish
