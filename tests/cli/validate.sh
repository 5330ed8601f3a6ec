# End-to-end: mneedle validate. docs/validation.md is the command's output for the bundled
# evidence; the coverage it states is checked against an honest floor; only validation studies
# are run; a user's study is added with --evidence, and a malformed one refused (exit 2); a
# posterior of one's own is validated with --posterior.
. "$(dirname "$0")/lib.sh"
EV="$MN_SOURCE_DIR/data/evidence"

expect 0 "stdout:usage: mneedle validate \[--json\]" -- "$MNEEDLE" validate --help
expect 2 "takes no operand" -- "$MNEEDLE" validate extra

# The page is the output (regenerate: mneedle validate -o docs/validation.md).
"$MNEEDLE" validate >"$TMP/v.md"
if ! cmp -s "$TMP/v.md" "$MN_SOURCE_DIR/docs/validation.md"; then
    echo "FAIL: docs/validation.md is not the output of 'mneedle validate' (regenerate it with"
    echo "      mneedle validate -o docs/validation.md and say why in the commit):"
    diff "$MN_SOURCE_DIR/docs/validation.md" "$TMP/v.md" | head -20
    fails=$((fails + 1))
else
    passes=$((passes + 1))
fi

# The JSON: every row consistent with its interval, only validation studies, the coverage the
# rows give, and at least the stated floor. VALIDATE_FLOOR is the coverage achieved with the
# bundled evidence (docs/validation.md states it); a model change that loses coverage fails
# here, and the floor moves only with the page.
VALIDATE_FLOOR=0.66
VALIDATE_MIN_CHECKED=18
"$MNEEDLE" validate --json >"$TMP/v.json"
expect 0 "" -- python3 - "$TMP/v.json" "$EV" "$VALIDATE_FLOOR" "$VALIDATE_MIN_CHECKED" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
floor, min_checked = float(sys.argv[3]), int(sys.argv[4])
split = dict(l.split() for l in open(os.path.join(sys.argv[2], "SPLIT"))
             if l.strip() and not l.startswith("#"))
assert {s["id"] for s in d["studies"]} == {k for k, r in split.items() if r == "validation"}
inside = 0
for e in d["endpoints"]:
    assert split[e["study"]] == "validation", e
    p = e["predicted"]
    assert p["low"] <= p["median"] <= p["high"], e
    assert e["inside"] in (True, False)
    if "range" in e:  # a duration published as a range: inside when the interval meets it
        assert e["inside"] == (p["low"] <= e["range"][1] and p["high"] >= e["range"][0]), e
    elif "bound" not in e:
        assert e["inside"] == (p["low"] <= e["observed"] <= p["high"]), e
    inside += e["inside"]
for e in d["not_checked"]:
    assert split[e["study"]] == "validation" and e["why"], e
# A study that set the closure law (calibration for the delivery model) is never checked on
# closure: every closure endpoint it has is refused with that reason, and every study refused
# for it is one of the delivery calibration studies.
delivery = dict(l.split() for l in open(os.path.join(sys.argv[2], "delivery", "SPLIT"))
                if l.strip() and not l.startswith("#"))
law = [e for e in d["not_checked"] if "closure law" in e["why"]]
assert law and all(delivery.get(e["study"]) == "calibration" for e in law), law
assert not [e for e in d["endpoints"] if e["study"] == "ogunjimi2020"]
assert {e["endpoint"] for e in law if e["study"] == "ogunjimi2020"} == {
    x["id"] for x in json.load(open(os.path.join(sys.argv[2], "ogunjimi2020.json")))["endpoints"]
    if x["family"] == "channel_closure"}
# Likewise a validation study whose PIH count set the PIH law (src/healing/pih.c): Dogra 2014.
pih_law = {(e["study"], e["endpoint"]) for e in d["not_checked"] if "set the PIH law" in e["why"]}
assert pih_law == {("dogra2014", "pih")}, pih_law
assert not [e for e in d["endpoints"] if e["study"] == "dogra2014" and e["scale"] == "pih_count"]
assert d["checked"] == len(d["endpoints"]) >= min_checked, d["checked"]
assert d["inside"] == inside
assert abs(d["coverage"] - inside / len(d["endpoints"])) < 1e-8
assert d["coverage"] >= floor - 1e-8, (d["coverage"], floor)
# The misses' sides, recomputed from the study records: a fall, an improvement or responders
# are better higher, events lower, anything else as the record's direction says.
sides = {"worse": 0, "better": 0, "no_direction": 0}
for e in d["endpoints"]:
    if e["inside"]:
        continue
    rec = json.load(open(os.path.join(sys.argv[2], e["study"] + ".json")))
    ep = next(x for x in rec["endpoints"] if x["id"] == e["endpoint"])
    way = (1 if ep["quantity"] in ("reduction", "pct_reduction", "improvement", "responders")
           else -1 if ep["quantity"] == "events"
           else {"higher_better": 1, "lower_better": -1}.get(ep["direction"], 0))
    seen = sum(e["range"]) / 2 if "range" in e else e["observed"]
    side = way * (1 if seen > e["predicted"]["high"] else -1)
    sides["better" if side > 0 else "worse" if side < 0 else "no_direction"] += 1
assert d["misses"] == sides, (d["misses"], sides)
assert sum(sides.values()) == d["checked"] - d["inside"]
PY
# The summary simulate and plan print beside every projection is this command's
# (data/posterior/healing-validation.json; docs/models/healing.md, section 4.3).
expect 0 "" -- python3 - "$TMP/v.json" "$MN_SOURCE_DIR/data/posterior/healing-validation.json" <<'PY'
import json, sys
d, s = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
want = {"checked": d["checked"], "inside": d["inside"], "worse": d["misses"]["worse"],
        "better": d["misses"]["better"], "studies": d["studies_checked"],
        "efficacy_checked": d["efficacy"]["checked"], "efficacy_inside": d["efficacy"]["inside"]}
# The split the page states: efficacy rows are those of the efficacy families, weak rows are
# inside with no events published and an interval from none, and every study's rows add up.
eff = [e for e in d["endpoints"] if e["kind"] == "efficacy"]
assert d["efficacy"] == {"checked": len(eff), "inside": sum(e["inside"] for e in eff)}, d["efficacy"]
assert d["weak"] == sum(e["weak"] for e in d["endpoints"])
for e in d["endpoints"]:
    if e["weak"]:
        assert e["inside"] and e["observed"] == 0 and e["predicted"]["low"] <= 0, e
by = {b["study"]: b for b in d["by_study"]}
assert len(by) == d["studies_checked"]
for sid, b in by.items():
    rows = [e for e in d["endpoints"] if e["study"] == sid]
    assert b["checked"] == len(rows) and b["inside"] == sum(e["inside"] for e in rows), b
got = {k: s[k] for k in want}
assert got == want, ("update data/posterior/healing-validation.json to", want, "from", got)
PY
expect 0 "" -- "$MNEEDLE" validate --json --output "$TMP/out.json"
expect 0 "" -- cmp "$TMP/v.json" "$TMP/out.json"

# A user's validation study is run too; one whose published value the model cannot reach
# is a miss, and stays in the table.
mkdir "$TMP/mine"
cat >"$TMP/mine/clinic2025.json" <<'JSON'
{"id": "clinic2025", "citation": "Our clinic's audit, 2025.", "url": "https://example.org/audit",
 "role": "validation", "design": "case-series", "population": {"n": 20, "age_range": [40, 60], "phototypes": ["II", "III"]},
 "concern": "fine-lines-wrinkles", "site": "face",
 "arms": [{"id": "pen", "protocol": {"device": "SkinPen", "device_class": "pen", "needle_mm": 1.5,
                                      "passes": 3, "sessions": 3, "interval_days": 28}}],
 "endpoints": [{"id": "rated", "family": "clinical_scale", "scale": "pct_improvement", "arm": "pen",
                "quantity": "improvement", "unit": "%", "direction": "higher_better",
                "timepoints": [{"day_after_last": 90, "n": 20, "mean": 2}]}],
 "verified": "full text", "unverified": []}
JSON
"$MNEEDLE" validate --json --evidence "$TMP/mine" >"$TMP/u.json"
expect 0 "" -- python3 - "$TMP/u.json" "$TMP/v.json" <<'PY'
import json, sys
u, v = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
mine = [e for e in u["endpoints"] if e["study"] == "clinic2025"]
assert len(mine) == 1 and mine[0]["inside"] is False, mine
assert mine[0]["predicted"]["low"] > 2
assert u["checked"] == v["checked"] + 1 and u["inside"] == v["inside"]
PY
expect 0 "stdout:clinic2025 \* \| rated .*\*\*no\*\*" -- "$MNEEDLE" validate --evidence "$TMP/mine"
# ... and the page says it is not the bundled one (no claim that a test checks it).
"$MNEEDLE" validate --evidence "$TMP/mine" >"$TMP/u.md"
expect 0 "" -- grep -q "with 1 study of your own (marked \*) beside the bundled evidence base: not the bundled page" "$TMP/u.md"
expect 1 "" -- grep -q "tests/cli/validate.sh" "$TMP/u.md"

# Malformed: exit 2, the file and the JSON path named, nothing written.
mkdir "$TMP/bad" "$TMP/o"
sed 's/"mean": 2/"mean": "two"/' "$TMP/mine/clinic2025.json" >"$TMP/bad/clinic2025.json"
expect 2 'clinic2025.json: \$\.endpoints\[0\]\.timepoints\[0\]\.mean: expected a number' -- \
    "$MNEEDLE" validate --evidence "$TMP/bad" --output "$TMP/o/v.md"
if [ -n "$(ls -A "$TMP/o")" ]; then
    echo "FAIL: output written for a refused study: $(ls -A "$TMP/o")"; fails=$((fails + 1))
fi

# --posterior: a fit of one's own. The bundled file given by path takes the same rows (the same
# predictions, endpoint by endpoint) and is named in the output; the same draws with a
# between-study spread (study_sd_log 0.4 added to each) widen the intervals of every endpoint
# read from the improvement and leave the PIH counts alone; a malformed file is refused.
POST="$MN_SOURCE_DIR/data/posterior/healing.json"
"$MNEEDLE" validate --json --posterior "$POST" >"$TMP/p.json"
expect 0 "" -- python3 - "$TMP/p.json" "$TMP/v.json" "$POST" "$TMP/spread.json" <<'PY'
import json, sys
p, v = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert v["posterior"] is None and p["posterior"] == sys.argv[3], (v["posterior"], p["posterior"])
assert p["endpoints"] == v["endpoints"] and p["coverage"] == v["coverage"]
assert sys.argv[3] in p["people"] and "bundled posterior" in v["people"]
post = json.load(open(sys.argv[3]))
assert "study_sd_log" not in post["parameters"]
post["parameters"].append("study_sd_log")
for d in post["draws"]:
    d.append(0.4)
json.dump(post, open(sys.argv[4], "w"))
PY
"$MNEEDLE" validate --json --posterior "$TMP/spread.json" >"$TMP/s.json"
expect 0 "" -- python3 - "$TMP/s.json" "$TMP/v.json" <<'PY'
import json, sys
s, v = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
wider = same = 0
for a, b in zip(s["endpoints"], v["endpoints"]):
    assert (a["study"], a["endpoint"], a["time"]) == (b["study"], b["endpoint"], b["time"])
    w = lambda e: e["predicted"]["high"] - e["predicted"]["low"]
    if a["scale"] == "pih_count":
        assert a["predicted"] == b["predicted"], (a, b)
        same += 1
    elif w(a) > w(b):
        wider += 1
pih = sum(e["scale"] == "pih_count" for e in v["endpoints"])
assert pih >= 1 and same == pih and wider >= len(s["endpoints"]) - same - 2, (wider, same)
PY
expect 0 'stdout:posterior file `.*spread.json` \(not the bundled one\)' -- \
    "$MNEEDLE" validate --posterior "$TMP/spread.json"
echo '{"model": "healing", "format": 1, "parameters": ["no_such_constant"], "draws": [[1]]}' \
    >"$TMP/badpost.json"
expect 2 'badpost.json: ' -- "$MNEEDLE" validate --posterior "$TMP/badpost.json" \
    --output "$TMP/o/p.md"
expect 2 'nothere.json: cannot open' -- "$MNEEDLE" validate --posterior "$TMP/nothere.json"
if [ -n "$(ls -A "$TMP/o")" ]; then
    echo "FAIL: output written for a refused posterior: $(ls -A "$TMP/o")"; fails=$((fails + 1))
fi
finish
