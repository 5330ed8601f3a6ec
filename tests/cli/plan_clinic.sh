#!/bin/bash
# The clinic's identity in a client file (clinic.{name, phone, practitioner}) and the date a
# plan is prepared: good values reach the text, the JSON and the report (escaped in the
# report); bad ones exit 2 with the file and the place named, and nothing is written.
. "$(dirname "$0")/lib.sh"

# client CLINIC_EXTRA: a valid client file whose clinic block carries CLINIC_EXTRA.
client() {
    cat <<JSON
{"client": {"name": "Iris", "age": 40, "sex": "female", "fitzpatrick": 2},
 "concerns": [{"concern": "fine-lines-wrinkles", "zones": ["cheek"]}],
 "clinic": {$1 "device": "skinpen", "price_per_session": 300, "start": "2027-03-01"}}
JSON
}
# bad NAME CLINIC_EXTRA PATTERN: plan must refuse it with exit 2, naming the file and PATTERN,
# and leave neither the report nor the plan output behind.
bad() {
    local f="$TMP/$1.json"
    client "$2" >"$f"
    expect 2 "$1\\.json: .*$3" -- "$MNEEDLE" plan "$f" --report "$TMP/$1.html" -o "$TMP/$1.txt"
    if [ -e "$TMP/$1.html" ] || [ -e "$TMP/$1.txt" ]; then
        echo "FAIL: $1: output written despite the error"; fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
}

export SOURCE_DATE_EPOCH=1798761600 # 2027-01-01

# Good: every field reaches every output; the report escapes markup.
client '"name": "Smith & <Jones> Clinic", "phone": "+44 (0)161 555-0142", "practitioner": "Dr O'"'"'Neil",' >"$TMP/good.json"
expect 0 'stdout:Prepared on 2027-01-01 by Smith & <Jones> Clinic \(Dr O.Neil\)\. Questions: call us on \+44 \(0\)161 555-0142\.' \
    -- "$MNEEDLE" plan "$TMP/good.json"
expect 0 'stdout:"phone": "\+44 \(0\)161 555-0142"' -- "$MNEEDLE" plan --json "$TMP/good.json"
expect 0 'stdout:"prepared": "2027-01-01"' -- "$MNEEDLE" plan --json "$TMP/good.json"
expect 0 'stdout:"practitioner": "Dr O.Neil"' -- "$MNEEDLE" plan --json "$TMP/good.json"
expect 0 "" -- "$MNEEDLE" plan "$TMP/good.json" --report "$TMP/good.html"
expect 0 'stdout:Smith &amp; &lt;Jones&gt; Clinic' -- cat "$TMP/good.html"
expect 0 'stdout:Dr O&#39;Neil' -- cat "$TMP/good.html"
expect 0 'stdout:Prepared on 2027-01-01' -- cat "$TMP/good.html"
expect 0 'stdout:class="box call">[^<]*Call us on <b class="phone">\+44 \(0\)161 555-0142' -- cat "$TMP/good.html"
if grep -q '<Jones>' "$TMP/good.html"; then
    echo "FAIL: the clinic's name reached the page unescaped"; fails=$((fails + 1))
else
    passes=$((passes + 1))
fi
# Without the identity the plan says nothing about it; the date is still stated.
client '' >"$TMP/plain.json"
expect 0 'stdout:^Prepared on 2027-01-01\.$' -- "$MNEEDLE" plan "$TMP/plain.json"
if "$MNEEDLE" plan --json "$TMP/plain.json" | grep -q '"clinic"'; then
    echo "FAIL: a clinic object without clinic identity"; fails=$((fails + 1))
else
    passes=$((passes + 1))
fi
# The date follows SOURCE_DATE_EPOCH; a bad one is a usage error.
expect 0 'stdout:"prepared": "2030-06-15"' -- env SOURCE_DATE_EPOCH=1907712000 "$MNEEDLE" plan --json "$TMP/plain.json"
expect 2 'SOURCE_DATE_EPOCH' -- env SOURCE_DATE_EPOCH=yesterday "$MNEEDLE" plan "$TMP/plain.json"
expect 2 'SOURCE_DATE_EPOCH' -- env SOURCE_DATE_EPOCH=-5 "$MNEEDLE" plan "$TMP/plain.json"
# A start before the day the plan is prepared is warned about, naming both dates, in the text,
# the JSON (warnings[], [] when there is none) and the report; the dates are kept as asked.
expect 0 'stdout:"warnings": \[\]' -- "$MNEEDLE" plan --json "$TMP/plain.json"
"$MNEEDLE" plan "$TMP/plain.json" >"$TMP/future.txt"
expect 0 'stdout:^Warning: the start date 2027-03-01 is 1202 days before 2030-06-15, the date this plan was prepared: its dates count from the start, so the first of them are already past' \
    -- env SOURCE_DATE_EPOCH=1907712000 "$MNEEDLE" plan "$TMP/plain.json"
grep -v -e '^Warning: ' -e '^Prepared on ' "$TMP/out" >"$TMP/past.txt"
grep -v '^Prepared on ' "$TMP/future.txt" | cmp -s - "$TMP/past.txt" ||
    { echo "FAIL: a past start moved the plan's dates"; fails=$((fails + 1)); }
expect 0 "" -- env SOURCE_DATE_EPOCH=1907712000 "$MNEEDLE" plan --json -o "$TMP/past.json" --report "$TMP/past.html" "$TMP/plain.json"
expect 0 "" -- python3 - "$TMP/past.json" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))["warnings"]
assert [(x["code"], x["path"]) for x in w] == [("start_before_prepared", "$.clinic.start")], w
assert "2027-03-01" in w[0]["message"] and "2030-06-15" in w[0]["message"], w
PY
expect 0 'stdout:<b>Warning:</b> the start date 2027-03-01 is 1202 days before 2030-06-15' -- cat "$TMP/past.html"
# The same warning on stderr, as every command warns, so a plan written with -o says it too.
expect 0 'mneedle plan: warning: .*plain\.json: \$\.clinic\.start: the start date 2027-03-01 is 1202 days' \
    -- env SOURCE_DATE_EPOCH=1907712000 "$MNEEDLE" plan -o "$TMP/past2.txt" "$TMP/plain.json"
# Prepared on the start day itself: nothing to warn about.
expect 0 'stdout:"warnings": \[\]' -- env SOURCE_DATE_EPOCH=1803859200 "$MNEEDLE" plan --json "$TMP/plain.json"
# A declined client's plan still says whom to call.
cat >"$TMP/declined.json" <<'JSON'
{"client": {"age": 50, "sex": "male", "fitzpatrick": 2},
 "concerns": [{"concern": "surgical-scars", "zones": ["abdomen"]}],
 "history": {"keloid_history": true},
 "clinic": {"phone": "0161 555 0142", "start": "2027-03-01"}}
JSON
expect 0 'stdout:Questions\? Call us on 0161 555 0142\.' -- "$MNEEDLE" plan "$TMP/declined.json"

# Bad: exit 2, the file and the place named, nothing written.
bad phone-letters '"phone": "call 0161 555",' '\$\.clinic\.phone: unexpected character .c.'
bad phone-short '"phone": "12",' '\$\.clinic\.phone: .*has 2 digits; expected 3 to 15'
bad phone-long '"phone": "+44 161 555 0142 0142 01",' '\$\.clinic\.phone: .*has 18 digits'
bad phone-number '"phone": 1615550142,' '\$\.clinic\.phone: expected a string'
bad phone-empty '"phone": "",' '\$\.clinic\.phone: expected 1 to 95 bytes'
bad name-newline '"name": "Riverside\nEvil",' '\$\.clinic\.name: control character \(byte 0x0A\)'
bad name-escape '"name": "Riverside\u001b[2J",' '\$\.clinic\.name: control character \(byte 0x1B\)'
bad name-long "\"name\": \"$(printf 'x%.0s' $(seq 96))\"," '\$\.clinic\.name: expected 1 to 95 bytes of text, got 96'
bad practitioner-array '"practitioner": ["Dr A"],' '\$\.clinic\.practitioner: expected a string'
bad clinic-typo '"phnoe": "0161 555 0142",' '\$\.clinic.*phnoe'
check_left() { ! ls -A "$TMP" | grep -q '^\.'; }
if check_left; then passes=$((passes + 1)); else echo "FAIL: temporary files left"; fails=$((fails + 1)); fi
finish
