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
echo "absorb validation: ok"
