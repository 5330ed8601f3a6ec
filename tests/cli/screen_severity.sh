# A finding's severity and its words agree (docs/screening.md): "decline" is a treatment the
# clinic does not offer this client, so a declined client is never asked to come back; "defer"
# waits for a date or a condition to be met. Immunosuppression (until the specialist's written
# clearance) and a suspicious lesion (until a doctor finds it harmless) are conditions to meet:
# deferrals with no date, like uncontrolled diabetes.
. "$(dirname "$0")/lib.sh"

client() {
    cat <<JSON
{"client": {"age": 45, "sex": "female", "fitzpatrick": 2},
 "concerns": [{"concern": "fine-lines-wrinkles", "zones": ["cheek"]}],
 "history": {$1},
 "clinic": {"device": "skinpen", "price_per_session": 300, "start": "2027-03-01"}}
JSON
}

for flag in immunosuppressed suspicious_lesion_at_site; do
    client "\"$flag\": true" >"$TMP/$flag.json"
    expect 0 'stdout:"decision": "defer"' -- "$MNEEDLE" screen --json "$TMP/$flag.json"
    expect 0 'stdout:"rescreen_date": null' -- "$MNEEDLE" screen --json "$TMP/$flag.json"
    expect 0 'stdout:"come_back": null' -- "$MNEEDLE" plan --json "$TMP/$flag.json"
    expect 0 'stdout:"sessions": \[\]' -- "$MNEEDLE" plan --json "$TMP/$flag.json"
    expect 0 'stdout:No date can be given yet: come back' -- "$MNEEDLE" plan "$TMP/$flag.json"
    expect 0 'stdout:Not yet: treatment has to wait' -- "$MNEEDLE" plan "$TMP/$flag.json"
done

# A declined client with a deferring finding as well: the next steps are the decline's only,
# never the deferral's "bring it to a new consultation".
client '"keloid_history": true, "immunosuppressed": true' >"$TMP/both.json"
expect 0 'stdout:"decision": "decline"' -- "$MNEEDLE" plan --json "$TMP/both.json"
cp "$TMP/out" "$TMP/both-plan.json"
cat >"$TMP/check_both.py" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
advice = plan["next_steps"]["advice"]
bad = [a for a in advice if "consultation" in a or "come back" in a]
for a in bad:
    print("FAIL: a declined plan asks the client back:", a)
if "come_back" in plan["next_steps"]:
    print("FAIL: a declined plan has a come_back")
    bad.append(1)
sys.exit(1 if bad else 0)
PY
expect 0 "" -- python3 "$TMP/check_both.py" "$TMP/both-plan.json"
[ -s "$TMP/out" ] && sed 's/^/  | /' "$TMP/out"

# Every rule in the catalogue: a decline's message and advice never invite the client back
# (a new consultation, a clearance to bring, a wait until something is found or confirmed),
# and a rule whose advice books a new consultation is a defer.
cat >"$TMP/check_rules.py" <<'PY'
import json, re, sys
rules = json.load(open(sys.argv[1]))["rules"]
back = re.compile(r"new consultation|come back|clearance|we will (wait|treat)|once|until", re.I)
bad = 0
for r in rules:
    words = r["message"] + " " + r.get("advice", "")
    if r["severity"] == "decline" and back.search(words):
        print("FAIL: %s declines but invites the client back: %r"
              % (r["code"], back.search(words).group(0)))
        bad += 1
    if "new consultation" in r.get("advice", "") and r["severity"] != "defer":
        print("FAIL: %s books a new consultation but is a %s" % (r["code"], r["severity"]))
        bad += 1
sys.exit(1 if bad else 0)
PY
expect 0 "" -- python3 "$TMP/check_rules.py" "$MN_SOURCE_DIR/data/rules.json"
[ -s "$TMP/out" ] && sed 's/^/  | /' "$TMP/out"

finish
