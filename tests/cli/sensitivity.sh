# End-to-end: mneedle sensitivity on a small SPEC and the bundled example, its outputs, the
# same numbers for any thread count, and every kind of bad SPEC (exit 2, the file and the
# JSON path named, nothing written).
. "$(dirname "$0")/lib.sh"
EX="$MN_SOURCE_DIR/examples"

# A small SPEC (N = 64, three inputs, the healing model only), with its scenario embedded.
D_OUTPUTS='"peak_improvement_pct", "durability_days"'
D_INPUTS='{"name": "needle_mm", "uniform": [0.5, 2.0]}, {"name": "age", "triangular": [25, 40, 65]},
           {"name": "response_gain", "lognormal": [1.0, 0.35]}'
spec() {
    cat <<JSON
{"scenario": ${SCENARIO:-$(cat "$EX/scenarios/simulate-wrinkles-course.json")},
 "outputs": [${OUTPUTS:-$D_OUTPUTS}],
 "inputs": [${INPUTS:-$D_INPUTS}],
 "n": ${N:-64}, "bootstrap": 100, "seed": 7${EXTRA:-}}
JSON
}
spec >"$TMP/s.json"

expect 0 "stdout:usage: mneedle sensitivity" -- "$MNEEDLE" sensitivity --help
expect 0 "stdout:sensitivity +which inputs move" -- "$MNEEDLE" --help
expect 2 "expected one SPEC" -- "$MNEEDLE" sensitivity
expect 2 "unknown option" -- "$MNEEDLE" sensitivity --bogus "$TMP/s.json"
expect 2 "--threads" -- "$MNEEDLE" sensitivity --threads 0 "$TMP/s.json"

# Text: a table per output; response_gain (spread 0.35 in the log) moves the peak most.
expect 0 "stdout:^SENSITIVITY: Sobol' indices from 320 model evaluations" -- "$MNEEDLE" sensitivity "$TMP/s.json"
expect 0 "stdout:^durability_days \(days\)" -- "$MNEEDLE" sensitivity "$TMP/s.json"
# The table's columns line up, rows with a minus sign and rows without alike: every row of
# every output's table is as long as its header and has its brackets and commas in the same
# places (the example has negative lower bounds).
expect 0 "" -- "$MNEEDLE" sensitivity "$MN_SOURCE_DIR/examples/sensitivity/wrinkles-course.json" -o "$TMP/table.txt"
expect 0 "" -- python3 - "$TMP/table.txt" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
heads = [i for i, l in enumerate(lines) if l.startswith("  input ")]
assert heads, "no table"
marks = lambda l: [(i, c) for i, c in enumerate(l) if c in "[,]"]
rows = negative = 0
for h in heads:
    want = None
    for l in lines[h + 1:]:
        if not l.startswith("  "):
            break
        rows += 1
        negative += "-" in l[24:]
        assert len(l) == len(lines[h]), (l, lines[h])
        want = want or marks(l)
        assert marks(l) == want, (l, want)
assert rows > 0 and negative > 0, (rows, negative)
PY

# JSON (DESIGN 8: outputs[].inputs[].{name, first_order, total, first_order_ci, total_ci}),
# CSV and the figure, all from one run; the same bytes with 1 and 2 threads.
expect 0 "" -- "$MNEEDLE" sensitivity --json "$TMP/s.json" -o "$TMP/a.json" --csv "$TMP/a.csv" \
    --plot "$TMP/a.svg" --threads 1
expect 0 "" -- "$MNEEDLE" sensitivity --json "$TMP/s.json" -o "$TMP/b.json" --csv "$TMP/b.csv" \
    --threads 2
expect 0 "" -- cmp "$TMP/a.json" "$TMP/b.json"
expect 0 "" -- cmp "$TMP/a.csv" "$TMP/b.csv"
expect 0 "stdout:<svg" -- head -c 400 "$TMP/a.svg"
expect 0 "" -- python3 - "$TMP/a.json" "$TMP/a.csv" <<'PY'
import csv, json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] and d["method"]["n"] == 64 and d["method"]["evaluations"] == 320
assert [o["name"] for o in d["outputs"]] == ["peak_improvement_pct", "durability_days"]
for o in d["outputs"]:
    assert [i["name"] for i in o["inputs"]] == ["needle_mm", "age", "response_gain"]
    for i in o["inputs"]:
        for k in ("first_order", "total"):
            lo, hi = i[k + "_ci"]
            assert lo <= hi and isinstance(i[k], float)
        assert "morris" not in i
peak = {i["name"]: i for i in d["outputs"][0]["inputs"]}
assert peak["response_gain"]["total"] > 0.5 > peak["needle_mm"]["total"]
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) == 6 and rows[0]["output"] == "peak_improvement_pct"
assert float(rows[2]["total"]) == peak["response_gain"]["total"]
PY

# Morris as well; and a seed changes the bootstrap intervals but not the estimates.
EXTRA=', "morris": {"trajectories": 10, "levels": 6}' spec >"$TMP/m.json"
expect 0 'stdout:"mu_star"' -- "$MNEEDLE" sensitivity --json "$TMP/m.json"
expect 0 "stdout:Morris screening: 10 trajectories on 6 levels \(40 evaluations\)" -- "$MNEEDLE" sensitivity "$TMP/m.json"

# The bundled example, as it is run from its folder (scenario files relative to the SPEC),
# with a smaller N: all four outputs, the transport model included.
mkdir -p "$TMP/ex/sensitivity" "$TMP/ex/scenarios"
cp "$EX"/scenarios/simulate-wrinkles-course.json "$EX"/scenarios/absorb-peptide-roller.json "$TMP/ex/scenarios/"
python3 - "$EX/sensitivity/wrinkles-course.json" "$TMP/ex/sensitivity/x.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["n"], d["bootstrap"], d["morris"]["trajectories"] = 16, 50, 4
json.dump(d, open(sys.argv[2], "w"))
PY
expect 0 "stdout:^delivered_24h_ug_cm2 \(ug/cm2\)" -- "$MNEEDLE" sensitivity "$TMP/ex/sensitivity/x.json"

# Bad SPECs: exit 2, the file and the place named, and nothing written.
bad() {
    pattern=$1
    shift
    [ $# -gt 1 ] || set -- "$@" --plot "$TMP/w/r.svg"
    rm -rf "$TMP/w"
    mkdir "$TMP/w"
    expect 2 "$pattern" -- "$MNEEDLE" sensitivity "$@" -o "$TMP/w/r.txt" --csv "$TMP/w/r.csv"
    expect 0 "" -- test -z "$(ls -A "$TMP/w")"
}
echo '{"outputs": [' >"$TMP/x.json"
bad "x.json:2:[0-9]+: " "$TMP/x.json"
bad "missing.json" "$TMP/missing.json"
OUTPUTS='"peak"' spec >"$TMP/x.json"
bad "x.json: \\\$.outputs\[0\]: unknown output 'peak'" "$TMP/x.json"
OUTPUTS='"durability_days", "durability_days"' spec >"$TMP/x.json"
bad "x.json: \\\$.outputs\[1\]: 'durability_days' is already an output" "$TMP/x.json"
OUTPUTS='"delivered_24h_ug_cm2"' spec >"$TMP/x.json"
bad "x.json: \\\$.absorb: missing" "$TMP/x.json"
INPUTS='{"name": "needle_length", "uniform": [1, 2]}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\].name: unknown input 'needle_length'" "$TMP/x.json"
INPUTS='{"name": "age", "uniform": [50, 40]}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\].uniform: expected \[low, high\]" "$TMP/x.json"
INPUTS='{"name": "age", "uniform": [50, "60"]}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\].uniform\[1\]: expected a number" "$TMP/x.json"
INPUTS='{"name": "age"}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\]: expected a distribution" "$TMP/x.json"
INPUTS='{"name": "age", "uniform": [30, 40], "normal": [35, 2]}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\]: give one distribution" "$TMP/x.json"
INPUTS='{"name": "needle_mm", "uniform": [0.5, 3.0]}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\]: needle_mm would range over 0.5 to 3 .*skinpen|x.json: \\\$.inputs\[0\]: needle_mm would range over 0.5 to 3" "$TMP/x.json"
INPUTS='{"name": "age", "normal": [60, 10]}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\]: age would range over" "$TMP/x.json"
INPUTS='{"name": "response_gain", "normal": [1, 0.3]}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\]: response_gain would range over .*multiplier" "$TMP/x.json"
INPUTS='{"name": "logp", "uniform": [0, 2]}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\].name: 'logp' enters none of the outputs" "$TMP/x.json"
SCENARIO='{"patient": {"age": 300}}' spec >"$TMP/x.json"
bad "x.json: \\\$.scenario.patient" "$TMP/x.json"
SCENARIO='"no-such-scenario.json"' spec >"$TMP/x.json"
bad "no-such-scenario.json" "$TMP/x.json"
N=1 spec >"$TMP/x.json"
bad "x.json: \\\$.n: " "$TMP/x.json"
EXTRA=', "morris": {"levels": 5}' spec >"$TMP/x.json"
bad "x.json: \\\$.morris.levels: expected an even number" "$TMP/x.json"
EXTRA=', "seeds": 3' spec >"$TMP/x.json"
bad "x.json: \\\$: unknown key 'seeds'|x.json: \\\$.seeds" "$TMP/x.json"
# Inputs from the posterior: the constants' marginals and the grouped input, and the ways a
# SPEC can get them wrong.
INPUTS='{"name": "col1_long_fraction", "from": "posterior"}, {"name": "response_max", "from": "posterior"}' N=16 spec >"$TMP/p.json"
expect 0 "stdout:^From the bundled posterior \(posterior, .*not kept" -- "$MNEEDLE" sensitivity "$TMP/p.json"
expect 0 'stdout:"from": "posterior"' -- "$MNEEDLE" sensitivity --json "$TMP/p.json"
# The JSON keeps the bundled posterior's source-tree path as provenance (docs/sensitivity.md).
expect 0 'stdout:"file": "data/posterior/healing.json \(bundled\)"' -- "$MNEEDLE" sensitivity --json "$TMP/p.json"
INPUTS='{"name": "posterior", "from": "posterior"}, {"name": "age", "uniform": [30, 60]}' N=16 spec >"$TMP/p.json"
expect 0 "stdout:correlations kept" -- "$MNEEDLE" sensitivity "$TMP/p.json"
INPUTS='{"name": "col1_young", "from": "posterior"}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\].name: unknown input 'col1_young'.*constant of the healing model" "$TMP/x.json"
INPUTS='{"name": "injury_reach_um", "from": "posterior"}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\].name: the bundled posterior has no draws of 'injury_reach_um' \(it draws response_max, " "$TMP/x.json"
INPUTS='{"name": "response_max", "from": "prior"}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\].from: expected \"posterior\"" "$TMP/x.json"
INPUTS='{"name": "response_max", "from": "posterior", "uniform": [0.1, 0.3]}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\]: give one distribution, not both from and uniform" "$TMP/x.json"
INPUTS='{"name": "needle_mm", "from": "posterior"}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\].from: 'needle_mm' is not a constant of the healing model" "$TMP/x.json"
INPUTS='{"name": "posterior", "uniform": [0, 1]}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\]: the input 'posterior' is a whole draw" "$TMP/x.json"
INPUTS='{"name": "posterior", "from": "posterior"}, {"name": "col3_tau_d", "uniform": [60, 180]}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[1\].name: 'col3_tau_d' is drawn by the input 'posterior'" "$TMP/x.json"
INPUTS='{"name": "col3_mature_fraction", "normal": [0.7, 0.2]}' spec >"$TMP/x.json"
bad "x.json: \\\$.inputs\[0\]: col3_mature_fraction would range over .* outside 0 to 1" "$TMP/x.json"
EXTRA=', "posterior": "post.json"' spec >"$TMP/x.json"
bad "x.json: \\\$.posterior: no input is drawn from the posterior" "$TMP/x.json"
# A posterior file of the SPEC's (relative to its folder) that is malformed: both files named.
printf '{"model": "healing", "format": 1, "parameters": ["response_max"], "draws": [[0.2], [-1]], "provenance": {"source": "prior", "date": "2026-01-01", "evidence_sha256": "0000000000000000000000000000000000000000000000000000000000000000"}}' >"$TMP/post.json"
INPUTS='{"name": "response_max", "from": "posterior"}' EXTRA=', "posterior": "post.json"' spec >"$TMP/x.json"
bad "x.json: \\\$.posterior: .*post.json: \\\$.draws\[1\]\[0\]" "$TMP/x.json"
INPUTS='{"name": "response_max", "from": "posterior"}' EXTRA=', "posterior": "no-such-post.json"' spec >"$TMP/x.json"
bad "x.json: \\\$.posterior: .*no-such-post.json" "$TMP/x.json"
# A user's posterior is the one drawn from, and named.
printf '{"model": "healing", "format": 1, "parameters": ["response_max"], "draws": [[0.2], [0.3], [0.25]], "provenance": {"source": "prior", "date": "2026-01-01", "evidence_sha256": "0000000000000000000000000000000000000000000000000000000000000000"}}' >"$TMP/post.json"
INPUTS='{"name": "response_max", "from": "posterior"}' EXTRA=', "posterior": "post.json"' N=16 spec >"$TMP/p.json"
expect 0 "stdout:^Inputs: response_max empirical\(0.2, 0.25, 0.3\)" -- "$MNEEDLE" sensitivity "$TMP/p.json"
expect 0 "stdout:^From the posterior .*post.json \(prior, 2026-01-01, 3 draws of 1 constants\)" -- "$MNEEDLE" sensitivity "$TMP/p.json"
# Warnings (docs/sensitivity.md, Warnings): at N = 8 the intervals are wide, and the
# maintenance interval sits at its highest value for most runs. Every index whose interval
# leaves [0, 1] by more than 0.05 is warned about, and no other, in the JSON and the text, with
# the N; an output with 10 % or more of its evaluations at one extreme is warned about too.
N=8 OUTPUTS='"peak_improvement_pct", "durability_days", "maintenance_interval_days"' spec \
    >"$TMP/w.json"
expect 0 "" -- "$MNEEDLE" sensitivity --json "$TMP/w.json" -o "$TMP/w.out.json"
expect 0 "" -- "$MNEEDLE" sensitivity "$TMP/w.json" -o "$TMP/w.out.txt"
expect 0 "" -- python3 - "$TMP/w.out.json" "$TMP/w.out.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
ws = d["warnings"]
want = set()
for o, out in enumerate(d["outputs"]):
    if out["variance"] <= 0:
        continue
    for i, x in enumerate(out["inputs"]):
        for t in ("first_order", "total"):
            lo, hi = x[t + "_ci"]
            if lo < -0.05 or hi > 1.05:
                want.add((out["name"], x["name"], t, "$.outputs[%d].inputs[%d].%s_ci" % (o, i, t)))
got = {(w["output"], w["input"], w["index"], w["path"]) for w in ws
       if w["code"] == "sobol_interval_outside_unit"}
assert want and got == want, (got, want)
for w in ws:
    assert w["n"] == 8 and "N = 8" in w["message"] and "larger n" in w["message"], w
bound = [w for w in ws if w["code"] == "output_at_bound"]
assert [w["output"] for w in bound] == ["maintenance_interval_days"], bound
assert bound[0]["share"] >= 0.1, bound
for name in {w[0] for w in want}:
    assert "Warning: %s: with N = 8 the 95 %% intervals of" % name in text, name
for out, inp, t, _ in want:
    assert "%s %s [" % ("ST" if t == "total" else "S1", inp) in text, (out, inp, t)
assert "Warning: maintenance_interval_days: %.0f %% of the 40 evaluations (N = 8) sit at one " \
       "value" % (100 * bound[0]["share"]) in text, text
PY
# The small SPEC above at N = 64: its peak and durability are not held at a bound (no
# output_at_bound), while response_gain's intervals still pass 1.05.
expect 0 "" -- "$MNEEDLE" sensitivity --json "$TMP/s.json" -o "$TMP/s.out.json"
expect 0 "" -- python3 - "$TMP/s.out.json" <<'PY'
import json, sys
ws = json.load(open(sys.argv[1]))["warnings"]
assert ws and all(w["code"] == "sobol_interval_outside_unit" and w["n"] == 64 for w in ws), ws
PY
# A bad --plot extension: nothing written either.
bad "r.bmp" "$TMP/s.json" --plot "$TMP/w/r.bmp"
finish
