# A history of rosacea, not flaring (history.rosacea_history, an optional flag that defaults to
# false): a caution, never a deferral or a decline (needling has been studied as a treatment of
# rosacea), with gentler settings and the gentle rise on the facial zones only (MN-ROSACEA,
# data/rules.json, with its sources). A flare where we would treat defers (MN-SKIN-FLARE) and
# stops the caution; a body zone alone draws no finding; a file without the flag is as before.
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1796515200

client() { # HISTORY ZONES
    cat <<J
{"client": {"name": "Rosacea", "age": 45, "sex": "female", "fitzpatrick": 2},
 "concerns": [{"concern": "fine-lines-wrinkles", "zones": [$2]}],
 "history": {$1}, "lifestyle": {"smoker": false, "sun": "low"},
 "clinic": {"device": "skinpen", "price_per_session": 300, "currency": "GBP",
            "start": "2027-01-11"}}
J
}
client '"rosacea_history": true' '"cheek"' >"$TMP/r.json"
client '' '"cheek"' >"$TMP/none.json"
client '"rosacea_history": false' '"cheek"' >"$TMP/false.json"
client '"rosacea_history": true, "skin_flare_at_site": true' '"cheek"' >"$TMP/flare.json"
client '"rosacea_history": true' '"neck"' >"$TMP/neck.json"
client '"rosacea_history": "yes"' '"cheek"' >"$TMP/bad.json"

expect 0 "stdout:^Screening: proceed with caution" -- "$MNEEDLE" screen "$TMP/r.json"
expect 0 "stdout:^  \\[caution\\] MN-ROSACEA \\(Cheek\\)$" -- "$MNEEDLE" screen "$TMP/r.json"
expect 0 "stdout:^Screening: proceed$" -- "$MNEEDLE" screen "$TMP/none.json"
expect 0 "stdout:^Screening: proceed$" -- "$MNEEDLE" screen "$TMP/false.json"
expect 0 "stdout:^Screening: proceed$" -- "$MNEEDLE" screen "$TMP/neck.json"
expect 0 "stdout:^Screening: defer" -- "$MNEEDLE" screen "$TMP/flare.json"
expect 1 "" -- grep -q "MN-ROSACEA" "$TMP/out"
expect 2 "bad.json: \\\$\\.history\\.rosacea_history: expected true or false" -- "$MNEEDLE" screen "$TMP/bad.json"
# The plan: gentler on the cheek than without the flag, with the reason in plain words and
# the gentle rise; the rule's source is listed, and the flag in screen --help.
expect 0 "" -- "$MNEEDLE" plan --json "$TMP/r.json" -o "$TMP/r.out"
expect 0 "" -- "$MNEEDLE" plan --json "$TMP/none.json" -o "$TMP/none.out"
expect 0 "" -- python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["zones"][0]
n = json.load(open(sys.argv[2]))["zones"][0]
assert r["adjusted_by"] == ["MN-ROSACEA"], r["adjusted_by"]
assert r["depth_mm"]["start"] == n["depth_mm"]["start"] - 0.25, (r["depth_mm"], n["depth_mm"])
assert r["depth_mm"]["max"] == n["depth_mm"]["max"] - 0.5, (r["depth_mm"], n["depth_mm"])
assert r["rise_per_visit_mm"] == 0.25 and n["rise_per_visit_mm"] == 0.5, (r, n)
' "$TMP/r.out" "$TMP/none.out"
expect 0 "stdout:Gentler settings because skin with rosacea flares more easily" -- "$MNEEDLE" plan "$TMP/r.json"
expect 0 "stdout:^MN-ROSACEA +caution +rosacea_history" -- "$MNEEDLE" catalog rules
expect 0 "stdout:^  rosacea_history$" -- "$MNEEDLE" screen --help
finish
