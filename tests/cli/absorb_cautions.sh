#!/usr/bin/env bash
# Cautions where the model's set-up departs from the product or the experiment: a lipophilic
# active (retinol, logP 5.68) applied as a water film; a Franz cell whose receptor could not
# stay a sink for a poorly water-soluble solute (OECD TG 428); a film dried open to air into a
# deposit the model no longer takes up (so the intact baseline may be understated). The JSON
# flags each hour that lies within intact skin's lag time (intact_in_lag), where the text
# prints "in lag". None of these where they do not apply.
. "$MN_SOURCE_DIR/tests/cli/lib.sh"
EX="$MN_SOURCE_DIR/examples/scenarios"
VC="$EX/absorb-vitc-pen.json"
prod() { sed "s/\"name\": \"ascorbic-acid\", \"concentration_mg_ml\": 150/$1/" "$VC"; }
text() { "$MNEEDLE" absorb "$1" | tr '\n' ' ' | tr -s ' '; }

prod '"name": "retinol", "concentration_mg_ml": 4' > "$TMP/ret.json"
grep -q retinol "$TMP/ret.json" || { echo "FAIL: scenario not made"; exit 1; }
text "$TMP/ret.json" > "$TMP/ret.txt"
text "$VC" > "$TMP/vc.txt"
expect 0 "stdout:Caution: logP 5.68: a product this lipophilic is made in an oil, an emulsion or a silicone" \
    -- cat "$TMP/ret.txt"
expect 1 "" -- grep -q "this lipophilic" "$TMP/vc.txt"

# Franz cell: retinol's receptor would pass 10 % of its solubility; vitamin C's would not.
sed 's/"occluded": false,/"occluded": true, "setup": "franz",/' "$TMP/ret.json" > "$TMP/retf.json"
sed 's/"occluded": false,/"occluded": true, "setup": "franz",/' "$VC" > "$TMP/vcf.json"
grep -q franz "$TMP/retf.json" || { echo "FAIL: franz scenario not made"; exit 1; }
text "$TMP/retf.json" > "$TMP/retf.txt"
text "$TMP/vcf.json" > "$TMP/vcf.txt"
expect 0 "stdout:Caution: the receptor is modelled as a perfect sink, but this solute dissolves poorly .*OECD TG 428" \
    -- cat "$TMP/retf.txt"
expect 1 "" -- grep -q "perfect sink" "$TMP/vcf.txt"
expect 1 "" -- grep -q "perfect sink" "$TMP/ret.txt"

# A dry deposit: caffeine on intact skin open to air keeps most of its dose on the surface;
# occluded (the example) it does not dry.
sed 's/"occluded": true/"occluded": false/' "$EX/absorb-caffeine-intact.json" > "$TMP/caf.json"
grep -q '"occluded": false' "$TMP/caf.json" || { echo "FAIL: open-air caffeine not made"; exit 1; }
text "$TMP/caf.json" > "$TMP/caf.txt"
expect 0 "stdout:Caution: open to air the film dries and leaves [0-9.]+ ug/cm2 \([0-9.]+% of the dose\) as a dry deposit, .* intact baseline may be understated" \
    -- cat "$TMP/caf.txt"
text "$EX/absorb-caffeine-intact.json" > "$TMP/cafocc.txt"
expect 1 "" -- grep -q "dry deposit" "$TMP/cafocc.txt"
"$MNEEDLE" absorb --json "$TMP/caf.json" > "$TMP/caf.out"
expect 0 "" -- /usr/bin/python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['cautions']; \
assert any('dry deposit' in x for x in c), c" "$TMP/caf.out"

# intact_in_lag: true exactly where the text prints "in lag".
"$MNEEDLE" absorb --json "$VC" > "$TMP/vc.out"
"$MNEEDLE" absorb "$VC" > "$TMP/vc.rows"
expect 0 "" -- /usr/bin/python3 -c "
import json, re, sys
d = json.load(open(sys.argv[1]))
rows = [l.split() for l in open(sys.argv[2]) if re.match(r'^ +[0-9.]+ +[0-9]', l)]
flags = [x['intact_in_lag'] for x in d['samples']]
text = ['in' in r and 'lag**' in r for r in rows]
assert flags == text and True in flags and False in flags, (flags, text)
" "$TMP/vc.out" "$TMP/vc.rows"
finish
