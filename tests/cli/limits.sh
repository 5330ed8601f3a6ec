# End-to-end: the stated limits (docs/reliability.md) are enforced before any work starts,
# with a message that names the limit, and exit 2. Each limit is probed on both sides.
. "$(dirname "$0")/lib.sh"
EX="$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
LIMIT=$((4 * 1024 * 1024)) # MN_MAX_INPUT_BYTES

# Input size: a valid client padded with spaces to exactly the limit is read; one byte more is
# refused, from a file and from standard input.
pad_to() { # pad_to SIZE OUT: the example followed by spaces up to SIZE bytes
    cp "$EX" "$2"
    n=$(( $1 - $(wc -c < "$EX") ))
    head -c "$n" /dev/zero | tr '\0' ' ' >> "$2"
}
pad_to "$LIMIT" "$TMP/at-limit.json"
expect 0 'stdout:"decision"' -- "$MNEEDLE" screen --json "$TMP/at-limit.json"
pad_to $((LIMIT + 1)) "$TMP/over-limit.json"
expect 2 "over-limit.json: input is over the limit of 4194304 bytes" -- "$MNEEDLE" screen "$TMP/over-limit.json"
expect 2 "<stdin>: input is over the limit of 4194304 bytes" -- sh -c "\"$MNEEDLE\" screen - < \"$TMP/over-limit.json\""
expect 2 "over the limit" -- sh -c "head -c 100000000 /dev/zero | \"$MNEEDLE\" plan -"

# Arrays: concerns (MN_MAX_CONCERNS = 8), zones per concern (32).
concerns() { # concerns N: N entries (their names need not be valid: the length is checked first)
    i=0; sep=""
    printf '{"client": {"age": 40, "sex": "female", "fitzpatrick": 2}, "concerns": ['
    while [ $i -lt "$1" ]; do printf '%s{"concern": "melasma", "zones": ["cheek"]}' "$sep"; sep=", "; i=$((i + 1)); done
    printf '], "clinic": {"start": "2027-01-04"}}'
}
concerns 9 > "$TMP/c9.json"
expect 2 '\$\.concerns: 9 elements; the limit is 8' -- "$MNEEDLE" plan "$TMP/c9.json"
concerns 8 > "$TMP/c8.json"
expect 2 'concerns\[1\]\.concern: "melasma" is listed twice' -- "$MNEEDLE" plan "$TMP/c8.json"
zones=$(printf '"cheek",%.0s' $(seq 33))
printf '{"client": {"age": 40, "sex": "female", "fitzpatrick": 2}, "concerns": [{"concern": "melasma", "zones": [%s]}], "clinic": {"start": "2027-01-04"}}' "${zones%,}" > "$TMP/z33.json"
expect 2 '\$\.concerns\[0\]\.zones: 33 elements; the limit is 32' -- "$MNEEDLE" plan "$TMP/z33.json"

# Catalogue overrides: at most MN_MAX_ARRAY_LEN (10000) entries in a list, and 512 distinct
# entries in a catalogue.
mkdir "$TMP/big" "$TMP/many"
{ printf '{"devices": ['; printf '{},%.0s' $(seq 10000); printf '{}]}'; } > "$TMP/big/devices.json"
expect 2 'devices.json: \$\.devices: 10001 elements; the limit is 10000' -- "$MNEEDLE" catalog --data "$TMP/big" devices
python3 - "$MN_SOURCE_DIR/data/products.json" "$TMP/many/products.json" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
p = d["products"][0]
d["products"] = [dict(p, id="p%d" % i, aliases=[]) for i in range(513)]
json.dump(d, open(sys.argv[2], "w"))
PY
expect 2 'products.json: more than 512 entries' -- "$MNEEDLE" catalog --data "$TMP/many" products

# Nesting deeper than the parser allows, and numbers past the double range: refused as
# malformed input, not a crash.
head -c 100000 /dev/zero | tr '\0' '[' > "$TMP/deep.json"
expect 2 "deep.json:1:[0-9]+: malformed JSON: maximum parsing depth" -- "$MNEEDLE" plan "$TMP/deep.json"
printf '{"client": {"age": 1e400}}' > "$TMP/huge-number.json"
expect 2 "malformed JSON: real number overflow" -- "$MNEEDLE" plan "$TMP/huge-number.json"

# Horizons, grids and populations beyond what memory and time allow, refused before any work:
# simulate's horizon_days (14,610 days, 40 years), absorb's 3D grid (2e8 cells), a cohort's
# population (1e9 patients).
python3 - "$MN_SOURCE_DIR/examples" "$TMP" <<'PY' || exit 1
import json, sys
ex, tmp = sys.argv[1], sys.argv[2]
s = json.load(open(ex + "/scenarios/simulate-wrinkles-course.json"))
s["horizon_days"] = 14611
s.pop("report_days", None)
json.dump(s, open(tmp + "/long.json", "w"))
a = json.load(open(ex + "/scenarios/absorb-field-niacinamide.json"))
a["field"] = {"width_um": 50000, "height_um": 50000, "dx_um": 2}
json.dump(a, open(tmp + "/grid.json", "w"))
t = json.load(open(ex + "/trials/lotfi-2013-acne-scars.json"))
t["population"]["n"] = 2000000000
json.dump(t, open(tmp + "/crowd.json", "w"))
PY
expect 2 '\$\.horizon_days: 14611 is out of range; expected 1 to 14610' -- "$MNEEDLE" simulate "$TMP/long.json"
# The grid limit names the file and the place, like every input error, and leaves no file.
expect 2 'grid\.json: \$\.field: the 3D grid would have 2\.25e\+10 cells \([0-9]+ x [0-9]+ laterally x [0-9]+ in depth\); at most 2e\+08: use a larger \$\.field\.dx_um' -- "$MNEEDLE" absorb --field -o "$TMP/grid.out" "$TMP/grid.json"
expect 1 "" -- test -e "$TMP/grid.out"
expect 0 "" -- test -z "$(ls "$TMP" | grep '\.tmp\.')"
expect 2 '\$\.population\.n: .* is out of range' -- "$MNEEDLE" cohort "$TMP/crowd.json"

# Plan horizon: --years 1 to 20.
for y in 0 21 -1 1e3 2.5 ""; do
    expect 2 "--years: expected a whole number from 1 to 20" -- "$MNEEDLE" plan --years "$y" "$EX"
done
expect 0 'stdout:"sessions"' -- "$MNEEDLE" plan --json --years 1 "$EX"
expect 0 'stdout:"sessions"' -- "$MNEEDLE" plan --json --years 20 "$EX"
finish
