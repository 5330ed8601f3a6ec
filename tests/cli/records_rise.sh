# End-to-end: record session refuses a zone deeper than the plan's rise per visit above the depth
# of the last session on it (zones[].rise_per_visit_mm: MN_PLAN_RISE_MM, 0.5 mm, or the gentler
# MN_PLAN_RISE_GENTLE_MM, 0.25 mm, where the plan applies gentle_rise), naming the zone, the
# depth, the limit and the last session's date, with nothing stored, unless --override (audited)
# records it; replan holds the visits left to the same rise and says so, and its next visit is
# recorded (docs/records.md, "Off-protocol sessions").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1814400000 # 2027-07-01

# cheek_at N CLIENT CHEEK_MM FILE: planned visit N as planned, the cheek at CHEEK_MM.
cheek_at() {
    session "$1" "$2" "$4"
    $PY -c 'import json, sys
d = json.load(open(sys.argv[1]))
for z in d["zones"]:
    if z["zone"] == "cheek":
        z["depth_mm"] = float(sys.argv[2])
json.dump(d, open(sys.argv[1], "w"))' "$4" "$3"
}
sessions() {
    count=$($PY -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM sessions").fetchone()[0])' "$DB")
}

# Amelia (phototype II): cheek 0.50, 0.50, 0.75, 1.00 ... mm, a rise of 0.5 mm a visit. Visit 3
# done lighter, at 0.25 mm: visit 4's 1.00 mm is 0.75 mm above it.
amelia_planned 2
cheek_at 3 c-amelia 0.25 "$TMP/s3.json"
expect 0 "replan holds the next visit to the plan.s rise per visit above it\)" -- \
    "$MNEEDLE" record session --db "$DB" "$TMP/s3.json"
session 4 c-amelia "$TMP/s4.json"
expect 2 "s4.json: \\\$: cheek 1.00 mm is deeper than the 0.75 mm allowed after the session of 2027-01-26 on it \(\\\$\.zones\[2\]\.depth_mm\): at most 0.50 mm above its 0.25 mm, the plan.s rise per visit \(a judgement\); nothing was recorded \(give --override REASON to record it anyway\)" \
    -- "$MNEEDLE" record session --db "$DB" "$TMP/s4.json"
sessions
ok '[ "$count" -eq 3 ]' "a session refused for its rise stored something ($count sessions)"
# replan books visit 4 at the rise, the later visits one rise further each, and says why.
expect 0 "stdout:does not keep the plan.s settings for it: a depth is held to the plan.s rise per visit above the last session" \
    -- "$MNEEDLE" replan --db "$DB" c-amelia
ok 'grep -Eq "^ +4 course +[0-9-]+ +Forehead 0.50 mm x 3, Periorbital / eyelid 0.50 mm x 3, Cheek 0.75 mm x 3$" "$TMP/out" &&
    grep -Eq "^ +5 course +[0-9-]+ .*Cheek 1.25 mm x 3$" "$TMP/out" &&
    grep -q "Held to the plan.s rise per visit .*Cheek: 0.75 mm at visit 4, not 1.00 mm: at most 0.50 mm a visit above the 0.25 mm of session 3 (2027-01-26)" "$TMP/out"' \
    "replan books visit 4 beyond the rise above the lighter session 3, or does not say so"
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --json c-amelia
ok '$PY -c "
import json, sys
r = json.load(open(sys.argv[1]))
assert r[\"next_visit_keeps_plan\"] is False and \"cheek: 0.75 mm at visit 4\" in r[\"rise_held\"], r
" "$TMP/out"' "replan's JSON does not carry the rise it held visit 4 to"
# --override records it, the rule it went past named in the audit log.
cp "$DB" "$TMP/override.db"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$TMP/override.db" \
    --override "skin took 1.0 mm before this course" "$TMP/s4.json"
ok '$PY -c "
import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute(\"SELECT detail FROM audit WHERE action = \x27override\x27\").fetchall()
assert r == [(\"override: rise-per-visit\",)], r
" "$TMP/override.db"' "the rise's override is not in the audit log by its rule alone"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$TMP/override.db"
# replan's setting is recorded without a reason.
as_replanned c-amelia "$TMP/s4.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s4.json"

# A visit that leaves the zone out counts from the session before it: Amelia's visits 1 and 2
# on the cheek at 0.50 mm, visit 3 without it, visit 4 at 1.00 mm is within one rise.
rm -f "$DB"
amelia_planned 2
session 3 c-amelia "$TMP/s3.json"
$PY -c 'import json, sys
d = json.load(open(sys.argv[1])); d["zones"] = [z for z in d["zones"] if z["zone"] != "cheek"]
json.dump(d, open(sys.argv[1], "w"))' "$TMP/s3.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s3.json"
cheek_at 4 c-amelia 1.25 "$TMP/s4.json"
$PY -c 'import json, sys
d = json.load(open(sys.argv[1]))
for z in d["zones"]:
    if z["zone"] == "cheek": z["depth_mm"] = 1.0
json.dump(d, open(sys.argv[1], "w"))' "$TMP/s4.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s4.json"

# The gentler rise: Amelia as phototype IV, where MN-PIH-RISK applies gentle_rise (cheek 0.25,
# 0.25, 0.50, 0.75 ... mm). Visit 3 at 0.25 mm: visit 4's 0.75 mm is within 0.5 mm of it but
# not within the plan's 0.25 mm.
rm -f "$DB"
expect 0 "" -- "$MNEEDLE" db init --db "$DB"
$PY -c 'import json, sys
d = json.load(open(sys.argv[1])); d["client"]["fitzpatrick"] = 4
json.dump(d, open(sys.argv[2], "w"))' "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json" "$TMP/amelia4.json"
expect 0 "stdout:^c-four$" -- "$MNEEDLE" client add --db "$DB" --id c-four "$TMP/amelia4.json"
expect 0 "" -- "$MNEEDLE" plan c-four --save --db "$DB"
for k in 1 2; do
    session "$k" c-four "$TMP/g$k.json"
    expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/g$k.json"
done
cheek_at 3 c-four 0.25 "$TMP/g3.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/g3.json"
session 4 c-four "$TMP/g4.json"
expect 2 "cheek 0.75 mm is deeper than the 0.50 mm allowed after the session of [0-9-]+ on it \(\\\$\.zones\[2\]\.depth_mm\): at most 0.25 mm above its 0.25 mm, the plan.s gentler rise per visit" \
    -- "$MNEEDLE" record session --db "$DB" "$TMP/g4.json"
as_replanned c-four "$TMP/g4.json"
ok 'grep -q "\"depth_mm\": 0.5" "$TMP/g4.json"' "replan's next visit for the gentler rise is not 0.50 mm"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/g4.json"
# A session charted late, dated between two recorded ones, is checked against the one after it
# too: Amelia's visits 1 and 2 at 0.50 mm on the cheek, visit 4 recorded at its 1.00 mm (with
# --override: it is the third session done, whose planned 0.75 mm it passes), then visit 3
# charted on its own date at 0.25 mm: visit 4's 1.00 mm is then 0.75 mm above it, more than the
# 0.50 mm rise, so it is refused, nothing stored; at 0.50 mm it is within the rise and recorded.
rm -f "$DB"
amelia_planned 2
session 3 c-amelia "$TMP/l3.json"
session 4 c-amelia "$TMP/l4.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" \
    --override "visit 3 charted later" "$TMP/l4.json"
cheek_at 3 c-amelia 0.25 "$TMP/l3.json"
l4_date=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["date"])' "$TMP/l4.json")
expect 2 "l3.json: \\\$: cheek 0.25 mm is more than 0.50 mm below the 1.00 mm of the session of $l4_date on it after this one \(\\\$\.zones\[2\]\.depth_mm\): that session would have risen more than the plan.s rise per visit above this one \(a judgement\); nothing was recorded \(give --override REASON to record it anyway\)" \
    -- "$MNEEDLE" record session --db "$DB" "$TMP/l3.json"
sessions
ok '[ "$count" -eq 3 ]' "a late session refused for the rise after it stored something ($count sessions)"
cheek_at 3 c-amelia 0.50 "$TMP/l3.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/l3.json"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
finish
