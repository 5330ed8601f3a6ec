# Screening input and words that must agree with themselves: a male client marked pregnant is
# refused (exit 2, naming the JSON path); screen --help lists every dated deferral from the
# rules; a scalp-only plan's expectations speak of hair, not of scars, lines or pigment.
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1793491200

client() {
    cat <<JSON
{"client": {"age": 40, "sex": "$1", "fitzpatrick": 2},
 "concerns": [{"concern": "$2", "zones": ["$3"]}],
 "history": {$4},
 "clinic": {"device": "skinpen", "price_per_session": 1, "start": "2027-01-04"}}
JSON
}
client male acne-scars cheek '"pregnant": true' >"$TMP/mp.json"
expect 2 'mp.json: \$\.history\.pregnant: true for a client whose \$\.client\.sex is male' -- \
    "$MNEEDLE" screen "$TMP/mp.json"
expect 2 'mp.json: \$\.history\.pregnant' -- "$MNEEDLE" plan "$TMP/mp.json"
client male acne-scars cheek '"pregnant": false' >"$TMP/mnp.json"
expect 0 'stdout:Screening: proceed' -- "$MNEEDLE" screen "$TMP/mnp.json"
client female acne-scars cheek '"pregnant": true' >"$TMP/fp.json"
expect 0 'stdout:MN-PREGNANT' -- "$MNEEDLE" screen "$TMP/fp.json"

# Every rule that defers with a date is in the help, read from the catalogue.
"$MNEEDLE" screen --help >"$TMP/help.txt"
for code in MN-ISOTRETINOIN MN-RADIOTHERAPY MN-FILLER MN-BOTULINUM MN-SUNBURN; do
    expect 0 "" -- grep -q "^  $code (" "$TMP/help.txt"
done

# Scalp only: the expectations fit hair; a face plan keeps the skin's.
client male hair-loss scalp '' >"$TMP/scalp.json"
client female acne-scars cheek '' >"$TMP/face.json"
expect 0 'stdout:"id": "expect-results-hair"' -- "$MNEEDLE" plan --json "$TMP/scalp.json"
if "$MNEEDLE" plan "$TMP/scalp.json" | grep -q "scars, lines or pigment"; then
    echo "FAIL: a scalp-only plan promises changes in scars, lines or pigment"; fails=$((fails + 1))
else
    passes=$((passes + 1))
fi
expect 0 'stdout:scars, lines or pigment' -- "$MNEEDLE" plan "$TMP/face.json"

finish
