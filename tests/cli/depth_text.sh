# A needle setting reads the same wherever a plan or a simulation prints it: 1.25 mm in the
# depth table is 1.25 mm in the risk notes, the projection, the report and the simulation's
# session list, never "1.2 mm" (a setting no pen has, as "%.2g" printed it).
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
expect 0 "stdout:cheek +acne-scars +0\.75-1\.25" -- cat "$TMP/plan.txt"
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
expect 0 "stdout:day 0 skinpen 1\.25 mm" -- cat "$TMP/sim.txt"
expect 1 "" -- grep -q "1\.2 mm" "$TMP/sim.txt"
finish
