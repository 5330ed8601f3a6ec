#!/usr/bin/env bash
# Every line of absorb's text is at most 100 columns, as the rest of it is wrapped: each example
# scenario, and with --field each one that gives its patch ("field"). The table is narrowed to
# fit; the device, permeability, flux summary, closing and film lines break before a clause.
. "$MN_SOURCE_DIR/tests/cli/lib.sh"
EX="$MN_SOURCE_DIR/examples/scenarios"
WIDTH=100

for f in "$EX"/absorb-*.json; do
    modes=text
    grep -q '"field"' "$f" && modes="text --field"
    for mode in $modes; do
        flag=""
        [ "$mode" = text ] || flag=$mode
        expect 0 "" -- "$MNEEDLE" absorb "$f" $flag
        ok '[ "$(wc -l < "$TMP/out")" -gt 20 ]' "$(basename "$f") $mode: no text"
        ok '! awk -v w=$WIDTH "length(\$0) > w { print FILENAME \": line \" FNR \", \" length(\$0) \" columns: \" \$0; bad = 1 } END { exit !bad }" "$TMP/out"' \
            "$(basename "$f") $mode: a line over $WIDTH columns"
    done
done
finish
