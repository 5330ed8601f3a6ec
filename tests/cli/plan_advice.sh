# What a plan tells the client to do and to expect agrees with mainstream practice and with the
# plan itself (data/aftercare.json, docs/clinic.md "Before the first visit"):
# - occasional aspirin is paused 7 days before the first visit, not 3: it blocks platelets for
#   their life of 7-10 days, and the clinic instructions cited give a week for blood thinners;
#   occasional ibuprofen stays at 3 days, and a prescribed medicine is never stopped;
# - anti-wrinkle (botulinum toxin) and filler injections are spaced 2 weeks before the first
#   visit, as peels and laser are; screening defers for 2 weeks after fillers (MN-FILLER) and
#   after botulinum toxin (MN-BOTULINUM, tests/cli/plan_inputs.sh);
# - "what to expect" promises no result by a date: the plan's own projection peaks months
#   after the first session, so no line may say scars or lines improve within weeks.
. "$(dirname "$0")/lib.sh"

export SOURCE_DATE_EPOCH=1793491200
client="$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"   # first visit 2026-12-01
expect 0 "" -- "$MNEEDLE" plan --json "$client"
cp "$TMP/out" "$TMP/plan.json"
expect 0 "" -- "$MNEEDLE" plan "$client"
cp "$TMP/out" "$TMP/plan.txt"

cat >"$TMP/check.py" <<'PY'
import json, re, sys
plan = json.load(open(sys.argv[1]))
text = open(sys.argv[2], encoding="utf-8").read()
bad = []
pre = {t["id"]: t for t in plan["pretreatment"]}
a = pre.get("aspirin")
if not a:
    bad.append("no aspirin item before the first visit")
else:
    if a["days_before"] < 7 or a["from"] != "2026-11-24":
        bad.append("aspirin paused %s days before (from %s), expected 7 (2026-11-24)"
                   % (a["days_before"], a["from"]))
    if "prescribed" not in a["text"]:
        bad.append("aspirin item does not say a prescribed aspirin is kept")
for t in plan["pretreatment"]:
    if t["days_before"] < 7 and re.search(r"aspirin", t["text"], re.I):
        bad.append("%s pauses aspirin only %d days: %s" % (t["id"], t["days_before"], t["text"]))
o = pre.get("no-other-treatments")
if not o or o["days_before"] < 14 or not re.search(r"botulinum", o["text"]) \
        or not re.search(r"filler", o["text"]):
    bad.append("no 2-week spacing for botulinum toxin and filler injections before the first visit")
if not re.search(r"from 2026-11-24 +If you take aspirin", text):
    bad.append("the text plan does not date the aspirin pause 2026-11-24")
for item in plan["aftercare"]:
    if item.get("kind") == "expect" and re.search(r"\b(improves?|will)\b.*\bweeks\b", item["text"]):
        bad.append("expect item %s promises a result within weeks: %s" % (item["id"], item["text"]))
if re.search(r"improve over 3-6 weeks", text):
    bad.append("text plan promises improvement over 3-6 weeks")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
expect 0 "" -- python3 "$TMP/check.py" "$TMP/plan.json" "$TMP/plan.txt"
[ -s "$TMP/out" ] && sed 's/^/  | /' "$TMP/out"

finish
