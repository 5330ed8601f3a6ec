#!/usr/bin/env bash
# Durations the model extrapolates beyond the evidence's longest follow-up after a course are
# given in the text to the half-year (docs/models/healing.md, "Where the evidence stops"), not
# to the month or the day; the JSON keeps the exact figures, and its answer and note their
# months. Checked on simulate's wrinkles course and amelia's plan, both past the 12 months.
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1793491200

cat >"$TMP/check.py" <<'PY'
import json, os, re, sys
kind, js, txt = sys.argv[1:4]
d = json.load(open(js))
src = os.environ["MN_SOURCE_DIR"]  # the text names zones and concerns (data/), the JSON ids
NAME = {e["id"]: e["name"] for f in ("sites", "concerns")
        for e in json.load(open("%s/data/%s.json" % (src, f)))[f]}
text = open(txt, encoding="utf-8").read().replace("\n  ", " ")
def coarse(days):
    halves = int(days / (365.25 / 2) + 0.5)
    if halves < 1:
        return "under half a year"
    if halves == 1:
        return "half a year"
    if halves == 2:
        return "1 year"
    return "%d%s years" % (halves // 2, ".5" if halves % 2 else "")
if kind == "simulate":
    s = d["summary"]
    assert s["durability_extrapolated"] and s["baseline_extrapolated"], s
    assert "beyond 12 months are the model's extrapolation" in text, text
    want = "half of that gain is lost about %s after the peak" % coarse(s["durability_days"])
    assert want in text, (want, text)
    want = "back to its pre-treatment level after about %s" % coarse(s["back_to_baseline_day"])
    assert want in text, (want, text)
    # No day and no month for the extrapolated figures: the answer's durations are all past it.
    i = text.index("half of that gain")
    j = text.index("the result is not permanent")
    assert not re.search(r"\(day \d+|\d+ months|\d+\.[0-46-9] years", text[i:j]), text[i:j]
    # The JSON's answer keeps the exact form.
    assert "(day %d" % (s["peak_day"] + s["durability_days"]) in d["answer"], d["answer"]
else:
    p = d["projection"]
    assert d["summary"]["durability_extrapolated"], d["summary"]
    want = "half of it is lost about %s after the peak" % coarse(p["durability_days"])
    assert want in text, (want, text)
    assert "months after the peak" in p["note"], p["note"]
    assert p["note"] not in text, "the text prints the JSON's note unchanged"
    for z in p["zones"]:
        want = "%s (%s): " % (NAME[z["zone"]], NAME[z["concern"]])
        line = next(l for l in text.splitlines() if want in l and "peaks at about" in l)
        assert "half of it is lost about %s after the peak" % coarse(z["durability_days"]) in line, line
        assert "months after the peak" in z["note"], z["note"]
print("ok")
PY

f="$MN_SOURCE_DIR/examples/scenarios/simulate-wrinkles-course.json"
"$MNEEDLE" simulate --json "$f" >"$TMP/s.json" 2>/dev/null
"$MNEEDLE" simulate "$f" >"$TMP/s.txt" 2>/dev/null
expect 0 "stdout:ok" -- python3 "$TMP/check.py" simulate "$TMP/s.json" "$TMP/s.txt"

f="$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
"$MNEEDLE" plan --json "$f" >"$TMP/p.json" 2>/dev/null
"$MNEEDLE" plan "$f" >"$TMP/p.txt" 2>/dev/null
expect 0 "stdout:ok" -- python3 "$TMP/check.py" plan "$TMP/p.json" "$TMP/p.txt"

finish
