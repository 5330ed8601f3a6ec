# plan --start replaces the client's clinic.start for one plan (docs/clinic.md):
# - "earliest" starts on the day the plan is prepared plus the longest lead of the client's own
#   steps before the first visit, so no step starts before that day and no start warning is
#   drawn; over every bundled client, including those whose findings add 28-day steps;
# - a date is used as given (a past one still warns), the file is not changed;
# - a malformed value, and --start with --save (the stored plan counts from the stored start),
#   are refused with exit 2.
. "$(dirname "$0")/lib.sh"

export SOURCE_DATE_EPOCH=1793491200 # 2026-11-01
for c in "$MN_SOURCE_DIR"/examples/clients/*.json; do
    name=$(basename "$c" .json)
    expect 0 "" -- "$MNEEDLE" plan --json --start earliest "$c"
    no_stderr "plan --start earliest $name"
    cp "$TMP/out" "$TMP/$name.json"
done

cat >"$TMP/check.py" <<'PY'
import datetime, json, sys
bad, leads, steps = [], {}, set()
for path in sys.argv[1:]:
    p = json.load(open(path))
    day = datetime.date.fromisoformat
    prepared, start = day(p["prepared"]), day(p["client"]["start"])
    lead = max([t["days_before"] for t in p["pretreatment"]], default=0)
    leads[path] = lead
    steps |= {t["days_before"] for t in p["pretreatment"]}
    if (start - prepared).days != lead:
        bad.append("%s: start %s is not %s + %d days" % (path, start, prepared, lead))
    for t in p["pretreatment"]:
        if day(t["from"]) < prepared:
            bad.append("%s: %s starts %s, before the plan is prepared" % (path, t["id"], t["from"]))
    if any(w["code"] == "start_before_prepared" for w in p["warnings"]):
        bad.append("%s: warns start_before_prepared" % path)
# The check must have seen the common lead (no peel or laser, the wait of screening rule
# MN-PEEL-LASER: 31 days) and, under it, a finding's 28-day step and the two-week one.
if sorted(set(leads.values()) - {0}) != [31]:  # 0: declined or deferred, nothing before
    bad.append("leads seen: %s (expected 31, the peel-and-laser wait)" % sorted(set(leads.values())))
if not {14, 28} <= steps:
    bad.append("steps seen: %s (expected 14 and 28 among them)" % sorted(steps))
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
expect 0 "" -- python3 "$TMP/check.py" "$TMP"/*.json
[ -s "$TMP/out" ] && sed 's/^/  | /' "$TMP/out"

amelia="$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
sum=$(cksum <"$amelia")
expect 0 "" -- "$MNEEDLE" plan --json --start 2027-01-04 "$amelia"
cp "$TMP/out" "$TMP/given.plan"
expect 0 "" -- python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); sys.exit(p["client"]["start"] != "2027-01-04" or p["sessions"][0]["date"] != "2027-01-04")' "$TMP/given.plan"
if [ "$(cksum <"$amelia")" = "$sum" ]; then passes=$((passes + 1)); else
    echo "FAIL: the client file changed"; fails=$((fails + 1)); fi

# A date before the day it is prepared is kept and warned about, as in the file.
expect 0 "the start date 2026-10-20 is 12 days before 2026-11-01" -- "$MNEEDLE" plan --json --start 2026-10-20 "$amelia"

expect 2 "--start: expected YYYY-MM-DD .*or earliest, got .2027-02-30." -- "$MNEEDLE" plan --start 2027-02-30 "$amelia"
expect 2 "--start does not go with --save" -- "$MNEEDLE" plan --save --start earliest ABC

finish
