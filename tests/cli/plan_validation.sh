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
studies=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['studies'])" "$V")
eff=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['efficacy_inside'], 'of the', d['efficacy_checked'])" "$V")

expect 0 "stdout:^  Checked against $checked published results from $studies studies it was not fitted to, the model's 90 % interval held $inside \($eff on efficacy; mneedle's validation report lists each\)" -- \
    "$MNEEDLE" plan --start earliest "$EX/amelia-wrinkles.json"
"$MNEEDLE" plan --json --start earliest "$EX/amelia-wrinkles.json" >"$TMP/amelia.json"
expect 0 "" -- python3 - "$TMP/amelia.json" "$V" <<'PY'
import json, sys
p, v = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
got = p["projection"]["validation"]
assert got == {"checked": v["checked"], "inside": v["inside"],
               "misses_over_promised": v["worse"], "misses_under_promised": v["better"],
               "studies": v["studies"], "efficacy_checked": v["efficacy_checked"],
               "efficacy_inside": v["efficacy_inside"],
               "page": "docs/validation.md"}, got
PY

# The report says it too, in the same words, beside its answer to "how long will it last?";
# and its card leads with the median of the people drawn from the fit, the typical person beside.
expect 0 "" -- "$MNEEDLE" plan --start earliest --report "$TMP/amelia.html" \
    --output "$TMP/amelia.txt" "$EX/amelia-wrinkles.json"
expect 0 "stdout:^ok" -- python3 - "$TMP/amelia.txt" "$TMP/amelia.html" "$TMP/amelia.json" <<'PY'
import html, json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
page = html.unescape(open(sys.argv[2], encoding="utf-8").read())
s = json.load(open(sys.argv[3]))["summary"]
said = re.search(r"^  (Checked against .*)$", text, re.M).group(1)
assert "<b>" + said + "</b>" in page, said
card = re.search(r"Projected best improvement</span><b>(\d+) %</b><span>median person; "
                 r"plausible range (\d+)–(\d+) %; the model's typical person (\d+) %", page)
assert card and int(card.group(1)) == round(s["peak_improvement_pct_median"]), card
assert int(card.group(4)) == round(s["peak_improvement_pct"]), card
print("ok")
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
expect 0 "" -- "$MNEEDLE" plan --report "$TMP/melasma.html" --output /dev/null "$TMP/melasma.json"
expect 1 "" -- grep -q "not fitted to" "$TMP/melasma.html"
finish
