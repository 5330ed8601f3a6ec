# "Back to baseline" carries its 10-90 % range from the same virtual people as the peak and the
# durability (docs/models/healing.md §8): for every bundled client (plan) and scenario
# (simulate), the JSON gives back_to_baseline_day_low/high (null: beyond the 40 years searched)
# and back_to_baseline_beyond_fraction beside back_to_baseline_day, in the plan's summary, its
# projection and each projected zone; the range is ordered, a null end matches the share not
# back; baseline_extrapolated is set where the day lies past the evidence's longest follow-up;
# and the text states the range and labels the extrapolation.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

cat >"$TMP/check.py" <<'PY'
import json, sys
kind, js, txt = sys.argv[1:4]
d = json.load(open(js))
text = " ".join(open(txt, encoding="utf-8").read().split())

def check(o, where):
    for k in ("back_to_baseline_day", "back_to_baseline_day_low", "back_to_baseline_day_high",
              "back_to_baseline_beyond_fraction"):
        assert k in o, (where, k)
    lo, hi, f = (o["back_to_baseline_day_low"], o["back_to_baseline_day_high"],
                 o["back_to_baseline_beyond_fraction"])
    assert 0 <= f <= 1, (where, f)
    if lo is not None and hi is not None:
        assert lo <= hi, (where, lo, hi)
    if f == 0:
        assert lo is not None and hi is not None, (where, o)
    if hi is None:
        assert f > 0, (where, o)
    if "evidence_followup_days" in o and o["back_to_baseline_day"]:
        assert "baseline_extrapolated" in o, where
    return lo, hi

if kind == "plan":
    if "peak_day" not in d.get("summary", {}):
        sys.exit(0) # no projection
    lo, hi = check(d["summary"], "summary")
    check(d["projection"], "projection")
    for z in d["projection"]["zones"]:
        check(z, "zone " + z["zone"])
    if lo is not None and hi is not None and lo > 0:
        want = "back at its starting level %.0f-%.0f years after the first session" % (
            lo / 365.25, hi / 365.25)
        assert want in text, want
    if d["summary"].get("baseline_extrapolated"):
        assert "the return to the pre-treatment level beyond" in text
else:
    s = d["summary"]
    lo, hi = check(s, "summary")
    if lo is not None and hi is not None and lo != hi:
        i = text.index("back to its pre-treatment level after about")
        assert "10-90 % range" in text[i:i + 200], text[i:i + 200]
    if s.get("baseline_extrapolated"):
        assert "the return to the pre-treatment level beyond" in text
print("ok")
PY

n=0
for f in "$MN_SOURCE_DIR"/examples/clients/*.json; do
    name=$(basename "$f" .json)
    "$MNEEDLE" plan --json "$f" >"$TMP/$name.json" 2>/dev/null
    "$MNEEDLE" plan "$f" >"$TMP/$name.txt" 2>/dev/null
    expect 0 "" -- "$PY" "$TMP/check.py" plan "$TMP/$name.json" "$TMP/$name.txt"
    grep -q '"back_to_baseline_day_low": [0-9]' "$TMP/$name.json" && n=$((n + 1))
done
for f in "$MN_SOURCE_DIR"/examples/scenarios/simulate-*.json; do
    name=$(basename "$f" .json)
    "$MNEEDLE" simulate --json "$f" >"$TMP/$name.json" 2>/dev/null
    "$MNEEDLE" simulate "$f" >"$TMP/$name.txt" 2>/dev/null
    expect 0 "" -- "$PY" "$TMP/check.py" simulate "$TMP/$name.json" "$TMP/$name.txt"
    grep -q '"back_to_baseline_day_low": [0-9]' "$TMP/$name.json" && n=$((n + 1))
done
# The checks above must have met real ranges, not only clients without a projection.
if [ "$n" -ge 5 ]; then passes=$((passes + 1)); else
    echo "FAIL: only $n outputs carry a baseline range"; fails=$((fails + 1))
fi

finish
