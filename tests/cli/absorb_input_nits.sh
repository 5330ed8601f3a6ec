#!/usr/bin/env bash
# Bad absorb input, each refused with exit 2 and a message that fits the case: an output in a
# folder that does not exist (as --plot to one is), a first report hour of 0 (no "previous
# report hour" to name), a report hour not above the one before, and band_runs above its
# documented bound (1,000), which the help states.
. "$MN_SOURCE_DIR/tests/cli/lib.sh"
EX="$MN_SOURCE_DIR/examples/scenarios"
expect 2 "/nonexistent-dir/x\.txt: cannot create a file there: No such file or directory" -- \
    "$MNEEDLE" absorb "$EX/absorb-caffeine-intact.json" -o /nonexistent-dir/x.txt
expect 2 "cannot use as the figure directory" -- \
    "$MNEEDLE" absorb "$EX/absorb-caffeine-intact.json" --plot /nonexistent-dir
# An output that is itself a folder stays a runtime failure (exit 1), as for every command.
expect 1 "cannot create a file there: Is a directory" -- \
    "$MNEEDLE" absorb "$EX/absorb-caffeine-intact.json" -o "$TMP"

mk() { sed "s/\"report_hours\": \[[^]]*\]/\"report_hours\": $1/" "$EX/absorb-caffeine-intact.json"; }
mk "[0, 1]" > "$TMP/rh0.json"
grep -q '"report_hours": \[0, 1\]' "$TMP/rh0.json" || { echo "FAIL: scenario not made"; exit 1; }
expect 2 '\$\.report_hours\[0\]: 0 must be greater than 0 and at most hours \(24\)' -- \
    "$MNEEDLE" absorb "$TMP/rh0.json"
cp "$TMP/err" "$TMP/rh0.err" # expect empties $TMP/err before grep would read it
expect 1 "" -- grep -q "previous report hour" "$TMP/rh0.err"
mk "[2, 2]" > "$TMP/rh2.json"
expect 2 '\$\.report_hours\[1\]: 2 must be greater than the previous report hour \(2\) and at most hours \(24\)' -- \
    "$MNEEDLE" absorb "$TMP/rh2.json"

sed 's/"hours": 24,/"hours": 24, "band_runs": 1001,/' "$EX/absorb-caffeine-intact.json" > "$TMP/br.json"
grep -q '"band_runs": 1001' "$TMP/br.json" || { echo "FAIL: band_runs not set"; exit 1; }
expect 2 '\$\.band_runs: 1001 is out of range; expected 0 to 1000' -- "$MNEEDLE" absorb "$TMP/br.json"
expect 0 "stdout:at most 1000\)" -- "$MNEEDLE" absorb --help
finish
