# End-to-end: the scales catalogue is overridden with --data DIR like the other catalogues. A
# scales.json in DIR replaces the built-in one for record assessment and replan (a scale only
# it lists is accepted with --data and unknown without; its own range is the one checked); a
# misspelt scales file in DIR is refused naming the path, and a broken one naming the file and
# the place; nothing is recorded on a refusal.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
DB="$TMP/clinic.db"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-01
export MNEEDLE_ACTOR=test-nurse
unset MNEEDLE_DB MNEEDLE_KEY

mkdir "$TMP/data" "$TMP/typo" "$TMP/broken"
$PY - "$MN_SOURCE_DIR/data/scales.json" "$TMP" <<'EOF' || exit 1
import json, sys
src, tmp = sys.argv[1], sys.argv[2]
d = json.load(open(src))
# A clinic's own scale, and the quantitative Goodman & Baron cut to 0-40 (to see whose range is used).
extra = dict(d["scales"][0], id="clinic-vas", name="Clinic satisfaction VAS", min=0, max=10,
             step=0, kind="severity", better="lower", concern=None, status="cited",
             source="the clinic's own 0-10 visual analogue scale")
for s in d["scales"]:
    if s["id"] == "goodman-baron-quantitative":
        s["max"] = 40
d["scales"].append(extra)
json.dump(d, open(tmp + "/data/scales.json", "w"))
json.dump(d, open(tmp + "/typo/scale.json", "w"))
d["scales"][1]["min"] = "zero"
json.dump(d, open(tmp + "/broken/scales.json", "w"))
EOF

expect 0 "" -- "$MNEEDLE" db init --db "$DB"
expect 0 "stdout:^ravi$" -- "$MNEEDLE" client add --db "$DB" --id ravi \
    "$MN_SOURCE_DIR/examples/clients/ravi-acne-scars.json"
expect 0 "saved as plan 1" -- "$MNEEDLE" plan --save --db "$DB" ravi
cat > "$TMP/vas.json" <<EOF
{"client": "ravi", "date": "2027-01-11", "scale": "clinic-vas", "score": 3.5, "rater": "dr-a"}
EOF
cat > "$TMP/gb.json" <<EOF
{"client": "ravi", "date": "2027-01-12", "scale": "goodman-baron-quantitative", "score": 60,
 "rater": "dr-a"}
EOF

# Without --data: the built-in catalogue, which has no clinic-vas and takes 60 on 0-84.
expect 2 'vas.json: \$\.scale: unknown scale "clinic-vas"' -- \
    "$MNEEDLE" record assessment --db "$DB" "$TMP/vas.json"
# With --data: the directory's scales.json.
expect 0 "stdout:recorded 1 assessment" -- \
    "$MNEEDLE" record assessment --db "$DB" --data "$TMP/data" "$TMP/vas.json"
expect 2 'gb.json: \$\.score: .*40' -- \
    "$MNEEDLE" record assessment --db "$DB" --data "$TMP/data" "$TMP/gb.json"
expect 0 "stdout:recorded 1 assessment" -- "$MNEEDLE" record assessment --db "$DB" "$TMP/gb.json"
# Replan reads the scales too.
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --data "$TMP/data" ravi
# A misspelt file or a broken one: refused, naming it; nothing recorded.
expect 2 "typo/scale.json: not a catalogue file name" -- \
    "$MNEEDLE" record assessment --db "$DB" --data "$TMP/typo" "$TMP/vas.json"
expect 2 'broken/scales.json: \$\.scales\[1\]\.min' -- \
    "$MNEEDLE" record assessment --db "$DB" --data "$TMP/broken" "$TMP/vas.json"
expect 0 "" -- $PY -c "
import sqlite3, sys
n = sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM assessments').fetchone()[0]
sys.exit(0 if n == 2 else 1)" "$DB"
finish
