#!/usr/bin/env bash
# The delivery validation report (docs/validation-delivery.md) is what the model gives now:
# the split in data/evidence/delivery/SPLIT matches every study's role, and each comparison
# with published measurements (misses included) and each behaviour check reads as reported.
# A change that moves a comparison fails here until the report is regenerated
# (scripts/validate_delivery.py MNEEDLE --write) and the commit says why.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
/usr/bin/python3 "$MN_SOURCE_DIR/scripts/validate_delivery.py" "$MNEEDLE" --check ||
    fail "validation report out of date or split broken"
# The split check bites: a study whose role disagrees with SPLIT is refused.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cp -r "$MN_SOURCE_DIR/scripts" "$MN_SOURCE_DIR/docs" "$T/"
mkdir -p "$T/data/evidence"
cp -r "$MN_SOURCE_DIR/data/evidence/delivery" "$T/data/evidence/"
sed -i 's/"role": "validation"/"role": "calibration"/' "$T/data/evidence/delivery/roller2015amantadine.json"
/usr/bin/python3 "$T/scripts/validate_delivery.py" "$MNEEDLE" --check 2> "$T/err" &&
    fail "a role changed without SPLIT passed"
grep -q "roller2015amantadine.json: role 'calibration', SPLIT says 'validation'" "$T/err" ||
    fail "split refusal does not name the file: $(cat "$T/err")"
# The in-vivo closure comparisons are in the report: a published pore lifetime moved far outside
# the closure law's band changes the page, so --check refuses it.
C="$T/closure"
mkdir -p "$C/data/evidence"
cp -r "$MN_SOURCE_DIR/scripts" "$MN_SOURCE_DIR/docs" "$C/"
cp -r "$MN_SOURCE_DIR/data/evidence/delivery" "$C/data/evidence/"
sed -i 's/"value": 72,/"value": 500,/' "$C/data/evidence/delivery/brogden2013diclofenac.json"
grep -q '"value": 500,' "$C/data/evidence/delivery/brogden2013diclofenac.json" ||
    fail "the closure test's edit did not apply"
/usr/bin/python3 "$C/scripts/validate_delivery.py" "$MNEEDLE" --check 2> "$C/err" &&
    fail "a closure value far outside the law's band left the report unchanged"
grep -q "differs from what the model gives now" "$C/err" ||
    fail "closure refusal is not the report check's: $(cat "$C/err")"
echo "absorb validation: ok"
