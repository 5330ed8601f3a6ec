# Re-screen dates count from the day the history was taken (history.date, else the day the
# plan is prepared or the screening run), never from the planned start (docs/screening.md);
# isotretinoin still taken (0 months ago) has no date.
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1793491200 # 2026-11-01
S="$MN_SOURCE_DIR/examples/clients/sofia-isotretinoin.json" # 2 months ago: 4 months left

expect 0 'stdout:Earliest date to check again: 2027-03-01' -- "$MNEEDLE" screen "$S"
for start in 2026-12-10 2027-03-01 2027-06-01; do
    expect 0 'stdout:"rescreen_date": "2027-03-01"' -- "$MNEEDLE" plan --json --start "$start" "$S"
    expect 0 'stdout:"come_back": "2027-03-01"' -- "$MNEEDLE" plan --json --start "$start" "$S"
done

client() {
    cat <<JSON
{"client": {"age": 40, "sex": "female", "fitzpatrick": 2},
 "concerns": [{"concern": "acne-scars", "zones": ["cheek"]}],
 "history": {$1},
 "clinic": {"device": "skinpen", "price_per_session": 1, "start": "2027-01-04"}}
JSON
}
# history.date: the day the answers were given, not the day of the screening (2027-01-01
# here, after it: a date after the screening is refused, docs/screening.md).
client '"date": "2026-12-20", "isotretinoin_months_ago": 2, "recent_sunburn_or_tan": true' >"$TMP/dated.json"
LATER="env SOURCE_DATE_EPOCH=1798761600" # 2027-01-01
expect 0 'stdout:"rescreen_date": "2027-04-20"' -- $LATER "$MNEEDLE" screen --json "$TMP/dated.json"
expect 0 'stdout:"until": "2027-01-03"' -- $LATER "$MNEEDLE" screen --json "$TMP/dated.json"
expect 0 'stdout:"rescreen_date": "2027-04-20"' -- $LATER "$MNEEDLE" plan --json --start 2027-02-01 "$TMP/dated.json"
expect 2 'dated\.json: \$\.history\.date: 2026-12-20 is after 2026-11-01' -- "$MNEEDLE" screen --json "$TMP/dated.json"
client '"date": "2026-13-01"' >"$TMP/baddate.json"
expect 2 'baddate.json: \$\.history\.date' -- "$MNEEDLE" screen "$TMP/baddate.json"

# Still taking isotretinoin: deferred with no date; the text says the wait counts from the end.
client '"isotretinoin_months_ago": 0' >"$TMP/on.json"
expect 0 'stdout:"rescreen_date": null' -- "$MNEEDLE" screen --json "$TMP/on.json"
expect 0 'stdout:No date can be given yet' -- "$MNEEDLE" screen "$TMP/on.json"
expect 0 'stdout:No date yet: the wait counts from the last dose' -- "$MNEEDLE" screen "$TMP/on.json"
expect 0 'stdout:"come_back": null' -- "$MNEEDLE" plan --json "$TMP/on.json"
expect 0 'stdout:come back 6 months after your last dose' -- "$MNEEDLE" plan "$TMP/on.json"
if "$MNEEDLE" plan "$TMP/on.json" | grep -q "Earliest date to check again"; then
    echo "FAIL: a client still on isotretinoin is given a re-screen date"; fails=$((fails + 1))
else
    passes=$((passes + 1))
fi

finish
