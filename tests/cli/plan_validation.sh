# Beside a projection, the plan says how far the model has been borne out by the studies it
# was not fitted to (docs/models/healing.md, "Where the evidence stops"): the counts are
# mneedle validate's own (data/posterior/healing-validation.json, held to the command by
# tests/cli/validate.sh), in the text and in projection.validation. A plan that projects
# nothing (a melasma client) does not carry it.
. "$(dirname "$0")/lib.sh"
EX="$MN_SOURCE_DIR/examples/clients"
V="$MN_SOURCE_DIR/data/posterior/healing-validation.json"
checked=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['checked'])" "$V")
inside=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['inside'])" "$V")

expect 0 "stdout:^  Checked against $checked published results of studies it was not fitted to, the model's 90 % interval held $inside \(docs/validation.md\)" -- \
    "$MNEEDLE" plan --start earliest "$EX/amelia-wrinkles.json"
"$MNEEDLE" plan --json --start earliest "$EX/amelia-wrinkles.json" >"$TMP/amelia.json"
expect 0 "" -- python3 - "$TMP/amelia.json" "$V" <<'PY'
import json, sys
p, v = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
got = p["projection"]["validation"]
assert got == {"checked": v["checked"], "inside": v["inside"],
               "misses_over_promised": v["worse"], "misses_under_promised": v["better"],
               "page": "docs/validation.md"}, got
PY

# Nothing projected, nothing said.
cat >"$TMP/melasma.json" <<'JSON'
{"client": {"age": 38, "sex": "female", "fitzpatrick": 3},
 "concerns": [{"concern": "melasma", "zones": ["cheek"]}],
 "clinic": {"device": "skinpen", "start": "2027-03-01"}}
JSON
expect 0 "" -- "$MNEEDLE" plan --output "$TMP/melasma.txt" "$TMP/melasma.json"
expect 1 "" -- grep -q "not fitted to" "$TMP/melasma.txt"
expect 0 "" -- "$MNEEDLE" plan --json --output "$TMP/melasma.out.json" "$TMP/melasma.json"
expect 1 "" -- grep -q '"validation"' "$TMP/melasma.out.json"
finish
