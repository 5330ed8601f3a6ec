#!/usr/bin/env bash
# End-to-end: mneedle absorb --plot DIR. The figures appear (PNG, SVG, CSV sidecar each), the
# sidecar's numbers equal --json's, --field adds the slice and plots the run's own punctures,
# and a bad directory fails with exit 2 and leaves no report.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
EX="$MN_SOURCE_DIR/examples/scenarios"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

is_png() { [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = "89504e470d0a1a0a" ]; }

# Unit cell: delivery, depth profile, field (sampled on a 5 x 5 mm patch); no slice.
mkdir -p "$T/u"
"$MNEEDLE" absorb "$EX/absorb-vitc-pen.json" --plot "$T/u" -o "$T/u.txt" || fail "unit-cell --plot run"
grep -q "simulation" "$T/u.txt" || fail "report not written beside the figures"
for stem in delivery depth_profile field; do
    for ext in png svg csv; do [ -s "$T/u/$stem.$ext" ] || fail "unit cell: $stem.$ext missing"; done
    is_png "$T/u/$stem.png" || fail "$stem.png is not a PNG"
    grep -q '<svg' "$T/u/$stem.svg" || fail "$stem.svg has no svg root"
done
[ ! -e "$T/u/slice.png" ] || fail "unit cell drew a 3D slice"
"$MNEEDLE" absorb "$EX/absorb-vitc-pen.json" --json > "$T/u.json" || fail "unit-cell --json run"

# 3D patch: the slice too, and the field's punctures are the run's.
mkdir -p "$T/f"
"$MNEEDLE" absorb "$EX/absorb-field-niacinamide.json" --field --plot "$T/f" --json > "$T/f.json" ||
    fail "--field --plot run"
for stem in delivery depth_profile field slice; do
    for ext in png svg csv; do [ -s "$T/f/$stem.$ext" ] || fail "field: $stem.$ext missing"; done
done

python3 - "$T" <<'PY' || fail "sidecar numbers differ from --json"
import csv, json, sys
T = sys.argv[1]
def rows(path, kind):
    with open(path) as f:
        return [r for r in csv.DictReader(f) if r["kind"] == kind]
def close(a, b):
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-300)
for case in ("u", "f"):
    d = json.load(open(f"{T}/{case}.json"))
    s = d["samples"]
    lines = rows(f"{T}/{case}/delivery.csv", "line")
    needled = [r for r in lines if r["series"] == "0"]
    intact = [r for r in lines if r["series"] == "1"]
    assert len(needled) == len(s) == len(intact), (case, len(needled), len(s))
    for r, x in zip(needled, s):
        assert close(float(r["x"]), x["hour"]) and close(float(r["y"]), x["delivered_ug_cm2"]), r
    for r, x in zip(intact, s):
        assert close(float(r["y"]), x["intact_ug_cm2"]), r
    # The last depth profile drawn is the last report hour's.
    prof = rows(f"{T}/{case}/depth_profile.csv", "line")
    last = max(int(r["series"]) for r in prof)
    got = [float(r["y"]) for r in prof if int(r["series"]) == last]
    want = d["depth_profile"]["conc_ug_ml"][-1]
    assert len(got) == len(want) and all(close(a, b) for a, b in zip(got, want)), case
f = json.load(open(f"{T}/f.json"))
pts = rows(f"{T}/f/field.csv", "point")
assert len(pts) == f["field"]["punctures"], (len(pts), f["field"]["punctures"])
PY

# A directory that does not exist: exit 2, a message, no report.
"$MNEEDLE" absorb "$EX/absorb-vitc-pen.json" --plot "$T/nope" -o "$T/r.txt" 2> "$T/err"
[ $? -eq 2 ] || fail "bad --plot directory: exit status"
grep -q "nope" "$T/err" || fail "bad --plot directory: no message"
[ ! -e "$T/r.txt" ] || fail "bad --plot directory: report written anyway"
"$MNEEDLE" absorb "$EX/absorb-vitc-pen.json" --plot 2> /dev/null
[ $? -eq 2 ] || fail "--plot without a value: exit status"
echo "absorb --plot: ok"
