# A plan that sets a zone past the settings its device's regulatory evaluation covered tells the
# client (data/devices.json evaluated_max_mm, evaluated_by; docs/catalogues.md): the SkinPen's
# FDA De Novo classification did not evaluate settings above 1.5 mm (F47a). Lighter-skinned
# acne scars on the cheek go to 1.75 mm and say so; the same client on a Dermapen 4 (no
# evaluation recorded) and in phototype VI (held to 1.25 mm) do not. A catalogue that gives the
# limit without its evaluation is refused.
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1796515200
client() { # FILE DEVICE PHOTOTYPE
    cat >"$1" <<J
{"client": {"name": "E", "age": 30, "sex": "female", "fitzpatrick": $3},
 "concerns": [{"concern": "acne-scars", "zones": ["cheek"], "severity": "severe"}],
 "history": {}, "lifestyle": {"smoker": false, "sun": "moderate"},
 "clinic": {"device": "$2", "price_per_session": 300, "currency": "GBP", "start": "2027-01-04"}}
J
}
client "$TMP/pen.json" skinpen 2
client "$TMP/dp4.json" dermapen-4 2
client "$TMP/dark.json" skinpen 6
said="Above 1\.5 mm this goes beyond the settings the SkinPen \(Crown Aesthetics\) was evaluated at in its FDA De Novo classification \(DEN160029"
expect 0 "stdout:needle 1-1\.75 mm," -- "$MNEEDLE" plan "$TMP/pen.json"
expect 0 "stdout:$said" -- "$MNEEDLE" plan "$TMP/pen.json"
expect 0 "stdout:$said" -- "$MNEEDLE" plan --json "$TMP/pen.json"
expect 0 "" -- "$MNEEDLE" plan --report "$TMP/pen.html" --output /dev/null "$TMP/pen.json"
expect 0 "stdout:$said" -- cat "$TMP/pen.html"
expect 0 "" -- "$MNEEDLE" plan --output "$TMP/dp4.txt" "$TMP/dp4.json"
expect 0 "stdout:needle 1-1\.8 mm," -- cat "$TMP/dp4.txt"
expect 1 "" -- grep -q "evaluated at" "$TMP/dp4.txt"
expect 0 "" -- "$MNEEDLE" plan --output "$TMP/dark.txt" "$TMP/dark.json"
expect 1 "" -- grep -q "evaluated at" "$TMP/dark.txt"
expect 0 'stdout:"evaluated_max_mm": 1\.5' -- "$MNEEDLE" catalog devices --json

# The limit without its evaluation: refused, naming the file and the device.
mkdir "$TMP/data"
"$MNEEDLE" catalog devices --json >/dev/null # the built-in copy is readable
python3 - "$MN_SOURCE_DIR/data/devices.json" "$TMP/data/devices.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
del d["devices"][0]["evaluated_by"]
json.dump(d, open(sys.argv[2], "w"), indent=1)
PY
expect 2 "devices\.json: .*devices\[0\].*evaluated_max_mm and evaluated_by go together" -- \
    "$MNEEDLE" plan --data "$TMP/data" "$TMP/pen.json"
finish
