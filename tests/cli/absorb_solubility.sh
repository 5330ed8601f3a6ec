#!/usr/bin/env bash
# A product applied above the solubility in water given for it (catalogue or scenario) gets a
# caution in text and JSON: the model's water film is then a suspension, and a product sold
# that strong may hold the solute in a vehicle the model does not describe. Below it, none.
. "$MN_SOURCE_DIR/tests/cli/lib.sh"

# Ascorbic acid: 330 mg/ml in the catalogue (data/products.json).
for c in 150 600; do
    sed "s/\"concentration_mg_ml\": 150/\"concentration_mg_ml\": $c/" \
        "$MN_SOURCE_DIR/examples/scenarios/absorb-vitc-pen.json" > "$TMP/vc$c.json"
    "$MNEEDLE" absorb "$TMP/vc$c.json" | tr '\n' ' ' | tr -s ' ' > "$TMP/vc$c.txt"
    "$MNEEDLE" absorb --json "$TMP/vc$c.json" > "$TMP/vc$c.out"
done
expect 0 "stdout:Caution: 600 mg/ml is applied above the solubility in water given for it, 330 mg/ml" \
    -- cat "$TMP/vc600.txt"
expect 0 "" -- /usr/bin/python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['cautions']; \
assert any('above the solubility in water given for it' in x for x in c), c" "$TMP/vc600.out"
expect 1 "" -- grep -q "above the solubility" "$TMP/vc150.txt"
expect 0 "" -- /usr/bin/python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['cautions']; \
assert not any('solubility' in x for x in c), c" "$TMP/vc150.out"
finish
