# End-to-end: screen and plan on every example, and every kind of bad client input.
. "$(dirname "$0")/lib.sh"
EX="$MN_SOURCE_DIR/examples/clients"

# A valid client to mutate.
base() {
    cat <<JSON
{"client": {"age": ${AGE:-40}, "sex": "${SEX:-female}", "fitzpatrick": ${FITZ:-2}},
 "concerns": [{"concern": "${CONCERN:-fine-lines-wrinkles}", "zones": ["${ZONE:-cheek}"]}],
 "history": {${HISTORY:-}},
 "clinic": {"device": "${DEVICE:-skinpen}", "price_per_session": ${PRICE:-300},
            "start": "${START:-2027-03-01}"}}
JSON
}

expect 0 "stdout:usage: mneedle" -- "$MNEEDLE" --help
expect 0 "stdout:mneedle [0-9]+\.[0-9]+\.[0-9]+" -- "$MNEEDLE" --version
expect 0 "stdout:isotretinoin_months_ago" -- "$MNEEDLE" screen --help
expect 0 "stdout:How depths are chosen" -- "$MNEEDLE" plan --help
expect 2 "not a command" -- "$MNEEDLE" frobnicate
expect 2 "unknown option" -- "$MNEEDLE" plan --bogus "$EX/amelia-wrinkles.json"
expect 2 "--years" -- "$MNEEDLE" plan --years 0 "$EX/amelia-wrinkles.json"
expect 2 "--years" -- "$MNEEDLE" plan --years 2x "$EX/amelia-wrinkles.json"
expect 2 "expected one CLIENT" -- "$MNEEDLE" plan

# Every example plans and screens; decisions are the ones their notes announce.
for f in "$EX"/*.json; do
    expect 0 "stdout:Screening:" -- "$MNEEDLE" plan "$f"
    expect 0 "stdout:\"decision\"" -- "$MNEEDLE" screen --json "$f"
done
expect 0 'stdout:"decision": "proceed"' -- "$MNEEDLE" screen --json "$EX/amelia-wrinkles.json"
expect 0 'stdout:"decision": "proceed_with_caution"' -- "$MNEEDLE" screen --json "$EX/ravi-acne-scars.json"
# 2 months ago when asked (the day screen runs, here SOURCE_DATE_EPOCH's 2026-11-01): 4 left.
expect 0 'stdout:"rescreen_date": "2027-03-01"' -- env SOURCE_DATE_EPOCH=1793491200 "$MNEEDLE" screen --json "$EX/sofia-isotretinoin.json"
expect 0 'stdout:"decision": "decline"' -- "$MNEEDLE" screen --json "$EX/george-keloid.json"
expect 0 'stdout:"rescreen_date": null' -- "$MNEEDLE" screen --json "$EX/lena-pregnant.json"
expect 0 'stdout:"sessions": \[\]' -- "$MNEEDLE" plan --json "$EX/george-keloid.json"
expect 0 'stdout:"sessions": \[\]' -- "$MNEEDLE" plan --json "$EX/sofia-isotretinoin.json"
# Ravi is phototype V: the acne-scar exception above 1.5 mm is for phototypes I-III only, and
# the plan says why; the same client in phototype III gets it.
expect 0 "stdout:not used for phototypes IV-VI" -- "$MNEEDLE" plan "$EX/ravi-acne-scars.json"
sed 's/"fitzpatrick": 5/"fitzpatrick": 3/' "$EX/ravi-acne-scars.json" >"$TMP/ravi-iii.json"
expect 0 "stdout:Above the usual 1.5 mm facial limit" -- "$MNEEDLE" plan "$TMP/ravi-iii.json"
# Tom's hair loss has a 60-day default maintenance (data/concerns.json) that the plan's 3-month
# bound raises to 90 days: the plan says so instead of calling 90 days the usual interval.
expect 0 "stdout:Maintenance: the most frequent every 90 days, the shortest the plan books \\(the concern's default, 60 days, is shorter\\)" -- "$MNEEDLE" plan "$EX/tom-hair-loss.json"
cp "$TMP/out" "$TMP/tom.txt"
expect 1 "" -- grep -q "the usual interval" "$TMP/tom.txt"
expect 0 "" -- "$MNEEDLE" plan --report "$TMP/tom.html" "$EX/tom-hair-loss.json"
expect 1 "" -- grep -q "the usual interval for this concern" "$TMP/tom.html"
expect 0 "stdout:Maintenance: the most frequent every [0-9]+ days, set by the collagen model" -- "$MNEEDLE" plan "$EX/amelia-wrinkles.json"

# Standard input.
base > "$TMP/ok.json"
expect 0 "stdout:Screening: proceed" -- sh -c "\"$MNEEDLE\" plan - < \"$TMP/ok.json\""

# Missing, empty, malformed.
expect 2 "nope.json: cannot open" -- "$MNEEDLE" plan "$TMP/nope.json"
: > "$TMP/empty.json"
expect 2 "empty.json: the file is empty" -- "$MNEEDLE" plan "$TMP/empty.json"
printf '{"client": {"age": 40,\n  "sex": }' > "$TMP/bad.json"
expect 2 "bad.json:2:[0-9]+: malformed JSON" -- "$MNEEDLE" plan "$TMP/bad.json"
printf '[1, 2]' > "$TMP/arr.json"
expect 2 "expected a JSON object" -- "$MNEEDLE" plan "$TMP/arr.json"
printf '{"client": {"age": 40, "age": 41}}' > "$TMP/dup.json"
expect 2 "malformed JSON: duplicate object key" -- "$MNEEDLE" plan "$TMP/dup.json"

# Wrong types and ranges, each named by its JSON path.
AGE='"forty"' base > "$TMP/t.json"
expect 2 '\$\.client\.age: expected a number from 0 to 100, got a string' -- "$MNEEDLE" plan "$TMP/t.json"
AGE=300 base > "$TMP/t.json"
expect 2 '\$\.client\.age: 300 is out of range; expected 0 to 100' -- "$MNEEDLE" plan "$TMP/t.json"
# A minor is a screening decision (declined, MN-MINOR), not an input error.
AGE=17 base > "$TMP/t.json"
expect 0 'stdout:"decision": "decline"' -- "$MNEEDLE" screen --json "$TMP/t.json"
AGE=-1 base > "$TMP/t.json"
expect 2 '\$\.client\.age: -1 is out of range' -- "$MNEEDLE" screen "$TMP/t.json"
FITZ=7 base > "$TMP/t.json"
expect 2 '\$\.client\.fitzpatrick: 7 is out of range; expected 1 to 6' -- "$MNEEDLE" plan "$TMP/t.json"
FITZ=2.5 base > "$TMP/t.json"
expect 2 '\$\.client\.fitzpatrick: expected a whole number' -- "$MNEEDLE" plan "$TMP/t.json"
SEX=other base > "$TMP/t.json"
expect 2 '\$\.client\.sex: unknown value "other"; expected female or male' -- "$MNEEDLE" plan "$TMP/t.json"
PRICE=-5 base > "$TMP/t.json"
expect 2 '\$\.clinic\.price_per_session: -5 is out of range' -- "$MNEEDLE" plan "$TMP/t.json"
START=2027-02-30 base > "$TMP/t.json"
expect 2 '\$\.clinic\.start: "2027-02-30" is not a real date' -- "$MNEEDLE" plan "$TMP/t.json"
CONCERN=warts base > "$TMP/t.json"
expect 2 '\$\.concerns\[0\]\.concern: unknown concern "warts"' -- "$MNEEDLE" plan "$TMP/t.json"
ZONE=elbow base > "$TMP/t.json"
expect 2 '\$\.concerns\[0\]\.zones\[0\]: unknown zone "elbow"' -- "$MNEEDLE" plan "$TMP/t.json"
CONCERN=stretch-marks ZONE=periorbital base > "$TMP/t.json"
expect 2 'zones\[0\]: stretch-marks is not treated on the periorbital' -- "$MNEEDLE" plan "$TMP/t.json"
DEVICE=laser base > "$TMP/t.json"
expect 2 '\$\.clinic\.device: unknown device "laser"' -- "$MNEEDLE" plan "$TMP/t.json"
HISTORY='"pregnnant": true' base > "$TMP/t.json"
expect 2 '\$\.history\.pregnnant: unknown history item' -- "$MNEEDLE" screen "$TMP/t.json"
HISTORY='"pregnant": "yes"' base > "$TMP/t.json"
expect 2 '\$\.history\.pregnant: expected true or false, got a string' -- "$MNEEDLE" screen "$TMP/t.json"
HISTORY='"isotretinoin_months_ago": -1' base > "$TMP/t.json"
expect 2 '\$\.history\.isotretinoin_months_ago: -1 is out of range' -- "$MNEEDLE" screen "$TMP/t.json"

# Botulinum toxin (an addition to DESIGN's history items, docs/input-formats.md): under 2 weeks
# defers to the day the 2 weeks are up and the plan books nothing; 2 weeks or more, or the item
# left out (every older file), screens as before.
# (Screened on the day the answers were given: a history.date after the screening is refused.)
HISTORY='"date": "2027-03-01", "botulinum_toxin_weeks_ago": 1' base > "$TMP/t.json"
ON_0301="env SOURCE_DATE_EPOCH=1803859200" # 2027-03-01
expect 0 'stdout:"code": "MN-BOTULINUM"' -- $ON_0301 "$MNEEDLE" screen --json "$TMP/t.json"
expect 0 'stdout:"rescreen_date": "2027-03-08"' -- $ON_0301 "$MNEEDLE" screen --json "$TMP/t.json"
expect 0 'stdout:"sessions": \[\]' -- $ON_0301 "$MNEEDLE" plan --json "$TMP/t.json"
HISTORY='"botulinum_toxin_weeks_ago": 2' base > "$TMP/t.json"
expect 0 'stdout:"decision": "proceed"' -- "$MNEEDLE" screen --json "$TMP/t.json"
HISTORY='"botulinum_toxin_weeks_ago": "recent"' base > "$TMP/t.json"
expect 2 '\$\.history\.botulinum_toxin_weeks_ago: expected a number' -- "$MNEEDLE" screen "$TMP/t.json"
expect 0 "stdout:botulinum_toxin_weeks_ago" -- "$MNEEDLE" screen --help

# Diabetes under control (an addition) proceeds with a caution; uncontrolled still defers.
HISTORY='"controlled_diabetes": true' base > "$TMP/t.json"
expect 0 'stdout:"decision": "proceed_with_caution"' -- "$MNEEDLE" screen --json "$TMP/t.json"
expect 0 'stdout:"code": "MN-DIABETES-CONTROLLED"' -- "$MNEEDLE" screen --json "$TMP/t.json"
HISTORY='"uncontrolled_diabetes": true' base > "$TMP/t.json"
expect 0 'stdout:"decision": "defer"' -- "$MNEEDLE" screen --json "$TMP/t.json"
printf '{"client": {"age": 40, "sex": "female", "fitzpatrick": 2}, "concerns": [], "clinic": {"start": "2027-01-01"}}' > "$TMP/t.json"
expect 2 '\$\.concerns: expected at least 1 element' -- "$MNEEDLE" plan "$TMP/t.json"
printf '{"client": {"age": 40, "sex": "female", "fitzpatrick": 2}, "concerns": [{"concern": "melasma", "zones": ["cheek"]}], "clinic": {}}' > "$TMP/t.json"
expect 2 '\$\.clinic\.start: missing; expected a string' -- "$MNEEDLE" plan "$TMP/t.json"
printf '{"client": {"age": 40, "sex": "female", "fitzpatrick": 2}, "concerns": [{"concern": "melasma", "zones": ["cheek"]}], "clinic": {"start": "2027-01-01"}, "extra": 1}' > "$TMP/t.json"
expect 2 '\$\.extra: unknown key' -- "$MNEEDLE" plan "$TMP/t.json"

# A file over the 4 MiB input limit is refused before parsing.
head -c 5000000 /dev/zero | tr '\0' ' ' > "$TMP/huge.json"
expect 2 "over the limit" -- "$MNEEDLE" plan "$TMP/huge.json"

# Output: written atomically; on bad input nothing is created and an old file survives.
expect 0 "" -- "$MNEEDLE" plan --json -o "$TMP/plan.json" "$EX/amelia-wrinkles.json"
expect 0 "" -- grep -q '"maintenance_interval_days"' "$TMP/plan.json"
AGE=300 base > "$TMP/t.json"
expect 2 "out of range" -- "$MNEEDLE" plan --json -o "$TMP/plan.json" "$TMP/t.json"
expect 0 "" -- grep -q '"maintenance_interval_days"' "$TMP/plan.json"
expect 2 "out of range" -- "$MNEEDLE" plan --json -o "$TMP/new.json" "$TMP/t.json"
expect 1 "" -- test -e "$TMP/new.json"
expect 2 "cannot create a file there" -- "$MNEEDLE" plan -o /nonexistent-dir/p.txt "$EX/amelia-wrinkles.json"
# An output path under a regular file says why: not a directory (not "Permission denied",
# which is what access() answers for a file without execute permission), executable or not.
: >"$TMP/afile"
for mode in 644 755; do
    chmod "$mode" "$TMP/afile"
    expect 2 "afile/p\.txt: cannot create a file there: Not a directory" -- "$MNEEDLE" plan -o "$TMP/afile/p.txt" "$EX/amelia-wrinkles.json"
done
expect 0 "" -- sh -c "! ls \"$TMP\" | grep -q '\.tmp\.'"

# Catalogue listings and a catalogue override with an error in it.
for what in devices sites concerns products rules; do
    expect 0 "stdout:." -- "$MNEEDLE" catalog "$what"
    expect 0 "stdout:\"catalog\": \"$what\"" -- "$MNEEDLE" catalog --json "$what"
done
expect 2 "unknown catalogue" -- "$MNEEDLE" catalog widgets
mkdir "$TMP/data"
printf '{"sites": [{"id": "cheek"}]}' > "$TMP/data/sites.json"
expect 2 'sites.json: \$\.sites\[0\]\.name: missing' -- "$MNEEDLE" catalog --data "$TMP/data" sites
# A real date outside the supported years is out of range, and the message gives the range;
# a day no calendar has is not a real date. --start says the same.
START=1800-01-01 base > "$TMP/t.json"
expect 2 '\$\.clinic\.start: 1800-01-01 is outside the supported dates, 1900-01-01 to 2999-12-31' -- "$MNEEDLE" plan "$TMP/t.json"
expect 2 '\$\.clinic\.start: 1800-01-01 is outside the supported dates' -- "$MNEEDLE" screen "$TMP/t.json"
START=3000-01-01 base > "$TMP/t.json"
expect 2 '\$\.clinic\.start: 3000-01-01 is outside the supported dates, 1900-01-01 to 2999-12-31' -- "$MNEEDLE" plan "$TMP/t.json"
START=1899-02-29 base > "$TMP/t.json"
expect 2 '\$\.clinic\.start: "1899-02-29" is not a real date' -- "$MNEEDLE" plan "$TMP/t.json"
expect 2 '--start: expected YYYY-MM-DD from 1900-01-01 to 2999-12-31, or earliest' -- "$MNEEDLE" plan --start 1800-01-01 "$EX/amelia-wrinkles.json"

finish
