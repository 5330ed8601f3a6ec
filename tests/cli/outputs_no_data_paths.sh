# End-to-end: no output a user reads names a file of the source tree's data/ folder, which an
# installed copy does not have (the catalogues, the evidence base and the posterior are built
# into the binary): it names the command that shows the same thing instead ('mneedle catalog
# ...', 'mneedle evidence') or the installed documentation (docs/...). Each command runs on the
# examples, as text and as JSON (the --help texts: tests/cli/help_examples.sh). Nor does any
# name another part of the source tree (src/, tests/, scripts/, a .c or .h file, an MN_ macro):
# it says the value and where a user reads about it (docs/...) instead.
#
# Kept in JSON, as provenance (DESIGN §4/§8: a key's meaning does not change), and nowhere else:
#  - "source" values: a catalogue entry's or rule's sources (they may cite another catalogue by
#    its file) and a bundled study's `(embedded) data/evidence/ID.json` (docs/evidence.md);
#  - "file" of the sensitivity's method.posterior: `data/posterior/healing.json (bundled)`,
#    the path the bundled posterior was built from (docs/sensitivity.md).
# The other parts of the source tree have no exception, in JSON or text.
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1796083200 # 2026-12-01: plan dates do not depend on the day run
unset MNEEDLE_DB MNEEDLE_KEY
E=$MN_SOURCE_DIR/examples
OUT=$TMP/outputs
mkdir "$OUT"

# run NAME ARGS...: the text output as NAME.txt and the --json output as NAME.json.
run() {
    name=$1; shift
    "$MNEEDLE" "$@" > "$OUT/$name.txt" 2>&1 || { echo "FAIL: mneedle $* exited $?"; fails=$((fails + 1)); }
    "$MNEEDLE" "$@" --json > "$OUT/$name.json" 2>&1 || { echo "FAIL: mneedle $* --json exited $?"; fails=$((fails + 1)); }
}
for c in devices sites concerns products rules; do run "catalog-$c" catalog "$c"; done
for f in "$E"/clients/*.json; do
    b=$(basename "$f" .json)
    run "screen-$b" screen "$f"
    run "plan-$b" plan "$f" --start earliest
done
"$MNEEDLE" plan "$E/clients/ravi-acne-scars.json" --start earliest --report "$OUT/report.html" > /dev/null 2>&1 ||
    { echo "FAIL: plan --report exited $?"; fails=$((fails + 1)); }
for f in "$E"/scenarios/simulate-*.json; do run "simulate-$(basename "$f" .json)" simulate "$f"; done
for f in "$E"/scenarios/absorb-*.json; do run "absorb-$(basename "$f" .json)" absorb "$f"; done
run absorb-field absorb "$E/scenarios/absorb-field-niacinamide.json" --field
run cohort cohort --n 200 "$E/trials/lotfi-2013-acne-scars.json"
# The same trial at the library's default constants, whose note names where they are given.
/usr/bin/python3 -c 'import json, sys; t = json.load(open(sys.argv[1])); t["constants"] = "defaults"; json.dump(t, open(sys.argv[2], "w"))' \
    "$E/trials/lotfi-2013-acne-scars.json" "$TMP/trial-defaults.json"
run cohort-defaults cohort --n 200 "$TMP/trial-defaults.json"
run evidence evidence
run validate validate
run sensitivity sensitivity "$E/sensitivity/healing-posterior.json"
# The clinic record: a client with a saved plan, and what the records commands show of her.
DB=$TMP/clinic.db
"$MNEEDLE" db init --db "$DB" > /dev/null 2>&1 &&
    "$MNEEDLE" client add --db "$DB" --id c-amelia "$E/clients/amelia-wrinkles.json" > /dev/null 2>&1 &&
    "$MNEEDLE" plan c-amelia --save --db "$DB" > "$OUT/plan-saved.txt" 2>&1 ||
    { echo "FAIL: setting up the clinic record"; fails=$((fails + 1)); }
run client-show client show c-amelia --db "$DB"
run client-list client list --db "$DB"
run history history c-amelia --db "$DB"
run replan replan c-amelia --db "$DB"
run recall recall --db "$DB"

# Every output was written, and the text ones name no data/ file.
ok "[ $(ls "$OUT" | wc -l) -ge 76 ]" "only $(ls "$OUT" | wc -l) outputs written"
# none_in REGEX WHAT: no text or HTML output matches the extended REGEX (WHAT names it).
none_in() {
    for f in "$OUT"/*.txt "$OUT"/*.html; do
        if grep -nE "$1" "$f" > "$TMP/hits"; then
            echo "FAIL: $(basename "$f") names $2:"; cut -c1-200 "$TMP/hits" | sed 's/^/  | /' | head -5
            fails=$((fails + 1))
        else
            passes=$((passes + 1))
        fi
    done
}
none_in 'data/' "a file of data/"
# Nor, text or JSON, any other part of the source tree an installed copy does not have: a source
# or test file, a script, a C macro (the plain words, the command or the docs/ page instead).
# No exception (a "source" value cites a paper, a catalogue or docs/, not the code).
INTERNAL='(^|[^A-Za-z0-9_])(src|tests|scripts)/|MN_[A-Z][A-Z0-9_]+|[A-Za-z0-9_]\.[ch]([^A-Za-z0-9_]|$)'
none_in "$INTERNAL" "a part of the source tree"
# The JSON ones: data/ only in the provenance values listed above, the rest nowhere.
INTERNAL=$INTERNAL /usr/bin/python3 - "$OUT"/*.json > "$TMP/json_hits" <<'PY'
import json, os, re, sys

INTERNAL = re.compile(os.environ["INTERNAL"])

def walk(v, path, key, out):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(x, f"{path}.{k}", k, out)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(x, f"{path}[{i}]", key, out)
    elif isinstance(v, str):
        kept = key == "source" or (key == "file" and path.endswith(".posterior.file"))
        if ("data/" in v and not kept) or INTERNAL.search(v):
            out.append(f"{path}: {v[:160]}")

for name in sys.argv[1:]:
    try:
        doc = json.load(open(name))
    except ValueError as e:
        print(f"{name}: not one JSON object ({e})")
        continue
    hits = []
    walk(doc, "$", None, hits)
    for h in hits:
        print(f"{name.rsplit('/', 1)[-1]}: {h}")
PY
if [ -s "$TMP/json_hits" ]; then
    echo "FAIL: JSON outputs name a file of data/ or a part of the source tree outside a provenance value:"
    sed "s/^/  | /" "$TMP/json_hits" | head -60
    fails=$((fails + 1))
else
    passes=$((passes + 1))
fi
finish
