#!/usr/bin/env bash
# Dermal coverage is counted in whole grid cells (a front down the dermis adds or drops a
# depth cell of ~6 % of it at a time), so the text prints it in whole percent and states the
# step; the JSON keeps full precision.
. "$MN_SOURCE_DIR/tests/cli/lib.sh"
EX="$MN_SOURCE_DIR/examples/scenarios"
"$MNEEDLE" absorb "$EX/absorb-vitc-pen.json" > "$TMP/vc.txt"
# The table's rows: hour ... open (one decimal) cover (whole) "of dose".
expect 0 "stdout:^ +1 .* [0-9]+\.[0-9] +94 +[0-9.]+$" -- cat "$TMP/vc.txt"
expect 1 "" -- grep -Eq "^ +[0-9.]+ .* [0-9]+\.[0-9] +[0-9]+\.[0-9] +[0-9.]+$" "$TMP/vc.txt"
expect 0 "stdout:^Coverage: dermal volume above 150 ug/ml, counted in whole grid cells of up to 6% of the dermis$" \
    -- cat "$TMP/vc.txt"
"$MNEEDLE" absorb --json "$EX/absorb-vitc-pen.json" > "$TMP/vc.out"
expect 0 "" -- /usr/bin/python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['samples'][0]['coverage']; \
assert abs(c - 0.9406) < 1e-3 and c != round(c, 2), c" "$TMP/vc.out"
finish
