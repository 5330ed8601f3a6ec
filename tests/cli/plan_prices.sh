# End-to-end: clinic.prices per zone and area group, clinic.course_price, the totals they give,
# the no-price fallback in the client's currency, and bad price inputs (exit 2, file and place
# named, nothing written with --output).
. "$(dirname "$0")/lib.sh"

# A client with the cheek and the forehead (wrinkles) and the abdomen (stretch marks).
client() {
    cat <<JSON
{"client": {"age": 40, "sex": "female", "fitzpatrick": 2},
 "concerns": [{"concern": "fine-lines-wrinkles", "zones": ["cheek", "forehead"]},
              {"concern": "stretch-marks", "zones": ["abdomen"]}],
 "history": {},
 "clinic": {"currency": "${CUR:-EUR}", "start": "2027-03-01"$1}}
JSON
}
json_total() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); c=d['cost']; s=d['sessions']; print(round(c['horizon_total'],6), round(sum(v['price'] for v in s),6), round(c['course_total'],6), round(sum(v['price'] for v in s if v['phase']=='course'),6))" "$1"; }

# Zone and group prices: a visit with cheek, forehead and abdomen costs cheek 120 + face 200
# (the forehead) + body 90; the totals are the sums over the visits booked.
client ', "prices": {"cheek": 120, "face": 200, "body": 90}' >"$TMP/zones.json"
expect 0 "" -- "$MNEEDLE" plan --json --output "$TMP/zones.out.json" "$TMP/zones.json"
expect 0 'stdout:"price": 410.0' -- cat "$TMP/zones.out.json"
expect 0 "stdout:priced per area treated" -- "$MNEEDLE" plan "$TMP/zones.json"
set -- $(json_total "$TMP/zones.out.json")
if [ "$1" = "$2" ] && [ "$3" = "$4" ]; then passes=$((passes + 1)); else
    echo "FAIL: totals $1/$3 are not the sums over visits $2/$4"; fails=$((fails + 1)); fi

# A course package: the course costs the package, maintenance the per-session price.
client ', "price_per_session": 300, "course_price": 1500' >"$TMP/pkg.json"
expect 0 "stdout:course 1500.00 \(package\)" -- "$MNEEDLE" plan "$TMP/pkg.json"
expect 0 'stdout:"course_price": 1500.0' -- "$MNEEDLE" plan --json "$TMP/pkg.json"
"$MNEEDLE" plan --json "$TMP/pkg.json" >"$TMP/pkg.out.json"
set -- $(json_total "$TMP/pkg.out.json")
if [ "$1" = "$2" ] && [ "$3" = "1500.0" ] && [ "$4" = "1500.0" ]; then passes=$((passes + 1)); else
    echo "FAIL: package course total $3 (visits $4), total $1 (visits $2)"; fails=$((fails + 1)); fi

# No price: never a figure in another currency than the client's.
client '' >"$TMP/none.json"
"$MNEEDLE" plan "$TMP/none.json" >"$TMP/none.txt" 2>&1
if grep -q "USD" "$TMP/none.txt"; then echo "FAIL: a EUR client is quoted USD"; fails=$((fails + 1))
else passes=$((passes + 1)); fi
expect 0 "stdout:No price given; ask the clinic" -- cat "$TMP/none.txt"
CUR=USD client '' >"$TMP/usd.json"
expect 0 "stdout:250-700 USD" -- "$MNEEDLE" plan "$TMP/usd.json"

# Bad inputs: exit 2, the file and the place named, no output file and no temporary left.
bad() {
    client "$1" >"$TMP/bad.json"
    expect 2 "bad.json: $2" -- "$MNEEDLE" plan --output "$TMP/dest/plan.txt" "$TMP/bad.json"
    if [ -n "$(ls -A "$TMP/dest")" ]; then echo "FAIL: output left for $1"; fails=$((fails + 1))
    else passes=$((passes + 1)); fi
}
mkdir "$TMP/dest"
bad ', "prices": [100]' '\$\.clinic\.prices: expected an object'
bad ', "prices": {"cheekz": 100}' '\$\.clinic\.prices\.cheekz: unknown zone'
bad ', "prices": {"cheek": "100"}' '\$\.clinic\.prices\.cheek: expected a number'
bad ', "prices": {"body": -3}' '\$\.clinic\.prices\.body: -3 is out of range'
bad ', "prices": {"cheek": 100}' '\$\.clinic\.prices: no price for the forehead'
bad ', "price_per_session": 100, "course_price": "a lot"' '\$\.clinic\.course_price: expected a number'
bad ', "price_per_session": 100, "course_price": -1' '\$\.clinic\.course_price: -1 is out of range'
finish
