# End-to-end: the cohort command on the example trials, its outputs (JSON keys, CSV), identical
# results for 1 and 2 threads (and for 1 and 2 MPI ranks when the build has MPI), and every
# kind of bad input (exit 2, a message naming the place, no output file left behind).
. "$(dirname "$0")/lib.sh"
EX="$MN_SOURCE_DIR/examples/trials"
N=150 # small cohorts keep this test short under ASan

# A valid trial to mutate.
trial() {
    cat <<JSON
{"population": {"n": ${NPAT:-100}, "age": [${AGE:-30, 60}], "sex": "${SEX:-any}",
                "fitzpatrick": [${FITZ:-1, 6}], "smoker_fraction": ${SMOKERS:-0.2}},
 "zone": "${ZONE:-cheek}", "concern": "${CONCERN:-fine-lines-wrinkles}",
 "protocol": {"device": "${DEVICE:-skinpen}", "needle_mm": ${MM:-1.5}, "passes": 3,
              "session_days": [${DAYS-0, 28, 56}]},
 "endpoints_days": [${ENDS:-90, 365}], "seed": ${SEED:-7}}
JSON
}

expect 0 "stdout:usage: mneedle cohort" -- "$MNEEDLE" cohort --help
expect 0 "stdout:--csv FILE" -- "$MNEEDLE" help cohort

# Every example runs, as text and as JSON with the contract keys.
for f in "$EX"/*.json; do
    expect 0 "stdout:simulation, not a prediction" -- "$MNEEDLE" cohort --n $N "$f"
    expect 0 'stdout:"responders_50pct"' -- "$MNEEDLE" cohort --json --n $N "$f"
    for key in '"n": '$N '"seed"' '"endpoints"' '"day"' '"improvement_pct"' '"p5"' '"p50"' \
        '"p95"' '"collagen_change_pct"' '"pih_rate"' '"maintenance_due_fraction"' \
        '"percentile_max_error_pct"'; do
        grep -q -- "$key" "$TMP/out" || { echo "FAIL: $f: no $key in JSON"; fails=$((fails + 1)); }
    done
done

# Which constants the patients take: the evidence fit's draws by default, said in both
# outputs; "defaults" gives the library's constants and another cohort; anything else is
# refused, naming the key.
L="$MN_SOURCE_DIR/examples/trials/lotfi-2013-acne-scars.json"
expect 0 'stdout:^Constants: a draw of the evidence fit \(the bundled posterior, fitted to the calibration studies .mneedle evidence. lists\) per patient' -- "$MNEEDLE" cohort --n 200 --quiet "$L"
expect 0 'stdout:"constants": "evidence-fit",' -- "$MNEEDLE" cohort --n 200 --json "$L"
cp "$TMP/out" "$TMP/fit.json"
sed 's/"seed"/"constants": "defaults", "seed"/' "$L" > "$TMP/defaults.json"
expect 0 'stdout:"constants": "defaults",' -- "$MNEEDLE" cohort --n 200 --json "$TMP/defaults.json"
if cmp -s <(grep -v '"constants' "$TMP/fit.json") <(grep -v '"constants' "$TMP/out"); then
    echo "FAIL: the evidence fit and the defaults give the same cohort"; fails=$((fails + 1))
fi
sed 's/"seed"/"constants": "posterior", "seed"/' "$L" > "$TMP/badconst.json"
expect 2 'badconst\.json: \$\.constants: unknown value "posterior"; expected evidence-fit' -- "$MNEEDLE" cohort "$TMP/badconst.json"
if [ -s "$TMP/out" ]; then echo "FAIL: a refused TRIAL wrote on stdout"; fails=$((fails + 1)); fi

# The seed is echoed, and it matters.
trial >"$TMP/t.json"
expect 0 'stdout:"seed": 7,' -- "$MNEEDLE" cohort --json "$TMP/t.json"
cp "$TMP/out" "$TMP/seed7.json"
expect 0 'stdout:"seed": 8,' -- "$MNEEDLE" cohort --json --seed 8 "$TMP/t.json"
if cmp -s <(grep -v '"seed"' "$TMP/seed7.json") <(grep -v '"seed"' "$TMP/out"); then
    echo "FAIL: seeds 7 and 8 give the same cohort"; fails=$((fails + 1))
fi

# Sessions closer than the concern's minimum interval (fine lines: 14 days) run, with the
# warning simulate gives, once, at the first such session, on stderr and in warnings[]; a
# sharded run merged back says the same; the trial above, 28 days apart, says nothing.
[ ! -s "$TMP/err" ] || { echo "FAIL: a trial 28 days apart warns"; fails=$((fails + 1)); }
NPAT=40 DAYS="0, 7, 14, 21, 49" trial >"$TMP/close.json"
expect 0 'warning: .*close\.json: \$\.protocol\.session_days\[1\]: day 7 is 7 days after the session before, closer than fine-lines-wrinkles.s minimum interval of 14 days .*; 3 of the 4 intervals are that close: the planner never books that and the model is little tested there' -- "$MNEEDLE" cohort --json -o "$TMP/close.out" "$TMP/close.json"
expect 0 "" -- test "$(grep -v 'too few for the 5th and 95th' "$TMP/err" | grep -c 'warning')" -eq 1
expect 0 "" -- python3 - "$TMP/close.out" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))["warnings"]
# 40 patients also draw the small-n warning of the percentiles (below)
assert [x["code"] for x in w if x["code"] == "n_too_small_for_percentiles"] == ["n_too_small_for_percentiles"], w
w = [x for x in w if x["code"] != "n_too_small_for_percentiles"]
assert [(x["code"], x["path"]) for x in w] == [("interval_below_concern_minimum", "$.protocol.session_days[1]")], w
PY
expect 0 "" -- "$MNEEDLE" cohort --shard 1/2 -o "$TMP/cp1.json" "$TMP/close.json"
expect 0 "" -- "$MNEEDLE" cohort --shard 2/2 -o "$TMP/cp2.json" "$TMP/close.json"
expect 0 'warning: .*session_days\[1\]: day 7 is 7 days after' -- "$MNEEDLE" merge --json -o "$TMP/cmerged.json" "$TMP/cp1.json" "$TMP/cp2.json"
expect 0 "" -- cmp "$TMP/cmerged.json" "$TMP/close.out"

# Identical output for 1 and 2 threads, JSON and per-patient CSV alike.
T="$EX/lotfi-2013-acne-scars.json"
expect 0 "" -- "$MNEEDLE" cohort --json --n $N --threads 1 --csv "$TMP/t1.csv" -o "$TMP/t1.json" "$T"
expect 0 "" -- "$MNEEDLE" cohort --json --n $N --threads 2 --csv "$TMP/t2.csv" -o "$TMP/t2.json" "$T"
if ! cmp -s "$TMP/t1.json" "$TMP/t2.json" || ! cmp -s "$TMP/t1.csv" "$TMP/t2.csv"; then
    echo "FAIL: 1 and 2 threads differ"; fails=$((fails + 1))
fi
# CSV: a header, then one row per patient and endpoint, patients in order.
ends=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["endpoints"]))' "$TMP/t1.json")
rows=$(($(wc -l <"$TMP/t1.csv") - 1))
[ "$rows" -eq $((N * ends)) ] || { echo "FAIL: CSV has $rows rows, expected $((N * ends))"; fails=$((fails + 1)); }
head -1 "$TMP/t1.csv" | grep -q '^patient,day,age_years,sex,fitzpatrick' ||
    { echo "FAIL: CSV header"; fails=$((fails + 1)); }
[ "$(tail -1 "$TMP/t1.csv" | cut -d, -f1)" = $((N - 1)) ] ||
    { echo "FAIL: CSV does not end with patient $((N - 1))"; fails=$((fails + 1)); }
# The CSV agrees with the summary: PIH cases at the last endpoint.
last=$(grep '"day":' "$TMP/t1.json" | tail -1 | tr -dc 0-9)
pih_csv=$(awk -F, -v d="$last" 'NR > 1 && $2 == d && $22 == 1' "$TMP/t1.csv" | wc -l)
grep -A200 "\"day\": $last," "$TMP/t1.json" | grep -m1 '"pih":' | grep -Eq "\"pih\": $pih_csv,?$" ||
    { echo "FAIL: CSV PIH count $pih_csv disagrees with the JSON"; fails=$((fails + 1)); }

# MPI: 2 ranks give the same bytes as one process.
if [ "${MN_HAVE_MPI:-0}" = 1 ] && command -v mpirun >/dev/null; then
    mpi_env
    expect 0 "" -- mpirun --oversubscribe -np 2 "$MNEEDLE" cohort --json --n $N \
        --csv "$TMP/m2.csv" -o "$TMP/m2.json" "$T"
    if ! cmp -s "$TMP/t1.json" "$TMP/m2.json" || ! cmp -s "$TMP/t1.csv" "$TMP/m2.csv"; then
        echo "FAIL: 1 process and 2 MPI ranks differ"; fails=$((fails + 1))
    fi
else
    echo "skip: MPI test (MN_HAVE_MPI=${MN_HAVE_MPI:-unset})"
fi

# Bad input: exit 2, the place named, no output left behind.
bad() { # PATTERN, then the trial on stdin
    rm -f "$TMP/bad-out.json"
    expect 2 "$1" -- "$MNEEDLE" cohort -o "$TMP/bad-out.json" "$TMP/bad.json"
    [ ! -e "$TMP/bad-out.json" ] || { echo "FAIL: output left after bad input"; fails=$((fails + 1)); }
}
NPAT=0 trial >"$TMP/bad.json"; bad '\$\.population\.n'
AGE="60, 30" trial >"$TMP/bad.json"; bad '\$\.population\.age'
AGE="30, 300" trial >"$TMP/bad.json"; bad '\$\.population\.age\[1\]'
FITZ="1, 7" trial >"$TMP/bad.json"; bad '\$\.population\.fitzpatrick\[1\]'
SMOKERS=1.5 trial >"$TMP/bad.json"; bad '\$\.population\.smoker_fraction'
SEX=robot trial >"$TMP/bad.json"; bad '\$\.population\.sex'
ZONE=elbow trial >"$TMP/bad.json"; bad 'unknown zone "elbow"'
CONCERN=acne trial >"$TMP/bad.json"; bad '\$\.concern'
DEVICE=laser trial >"$TMP/bad.json"; bad '\$\.protocol\.device'
MM=9 trial >"$TMP/bad.json"; bad '\$\.protocol\.needle_mm'
DAYS="0, 56, 28" trial >"$TMP/bad.json"; bad '\$\.protocol\.session_days\[2\]'
DAYS="" trial >"$TMP/bad.json"; bad '\$\.protocol\.session_days'
ENDS="365, 90" trial >"$TMP/bad.json"; bad '\$\.endpoints_days\[1\]'
SEED=-1 trial >"$TMP/bad.json"; bad '\$\.seed'
SEED='"x"' trial >"$TMP/bad.json"; bad '\$\.seed'
# The file's seed range is written as the command line's --seed writes it.
SEED=-3 trial >"$TMP/bad.json"; bad '\$\.seed: -3 is out of range; expected 0 to 2\^53-1$'
expect 2 "--seed: expected a whole number from 0 to 2\^53-1" -- "$MNEEDLE" cohort --seed -3 "$T"
echo '{"population": ' >"$TMP/bad.json"; bad 'bad\.json:[0-9]+:[0-9]+'
: >"$TMP/bad.json"; bad 'bad\.json'
echo '[1, 2]' >"$TMP/bad.json"; bad "expected a JSON object"
# The name is kept whole up to 255 bytes (the client name's limit), multi-byte text included;
# one byte more is refused with the place and the limit, never cut.
name_trial() { # BYTES OUT: the valid trial with a name of BYTES bytes ending in "é" (2 bytes)
    /usr/bin/python3 -c 'import json, sys; t = json.load(sys.stdin); n = int(sys.argv[1]); t["name"] = "x" * (n - 3) + "-\u00e9"; open(sys.argv[2], "w").write(json.dumps(t, ensure_ascii=False))' "$1" "$2"
}
trial | name_trial 255 "$TMP/name255.json"
expect 0 "" -- "$MNEEDLE" cohort --json --n 10 "$TMP/name255.json"
ok_name=$(/usr/bin/python3 -c 'import json, sys; a = json.load(open(sys.argv[1]))["name"]; b = json.load(open(sys.argv[2]))["name"]; print(int(a == b and len(a.encode()) == 255))' "$TMP/out" "$TMP/name255.json")
[ "$ok_name" = 1 ] || { echo "FAIL: a 255-byte trial name is not kept whole"; fails=$((fails + 1)); }
expect 0 "stdout:Virtual trial: x+-é \(simulation" -- "$MNEEDLE" cohort --n 10 "$TMP/name255.json"
trial | name_trial 256 "$TMP/bad.json"; bad 'bad\.json: \$\.name: at most 255 bytes, got 256'
# A concern the model does not project runs with a warning, a line in the text and
# projection_applies false; one it projects has none of them.
CONCERN=melasma trial >"$TMP/melasma.json"
expect 0 "concern_not_projected|the model does not project melasma: it does not follow dermal collagen" -- \
    "$MNEEDLE" cohort --n 10 "$TMP/melasma.json"
expect 0 "stdout:^Not a forecast for melasma" -- "$MNEEDLE" cohort --n 10 "$TMP/melasma.json"
expect 0 'stdout:"projection_applies": false' -- "$MNEEDLE" cohort --json --n 10 "$TMP/melasma.json"
# Its improvement, responder and maintenance cells are blank in the text ("—"), collagen and PIH
# kept, in both tables; the JSON keeps the numbers (the contract's) and names them under
# not_projected; a projected concern has no such list.
expect 0 "" -- "$MNEEDLE" cohort --n 30 --trials 20 -o "$TMP/mel.txt" "$TMP/melasma.json"
expect 0 "" -- "$MNEEDLE" cohort --json --n 30 --trials 20 -o "$TMP/mel.json" "$TMP/melasma.json"
expect 0 "" -- "$MNEEDLE" cohort --json --n 30 --trials 20 -o "$TMP/lot.json" "$L"
expect 0 "" -- python3 - "$TMP/mel.txt" "$TMP/mel.json" "$TMP/lot.json" <<'PY'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
pooled, intervals = text.split("Trial-level intervals:")
rows = [l.split() for l in pooled.splitlines() if re.match(r"^ +\d+ ", l)]
assert len(rows) == 2, rows
for r in rows:
    assert r[1:7] == ["\u2014"] * 6 and r[12] == "\u2014", r
    assert all(re.match(r"^-?[\d.]+%?$", v) for v in r[7:12]), r
irows = [l.split() for l in intervals.splitlines() if re.match(r"^ +\d+  ", l)]
assert len(irows) == 2 and all(r[1:4] == ["\u2014"] * 3 and len(r) == 10 for r in irows), irows
m, lot = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
keys = ["improvement_pct", "responders_50pct", "responders_75pct", "maintenance_due_fraction"]
for ep in m["endpoints"]:
    assert ep["not_projected"] == keys, ep.get("not_projected")
    assert isinstance(ep["improvement_pct"]["mean"], float) and isinstance(ep["responders_50pct"], (int, float))
for ep in m["trial_intervals"]["endpoints"]:
    assert ep["not_projected"] == ["mean_improvement_pct", "responders_50pct", "responders_75pct"], ep
    assert len(ep["mean_improvement_pct"]) == 2
assert not any("not_projected" in ep for ep in lot["endpoints"] + lot["trial_intervals"]["endpoints"])
PY
CONCERN=large-pores trial >"$TMP/pores.json"
expect 0 "the model does not project large-pores \\(projection_withheld in 'mneedle catalog concerns --json' says why\\); the improvement columns are the collagen model's, not a forecast for it$" -- \
    "$MNEEDLE" cohort --n 10 "$TMP/pores.json"
expect 0 'stdout:"projection_applies": true' -- "$MNEEDLE" cohort --json --n 10 "$T"
expect 1 "" -- sh -c "'$MNEEDLE' cohort --n 10 '$T' 2>&1 | grep -q 'not project\|Not a forecast'"
# A projected concern's figures come with the caution that depth and passes barely move them
# (docs/models/healing.md section 4.3), as a line of the text and an entry of cautions[], not a
# warning (nothing in the trial is amiss); an unprojected one has an empty cautions[].
# The caution names the device as well as needle length and passes (the injury dose: no
# calibration study compares devices either), and no arm comparison as a use (a TRIAL has one
# arm); its JSON code keeps its name and lists what it covers.
expect 0 "stdout:^Caution: these figures describe this one protocol\. No calibration study compares devices, needle lengths or numbers of passes .*healing\.md, section 4\.3" -- "$MNEEDLE" cohort --n 80 --trials 0 "$T"
no_stderr "a projected trial's caution"
expect 1 "" -- grep -q "^Caution: .*arms" "$TMP/out"
expect 0 "" -- sh -c "'$MNEEDLE' cohort --json --n 80 --trials 0 '$T' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"warnings\"] == [] and [(c[\"code\"], c[\"applies_to\"]) for c in d[\"cautions\"]] == [(\"depth_passes_not_supported\", [\"device\", \"needle_mm\", \"passes\"])], d[\"cautions\"]'"
# What a TRIAL can and cannot express is said in --help: the untreated arm is the model's
# natural course, not a sham or placebo, no power, dropout a user's input with its counting
# rule, the one percentile rule, one seed the same people.
"$MNEEDLE" cohort --help | tr -s ' \n' '  ' > "$TMP/help.txt"
for phrase in "--control untreated" "not a sham or placebo arm" "No power or sample size is computed" \
    "is your input, not a sourced figure (default 0)" "last observation carried forward" \
    "Hyndman & Fan type 7" "below 72 patients" \
    "The same seed and population in two TRIAL files give the same people"; do
    grep -qF -e "$phrase" "$TMP/help.txt" || { echo "FAIL: cohort --help does not say: $phrase"; fails=$((fails + 1)); }
done
expect 0 "" -- sh -c "'$MNEEDLE' cohort --json --n 10 '$TMP/melasma.json' | python3 -c 'import json,sys; assert json.load(sys.stdin)[\"cautions\"] == []'"
expect 1 "" -- sh -c "'$MNEEDLE' cohort --n 10 '$TMP/melasma.json' | grep -q '^Caution'"
# Trial-level intervals: virtual trials of the trial's size, each ONE draw of the constants
# shared by its patients. Both outputs say what they hold; they narrow as n grows; at the
# defaults they hold only people and sampling, so they are narrower; --trials 0 runs none.
expect 0 "stdout:--trials M" -- "$MNEEDLE" cohort --help
expect 0 "stdout:^Trial-level intervals: 90 % model intervals for one typical study of 30 patients, on the model's scale \(% of baseline severity\) with no rater noise, no between-study spread and no dropout \(all 30 analysed at every endpoint\), so narrower than what a published trial reports: .* 40 virtual trials .*ONE draw of the evidence fit's constants" -- "$MNEEDLE" cohort --n 30 --trials 40 "$L"
# How far the model has been borne out, in the words simulate and plan print (one function,
# src/report/validation_note.c), in the text and the JSON (validation, as simulate's summary
# carries it); a concern the model does not project has neither.
expect 0 "stdout:^Validation: Checked against [0-9]+ published results from [0-9]+ studies it was not fitted to, the model's 90 % interval held [0-9]+ \([0-9]+ of the [0-9]+ on efficacy; mneedle's validation report lists each\)" -- "$MNEEDLE" cohort --n 30 --trials 0 "$L"
grep '^Validation: ' "$TMP/out" | sed 's/^Validation: //' > "$TMP/vline.txt"
expect 0 "" -- "$MNEEDLE" cohort --json --n 30 --trials 0 -o "$TMP/v.json" "$L"
expect 0 "" -- "$MNEEDLE" simulate --json -o "$TMP/vsim.json" "$MN_SOURCE_DIR/examples/scenarios/simulate-lotfi-acne-scars.json"
expect 0 "" -- "$MNEEDLE" simulate -o "$TMP/vsim.txt" "$MN_SOURCE_DIR/examples/scenarios/simulate-lotfi-acne-scars.json"
expect 0 "" -- "$MNEEDLE" cohort --json --n 10 --trials 0 -o "$TMP/vmel.json" "$TMP/melasma.json"
expect 0 "" -- python3 - "$TMP/v.json" "$TMP/vsim.json" "$TMP/vline.txt" "$TMP/vmel.json" "$TMP/vsim.txt" <<'PY'
import json, sys
c, s = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
line = open(sys.argv[3]).read().strip()
assert c["validation"] == s["summary"]["validation"], (c.get("validation"), s["summary"].get("validation"))
assert c["validation_note"] == line and line, (c.get("validation_note"), line)
assert line in " ".join(open(sys.argv[5]).read().split()), "simulate says it otherwise"
m = json.load(open(sys.argv[4]))
assert "validation" not in m and "validation_note" not in m, m.keys()
PY
expect 1 "" -- sh -c "'$MNEEDLE' cohort --n 10 --trials 0 '$TMP/melasma.json' | grep -q '^Validation'"
expect 0 "stdout:^Percentiles are within 0.025 points of these 30 simulated patients' own .*the binning's error only" -- "$MNEEDLE" cohort --n 30 --trials 40 "$L"
expect 0 "" -- "$MNEEDLE" cohort --json --n 30 --trials 40 -o "$TMP/iv30.json" "$L"
expect 0 "" -- "$MNEEDLE" cohort --json --n 600 --trials 40 -o "$TMP/iv600.json" "$L"
expect 0 "" -- "$MNEEDLE" cohort --json --n 600 --trials 40 -o "$TMP/ivdef.json" "$TMP/defaults.json"
expect 0 "" -- python3 - "$TMP/iv30.json" "$TMP/iv600.json" "$TMP/ivdef.json" <<'PY'
import json, sys
a, b, d = (json.load(open(f)) for f in sys.argv[1:])
def w(x, e, k):
    lo, hi = x["trial_intervals"]["endpoints"][e][k]
    return hi - lo
for x, n in ((a, 30), (b, 600), (d, 600)):
    ti = x["trial_intervals"]
    assert ti["virtual_trials"] == 40 and ti["patients_per_trial"] == n and ti["level"] == 0.9, ti
    assert [e["day"] for e in ti["endpoints"]] == [e["day"] for e in x["endpoints"]]
    assert "endpoints" in x and "responders_50pct" in x["endpoints"][0]  # the old keys stay
assert "ONE draw" in a["trial_intervals"]["holds"] and "default constants" in d["trial_intervals"]["holds"]
e = 2  # day 176
for k in ("mean_improvement_pct", "responders_50pct"):
    assert w(b, e, k) < w(a, e, k), (k, w(b, e, k), w(a, e, k))
    assert w(d, e, k) < w(b, e, k), (k, w(d, e, k), w(b, e, k))
# the pooled figure of the same n lies inside
lo, hi = b["trial_intervals"]["endpoints"][e]["mean_improvement_pct"]
assert lo < b["endpoints"][e]["improvement_pct"]["mean"] < hi
PY
expect 0 'stdout:"virtual_trials": 0,' -- "$MNEEDLE" cohort --json --n 30 --trials 0 "$L"
expect 1 "" -- sh -c "'$MNEEDLE' cohort --n 30 --trials 0 '$L' | grep -q '^Trial-level'"
expect 0 "stdout:--trials N gives intervals" -- "$MNEEDLE" cohort --n 30 --trials 0 "$L"
# The ends are the one percentile rule (type 7) over the virtual trials: shares within [0, 1].
# The PIH rate also has an interval with the PIH law's own factor-of-two band, which holds the
# one without it.
expect 0 "" -- python3 - "$TMP/iv30.json" <<'PY'
import json, sys
x = json.load(open(sys.argv[1]))
ti = x["trial_intervals"]
assert "factor of 2" in ti["pih_rate_with_law_band_note"], ti
assert ti["percentiles"] == [5, 95] and ti["percentile_rule"].startswith("Hyndman & Fan type 7"), ti
assert ti["pih_rate_with_law_band_kind"] == "a judgement bound with no coverage level, not a 90 % interval", ti
assert x["sketch"]["percentile_rule"] == ti["percentile_rule"], x["sketch"]
for ep in ti["endpoints"]:
    for k in ("responders_50pct", "responders_75pct", "pih_rate", "pih_rate_with_law_band"):
        assert 0 <= ep[k][0] <= ep[k][1] <= 1, (ep["day"], k, ep[k])
    (lo, hi), (blo, bhi) = ep["pih_rate"], ep["pih_rate_with_law_band"]
    assert blo <= lo <= hi <= bhi, ep
assert any(ep["pih_rate_with_law_band"][1] > ep["pih_rate"][1] for ep in ti["endpoints"]), ti
PY
"$MNEEDLE" cohort --n 30 --trials 40 "$L" > "$TMP/iv30.txt"
expect 0 "" -- python3 - "$TMP/iv30.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
table = text.split("Trial-level intervals:")[1]
assert re.search(r"^ +day +mean improvement +>=50% +>75% +PIH +PIH bound \(judgement\)$", table, re.M), table
# The rule and the range are named beside the intervals; the band's column is a judgement
# bound, not a 90 % interval; the patients' percentiles are named too.
assert re.search(r"^Each range but the last: a 90 % model interval, the virtual trials' 5th to 95th percentile \(Hyndman & Fan type 7\)\. PIH bound: a judgement bound, not a 90 % interval", table, re.M), table
assert re.search(r"^PIH: by the PIH law as stated.*PIH bound \(judgement\): with the law's own band.*not a 90 % interval\.$", table, re.M)
assert re.search(r"^p5, p50, p95: the patients' 5th, 50th and 95th percentiles \(Hyndman & Fan type 7", text, re.M)
rows = [l.split() for l in table.splitlines() if re.match(r"^ +\d+ +[\d.]+ - ", l)]
assert len(rows) == 5, rows
for r in rows:
    for v in re.findall(r"([\d.]+)%", " ".join(r)):
        assert 0 <= float(v) <= 100, (r, v)
PY
# Fewer than 20 virtual trials cannot make a 5-95 % interval (the ends would be the smallest
# and the largest trial): refused before anything runs, in the command and the library.
expect 2 "--trials 1: 0 \(no intervals\) or at least 20; .*5th to the 95th percentile" -- "$MNEEDLE" cohort --trials 1 "$L"
expect 2 "--trials 2: 0 \(no intervals\) or at least 20" -- "$MNEEDLE" cohort --trials 2 -o "$TMP/few.txt" "$L"
test ! -e "$TMP/few.txt" || { echo "FAIL: output written after a refused --trials"; fails=$((fails + 1)); }
expect 2 "--trials 19: 0 \(no intervals\) or at least 20" -- "$MNEEDLE" cohort --trials 19 "$L"
expect 0 'stdout:"virtual_trials": 20,' -- "$MNEEDLE" cohort --json --n 10 --trials 20 "$L"
expect 2 "--trials" -- "$MNEEDLE" cohort --trials -3 "$L"
expect 2 "cannot open" -- "$MNEEDLE" cohort "$TMP/missing.json"
expect 2 "--threads" -- "$MNEEDLE" cohort --threads 0 "$T"
expect 2 "--n" -- "$MNEEDLE" cohort --n 10x "$T"
expect 2 "--seed" -- "$MNEEDLE" cohort --seed -3 "$T"
expect 2 "unknown option" -- "$MNEEDLE" cohort --bogus "$T"
expect 2 "expected one TRIAL" -- "$MNEEDLE" cohort
# Maintenance falls due only after a peak a rater would call "improved" (MN_GAIS_IMPROVED_PCT,
# 25 %): a patient of a near-ineffective protocol whose peak is a fraction of a point has
# nothing to maintain, whereas one above it still can fall due.
cat >"$TMP/low.json" <<'JSON'
{"population": {"n": 40, "age": [18, 40], "sex": "any", "fitzpatrick": [2, 5], "smoker_fraction": 0.15},
 "zone": "cheek", "concern": "acne-scars",
 "protocol": {"device": "dermaroller-192", "needle_mm": 0.25, "passes": 1, "session_days": [0]},
 "endpoints_days": [120, 180], "seed": 7}
JSON
expect 0 "" -- "$MNEEDLE" cohort --json --trials 0 --csv "$TMP/low.csv" -o "$TMP/low.out" "$TMP/low.json"
expect 0 "" -- "$MNEEDLE" cohort --trials 0 --n 300 --csv "$TMP/lot.csv" -o "$TMP/lot.txt" "$L"
expect 0 "" -- python3 - "$TMP/low.csv" "$TMP/low.out" "$TMP/lot.csv" <<'PY'
import csv, json, sys
def rows(f):
    return list(csv.DictReader(open(f)))
low, lot = rows(sys.argv[1]), rows(sys.argv[3])
assert json.load(open(sys.argv[2]))["maintenance"]["min_peak_improvement_pct"] == 25
assert any(0 < float(r["peak_improvement_pct"]) < 25 for r in low), "no small peak to test"
for r in low + lot:
    if int(r["maintenance_day"]) >= 0:
        assert float(r["peak_improvement_pct"]) >= 25, r
assert any(int(r["maintenance_day"]) >= 0 for r in lot), "no maintenance at all"
PY
# The untreated arm, dropout and the percentiles' Monte-Carlo error, end to end on Lotfi's file
# (200 patients): the per-patient CSV gives the treated values, so the JSON's type-7 median is
# checked against it, and each percentile lies inside its own 95 % interval. The untreated arm
# is reported only when asked, the treated figures do not move with it or with dropout, and
# the dropout tables count completers and ITT as documented.
expect 0 "" -- "$MNEEDLE" cohort --json --trials 0 --n 200 --csv "$TMP/arm.csv" -o "$TMP/plain.json" "$L"
expect 0 "" -- "$MNEEDLE" cohort --json --trials 0 --n 200 --control untreated --dropout 0.1 -o "$TMP/arm.json" "$L"
expect 0 "stdout:^Control, untreated arm: the same virtual patients" -- "$MNEEDLE" cohort --trials 0 --n 200 --control untreated --dropout 0.1 "$L"
expect 0 "stdout:^Intention to treat \(ITT\): all n patients, each who left counted at the last endpoint he or she attended \(last observation carried forward\)" -- "$MNEEDLE" cohort --trials 0 --n 200 --control untreated --dropout 0.1 "$L"
expect 0 "stdout:^Monte-Carlo error of the percentiles with 200 patients: 95 % confidence intervals by the order statistics, binomial method \(Conover" -- "$MNEEDLE" cohort --trials 0 --n 200 "$L"
# The completers' percentiles have their Monte-Carlo error too, under the all-patient lines:
# each day's completers (and, with the arm, their difference), as the JSON's dropout
# endpoints give them; an end is open where fewer than 72 are left (80 patients by day 730).
expect 0 "" -- "$MNEEDLE" cohort --trials 0 --n 200 --control untreated --dropout 0.1 -o "$TMP/arm.txt" "$L"
expect 0 "" -- "$MNEEDLE" cohort --trials 0 --n 80 --dropout 0.1 -o "$TMP/few.txt" "$L"
expect 0 "" -- "$MNEEDLE" cohort --json --trials 0 --n 80 --dropout 0.1 -o "$TMP/few.json" "$L"
expect 0 "" -- python3 - "$TMP/arm.txt" "$TMP/arm.json" "$TMP/few.txt" "$TMP/few.json" <<'PY'
import json, re, sys
def cell(v):
    return "open" if v is None else "%.1f" % v
for txt, js, arm in ((sys.argv[1], sys.argv[2], True), (sys.argv[3], sys.argv[4], False)):
    text, d = open(txt, encoding="utf-8").read(), json.load(open(js))
    mc = text.split("\nMonte-Carlo error of the percentiles with ")[1].split("\n\n")[0]
    head = "\nOver the completers (n in the dropout table, still in on the day: fewer patients, wider intervals; an end is open where fewer than 72 are left):\n"
    assert head in mc, mc
    lines = mc.split(head)[1].splitlines()
    want = []
    for de in d["dropout"]["endpoints"]:
        keys = [("completers", "observed_improvement_pct")]
        if arm:
            keys.append(("difference", "observed_difference_improvement_pct"))
        for name, k in keys:
            x = de[k]
            want.append("%6d  %-11s" % (de["day"], name) + "".join(
                "  %s %s to %s" % (p, cell(x[p + "_ci"][0]), cell(x[p + "_ci"][1])) for p in ("p5", "p50", "p95")))
            assert (None in x["p5_ci"] + x["p95_ci"]) == (de["observed"] < 72), (de["day"], de["observed"], x)
    assert lines == want, (lines, want)
    if not arm:
        assert any(de["observed"] < 72 for de in d["dropout"]["endpoints"]) and "open" in mc, mc
PY
expect 0 "" -- python3 - "$TMP/plain.json" "$TMP/arm.json" "$TMP/arm.csv" <<'PY'
import csv, json, sys
p, a = (json.load(open(f)) for f in sys.argv[1:3])
rows = list(csv.DictReader(open(sys.argv[3])))
assert p["control"] == "none" and p["dropout_per_visit"] == 0 and "dropout" not in p
assert "untreated_improvement_pct" not in p["endpoints"][0]
assert a["control"] == "untreated" and a["dropout_per_visit"] == 0.1
for ep, eq in zip(p["endpoints"], a["endpoints"]):
    assert ep["improvement_pct"] == eq["improvement_pct"], ep["day"]
    # type 7 on the patients' own values: the median of 200 is the mean of the 100th and 101st
    v = sorted(float(r["improvement_pct"]) for r in rows if int(r["day"]) == ep["day"])
    assert len(v) == 200 and abs(ep["improvement_pct"]["p50"] - (v[99] + v[100]) / 2) <= 0.025 + 1e-4, ep
    for key in ("improvement_pct", "collagen_change_pct"):
        d = ep[key]
        for q in ("p5", "p50", "p95"):
            lo, hi = d[q + "_ci"]
            assert lo <= d[q] <= hi, (ep["day"], key, q, d)
    u, df = eq["untreated_improvement_pct"], eq["difference_improvement_pct"]
    assert u["max"] <= 0 and abs(df["mean"] - (eq["improvement_pct"]["mean"] - u["mean"])) < 1e-5, eq
dr = a["dropout"]
assert dr["per_visit_probability"] == 0.1 and "not a sourced figure" in dr["source"]
assert "last observation carried forward" in dr["itt_rule"] and "excluded" in dr["completers_rule"]
obs = [e["observed"] for e in dr["endpoints"]]
assert obs == sorted(obs, reverse=True) and obs[-1] == dr["completers"] < 200, obs
for e in dr["endpoints"]:
    assert e["observed_fraction"] == e["observed"] / 200
assert p["sketch"]["percentile_rule"].startswith("Hyndman & Fan type 7") and p["sketch"]["percentile_ci_min_n"] == 72
assert p["warnings"] == [], p["warnings"]
PY
# The per-patient CSV carries the untreated arm, the difference and dropout as columns added
# after the old ones (which keep their names and order): the arm's cells empty unless asked
# for, and each column agreeing with the JSON of the same run (arm means, completers, their
# PIH and maintenance). The untreated arm's caution comes with the arm (text and cautions[]),
# and with dropout the trial-level intervals are the completers'.
old_header="patient,day,age_years,sex,fitzpatrick,smoker,sun,response_gain,depth_fraction_scale,closure_scale,ageing_rate,inflammation_scale,pih_probability_per_session,pih_day,peak_improvement_pct,peak_day,maintenance_day,improvement_pct,collagen_change_pct,epidermis_change_pct,responder_50pct,pih,maintenance_due"
expect 0 "" -- "$MNEEDLE" cohort --json --n 200 --trials 20 --control untreated --dropout 0.1 --csv "$TMP/arm2.csv" -o "$TMP/arm2.json" "$L"
expect 0 "stdout:^Caution: the untreated arm's worsening is the model's ageing of the zone's collagen read as the concern's severity" -- "$MNEEDLE" cohort --trials 0 --n 80 --control untreated "$L"
expect 0 "" -- python3 - "$old_header" "$TMP/arm.csv" "$TMP/arm2.csv" "$TMP/arm2.json" "$TMP/plain.json" <<'PY'
import csv, json, sys
old = sys.argv[1].split(",")
plain, arm = (list(csv.DictReader(open(f))) for f in sys.argv[2:4])
a, p = json.load(open(sys.argv[4])), json.load(open(sys.argv[5]))
new = ["untreated_improvement_pct", "difference_improvement_pct", "dropped_out", "dropout_day",
       "observed", "severity_scale"]
for rows in (plain, arm):
    assert list(rows[0].keys()) == old + new, list(rows[0].keys())
for r in plain:
    assert r["untreated_improvement_pct"] == r["difference_improvement_pct"] == "", r
    assert (r["dropped_out"], r["dropout_day"], r["observed"]) == ("0", "-1", "1"), r
    assert float(r["severity_scale"]) > 0
for r, q in zip(plain, arm):  # the same patients: the old columns do not move
    assert all(r[k] == q[k] for k in old), (r, q)
assert [c["code"] for c in p["cautions"]] == ["depth_passes_not_supported"]
assert [c["code"] for c in a["cautions"]] == ["depth_passes_not_supported", "untreated_arm_unchecked"]
assert a["cautions"][1]["applies_to"] == ["control"]
for ep, de in zip(a["endpoints"], a["dropout"]["endpoints"]):
    rows = [r for r in arm if int(r["day"]) == ep["day"]]
    u = [float(r["untreated_improvement_pct"]) for r in rows]
    assert abs(sum(u) / len(u) - ep["untreated_improvement_pct"]["mean"]) < 1e-3, ep["day"]
    for r in rows:
        d = float(r["improvement_pct"]) - float(r["untreated_improvement_pct"])
        assert abs(d - float(r["difference_improvement_pct"])) < 2e-4, r
        left = r["dropped_out"] == "1"
        assert left == (int(r["dropout_day"]) > 0)
        assert r["observed"] == ("0" if left and int(r["dropout_day"]) <= ep["day"] else "1"), r
    kept = [r for r in rows if r["observed"] == "1"]
    assert len(kept) == de["observed"], (ep["day"], len(kept), de["observed"])
    for col, key in (("pih", "observed_pih_rate"), ("maintenance_due", "observed_maintenance_due_fraction")):
        share = sum(r[col] == "1" for r in kept) / len(kept)
        assert abs(share - de[key]) < 1e-9, (ep["day"], col, share, de[key])
    r75 = sum(float(r["improvement_pct"]) > 75 for r in kept) / len(kept)
    assert abs(r75 - de["observed_responders_75pct"]) < 1e-9, ep["day"]
ti = a["trial_intervals"]
assert ti["analysis"] == "completers" and "completers analysis" in ti["holds"], ti["holds"]
assert all(e["trials_with_completers"] == 20 for e in ti["endpoints"])
assert "over the patients still in at each endpoint" in a["dropout"]["note"]
PY
# With dropout the untreated arm and the difference are analysed over the same completers as the
# treated arm (one who leaves leaves both arms): dropout.endpoints[] gives them, agreeing with
# the CSV's rows still in (observed 1), while endpoints[] keeps them over every patient; the
# text prints the completers' arm in a table of its own and labels the arm's own table as
# every patient's.
expect 0 "" -- "$MNEEDLE" cohort --trials 0 --n 200 --control untreated --dropout 0.1 -o "$TMP/arm2.txt" "$L"
expect 0 "" -- python3 - "$TMP/arm2.csv" "$TMP/arm2.json" "$TMP/arm2.txt" "$TMP/plain.json" <<'PY'
import csv, json, re, sys
arm = list(csv.DictReader(open(sys.argv[1])))
a, p = json.load(open(sys.argv[2])), json.load(open(sys.argv[4]))
text = open(sys.argv[3], encoding="utf-8").read()
moved = 0
for ep, de in zip(a["endpoints"], a["dropout"]["endpoints"]):
    rows = [r for r in arm if int(r["day"]) == ep["day"]]
    kept = [r for r in rows if r["observed"] == "1"]
    u = [float(r["untreated_improvement_pct"]) for r in kept]
    d = [float(r["difference_improvement_pct"]) for r in kept]
    ou, od = de["observed_untreated_improvement_pct"], de["observed_difference_improvement_pct"]
    assert abs(sum(u) / len(u) - ou["mean"]) < 1e-3, (ep["day"], ou)
    assert abs(sum(d) / len(d) - od["mean"]) < 1e-3, (ep["day"], od)
    assert ou["min"] <= ou["p5"] <= ou["p50"] <= ou["p95"] <= ou["max"] <= 0, ou
    r50 = sum(v >= 50 for v in d) / len(kept)
    assert abs(r50 - de["observed_difference_responders_50pct"]) < 1e-9, (ep["day"], r50)
    # the all-patient figures stay where they were, over every patient
    ua = [float(r["untreated_improvement_pct"]) for r in rows]
    assert abs(sum(ua) / len(ua) - ep["untreated_improvement_pct"]["mean"]) < 1e-3, ep["day"]
    moved += len(kept) < len(rows) and ou["mean"] != ep["untreated_improvement_pct"]["mean"]
    assert "not_projected" not in de
assert moved > 0, "no endpoint lost a patient"
assert "untreated arm and difference" in a["dropout"]["note"] and "one who leaves leaves both arms" in a["dropout"]["note"], a["dropout"]["note"]
# without the arm, the dropout endpoints carry none of its keys
assert all("observed_untreated_improvement_pct" not in e for e in json.load(open(sys.argv[4])).get("dropout", {}).get("endpoints", []))
control, dropout = text.split("\nControl, ")[1].split("\nDropout: ")
assert "\nAll 200 patients, as designed (no dropout); the completers' untreated arm and difference are under Dropout below.\n" in control, control
head, comp = dropout.split("\nCompleters' untreated arm and difference: over the same completers")
rows = [l.split() for l in comp.split("\nMonte-Carlo error")[0].splitlines() if re.match(r"^ +\d+  ", l)]
assert len(rows) == len(a["endpoints"]), rows
for r, de in zip(rows, a["dropout"]["endpoints"]):
    assert int(r[0]) == de["day"] and int(r[1]) == de["observed"], (r, de)
    assert abs(float(r[2]) - de["observed_untreated_improvement_pct"]["mean"]) <= 0.05, (r, de)
    assert abs(float(r[6]) - de["observed_difference_improvement_pct"]["mean"]) <= 0.05, (r, de)
    assert abs(float(r[10].rstrip("%")) - 100 * de["observed_difference_responders_50pct"]) <= 0.05, r
PY
# Dropout for a concern the model does not project: the dropout table and the completers'
# arm keep n and PIH and leave the improvement, responder, maintenance and ITT cells blank
# ("—"), as the main table does, and so does the untreated arm's own table (the untreated
# improvement and the difference are the same model's); the JSON keeps the numbers and names
# them under not_projected.
expect 0 "" -- "$MNEEDLE" cohort --n 80 --trials 0 --control untreated --dropout 0.1 -o "$TMP/meld.txt" "$TMP/melasma.json"
expect 0 "" -- "$MNEEDLE" cohort --json --n 80 --trials 0 --control untreated --dropout 0.1 -o "$TMP/meld.json" "$TMP/melasma.json"
expect 0 "" -- "$MNEEDLE" cohort --json --n 80 --trials 0 --dropout 0.1 -o "$TMP/meld1.json" "$TMP/melasma.json"
expect 0 "" -- python3 - "$TMP/meld.txt" "$TMP/meld.json" "$TMP/meld1.json" <<'PY'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m, m1 = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
dash = "\u2014"
control, drop = text.split("\nControl, ")[1].split("\nDropout: ")
assert "\nNot a forecast for melasma: the untreated arm's and the difference's cells are left blank (\u2014), as above.\n" in control
urows = [l.split() for l in control.splitlines() if re.match(r"^ +\d+  ", l)]
assert len(urows) == 2 and all(len(r) == 10 and r[1:] == [dash] * 9 for r in urows), urows
mc = text.split("\nMonte-Carlo error of the percentiles")[1].split("\n\n")[0]
assert not re.search(r"^ +\d+  (improvement|difference) ", mc, re.M), mc
treated = ["improvement_pct", "responders_50pct", "responders_75pct", "maintenance_due_fraction"]
for ep in m["endpoints"]:
    assert ep["not_projected"] == treated + ["untreated_improvement_pct", "difference_improvement_pct",
                                             "difference_responders_50pct"], ep["not_projected"]
    assert isinstance(ep["untreated_improvement_pct"]["mean"], float)
assert all(ep["not_projected"] == treated for ep in m1["endpoints"])
assert "\nNot a forecast for melasma: its improvement, responder and maintenance cells are left blank (\u2014), as above.\n" in drop
table, comp = drop.split("\nCompleters' untreated arm and difference:")
rows = [l.split() for l in table.splitlines() if re.match(r"^ +\d+  ", l)]
assert len(rows) == 2, rows
for r, de in zip(rows, m["dropout"]["endpoints"]):
    assert len(r) == 14 and int(r[1]) == de["observed"], r
    assert r[2:7] == [dash] * 5 and r[8:] == [dash] * 6, r
    assert abs(float(r[7].rstrip("%")) - 100 * de["observed_pih_rate"]) <= 0.05, (r, de)
crows = [l.split() for l in comp.split("\nMonte-Carlo error")[0].splitlines() if re.match(r"^ +\d+  ", l)]
assert len(crows) == 2 and all(len(r) == 11 and r[2:] == [dash] * 9 for r in crows), crows
keys = ["observed_improvement_pct", "observed_responders_50pct", "observed_responders_75pct",
        "observed_maintenance_due_fraction", "itt_improvement_pct", "itt_responders_50pct"]
arm = ["observed_untreated_improvement_pct", "observed_difference_improvement_pct",
       "observed_difference_responders_50pct"]
for de in m["dropout"]["endpoints"]:
    assert de["not_projected"] == keys + arm, de.get("not_projected")
    assert all(k in de for k in keys + arm) and isinstance(de["observed_pih_rate"], (int, float))
for de in m1["dropout"]["endpoints"]:
    assert de["not_projected"] == keys, de.get("not_projected")
PY
expect 2 "\\$.dropout_per_visit: " -- sh -c "sed 's/\"seed\": 2013/\"seed\": 2013, \"dropout_per_visit\": 1.5/' '$L' | '$MNEEDLE' cohort -"
expect 2 "--dropout: expected a probability from 0 to 0.99" -- "$MNEEDLE" cohort --dropout 1 "$L"
expect 2 "--control: expected none or untreated" -- "$MNEEDLE" cohort --control placebo "$L"
# Too few patients for the 5th and 95th percentiles' intervals (72): said on stderr, in
# warnings[] and the text, the open ends null; 72 are enough.
expect 0 "warning: \\$.population.n: 71 patients are too few for the 5th and 95th percentiles' 95 % confidence intervals \(at least 72\)" -- "$MNEEDLE" cohort --json --trials 0 --n 71 -o "$TMP/n71.json" "$L"
expect 0 "" -- python3 -c "
import json; d = json.load(open('$TMP/n71.json'))
assert [w['code'] for w in d['warnings']] == ['n_too_small_for_percentiles'], d['warnings']
i = d['endpoints'][0]['improvement_pct']
assert i['p5_ci'][0] is None and i['p5_ci'][1] is not None and i['p95_ci'][1] is None and None not in i['p50_ci'], i"
expect 0 "stdout:^Warning: 71 patients are too few" -- "$MNEEDLE" cohort --trials 0 --n 71 "$L"
expect 0 "" -- "$MNEEDLE" cohort --json --trials 0 --n 72 -o "$TMP/n72.json" "$L"
no_stderr "72 patients"
# Standard input works.
expect 0 'stdout:"n": 100' -- sh -c "trial_text=\$(cat '$TMP/t.json'); printf '%s' \"\$trial_text\" | '$MNEEDLE' cohort --json -"

finish
