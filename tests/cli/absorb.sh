#!/usr/bin/env bash
# End-to-end: mneedle absorb on the example scenarios, its outputs, and every kind of bad input.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
EX="$MN_SOURCE_DIR/examples/scenarios"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$MNEEDLE" absorb --help | grep -q "What the numbers mean" || fail "--help does not teach"
"$MNEEDLE" absorb --help | grep -q "Assumptions" || fail "--help lists no assumptions"

# Every example runs, text and JSON.
for f in "$EX"/absorb-*.json; do
    "$MNEEDLE" absorb "$f" > "$T/out.txt" || fail "$f: text run failed"
    grep -q "simulation" "$T/out.txt" || fail "$f: output not labelled a simulation"
    "$MNEEDLE" absorb "$f" --json > "$T/out.json" || fail "$f: JSON run failed"
    for k in punctures_per_cm2 channel_depth_um channel_diameter_um closure_half_life_h samples \
             hour delivered_ug_cm2 intact_ug_cm2 enhancement mass_balance_error; do
        grep -q "\"$k\"" "$T/out.json" || fail "$f: key $k missing"
    done
    grep -qi "nan\|inf" "$T/out.json" && fail "$f: non-finite number in JSON"
done

# The 3D-patch example is a setting a clinic would use: within the zone's depth caps, so it
# runs without a warning.
"$MNEEDLE" absorb "$EX/absorb-field-niacinamide.json" --json > "$T/nia.json" 2> "$T/nia.err" ||
    fail "niacinamide example"
[ ! -s "$T/nia.err" ] || fail "niacinamide example warns: $(cat "$T/nia.err")"
grep -q '"warnings": \[\]' "$T/nia.json" || fail "niacinamide example: warnings[] not empty"

# Intact skin: enhancement exactly 1.
"$MNEEDLE" absorb "$EX/absorb-caffeine-intact.json" --json > "$T/i.json"
python3 - "$T/i.json" <<'PY' || fail "intact enhancement is not 1 or mass balance is off"
import json, sys
d = json.load(open(sys.argv[1]))
assert all(abs(s["enhancement"] - 1) < 1e-12 for s in d["samples"])
assert d["mass_balance_error"] < 1e-6
assert d["punctures_per_cm2"] == 0
PY

# Large molecules whose simulated enhancement exceeds the measured 2-22x carry a caution, and
# one naming the intact regression's fitted range (MW 802 > 750); tips in the dermis carry the
# bleeding caution; intact skin with a molecule in range carries none but the solubility one.
"$MNEEDLE" absorb "$EX/absorb-peptide-roller.json" > "$T/pep.txt" || fail "peptide run"
grep -q "^Caution: measured enhancement for peptides" "$T/pep.txt" || fail "peptide: no caution"
grep -q "^Caution: MW 802, logP 1.5 is outside the range" "$T/pep.txt" || fail "peptide: range"
"$MNEEDLE" absorb "$EX/absorb-peptide-roller.json" --json > "$T/pep.json" || fail "peptide JSON"
"$MNEEDLE" absorb "$EX/absorb-vitc-pen.json" --json > "$T/vitc.json" || fail "vitamin C JSON"
"$MNEEDLE" absorb "$EX/absorb-caffeine-intact.json" --json > "$T/caf.json" || fail "caffeine JSON"
python3 - "$T/pep.json" "$T/vitc.json" "$T/caf.json" <<'PY' || fail "cautions in JSON"
import json, sys
pep, vitc, caf = (json.load(open(f)) for f in sys.argv[1:4])
assert pep["samples"][-1]["enhancement"] > 22, pep["samples"][-1]
assert any("2-22x" in c for c in pep["cautions"]), pep["cautions"]
assert any("MW 18-750" in c for c in pep["cautions"]), pep["cautions"]
assert len(vitc["cautions"]) == 1 and "bleeding" in vitc["cautions"][0], vitc["cautions"]
# Caffeine's 30 mg/ml is above the 21.7 mg/ml given for it: that caution, and no other.
assert len(caf["cautions"]) == 1 and "given for it, 21.7 mg/ml" in caf["cautions"][0], caf["cautions"]
PY
"$MNEEDLE" absorb "$EX/absorb-vitc-pen.json" | grep "^Caution" | grep -v bleeding \
    | grep -qv "not whether it is safe there" \
    && fail "vitamin C: a model caution other than bleeding"

# The closing sentence's "still on the surface" is the table's surface column (film and dried
# solid together), not the dissolved part alone: the vitamin C serum on intact skin open to
# air, which dries with nearly all of it on the surface, most of it solid.
cat > "$T/dry.json" <<'EOF'
{"site": "cheek", "device": "none",
 "product": {"name": "ascorbic-acid", "concentration_mg_ml": 150, "dose_ul_cm2": 10},
 "occluded": false, "hours": 24, "report_hours": [1, 24], "band_runs": 0}
EOF
"$MNEEDLE" absorb "$T/dry.json" > "$T/dry.txt" 2> /dev/null || fail "dried film text"
"$MNEEDLE" absorb "$T/dry.json" --json > "$T/dry_j.json" 2> /dev/null || fail "dried film JSON"
python3 - "$T/dry.txt" "$T/dry_j.json" <<'PY' || fail "surface in the text differs from surface_ug_cm2"
import json, re, sys
text = open(sys.argv[1]).read(); last = json.load(open(sys.argv[2]))["samples"][-1]
m = re.search(r"([0-9.e+-]+) ug/cm2 is still\s+on the surface\s+\(([0-9.e+-]+) dissolved in the "
              r"film, ([0-9.e+-]+) dried or precipitated\)", text)
assert m, text
said = [float(g) for g in m.groups()]
want = [float(f"{last[k]:.3g}") for k in ("surface_ug_cm2", "donor_ug_cm2", "surface_solid_ug_cm2")]
assert said == want, (said, want)
assert last["surface_solid_ug_cm2"] > 100 * last["donor_ug_cm2"], last  # the parts differ here
PY

# CSV of the depth profile over time, written atomically beside the report.
"$MNEEDLE" absorb "$EX/absorb-vitc-pen.json" --csv "$T/profile.csv" -o "$T/report.txt" ||
    fail "--csv run failed"
head -1 "$T/profile.csv" | grep -q "^hour,depth_top_um,depth_bottom_um,layer,conc_ug_ml" ||
    fail "CSV header"
[ "$(wc -l < "$T/profile.csv")" -gt 50 ] || fail "CSV too short"
grep -q "Dermapen" "$T/report.txt" || fail "report file"

# 3D patch on a small grid, with VTK.
cat > "$T/small.json" <<'J'
{"site": "cheek", "device": "skinpen", "needle_mm": 1.0, "passes": 2,
 "product": {"name": "niacinamide"}, "hours": 4, "report_hours": [1, 4],
 "field": {"width_um": 400, "height_um": 400, "dx_um": 20}, "seed": 5}
J
"$MNEEDLE" absorb "$T/small.json" --field --json --vtk "$T/c.vtk" > "$T/f.json" || fail "--field"
grep -q '"solver": "3d-patch"' "$T/f.json" || fail "field solver not used"
head -c 26 "$T/c.vtk" | grep -q "# vtk DataFile Version 3.0" || fail "VTK header"
"$MNEEDLE" absorb "$T/small.json" --field --json > "$T/f2.json"
diff -q <(grep -v '"memory_mib"' "$T/f.json") <(grep -v '"memory_mib"' "$T/f2.json") >/dev/null ||
    fail "--field is not reproducible for a fixed seed"

# A 3D patch expected to hold less than one puncture at the device's density is bad input:
# exit 2, the file and $.field named, the size it needs, nothing written.
python3 - "$EX/absorb-vitc-pen.json" "$T/tiny.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["field"] = {"width_um": 50, "height_um": 50, "dx_um": 10}
json.dump(d, open(sys.argv[2], "w"))
PY
"$MNEEDLE" absorb "$T/tiny.json" --field --json -o "$T/tiny.out" 2> "$T/tiny.err"
rc=$?
[ $rc -eq 2 ] || fail "patch without punctures: exit $rc, expected 2"
grep -q 'tiny.json: \$.field.width_um x \$.field.height_um: a 50 x 50 um patch holds 0.04 punctures.* at least 62500 um2, e.g. 250 x 250 um' \
    "$T/tiny.err" || fail "patch without punctures: message $(cat "$T/tiny.err")"
[ ! -e "$T/tiny.out" ] || fail "patch without punctures: output written"
# One that holds about one on average may sample none by chance: it runs, and says so (stderr
# and warnings[]) exactly when its sampled field is empty.
zero=0
for seed in 1 2 3 4 5 6 7 8 9 10; do
    python3 - "$EX/absorb-vitc-pen.json" "$T/one.json" "$seed" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d.update(seed=int(sys.argv[3]), band_runs=0, hours=1, report_hours=[1],
         field={"width_um": 260, "height_um": 260, "dx_um": 20})
json.dump(d, open(sys.argv[2], "w"))
PY
    "$MNEEDLE" absorb "$T/one.json" --field --json > "$T/one.out" 2> "$T/one.err" ||
        fail "patch of ~1 puncture, seed $seed: run failed"
    python3 - "$T/one.out" "$T/one.err" <<'PY' || fail "patch of ~1 puncture, seed $seed: warning"
import json, sys
d = json.load(open(sys.argv[1])); err = open(sys.argv[2]).read()
empty = d["field"]["punctures"] == 0
warned = [w for w in d["warnings"] if w["code"] == "field_no_puncture"]
assert bool(warned) == empty, (d["field"], d["warnings"])
assert ("$.field: the sampled 260 x 260 um patch" in err) == empty, err
sys.exit(0)
PY
    grep -q '"punctures": 0,' "$T/one.out" && zero=$((zero + 1))
done
[ $zero -gt 0 ] || fail "no seed of 10 sampled an empty 260 x 260 um patch: the check above saw no warning"

# An output that cannot be created fails the run before anything is printed or written, as
# simulate and cohort do: no report on stdout, no report file, no other side file.
"$MNEEDLE" absorb "$EX/absorb-vitc-pen.json" --csv "$T/no/dir/p.csv" > "$T/stdout.txt" 2> "$T/err.txt"
rc=$?
[ $rc -eq 2 ] || fail "--csv into a missing directory: exit $rc, expected 2 (bad input)"
[ ! -s "$T/stdout.txt" ] || fail "--csv into a missing directory: report printed anyway"
grep -q "no/dir/p.csv: cannot create" "$T/err.txt" || fail "--csv error: $(cat "$T/err.txt")"
"$MNEEDLE" absorb "$T/small.json" --field -o "$T/r.txt" --csv "$T/r.csv" --vtk "$T/no/dir/x.vtk" 2> "$T/err.txt"
[ $? -eq 2 ] || fail "--vtk into a missing directory: exit not 2"
[ ! -e "$T/r.txt" ] && [ ! -e "$T/r.csv" ] || fail "--vtk into a missing directory: other outputs written"
grep -q "no/dir/x.vtk: cannot create" "$T/err.txt" || fail "--vtk error: $(cat "$T/err.txt")"

# Bad input: exit 2, a message with the place, no output file left behind.
expect_input_error() { # name, json, expected text in the message
    printf '%s' "$2" > "$T/bad.json"
    "$MNEEDLE" absorb "$T/bad.json" -o "$T/never.txt" 2> "$T/err.txt"
    rc=$?
    [ $rc -eq 2 ] || fail "$1: exit $rc, expected 2"
    grep -q -- "$3" "$T/err.txt" || fail "$1: message lacks '$3': $(cat "$T/err.txt")"
    [ ! -e "$T/never.txt" ] || fail "$1: partial output left"
}
expect_input_error "unknown site" '{"site":"elbow","device":"none","product":{"name":"caffeine"}}' '$.site'
expect_input_error "age 300" '{"site":"cheek","patient":{"age":300},"device":"none","product":{"name":"caffeine"}}' '$.patient.age'
expect_input_error "needle 9 mm" '{"site":"cheek","device":"skinpen","needle_mm":9,"passes":1,"product":{"name":"caffeine"}}' '$.needle_mm'
expect_input_error "phototype 7" '{"site":"cheek","patient":{"fitzpatrick":7},"device":"none","product":{"name":"caffeine"}}' 'fitzpatrick'
expect_input_error "unknown device" '{"site":"cheek","device":"laser","product":{"name":"caffeine"}}' '$.device'
expect_input_error "unknown product" '{"site":"cheek","device":"none","product":{"name":"unobtainium"}}' '$.product.name'
expect_input_error "wrong type" '{"site":"cheek","device":"none","product":{"name":"caffeine"},"hours":"long"}' '$.hours'
expect_input_error "malformed" '{"site":"cheek",' 'bad.json:1'
expect_input_error "empty" '' 'bad.json'
expect_input_error "not an object" '[1,2]' '$'
"$MNEEDLE" absorb 2> /dev/null; [ $? -eq 2 ] || fail "no argument: exit not 2"
"$MNEEDLE" absorb "$EX/absorb-vitc-pen.json" --vtk "$T/x.vtk" 2> /dev/null
[ $? -eq 2 ] || fail "--vtk without --field: exit not 2"
"$MNEEDLE" absorb "$T/does-not-exist.json" 2> /dev/null
rc=$?; [ $rc -ne 0 ] || fail "missing file accepted"
expect_input_error "polar_route not a bool" '{"site":"cheek","device":"none","product":{"name":"caffeine"},"polar_route":"yes"}' '$.polar_route'

# The polar route: on by default, off on request; a peptide's intact baseline hangs on it.
for polar in true false; do
    printf '{"site":"cheek","device":"none","product":{"name":"palmitoyl-pentapeptide-4"},"polar_route":%s}' \
        "$polar" > "$T/polar-$polar.json"
    "$MNEEDLE" absorb "$T/polar-$polar.json" --json > "$T/polar-$polar.out" || fail "polar_route $polar run"
done
python3 - "$T/polar-true.out" "$T/polar-false.out" <<'PY' || fail "polar route on/off"
import json, sys
on, off = (json.load(open(p)) for p in sys.argv[1:3])
assert on["physics"]["kp_polar_cm_h"] > 0 and off["physics"]["kp_polar_cm_h"] == 0
assert on["physics"]["kp_cm_h"] > 10 * off["physics"]["kp_cm_h"]
assert on["samples"][-1]["intact_ug_cm2"] > 100 * off["samples"][-1]["intact_ug_cm2"]
PY
# The safety caution about products in open channels: said, with its reference, whenever the
# skin is punctured, never on intact skin.
for f in "$EX"/absorb-*.json; do
    "$MNEEDLE" absorb "$f" > "$T/safe.txt" || fail "$f: text run failed"
    "$MNEEDLE" absorb "$f" --json > "$T/safe.json" || fail "$f: JSON run failed"
    python3 - "$T/safe.json" "$T/safe.txt" "$MN_SOURCE_DIR/data/references.json" <<'PY' ||
import json, sys
out, text = json.load(open(sys.argv[1])), " ".join(open(sys.argv[2]).read().split())
refs = {r["key"]: r["citation"] for r in json.load(open(sys.argv[3]))["references"]}
assert "JAMA Dermatol. 2014;150(1):68-72" in refs["Soltani-Arabshahi 2014"]
said = "not made for intradermal use" in text and "(Soltani-Arabshahi 2014)" in text
if out["punctures_per_cm2"] > 0:
    assert said and "(Soltani-Arabshahi 2014)" in out["safety_caution"], "caution missing"
    assert out["safety_caution"] in text, "text and JSON differ"
else:
    assert not said and out["safety_caution"] is None, "caution on intact skin"
PY
        fail "$f: safety caution"
done
# Before intact skin's lag time the enhancement column says "in lag", not a ratio that divides
# by next to nothing, and the claim paragraph quotes no such hour; after it, a ratio.
"$MNEEDLE" absorb "$EX/absorb-peptide-roller.json" > "$T/lag.txt" || fail "lag run"
"$MNEEDLE" absorb "$EX/absorb-peptide-roller.json" --json > "$T/lag.json" || fail "lag json"
python3 - "$T/lag.txt" "$T/lag.json" <<'PY' || fail "enhancement in intact lag"
import json, re, sys
text, res = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
lag = res["franz"]["intact_lag_time_h"]
rows = re.findall(r"^ +(\d+(?:\.\d+)?) +\S+ +\(\S+\)\*? +\S+ +\S+ +\S+ +(in lag\*\*|\S+ \(\S+\))", text, re.M)
assert len(rows) == len(res["samples"]), rows
before = [h for h, e in rows if float(h) < lag]
assert before, "no report hour before the intact lag: the check checks nothing"
for h, e in rows:
    assert (e == "in lag**") == (float(h) < lag), (h, e, lag)
claim = text[text.index("'boosts absorption"):].split("\n\n")[0]
for h in before:
    assert "at %s h" % h not in claim.replace("\n", " "), (h, claim)
assert "**: intact skin is still within its lag time" in text
PY
# A figure with a band is printed to the precision the band supports (docs/models/transport.md,
# Band): 3 significant figures where the band's width is within 10 % of the figure, 2 within
# 100 %, else 1; the JSON keeps full precision. The vitamin C pen has narrow bands on delivered
# and wide ones on the enhancement, the peptide both kinds on delivered.
for ex in vitc-pen peptide-roller; do
    "$MNEEDLE" absorb "$EX/absorb-$ex.json" > "$T/sig.txt" || fail "$ex: text run"
    "$MNEEDLE" absorb "$EX/absorb-$ex.json" --json > "$T/sig.json" || fail "$ex: JSON run"
    python3 - "$T/sig.txt" "$T/sig.json" <<'PY' || fail "$ex: a banded figure is not rounded to its band"
import json, math, re, sys
text, res = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
def sig(c, lo, hi):
    w = abs((hi - lo) / c)
    return 3 if w <= 0.1 else 2 if w <= 1 else 1
def same(printed, v, n):
    want = float(f"{v:.{n}g}")
    return math.isclose(float(printed), want, rel_tol=1e-9), (printed, v, n, want)
rows = re.findall(r"^ +(\d+(?:\.\d+)?) +(\S+) +\(\S+\)\*? +\S+ +\S+ +\S+ +(in lag\*\*|\S+) ", text, re.M)
assert len(rows) == len(res["samples"]), rows
checked = set()
for (h, d, e), x in zip(rows, res["samples"]):
    b = x["band"]
    n = sig(x["delivered_ug_cm2"], b["delivered_low_ug_cm2"], b["delivered_high_ug_cm2"])
    ok, why = same(d, x["delivered_ug_cm2"], n)
    # More figures only where the band's would round up to the whole dose (transport.md).
    v, dose = x["delivered_ug_cm2"], res["dose_ug_cm2"]
    if not ok and v < dose and float(f"{v:.{n}g}") >= dose:
        ok = any(same(d, v, k)[0] for k in range(n + 1, 7))
    assert ok, ("delivered", h) + why
    checked.add(("delivered", n))
    if e != "in lag**":
        n = sig(x["enhancement"], b["enhancement_low"], b["enhancement_high"])
        ok, why = same(e, x["enhancement"], n)
        assert ok, ("enhancement", h) + why
        checked.add(("enhancement", n))
# Both tiers that matter are seen: a narrow band keeps 3 figures, a wide one fewer.
assert any(n == 3 for _, n in checked) and any(n < 3 for _, n in checked), checked
# The JSON is not rounded.
assert any(x["delivered_ug_cm2"] != float(f'{x["delivered_ug_cm2"]:.3g}') for x in res["samples"])
assert "rounded to what the band supports" in text
PY
done
echo "absorb CLI: all checks passed"
