#!/usr/bin/env bash
# The caution for a molecule outside the intact regression's fitted range names the limit it
# passes: a logP above 6 gets the logP's wording, not the MW's size law (MW 30 is in range),
# and a kp beyond anything the regression gives inside its range is called implausible; a
# molecule past the MW limit alone keeps the size law and is not called implausible.
. "$MN_SOURCE_DIR/tests/cli/lib.sh"
EX="$MN_SOURCE_DIR/examples/scenarios"
mol() {
    sed "s/\"name\": \"ascorbic-acid\", \"concentration_mg_ml\": 150/\"mw\": $1, \"logp\": $2, \"concentration_mg_ml\": 10/" \
        "$EX/absorb-vitc-pen.json"
}
mol 30 7 > "$TMP/tiny.json"
grep -q '"logp": 7' "$TMP/tiny.json" || { echo "FAIL: scenario not made"; exit 1; }
"$MNEEDLE" absorb "$TMP/tiny.json" | tr '\n' ' ' | tr -s ' ' > "$TMP/tiny.txt"
expect 0 "stdout:Caution: MW 30, logP 7 is outside the range the Potts-Guy \(F65\) regression was fitted on \(MW 18-750, log Kow -3 to 6\); at logP 7 its lipid route is the regression's straight line in logP carried above its data" \
    -- cat "$TMP/tiny.txt"
expect 0 "stdout:kp = 1[01][0-9] cm/h is implausible: it is beyond anything the regression gives anywhere inside its fitted range \(at most 25.5 cm/h" \
    -- cat "$TMP/tiny.txt"
expect 1 "" -- grep -q "above that MW" "$TMP/tiny.txt"
"$MNEEDLE" absorb --json "$TMP/tiny.json" > "$TMP/tiny.out"
expect 0 "" -- /usr/bin/python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['cautions']; \
assert any('is implausible' in x and 'straight line in logP' in x for x in c), c" "$TMP/tiny.out"

mol 900 1 > "$TMP/big.json"
"$MNEEDLE" absorb "$TMP/big.json" | tr '\n' ' ' | tr -s ' ' > "$TMP/big.txt"
expect 0 "stdout:Caution: MW 900, logP 1 is outside the range .*; above that MW its lipid route falls with size" \
    -- cat "$TMP/big.txt"
expect 1 "" -- grep -q "implausible\|straight line in logP" "$TMP/big.txt"
finish
