#!/usr/bin/env bash
# The film and solubility lines say what the model did: a film dried to the solver's floor
# (0.1 % of its volume) is "dry", with no volume of liquid quoted; a solubility estimate held
# at the model's 1,000 mg/ml cap says "capped" (and the JSON's physics.solubility_capped);
# flux intervals read "a-b h", never "to b h".
. "$MN_SOURCE_DIR/tests/cli/lib.sh"
EX="$MN_SOURCE_DIR/examples/scenarios"

"$MNEEDLE" absorb "$EX/absorb-vitc-pen.json" > "$TMP/vc.txt"
expect 0 "stdout:^Film: open to air, dry; on the surface" -- cat "$TMP/vc.txt"
expect 1 "" -- grep -q "liquid left" "$TMP/vc.txt"
expect 1 "" -- grep -q "(to [0-9]" "$TMP/vc.txt"
expect 0 "stdout:\([0-9.]+-[0-9.]+ h\)" -- cat "$TMP/vc.txt"
# Occluded, the film keeps its liquid and says how much.
expect 0 "stdout:^Film: occluded, no evaporation; 10 ul/cm2 of liquid left" -- \
    "$MNEEDLE" absorb "$EX/absorb-caffeine-intact.json"

# HA 5 kDa (logP in the catalogue -4): the general solubility equation gives far more than
# 1,000 mg/ml.
sed 's/"name": "ascorbic-acid", "concentration_mg_ml": 150/"name": "hyaluronic-acid-5kda", "concentration_mg_ml": 10/' \
    "$EX/absorb-vitc-pen.json" > "$TMP/ha.json"
grep -q hyaluronic "$TMP/ha.json" || { echo "FAIL: HA scenario not made"; exit 1; }
expect 0 "stdout:^  Solubility 1000 mg/ml \(capped: " -- "$MNEEDLE" absorb "$TMP/ha.json"
cp "$TMP/out" "$TMP/ha.txt"
expect 1 "" -- grep -q "1e+03" "$TMP/ha.txt"
"$MNEEDLE" absorb --json "$TMP/ha.json" > "$TMP/ha.out"
"$MNEEDLE" absorb --json "$EX/absorb-vitc-pen.json" > "$TMP/vc.out"
expect 0 "" -- /usr/bin/python3 -c "
import json, sys
h = json.load(open(sys.argv[1]))['physics']
v = json.load(open(sys.argv[2]))['physics']
assert h['solubility_capped'] is True and h['solubility_mg_ml'] == 1000, h
assert v['solubility_capped'] is False, v
" "$TMP/ha.out" "$TMP/vc.out"
finish
