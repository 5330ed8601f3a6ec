# The health questionnaire (docs/screening.md): a client file without a history object was
# never asked, and is not screened as "asked, and the answer was no". It defers with no date
# (MN-NO-HISTORY), and neither the text, the JSON nor the report says a questionnaire was
# reviewed; an empty history object is a questionnaire with nothing to declare.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/none.json" <<'JSON'
{"client":{"age":40,"sex":"female","fitzpatrick":2},"concerns":[{"concern":"acne-scars","zones":["cheek"]}],"clinic":{"device":"skinpen","price_per_session":1,"currency":"GBP","start":"2027-01-04"}}
JSON
sed 's/"concerns"/"history":{},"concerns"/' "$TMP/none.json" >"$TMP/empty.json"

expect 0 'stdout:Screening: defer' -- "$MNEEDLE" screen "$TMP/none.json"
expect 0 'stdout:MN-NO-HISTORY' -- "$MNEEDLE" screen "$TMP/none.json"
expect 0 'stdout:No date can be given yet' -- "$MNEEDLE" screen "$TMP/none.json"
expect 0 'stdout:health questionnaire has not been completed' -- "$MNEEDLE" screen "$TMP/none.json"
expect 0 'stdout:"rescreen_date": null' -- "$MNEEDLE" screen --json "$TMP/none.json"
expect 0 'stdout:"code": "MN-NO-HISTORY"' -- "$MNEEDLE" screen --json "$TMP/none.json"
expect 0 'stdout:"sessions": \[\]' -- "$MNEEDLE" plan --json "$TMP/none.json"
expect 0 'stdout:"come_back": null' -- "$MNEEDLE" plan --json "$TMP/none.json"
expect 0 'stdout:Complete the health questionnaire' -- "$MNEEDLE" plan "$TMP/none.json"
expect 0 "" -- "$MNEEDLE" plan --report "$TMP/none.html" "$TMP/none.json"
"$MNEEDLE" screen "$TMP/none.json" >"$TMP/none.txt"
"$MNEEDLE" plan "$TMP/none.json" >>"$TMP/none.txt"
for words in "stands in the way" "No contraindications" "You can be treated" "history given"; do
    if grep -q "$words" "$TMP/none.txt" "$TMP/none.html"; then
        echo "FAIL: a client never asked is reported as screened: \"$words\""
        fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
done

# Asked, nothing to declare: screened as before.
expect 0 'stdout:Screening: proceed' -- "$MNEEDLE" screen "$TMP/empty.json"
expect 0 'stdout:No contraindications found in the history given' -- "$MNEEDLE" screen "$TMP/empty.json"
expect 0 "" -- "$MNEEDLE" plan --report "$TMP/empty.html" "$TMP/empty.json"
expect 0 "" -- grep -q "Nothing in the health questionnaire stands in the way" "$TMP/empty.html"

# A client list has no history columns: an imported client is not yet screened.
cat >"$TMP/list.csv" <<'CSV'
id,name,email,phone,birth_date,age,sex,fitzpatrick,concern,zones,severity,device,start,smoker,sun
c1,Ann Example,,,,40,female,2,acne-scars,cheek,moderate,skinpen,2027-01-04,no,low
CSV
expect 0 "" -- "$MNEEDLE" db init --db "$TMP/c.db"
expect 0 "" -- "$MNEEDLE" import --db "$TMP/c.db" "$TMP/list.csv"
expect 0 'stdout:"decision": "defer"' -- "$MNEEDLE" plan --save --db "$TMP/c.db" --json c1
expect 0 'stdout:MN-NO-HISTORY' -- "$MNEEDLE" plan --save --db "$TMP/c.db" --json c1

finish
