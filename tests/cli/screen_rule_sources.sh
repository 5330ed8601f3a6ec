# Rules say no more than their sources (data/rules.json, docs/screening.md): a decline the
# source does not make is labelled judgement with its reason; the keloid rule covers keloids,
# not the hypertrophic scars its own source reports treated; a home device's 2-week pause is
# labelled assumed and is on the list before the first visit for a client who uses one. The
# phototype rule's interval text names only changes its block makes to a bundled concern's course
# (the course interval is the larger of interval_days and min_interval_days, src/clinic/plan.c).
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1793491200

cat >"$TMP/check.py" <<'PY'
import json, re, sys
rules = {r["code"]: r for r in json.load(open(sys.argv[1]))["rules"]}
concerns = json.load(open(sys.argv[2]))["concerns"]
bad = []
pih = rules["MN-PIH-RISK"]["adjust"]
courses = {max(c["interval_days"], c.get("min_interval_days", 0)) for c in concerns}
made = {(d, d + pih["interval_days"]) for d in courses}
words = {"weekly": 7, "fortnightly": 14, "3-weekly": 21, "4-weekly": 28, "monthly": 28,
         "6-weekly": 42}
claims = re.findall(r"([\w-]+) (?:course|series)(?: \([^)]*\))? becomes ([\w-]+)", pih["source"])
if not claims:
    bad.append("MN-PIH-RISK: the source does not say what the interval block makes of a course")
for a, b in claims:
    if (words.get(a), words.get(b)) not in made:
        bad.append("MN-PIH-RISK: no bundled course goes from %s to %s (courses: %s, +%d days)"
                   % (a, b, sorted(courses), pih["interval_days"]))
if "[JUDGEMENT]" not in rules["MN-BLEEDING-DISORDER"]["source"]:
    bad.append("MN-BLEEDING-DISORDER: the decline is not labelled [JUDGEMENT]")
k = rules["MN-KELOID"]
if "raised scar" in (k["message"] + k.get("advice", "")).lower() or "keloid" not in k["message"]:
    bad.append("MN-KELOID: the message goes beyond keloids: %r" % k["message"])
h = rules["MN-HOME-DEVICE"]["source"]
if "2 weeks" not in h or not ("[ASSUMED]" in h or "[JUDGEMENT]" in h):
    bad.append("MN-HOME-DEVICE: the 2 weeks are not labelled")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
expect 0 "" -- python3 "$TMP/check.py" "$MN_SOURCE_DIR/data/rules.json" "$MN_SOURCE_DIR/data/concerns.json"
[ -s "$TMP/out" ] && sed 's/^/  | /' "$TMP/out"

client() {
    cat <<JSON
{"client": {"age": 40, "sex": "female", "fitzpatrick": 2},
 "concerns": [{"concern": "acne-scars", "zones": ["cheek"]}],
 "history": {$1},
 "clinic": {"device": "skinpen", "price_per_session": 1, "start": "2027-01-04"}}
JSON
}
client '"home_device_use": true' >"$TMP/home.json"
client '' >"$TMP/none.json"
expect 0 'stdout:"id": "no-home-device"' -- "$MNEEDLE" plan --json "$TMP/home.json"
expect 0 'stdout:stop using any home roller or pen' -- "$MNEEDLE" plan "$TMP/home.json"
if "$MNEEDLE" plan --json "$TMP/none.json" | grep -q '"no-home-device"'; then
    echo "FAIL: the home-device pause is given to a client who uses none"; fails=$((fails + 1))
else
    passes=$((passes + 1))
fi

finish
