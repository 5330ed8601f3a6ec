# The aftercare a plan prints follows the areas it treats (data/aftercare.json `areas`,
# docs/clinic.md "Aftercare"): a client treated on the scalp alone gets no make-up or face-care
# items, and gets the scalp's (hair products); a face client gets the make-up item and not the
# scalp's; one treated on both gets both.
. "$(dirname "$0")/lib.sh"

client() { # ZONES CONCERN
    cat <<JSON
{"client": {"age": 41, "sex": "male", "fitzpatrick": 2},
 "concerns": [{"concern": "$2", "zones": [$1], "severity": "moderate"}],
 "history": {}, "lifestyle": {"smoker": false, "sun": "moderate"},
 "clinic": {"device": "skinpen", "price_per_session": 200, "start": "2027-03-01"}}
JSON
}
client '"scalp"' hair-loss >"$TMP/scalp.json"
client '"cheek"' fine-lines-wrinkles >"$TMP/face.json"
cat >"$TMP/both.json" <<'JSON'
{"client": {"age": 41, "sex": "male", "fitzpatrick": 2},
 "concerns": [{"concern": "hair-loss", "zones": ["scalp"], "severity": "moderate"},
              {"concern": "fine-lines-wrinkles", "zones": ["cheek"], "severity": "moderate"}],
 "history": {}, "lifestyle": {"smoker": false, "sun": "moderate"},
 "clinic": {"device": "skinpen", "price_per_session": 200, "start": "2027-03-01"}}
JSON
for c in scalp face both; do
    expect 0 "" -- "$MNEEDLE" plan --json -o "$TMP/$c.out" "$TMP/$c.json"
    expect 0 "" -- "$MNEEDLE" plan -o "$TMP/$c.txt" "$TMP/$c.json"
done

cat >"$TMP/check.py" <<'PY'
import json, re, sys
name, plan, text = sys.argv[1], json.load(open(sys.argv[2])), open(sys.argv[3]).read()
ids = [a["id"] for a in plan["aftercare"]]
words = " ".join(a["text"] for a in plan["aftercare"])
sheet = text.split("Aftercare after each session", 1)[1].split("\n\n", 1)[0]
want = {"scalp": ({"no-hair-products"}, {"no-makeup", "moisturise", "gentle-cleanse"}),
        "face": ({"no-makeup", "moisturise", "gentle-cleanse"}, {"no-hair-products"}),
        "both": ({"no-makeup", "no-hair-products"}, set())}[name]
bad = ["missing %s" % i for i in want[0] if i not in ids]
bad += ["given %s" % i for i in want[1] if i in ids]
if name == "scalp":
    for w in ("make-up", "face", "facial"):
        if re.search(r"\b%s\b" % w, words, re.I) or re.search(r"\b%s\b" % w, sheet, re.I):
            bad.append("the scalp-only aftercare speaks of %r" % w)
for b in bad:
    print("FAIL: %s: %s" % (name, b))
sys.exit(1 if bad else 0)
PY
for c in scalp face both; do
    expect 0 "" -- python3 "$TMP/check.py" "$c" "$TMP/$c.out" "$TMP/$c.txt"
    [ -s "$TMP/out" ] && sed 's/^/  | /' "$TMP/out"
done

# A bad area in a catalogue override is refused, naming the file and the place.
mkdir -p "$TMP/data"
sed 's/"areas": \["face"\]/"areas": ["elbow"]/' "$MN_SOURCE_DIR/data/aftercare.json" >"$TMP/data/aftercare.json"
expect 2 'aftercare\.json: \$\.aftercare\[[0-9]+\]\.areas\[0\]: expected "face", "scalp" or "body"' -- \
    "$MNEEDLE" plan --data "$TMP/data" "$TMP/face.json"

finish
