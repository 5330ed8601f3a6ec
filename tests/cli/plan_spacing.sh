# The course spacing the plan states per zone is the spacing its visits give: for every bundled
# client, zones[].course_gaps_days are the days between the zone's course settings
# (sessions[].settings[].course_step > 0), gap by gap, none below zones[].course_interval_days,
# and the text plan prints each zone, by its name, with those gaps; a zone not booked has none. Maya's
# abdomen, booked with her monthly melasma course, is stated as 42 days twice.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

cat >"$TMP/check.py" <<'PY'
import datetime, json, os, re, sys
plan = json.load(open(sys.argv[1]))
src = os.environ["MN_SOURCE_DIR"]  # the text names each zone (data/sites.json), the JSON its id
NAME = {e["id"]: e["name"] for e in json.load(open(src + "/data/sites.json"))["sites"]}
text = open(sys.argv[2], encoding="utf-8").read()
day = lambda s: datetime.date.fromisoformat(s).toordinal()
lines = text[text.index("Course spacing"):].split("\n")[1:]
lines = lines[:next(i for i, l in enumerate(lines) if not l.startswith("    "))]
for z in plan["zones"]:
    if not z.get("booked", True):  # not booked (docs/clinic.md): no course, no spacing line
        assert z["course_gaps_days"] == [], z
        continue
    dates = [day(s["date"]) for s in plan["sessions"] for st in s["settings"]
             if st["zone"] == z["zone"] and st["course_step"] > 0]
    gaps = [b - a for a, b in zip(dates, dates[1:])]
    assert gaps == z["course_gaps_days"], (z["zone"], gaps, z["course_gaps_days"])
    assert all(g >= z["course_interval_days"] for g in gaps), (z["zone"], gaps)
    line = next(l for l in lines if NAME[z["zone"]] in re.split(r", ", l.strip().split(":")[0]))
    if gaps and any(g != z["course_interval_days"] for g in gaps):
        want = ", ".join(map(str, gaps)) + " days"
        assert want in line and "interval is %d days" % z["course_interval_days"] in line, line
    elif gaps:
        assert "every %d days" % z["course_interval_days"] in line, line
want = sys.argv[3:]
if want:
    z = next(z for z in plan["zones"] if z["zone"] == want[0])
    assert z["course_gaps_days"] == [int(g) for g in want[2:]], z
    assert z["course_interval_days"] == int(want[1]), z
PY

for f in "$MN_SOURCE_DIR"/examples/clients/*.json; do
    name=$(basename "$f" .json)
    "$MNEEDLE" plan --json "$f" >"$TMP/$name.json" 2>/dev/null
    "$MNEEDLE" plan "$f" >"$TMP/$name.txt" 2>/dev/null
    if ! grep -q '"course_step"' "$TMP/$name.json"; then
        continue # a client who is not treated has no course
    fi
    extra=""
    [ "$name" = maya-striae-melasma ] && extra="abdomen 42 42 42"
    # shellcheck disable=SC2086
    expect 0 "" -- "$PY" "$TMP/check.py" "$TMP/$name.json" "$TMP/$name.txt" $extra
done
[ "$passes" -ge 4 ] || { echo "FAIL: only $passes treated clients checked"; fails=$((fails + 1)); }

finish
