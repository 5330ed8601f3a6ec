# What a clinic reads after a dermatology and pharmacy review (docs/clinic.md "Aftercare",
# docs/screening.md): nothing goes on the skin on the treatment day and the moisturiser starts
# on day 1; the after-session list names every active the list before the first visit stops,
# with its restart day; darker skin restarts its pigment skincare; a scalp client restarts
# minoxidil the next day; daily SPF covers the zone treated least often; a client on blood
# thinners is not told bleeding stops at once; a history of cold sores gives a caution and an
# antiviral step for any facial zone; breastfeeding defers for a true reason; thread lifts wait
# longer than fillers; a neck is not said to be "usually" needled deeper than its limit.
. "$(dirname "$0")/lib.sh"

client() { # ZONES-AND-CONCERNS HISTORY FITZPATRICK
    cat <<JSON
{"client": {"age": 41, "sex": "female", "fitzpatrick": ${3:-2}},
 "concerns": [$1],
 "history": {${2}}, "lifestyle": {"smoker": false, "sun": "moderate"},
 "clinic": {"device": "skinpen", "price_per_session": 200, "start": "2027-03-01"}}
JSON
}
CHEEK='{"concern": "fine-lines-wrinkles", "zones": ["cheek"], "severity": "moderate"}'
FOREHEAD='{"concern": "fine-lines-wrinkles", "zones": ["forehead"], "severity": "moderate"}'
SCALP='{"concern": "hair-loss", "zones": ["scalp"], "severity": "moderate"}'
NECK='{"concern": "skin-laxity", "zones": ["neck"], "severity": "moderate"}'

client "$CHEEK" >"$TMP/plain.json"
client "$CHEEK" '"anticoagulants": true' >"$TMP/thinners.json"
client "$CHEEK" "" 5 >"$TMP/dark.json"
client "$SCALP, $NECK" >"$TMP/scalpneck.json"
client "$FOREHEAD" '"herpes_simplex_history": true' >"$TMP/hsv.json"
client "$SCALP" '"herpes_simplex_history": true' >"$TMP/hsvscalp.json"
for c in plain thinners dark scalpneck hsv hsvscalp; do
    expect 0 "" -- "$MNEEDLE" plan --json -o "$TMP/$c.out" "$TMP/$c.json"
done

cat >"$TMP/check.py" <<'PY'
import json, re, sys
name, plan = sys.argv[1], json.load(open(sys.argv[2]))
after = {a["id"]: a for a in plan["aftercare"]}
pre = {t["id"]: t for t in plan["pretreatment"]}
codes = {f["code"] for f in plan["screening"]["findings"]}
bad = []
def need(cond, what):
    if not cond:
        bad.append(what)
# Every plan: nothing on the skin on day 0; no product applied on day 0; the avoid list names
# every active the list before the first visit stops, and says when to restart.
need("nothing-on-day-0" in after, "no day-0 item")
for a in plan["aftercare"]:
    if a["kind"] == "do" and a["day_from"] == 0:
        need(not re.search(r"moisturis|serum|cream|SPF|lotion|apply", a["text"], re.I),
             "a product on day 0: " + a["text"])
words = after["no-actives"]["text"].lower()
for w in ("retin", "glycolic", "salicylic", "benzoyl peroxide", "vitamin c", "hydroquinone",
          "azelaic", "tranexamic", "day 8"):
    need(w in words, "the avoid list does not name %r" % w)
need(after["red-flag-persistent"]["day_from"] == 7, "persistent redness not said on day 7")
if name == "thinners":
    need("expect-bleeding" not in after and "expect-bleeding-anticoagulant" in after,
         "blood thinners: the bleeding line")
else:
    need("expect-bleeding" in after and "expect-bleeding-anticoagulant" not in after,
         "no blood thinners: the bleeding line")
if name == "dark":
    need("pigment-prime" in pre and "pigment-restart" in after, "no pigment restart")
else:
    need("pigment-restart" not in after, "pigment restart without priming")
if any(z["zone"] == "scalp" for z in plan["zones"]):
    need("minoxidil-restart" in after, "no minoxidil restart for the scalp")
else:
    need("minoxidil-restart" not in after, "minoxidil for a client without a scalp zone")
if name == "scalpneck":
    # weekly scalp, monthly neck: SPF until the neck is treated again
    need(after["spf"]["day_to"] >= 27, "SPF ends on day %d" % after["spf"]["day_to"])
    neck = [z for z in plan["zones"] if z["zone"] == "neck"][0]
    need("usually 1.5-2.5 mm here" not in neck["why"], "neck: " + neck["why"])
if name == "hsv":
    need("MN-HSV-PERIORAL" in codes, "cold sores, forehead: no caution")
    need("antiviral" in pre and pre["antiviral"]["days_before"] == 1, "no antiviral step")
elif name == "hsvscalp":
    need("MN-HSV-PERIORAL" not in codes and "antiviral" not in pre, "cold sores, scalp only")
for b in bad:
    print("FAIL: %s: %s" % (name, b))
sys.exit(1 if bad else 0)
PY
for c in plain thinners dark scalpneck hsv hsvscalp; do
    expect 0 "" -- python3 "$TMP/check.py" "$c" "$TMP/$c.out"
    [ -s "$TMP/out" ] && sed 's/^/  | /' "$TMP/out"
done

# Breastfeeding defers, for a true reason: not the numbing cream.
client "$CHEEK" '"breastfeeding": true' >"$TMP/bf.json"
expect 0 "stdout:as a cosmetic treatment it can safely wait" -- "$MNEEDLE" screen "$TMP/bf.json"
expect 0 "" -- "$MNEEDLE" screen "$TMP/bf.json"
if grep -q "numbing creams used with needling have not been studied" "$TMP/out"; then
    echo "FAIL: breastfeeding: the old reason"; fails=$((fails + 1))
fi

# Threads wait 8 weeks, fillers 2: 3 weeks after threads defers, 3 weeks after fillers does
# not.
client "$CHEEK" '"threads_weeks_ago": 3' >"$TMP/threads.json"
expect 0 "stdout:MN-THREADS" -- "$MNEEDLE" screen "$TMP/threads.json"
expect 0 "stdout:8 weeks" -- "$MNEEDLE" screen "$TMP/threads.json"
client "$CHEEK" '"filler_or_threads_weeks_ago": 3' >"$TMP/filler.json"
expect 0 "" -- "$MNEEDLE" screen "$TMP/filler.json"
if grep -q "MN-FILLER\|MN-THREADS" "$TMP/out"; then
    echo "FAIL: fillers 3 weeks ago defer"; fails=$((fails + 1))
fi

# An unknown rule or pre-treatment named by an aftercare item is refused, naming the place.
mkdir -p "$TMP/data"
sed 's/"unless_rule": "MN-ANTICOAGULANT"/"unless_rule": "MN-NOSUCH"/' \
    "$MN_SOURCE_DIR/data/aftercare.json" >"$TMP/data/aftercare.json"
expect 2 'aftercare\.json: \$\.aftercare\[[0-9]+\]\.unless_rule: unknown rule "MN-NOSUCH"' -- \
    "$MNEEDLE" plan --data "$TMP/data" "$TMP/plain.json"
sed 's/"with_pretreatment": "pigment-prime"/"with_pretreatment": "nosuch"/' \
    "$MN_SOURCE_DIR/data/aftercare.json" >"$TMP/data/aftercare.json"
expect 2 'aftercare\.json: \$\.aftercare\[[0-9]+\]\.with_pretreatment: unknown pre-treatment "nosuch"' -- \
    "$MNEEDLE" plan --data "$TMP/data" "$TMP/plain.json"

finish
