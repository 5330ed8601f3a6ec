#!/usr/bin/env bash
# Under a Franz cell the labels say what each figure is: the first flux line is what crosses
# the stratum corneum (not the receptor, which has its own line); the receptor's amount, kept
# in cleared_ug_cm2 for that key's readers, is also given as receptor_ug_cm2 and
# fraction_of_dose.receptor; the closure half-life is marked as not applying (the channels
# stay open). In vivo none of the receptor keys appear and the closure applies.
. "$MN_SOURCE_DIR/tests/cli/lib.sh"

sed 's/"occluded": false,/"occluded": true, "setup": "franz",/' \
    "$MN_SOURCE_DIR/examples/scenarios/absorb-vitc-pen.json" > "$TMP/franz.json"
grep -q '"setup": "franz"' "$TMP/franz.json" || { echo "FAIL: franz scenario not made"; exit 1; }
expect 0 "stdout:^Across the stratum corneum: largest mean flux" -- "$MNEEDLE" absorb "$TMP/franz.json"
cp "$TMP/out" "$TMP/franz.txt"
expect 1 "" -- grep -q "Franz view" "$TMP/franz.txt"
expect 0 "stdout:^  Receptor: largest mean flux" -- cat "$TMP/franz.txt"
"$MNEEDLE" absorb --json "$TMP/franz.json" > "$TMP/franz.out"
"$MNEEDLE" absorb --json "$MN_SOURCE_DIR/examples/scenarios/absorb-vitc-pen.json" > "$TMP/vivo.out"
expect 0 "" -- /usr/bin/python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['closure_applies'] is False, d.get('closure_applies')
assert isinstance(d['closure_half_life_h'], float)
for x in d['samples']:
    assert x['open_fraction'] == 1.0
    assert x['receptor_ug_cm2'] == x['receptor']['amount_ug_cm2'] == x['cleared_ug_cm2'] > 0, x
    f = x['fraction_of_dose']
    assert f['receptor'] == f['cleared'], f
v = json.load(open(sys.argv[2]))
assert v['closure_applies'] is True
for x in v['samples']:
    assert 'receptor_ug_cm2' not in x and 'receptor' not in x['fraction_of_dose'], x
" "$TMP/franz.out" "$TMP/vivo.out"
finish
