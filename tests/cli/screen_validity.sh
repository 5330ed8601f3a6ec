# Screening against the day it is done (docs/screening.md): answers older than 6 months are
# taken again, answers from the future are refused, a wait already over says "now"; minors are
# screened out, not refused as input; the new history items and the numbing cream's limits.
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1796515200 # 2026-12-06

ACNE='[{"concern": "acne-scars", "zones": ["cheek"]}]'
client() { # client HISTORY [AGE] [CONCERNS]
    concerns=${3:-$ACNE}
    cat <<JSON
{"client": {"age": ${2:-40}, "sex": "female", "fitzpatrick": 2},
 "concerns": $concerns,
 "history": {$1},
 "clinic": {"device": "skinpen", "price_per_session": 100, "start": "2026-12-14"}}
JSON
}
# no_match PATTERN FILE WHAT: FILE must not match PATTERN.
no_match() {
    if grep -Eq -- "$1" "$2"; then
        echo "FAIL: $3"; fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
}

# A questionnaire of 2023 is out of date: deferred until answered again, now; no visit booked.
client '"date": "2023-01-10"' >"$TMP/old.json"
expect 0 'stdout:"code": "MN-HISTORY-OLD"' -- "$MNEEDLE" screen --json "$TMP/old.json"
expect 0 'stdout:"rescreen_date": "2026-12-06"' -- "$MNEEDLE" screen --json "$TMP/old.json"
expect 0 'stdout:"rescreen_now": true' -- "$MNEEDLE" screen --json "$TMP/old.json"
expect 0 'stdout:"sessions": \[\]' -- "$MNEEDLE" plan --json "$TMP/old.json"
expect 0 'stdout:Come back to be checked again now' -- "$MNEEDLE" plan "$TMP/old.json"
# Six months to the day is still valid; one day more is not.
client '"date": "2026-06-06"' >"$TMP/six.json"
expect 0 'stdout:"decision": "proceed"' -- "$MNEEDLE" screen --json "$TMP/six.json"
client '"date": "2026-06-05"' >"$TMP/six1.json"
expect 0 'stdout:"decision": "defer"' -- "$MNEEDLE" screen --json "$TMP/six1.json"

# A date after the day of the screening: an input error naming the file and the place.
client '"date": "2027-01-10"' >"$TMP/future.json"
expect 2 'future\.json: \$\.history\.date: 2027-01-10 is after 2026-12-06' -- "$MNEEDLE" screen "$TMP/future.json"
expect 2 'future\.json: \$\.history\.date' -- "$MNEEDLE" plan "$TMP/future.json"
expect 0 'stdout:"decision"' -- env SOURCE_DATE_EPOCH=1800000000 "$MNEEDLE" screen --json "$TMP/future.json"

# The filler item keeps its older key, read as fillers only: the rules list says so, and no
# other rule reads it (thread lifts have their own item).
expect 0 'stdout:MN-FILLER +defer +filler_or_threads_weeks_ago \(weeks since fillers; a thread lift is threads_weeks_ago\)' -- "$MNEEDLE" catalog rules
expect 0 'stdout:"input_label": "weeks since fillers; a thread lift is threads_weeks_ago"' -- "$MNEEDLE" catalog rules --json
expect 0 'stdout:^MN-THREADS +defer +threads_weeks_ago$' -- "$MNEEDLE" catalog rules
expect 0 "stdout:filler_or_threads_weeks_ago \\(number: weeks since fillers" -- "$MNEEDLE" screen --help
if [ "$("$MNEEDLE" catalog rules | grep -c filler_or_threads_weeks_ago)" -ne 1 ]; then
    echo "FAIL: another rule reads filler_or_threads_weeks_ago"; fails=$((fails + 1))
else
    passes=$((passes + 1))
fi

# A dated deferral whose wait is over: re-screen now, never a date in the past.
client '"date": "2026-03-01", "recent_sunburn_or_tan": true, "filler_or_threads_weeks_ago": 1' >"$TMP/past.json"
expect 0 'stdout:Check again now \(2026-12-06\)' -- "$MNEEDLE" screen "$TMP/past.json"
no_match 'Earliest date to check again: 2026-03' "$TMP/out" "a passed wait names a past date"
expect 0 'stdout:this wait ended on 2026-03-15' -- "$MNEEDLE" screen "$TMP/past.json"
expect 0 'stdout:"come_back": "2026-12-06"' -- "$MNEEDLE" plan --json "$TMP/past.json"
expect 0 'stdout:"passed": true' -- "$MNEEDLE" screen --json "$TMP/past.json"
# ... also within the 6 months: sunburn answered in August.
client '"date": "2026-08-01", "recent_sunburn_or_tan": true' >"$TMP/aug.json"
expect 0 'stdout:"rescreen_now": true' -- "$MNEEDLE" screen --json "$TMP/aug.json"
# A wait still running keeps its date.
client '"date": "2026-12-01", "recent_sunburn_or_tan": true' >"$TMP/dec.json"
expect 0 'stdout:Earliest date to check again: 2026-12-15' -- "$MNEEDLE" screen "$TMP/dec.json"
expect 0 'stdout:"rescreen_now": false' -- "$MNEEDLE" screen --json "$TMP/dec.json"

# Minors: a decision, not an input error; the planner books nothing for them.
client '' 15 >"$TMP/minor.json"
expect 0 'stdout:"code": "MN-MINOR"' -- "$MNEEDLE" screen --json "$TMP/minor.json"
expect 0 'stdout:"decision": "decline"' -- "$MNEEDLE" plan --json "$TMP/minor.json"
expect 0 'stdout:"sessions": \[\]' -- "$MNEEDLE" plan --json "$TMP/minor.json"
client '' 0 >"$TMP/baby.json"
expect 0 'stdout:"decision": "decline"' -- "$MNEEDLE" screen --json "$TMP/baby.json"
client '' 18 >"$TMP/adult.json"
expect 0 'stdout:"decision": "proceed"' -- "$MNEEDLE" screen --json "$TMP/adult.json"
client '' -1 >"$TMP/neg.json"
expect 2 '\$\.client\.age' -- "$MNEEDLE" screen "$TMP/neg.json"
client '' 101 >"$TMP/old-age.json"
expect 2 '\$\.client\.age' -- "$MNEEDLE" screen "$TMP/old-age.json"

# Both diabetes items: one consistent message (deferred), never "treatment can go ahead".
client '"uncontrolled_diabetes": true, "controlled_diabetes": true' >"$TMP/diab.json"
expect 0 'stdout:MN-DIABETES$' -- "$MNEEDLE" screen "$TMP/diab.json"
no_match 'can go ahead|MN-DIABETES-CONTROLLED' "$TMP/out" "both diabetes messages at once"
expect 0 'stdout:"decision": "defer"' -- "$MNEEDLE" plan --json "$TMP/diab.json"
no_match 'can go ahead' "$TMP/out" "a deferred plan says treatment can go ahead"

# New history items, each with its rule.
for item in '"peel_or_laser_weeks_ago": 2|MN-PEEL-LASER|defer' \
    '"connective_tissue_disease": true|MN-CONNECTIVE-TISSUE|defer' \
    '"local_anaesthetic_allergy": true|MN-ANAESTHETIC-ALLERGY|proceed_with_caution' \
    '"g6pd_deficiency_or_methaemoglobinaemia": true|MN-METHAEMOGLOBINAEMIA|proceed_with_caution' \
    '"class3_antiarrhythmic": true|MN-ANTIARRHYTHMIC|proceed_with_caution' \
    '"radiotherapy_months_ago": 13|MN-RADIOTHERAPY-PAST|proceed_with_caution'; do
    h=${item%%|*}; rest=${item#*|}; code=${rest%%|*}; decision=${rest#*|}
    client "$h" >"$TMP/item.json"
    expect 0 "stdout:\"code\": \"$code\"" -- "$MNEEDLE" screen --json "$TMP/item.json"
    expect 0 "stdout:\"decision\": \"$decision\"" -- "$MNEEDLE" screen --json "$TMP/item.json"
done
client '"peel_or_laser_weeks_ago": 2' >"$TMP/peel.json"
expect 0 'stdout:"rescreen_date": "2026-12-23"' -- "$MNEEDLE" screen --json "$TMP/peel.json"
client '"peel_or_laser_weeks_ago": 5' >"$TMP/peel5.json"
expect 0 'stdout:"decision": "proceed"' -- "$MNEEDLE" screen --json "$TMP/peel5.json"
client '"radiotherapy_months_ago": 11' >"$TMP/rt11.json"
expect 0 'stdout:"decision": "defer"' -- "$MNEEDLE" screen --json "$TMP/rt11.json"
no_match 'MN-RADIOTHERAPY-PAST' "$TMP/out" "radiotherapy within the window also cautions"
client '"radiotherapy_tomorrow": true' >"$TMP/typo.json"
expect 2 '\$\.history\.radiotherapy_tomorrow: unknown history item' -- "$MNEEDLE" screen "$TMP/typo.json"

# The numbing cream: a finding that rules it out books no numbing time.
client '"local_anaesthetic_allergy": true' >"$TMP/allergy.json"
expect 0 'stdout:"numbing_min": 0' -- "$MNEEDLE" plan --json "$TMP/allergy.json"
expect 0 'stdout:Numbing: none' -- "$MNEEDLE" plan "$TMP/allergy.json"
# ... and on at most 600 cm2 at a time (EMLA's SmPC): cheek, forehead, abdomen and thigh add up
# to 760 cm2 (data/sites.json), so they are numbed in turns.
BIG='[{"concern": "fine-lines-wrinkles", "zones": ["cheek", "forehead"]}, {"concern": "stretch-marks", "zones": ["abdomen", "thigh"]}]'
client '' 40 "$BIG" >"$TMP/big.json"
expect 0 'stdout:"numbing_area_cm2": 760' -- "$MNEEDLE" plan --json "$TMP/big.json"
expect 0 'stdout:"numbing_in_turns": true' -- "$MNEEDLE" plan --json "$TMP/big.json"
expect 0 'stdout:this visit treats 760 cm2' -- "$MNEEDLE" plan "$TMP/big.json"
expect 0 'stdout:before needling,' -- "$MNEEDLE" plan "$TMP/big.json"
expect 0 "" -- "$MNEEDLE" plan --report "$TMP/big.html" "$TMP/big.json"
expect 0 "stdout:numb in turns" -- grep -h "numb in turns" "$TMP/big.html"
client '' 40 >"$TMP/small.json"
expect 0 'stdout:"numbing_in_turns": false' -- "$MNEEDLE" plan --json "$TMP/small.json"
expect 0 'stdout:never after it' -- "$MNEEDLE" plan "$TMP/small.json"

finish
