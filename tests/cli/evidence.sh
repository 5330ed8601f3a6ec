# End-to-end: mneedle evidence, the bundled base and --evidence DIR with a user's studies, good
# and malformed (exit 2, the file and JSON path named, nothing written).
. "$(dirname "$0")/lib.sh"
EV="$MN_SOURCE_DIR/data/evidence"

expect 0 "stdout:usage: mneedle evidence \[--json\]" -- "$MNEEDLE" evidence --help
expect 2 "takes no operand" -- "$MNEEDLE" evidence extra
expect 2 "unknown option" -- "$MNEEDLE" evidence --bogus

# The bundled base: every study file is listed with its role.
expect 0 "stdout:Evidence base: [0-9]+ studies, [0-9]+ calibration and [0-9]+ validation" -- "$MNEEDLE" evidence
expect 0 "stdout:alam2014 +validation +split-face +20 " -- "$MNEEDLE" evidence
# A validation study whose values helped set a law before the split says so, never "never
# fitted to" alone; the JSON names the law.
expect 0 "stdout:^  ogunjimi2020 \(its closure times helped set the channel-closure law\)" -- "$MNEEDLE" evidence
expect 0 "stdout:^  dogra2014 \(its PIH findings helped set the PIH law\)" -- "$MNEEDLE" evidence
expect 0 "stdout:\"set_a_law\": \"closure\"" -- "$MNEEDLE" evidence --json
"$MNEEDLE" evidence --json >"$TMP/ev.json"
# The embedded base is the one in data/evidence, with the roles SPLIT declares.
expect 0 "" -- python3 - "$TMP/ev.json" "$EV" <<'PY'
import glob, json, os, sys
d = json.load(open(sys.argv[1]))
assert "version" in d
split = dict(l.split() for l in open(os.path.join(sys.argv[2], "SPLIT"))
             if l.strip() and not l.startswith("#"))
got = {s["id"]: s["role"] for s in d["studies"]}
assert got == split, (got, split)
files = {os.path.basename(p)[:-5] for p in glob.glob(os.path.join(sys.argv[2], "*.json"))}
assert set(got) == files
assert d["counts"]["studies"] == len(files) and d["counts"]["user"] == 0
assert d["counts"]["validation"] == sum(r == "validation" for r in split.values())
for s in d["studies"]:
    assert s["endpoints"] and s["families"] and not s["user"]
PY
expect 0 "" -- "$MNEEDLE" evidence --json --output "$TMP/out.json"
expect 0 "" -- cmp "$TMP/ev.json" "$TMP/out.json"

# A user's own study is added and marked.
mkdir "$TMP/mine"
cat >"$TMP/mine/clinic2025.json" <<'JSON'
{"id": "clinic2025", "citation": "Our clinic's audit, 2025.", "url": "https://example.org/audit",
 "role": "validation", "design": "case-series", "population": {"n": 12, "phototypes": ["II", "III"]},
 "concern": "fine-lines-wrinkles",
 "arms": [{"id": "pen", "protocol": {"device": "SkinPen", "device_class": "pen", "needle_mm": 1.0,
                                      "passes": 3, "sessions": 3, "interval_days": 28}}],
 "endpoints": [{"id": "gais", "family": "clinical_scale", "scale": "gais_responders", "arm": "pen",
                "quantity": "responders", "unit": "patients", "direction": "higher_better",
                "threshold": "improved or better", "timepoints": [{"day_after_last": 90, "n": 12, "count": 9}]}],
 "verified": "full text", "unverified": []}
JSON
expect 0 "stdout:clinic2025\* +validation" -- "$MNEEDLE" evidence --evidence "$TMP/mine"
expect 0 "stdout:\(1 from --evidence, marked \*\)" -- "$MNEEDLE" evidence --evidence "$TMP/mine"
expect 0 'stdout:"user": 1' -- "$MNEEDLE" evidence --json --evidence "$TMP/mine"

# Malformed studies: each refused with exit 2, naming the file and the place; --output FILE is
# not created and no temporary file is left.
bad() { # NAME SED-EXPRESSION MESSAGE
    rm -rf "$TMP/bad" "$TMP/o"; mkdir "$TMP/bad" "$TMP/o"
    sed "$2" "$TMP/mine/clinic2025.json" >"$TMP/bad/$1.json"
    [ "$1" = clinic2025 ] || sed -i "s/\"id\": \"clinic2025\"/\"id\": \"$1\"/" "$TMP/bad/$1.json"
    expect 2 "$3" -- "$MNEEDLE" evidence --evidence "$TMP/bad" --output "$TMP/o/list.txt"
    if [ -n "$(ls -A "$TMP/o")" ]; then
        echo "FAIL: output written for a refused study ($1): $(ls -A "$TMP/o")"; fails=$((fails + 1))
    fi
}
bad clinic2025 's/"needle_mm": 1.0/"needle_mm": 9/' 'clinic2025.json: \$\.arms\[0\]\.protocol\.needle_mm: 9 is out of range'
bad clinic2025 's/"arm": "pen"/"arm": "roller"/' 'clinic2025.json: \$\.endpoints\[0\]\.arm: "roller" is not an arm'
bad clinic2025 's/"concern": "fine-lines-wrinkles"/"concern": "wrinkles"/' 'clinic2025.json: \$\.concern: "wrinkles" is not a concern'
bad clinic2025 's/"count": 9/"count": 13/' 'clinic2025.json: \$\.endpoints\[0\]\.timepoints\[0\]\.count: 13 is more than n \(12\)'
bad clinic2025 's/"role": "validation"/"role": "fit"/' 'clinic2025.json: \$\.role: expected one of calibration, validation'
bad clinic2025 's/"n": 12, "phototypes"/"n": "12", "phototypes"/' 'clinic2025.json: \$\.population\.n: expected a number'
bad clinic2025 's/"day_after_last": 90, //' 'clinic2025.json: \$\.endpoints\[0\]\.timepoints\[0\]: no time'
bad clinic2025 's/"threshold": "improved or better", //' 'clinic2025.json: \$\.endpoints\[0\]\.threshold: missing'
bad clinic2025 's/"verified": "full text", //' 'clinic2025.json: \$\.verified: missing'
bad clinic2025 's/}$/,/' 'clinic2025.json:[0-9]+:[0-9]+: malformed JSON'
bad alam2014 's/x/x/' 'alam2014.json: \$\.id: "alam2014" is already the id of \(embedded\) data/evidence/alam2014.json'
bad other 's/"id": "clinic2025"/"id": "someone"/' 'other.json: \$\.id: "someone" differs from the file name'
: >"$TMP/empty.json"; mkdir "$TMP/e1"; cp "$TMP/empty.json" "$TMP/e1/x.json"
expect 2 'x.json: the file is empty' -- "$MNEEDLE" evidence --evidence "$TMP/e1"
mkdir "$TMP/none"
expect 2 "evidence directory .*/none: no study files" -- "$MNEEDLE" evidence --evidence "$TMP/none"
expect 2 "evidence directory .*/mine/clinic2025.json: not a directory" -- "$MNEEDLE" evidence --evidence "$TMP/mine/clinic2025.json"
expect 2 "evidence directory .*/missing: No such file" -- "$MNEEDLE" evidence --evidence "$TMP/missing"
expect 2 "evidence directory: the name is empty; expected the path of a directory of study files" -- "$MNEEDLE" evidence --evidence ""
finish
