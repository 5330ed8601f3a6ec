# A needle setting reads the same wherever a plan or a simulation prints it: 1.25 mm in the
# depth table is 1.25 mm in the risk notes, the projection, the report and the simulation's
# session list, never "1.2 mm" (a setting no pen has, as "%.2g" printed it). A zone's line names
# the bound that caps it once, in words, never by its code ("capped by the zone (clinic limit
# for this zone)" on Tom's neck).
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1796515200

# Phototype VI acne scars on a SkinPen: the cheek goes to 1.25 mm (0.25 mm steps).
cat >"$TMP/client.json" <<'J'
{"client": {"name": "Depth", "age": 30, "sex": "female", "fitzpatrick": 6},
 "concerns": [{"concern": "acne-scars", "zones": ["cheek"], "severity": "severe"}],
 "history": {}, "lifestyle": {"smoker": false, "sun": "moderate"},
 "clinic": {"device": "skinpen", "price_per_session": 300, "currency": "GBP",
            "start": "2027-01-04"}}
J
expect 0 "" -- "$MNEEDLE" plan "$TMP/client.json" --report "$TMP/r.html" -o "$TMP/plan.txt"
expect 0 "" -- "$MNEEDLE" plan "$TMP/client.json" --json -o "$TMP/plan.json"
expect 0 "stdout:needled up to 1\.25 mm" -- cat "$TMP/plan.txt"
expect 0 "stdout:at 1\.25 mm this projection" -- cat "$TMP/plan.txt"
expect 0 "stdout:needle 0\.75-1\.25 mm, starting at 0\.75 mm" -- cat "$TMP/plan.txt"
for f in plan.txt plan.json r.html; do
    expect 1 "" -- grep -q "1\.2 mm" "$TMP/$f"
done

cat >"$TMP/sc.json" <<'J'
{"patient": {"age": 45, "sex": "female", "fitzpatrick": 3}, "zone": "cheek",
 "concern": "wrinkles",
 "sessions": [{"day": 0, "device": "skinpen", "needle_mm": 1.25, "passes": 3},
              {"day": 28, "device": "skinpen", "needle_mm": 1.25, "passes": 3}],
 "report_days": [0, 60]}
J
expect 0 "" -- "$MNEEDLE" simulate "$TMP/sc.json" -o "$TMP/sim.txt"
expect 0 "stdout:day 0 1\.25 mm x 3, day 28 1\.25 mm x 3" -- cat "$TMP/sim.txt"
expect 1 "" -- grep -q "1\.2 mm" "$TMP/sim.txt"

for c in "$MN_SOURCE_DIR"/examples/clients/*.json; do
    name=$(basename "$c" .json)
    expect 0 "" -- "$MNEEDLE" plan "$c" -o "$TMP/$name.txt"
    if grep -Eq "capped by the (zone|anatomy|device|phototype|precautions|concern) \(|clinic limit for this zone.*clinic limit for this zone" "$TMP/$name.txt"; then
        echo "FAIL: $name: a zone's line names its bound twice or by its code:"
        grep -E "capped by the [a-z]+ \(|clinic limit for this zone.*clinic limit for this zone" "$TMP/$name.txt" | sed 's/^/  | /'
        fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
done
expect 0 "stdout:1 mm clinic limit for this zone, which caps it\." -- cat "$TMP/tom-hair-loss.txt"
finish
