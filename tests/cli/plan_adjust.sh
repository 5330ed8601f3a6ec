# End-to-end: findings that promise gentler treatment change the plan as their rule's adjust
# block says (anticoagulants; phototypes IV-VI with pre-treatment and a test patch for V-VI),
# against twin clients without the finding; the device's shortest setting is kept and said;
# a home device is refused as a clinic device; roller depths are the lengths sold, and text
# and JSON show the same settings.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
DATA="$MN_SOURCE_DIR/data"

client() { # $1 file; FITZ, DEVICE, CONCERN, ZONE, HISTORY from the environment
    cat >"$1" <<JSON
{"client": {"age": 35, "sex": "female", "fitzpatrick": ${FITZ:-2}},
 "concerns": [{"concern": "${CONCERN:-stretch-marks}", "zones": ["${ZONE:-abdomen}"]}],
 "history": {${HISTORY:-}},
 "clinic": {"device": "${DEVICE:-skinpen}", "price_per_session": 300, "start": "2027-03-01"}}
JSON
}

# check NAME PYTHON-ASSERTIONS: runs the assertions with the catalogue and the plans loaded
# (flag, twin: the --json plans of $TMP/flag.json and $TMP/twin.json; text: the flagged text).
check() {
    name=$1; shift
    "$MNEEDLE" plan --json "$TMP/flag.json" >"$TMP/flag.out" 2>"$TMP/err" &&
        "$MNEEDLE" plan --json "$TMP/twin.json" >"$TMP/twin.out" 2>>"$TMP/err" &&
        "$MNEEDLE" plan "$TMP/flag.json" >"$TMP/flag.txt" 2>>"$TMP/err"
    if [ $? -ne 0 ]; then
        echo "FAIL: $name: plan failed"; sed 's/^/  | /' "$TMP/err" | head -5
        fails=$((fails + 1)); return
    fi
    if "$PY" - "$DATA" "$TMP" "$@" <<'PY' 2>"$TMP/py.err"; then
import json, math, sys
data, tmp, code = sys.argv[1], sys.argv[2], "\n".join(sys.argv[3:])
rules = {r["code"]: r for r in json.load(open(data + "/rules.json"))["rules"]}
devices = {d["id"]: d for d in json.load(open(data + "/devices.json"))["devices"]}
flag = json.load(open(tmp + "/flag.out"))
twin = json.load(open(tmp + "/twin.out"))
text = open(tmp + "/flag.txt").read()
dev = devices[flag["client"]["device"]]

def settings(d):
    if d.get("lengths_mm"):
        return d["lengths_mm"]
    n = round((d["depth_max_mm"] - d["depth_min_mm"]) / d["depth_step_mm"])
    return [round(d["depth_min_mm"] + k * d["depth_step_mm"], 6) for k in range(n + 1)]

def lowered(base, delta):  # down to a setting the device has, never below its shortest
    ok = [v for v in settings(dev) if v <= base + delta + 1e-9]
    return max(ok) if ok else dev["depth_min_mm"]

def course_gaps(plan, zone):
    d = [s["date"] for s in plan["sessions"] if s["phase"] == "course" and zone in s["zones"]]
    import datetime
    t = [datetime.date.fromisoformat(x) for x in d]
    return [(b - a).days for a, b in zip(t, t[1:])]

exec(code)
PY
        passes=$((passes + 1))
    else
        echo "FAIL: $name"; sed 's/^/  | /' "$TMP/py.err" | tail -5
        fails=$((fails + 1))
    fi
}

# Anticoagulants: start and maximum lower than the twin's by the block's amounts, said in
# plain words beside the setting, with no internal code in the client's text (cheek wrinkles:
# 0.5-1.5 mm, so neither lowered value is clamped by the other).
HISTORY='"anticoagulants": true' CONCERN=fine-lines-wrinkles ZONE=cheek client "$TMP/flag.json"
CONCERN=fine-lines-wrinkles ZONE=cheek client "$TMP/twin.json"
check "anticoagulants vs twin" '
a = rules["MN-ANTICOAGULANT"]["adjust"]
zf, zt = flag["zones"][0], twin["zones"][0]
assert zf["adjusted_by"] == ["MN-ANTICOAGULANT"] and zt["adjusted_by"] == [], (zf, zt)
assert zf["depth_mm"]["max"] == lowered(zt["depth_mm"]["max"], a["max_mm"]), (zf, zt)
assert zf["depth_mm"]["start"] == lowered(zt["depth_mm"]["start"], a["start_mm"]), (zf, zt)
assert zf["depth_mm"]["max"] < zt["depth_mm"]["max"] and zf["depth_mm"]["start"] < zt["depth_mm"]["start"]
assert zf["depth_mm"]["start"] < zf["depth_mm"]["max"], zf  # the start was not clamped
assert zf["unadjusted_depth_mm"] == {"start": zt["depth_mm"]["start"], "max": zt["depth_mm"]["max"]}
assert "Gentler settings because " + a["reason"] in text, text
assert "MN-" not in text, "an internal code in the client text"
# The maximum is the adjustment'"'"'s, and the zone line names it, not the bound it lowered.
assert zf["limited_by"] == "precautions" != zt["limited_by"], (zf["limited_by"], zt["limited_by"])
assert "capped by the findings below" in zf["why"] and "capped by the findings below" in text, zf["why"]
assert "capped by the findings below" not in zt["why"], zt["why"]
'

# Where the lowered depth would fall below the device's shortest setting, the zone keeps it
# and says so (forehead: 0.5 mm cap, SkinPen's shortest 0.25 mm).
HISTORY='"anticoagulants": true' CONCERN=fine-lines-wrinkles ZONE=forehead client "$TMP/flag.json"
CONCERN=fine-lines-wrinkles ZONE=forehead client "$TMP/twin.json"
check "held at the device minimum" '
zf = flag["zones"][0]
assert {k: zf["depth_mm"][k] for k in ("min", "max", "start")} == {"min": 0.25, "max": 0.25, "start": 0.25}, zf
assert zf["depth_mm"]["course_max"] == 0.25 and zf["course_reaches_max"] is True, zf
assert zf["held_at_device_min"] is True
assert "0.25 mm is this device" + chr(39) + "s shortest setting" in text, text
'

# Phototype V against the same client in phototype II: shallower start and maximum, a longer
# course interval, pre-treatment with sun protection, pigment-calming skincare and a test patch.
FITZ=5 client "$TMP/flag.json"
FITZ=2 client "$TMP/twin.json"
check "phototype V vs phototype II" '
a = rules["MN-PIH-RISK"]["adjust"]
zf, zt = flag["zones"][0], twin["zones"][0]
assert zf["adjusted_by"] == ["MN-PIH-RISK"] and zt["adjusted_by"] == []
assert zf["depth_mm"]["max"] == lowered(zt["depth_mm"]["max"], a["max_mm"]), (zf, zt)
assert zf["depth_mm"]["start"] == lowered(zt["depth_mm"]["start"], a["start_mm"]), (zf, zt)
assert zf["interval_add_days"] == a["interval_days"] > 0
# ... and a gentler rise per visit (a["gentle_rise"]), never more than it between visits.
assert a["gentle_rise"] is True and zf["rise_per_visit_mm"] < zt["rise_per_visit_mm"], (zf, zt)
for plan in (flag, twin):
    for z in plan["zones"]:
        seq = [st["depth_mm"] for v in plan["sessions"] for st in v["settings"] if st["zone"] == z["zone"]]
        assert all(b - a2 <= z["rise_per_visit_mm"] + 1e-9 for a2, b in zip(seq, seq[1:])), (z["zone"], seq)
gf, gt = course_gaps(flag, "abdomen"), course_gaps(twin, "abdomen")
assert gf and gt and min(gf) >= max(gt) - 1 + a["interval_days"], (gf, gt)
pf = [p["id"] for p in flag["pretreatment"]]
pt = [p["id"] for p in twin["pretreatment"]]
for item in a["pretreatment"]:
    assert item in pf and item not in pt, (item, pf, pt)
assert "test patch" in text and "Before your first visit (2027-03-01)" in text
assert "MN-" not in text
'

# Phototype IV: the same gentler settings, but the test patch is for V-VI only.
FITZ=4 client "$TMP/flag.json"
check "phototype IV: no test patch" '
pf = [p["id"] for p in flag["pretreatment"]]
assert "sun-strict" in pf and "test-patch" not in pf, pf
assert flag["zones"][0]["adjusted_by"] == ["MN-PIH-RISK"]
'

# A darker scalp treated for hair loss: the PIH rule's changes stay (the hair-loss trials'
# abstracts give no phototypes and count no PIH, so nothing exempts the scalp; weekly sessions
# become 3-weekly), and the scalp's line gives the reason the rule's concern_reasons entry
# gives for hair loss, saying the caution is carried over from face studies, where the
# forehead of the same client gives the rule's own reason.
for f in 5 2; do
    cat >"$TMP/scalp$f.json" <<JSON
{"client": {"age": 41, "sex": "male", "fitzpatrick": $f},
 "concerns": [{"concern": "hair-loss", "zones": ["scalp"], "severity": "moderate"},
              {"concern": "fine-lines-wrinkles", "zones": ["forehead"]}],
 "history": {}, "lifestyle": {"smoker": false, "sun": "low"},
 "clinic": {"device": "skinpen", "price_per_session": 200, "start": "2027-03-01"}}
JSON
done
cp "$TMP/scalp5.json" "$TMP/flag.json" && cp "$TMP/scalp2.json" "$TMP/twin.json"
check "hair loss on a darker scalp: the same changes, the reason said for the scalp" '
a = rules["MN-PIH-RISK"]["adjust"]
own = [x for x in a["concern_reasons"] if x["concern"] == "hair-loss"]
assert len(own) == 1 and own[0]["reason"] != a["reason"] and own[0]["source"], a
scalp = next(z for z in flag["zones"] if z["zone"] == "scalp")
face = next(z for z in flag["zones"] if z["zone"] == "forehead")
assert scalp["adjusted_by"] == ["MN-PIH-RISK"] and face["adjusted_by"] == ["MN-PIH-RISK"]
assert scalp["interval_add_days"] == a["interval_days"] > 0, scalp
gf, gt = course_gaps(flag, "scalp"), course_gaps(twin, "scalp")
assert gt and min(gt) == 7 and gf and min(gf) >= 7 + a["interval_days"], (gf, gt)
assert own[0]["reason"] in scalp["adjusted"] and a["reason"] not in scalp["adjusted"], scalp
assert a["reason"] in face["adjusted"] and own[0]["reason"] not in face["adjusted"], face
assert scalp["adjusted"] in text and face["adjusted"] in text
assert "face studies" in own[0]["reason"]
'

# Rollers: every depth is a length sold; the anticoagulant start 1.5 - 0.25 snaps down to the
# 1.0 mm roller, not to a 1.25 mm one that is not made. Text shows what JSON says.
HISTORY='"anticoagulants": true' DEVICE=dermaroller-192 client "$TMP/flag.json"
DEVICE=dermaroller-192 client "$TMP/twin.json"
check "roller lengths" '
for plan in (flag, twin):
    for z in plan["zones"]:
        for k in ("min", "start", "max"):
            assert z["depth_mm"][k] in dev["lengths_mm"], (k, z["depth_mm"], dev["lengths_mm"])
zf = flag["zones"][0]
assert zf["depth_mm"]["start"] == 1.0 and zf["depth_mm"]["max"] == 2.0, zf
lines = text.splitlines()
line = lines[lines.index("  Abdomen: Stretch marks (striae)") + 1]  # the zone, then its needle
d = zf["depth_mm"]
assert line.split()[1] == "{:.3g}-{:.3g}".format(d["min"], d["max"]) == "1-2", line
'

# Text and JSON show the same setting with the same digits: a pen maximum of 1.75 mm is 1.75.
client "$TMP/flag.json"
client "$TMP/twin.json"
check "same digits in text and JSON" '
d = flag["zones"][0]["depth_mm"]
assert d["max"] == 1.75, d
lines = text.splitlines()
line = lines[lines.index("  Abdomen: Stretch marks (striae)") + 1]  # the zone, then its needle
assert line.split()[1] == "1.5-1.75" and "starting at 1.5 mm" in line, line
assert "At 1.75 mm" in text and "1.8" not in line
'

# A home device is not a clinic device: exit 2, the file and $.clinic.device named, and
# nothing written with --output (no file, no temporary file).
DEVICE=home-roller client "$TMP/home.json"
mkdir "$TMP/outdir"
expect 2 'home\.json: \$\.clinic\.device: "home-roller" is a home device, not a clinic device' \
    -- "$MNEEDLE" plan "$TMP/home.json" --output "$TMP/outdir/plan.txt"
expect 2 'home device, not a clinic device' -- "$MNEEDLE" plan --json "$TMP/home.json"
expect 2 'home device' -- "$MNEEDLE" plan "$TMP/home.json" --report "$TMP/outdir/r.html"
if [ -n "$(ls -A "$TMP/outdir")" ]; then
    echo "FAIL: a refused home-device plan left files: $(ls -A "$TMP/outdir")"
    fails=$((fails + 1))
else
    passes=$((passes + 1))
fi
# Home use by the client stays a screening finding, and screening a home device still runs.
HISTORY='"home_device_use": true' client "$TMP/hu.json"
expect 0 'stdout:"code": "MN-HOME-DEVICE"' -- "$MNEEDLE" screen --json "$TMP/hu.json"
expect 0 'stdout:"decision"' -- "$MNEEDLE" screen --json "$TMP/home.json"

# The catalogue's adjust blocks and roller lengths are validated with the place named.
bad_catalog() { # $1 file name, $2 python editing the parsed catalogue "c"; writes $TMP/cat/$1
    rm -rf "$TMP/cat" && mkdir "$TMP/cat"
    "$PY" - "$DATA/$1" "$TMP/cat/$1" "$2" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(c, open(sys.argv[2], "w"))
PY
}
client "$TMP/ok.json"
i=$("$PY" -c 'import json,sys; print([r["code"] for r in json.load(open(sys.argv[1]))["rules"]].index("MN-ANTICOAGULANT"))' "$DATA/rules.json")
bad_catalog rules.json 'next(r for r in c["rules"] if r["code"] == "MN-ANTICOAGULANT")["adjust"]["max_mm"] = 0.5'
expect 2 "rules\.json: \\\$\.rules\[$i\]\.adjust\.max_mm: 0\.5 is out of range; expected -2 to 0" \
    -- "$MNEEDLE" plan --data "$TMP/cat" "$TMP/ok.json"
bad_catalog rules.json 'next(r for r in c["rules"] if r["code"] == "MN-ANTICOAGULANT")["adjust"]["pretreatment"] = ["no-such-step"]'
expect 2 "rules\.json: \\\$\.rules\[$i\]\.adjust\.pretreatment\[0\]: unknown pre-treatment \"no-such-step\"" \
    -- "$MNEEDLE" plan --data "$TMP/cat" "$TMP/ok.json"
bad_catalog rules.json 'next(r for r in c["rules"] if r["code"] == "MN-ANTICOAGULANT")["adjust"].pop("source")'
expect 2 "\.adjust\.source" -- "$MNEEDLE" plan --data "$TMP/cat" "$TMP/ok.json"
bad_catalog rules.json 'r = next(r for r in c["rules"] if r["code"] == "MN-PREGNANT"); r["adjust"] = {"max_mm": -0.25, "reason": "x", "source": "y"}'
expect 2 "only a caution rule can adjust the plan" -- "$MNEEDLE" plan --data "$TMP/cat" "$TMP/ok.json"
j=$("$PY" -c 'import json,sys; print([r["code"] for r in json.load(open(sys.argv[1]))["rules"]].index("MN-PIH-RISK"))' "$DATA/rules.json")
pih='next(r for r in c["rules"] if r["code"] == "MN-PIH-RISK")["adjust"]["concern_reasons"]'
bad_catalog rules.json "$pih[0][\"concern\"] = \"baldness-x\""
expect 2 "rules\.json: \\\$\.rules\[$j\]\.adjust\.concern_reasons\[0\]\.concern: unknown concern \"baldness-x\"" \
    -- "$MNEEDLE" plan --data "$TMP/cat" "$TMP/ok.json"
bad_catalog rules.json "$pih.append(dict($pih[0]))"
expect 2 "\.adjust\.concern_reasons\[1\]\.concern: \"hair-loss\" is named twice" \
    -- "$MNEEDLE" plan --data "$TMP/cat" "$TMP/ok.json"
bad_catalog rules.json "$pih[0][\"reason\"] = \"x\" * 101"
expect 2 "\.adjust\.concern_reasons\[0\]\.reason: expected at most 100 characters" \
    -- "$MNEEDLE" plan --data "$TMP/cat" "$TMP/ok.json"
bad_catalog rules.json "$pih[0].pop(\"source\")"
expect 2 "\.adjust\.concern_reasons\[0\]\.source" -- "$MNEEDLE" plan --data "$TMP/cat" "$TMP/ok.json"
bad_catalog rules.json "$pih[0] = \"hair-loss\""
expect 2 "\.adjust\.concern_reasons\[0\]: expected an object" -- "$MNEEDLE" plan --data "$TMP/cat" "$TMP/ok.json"
bad_catalog rules.json "$pih[0][\"zone\"] = \"scalp\""
expect 2 "\.adjust\.concern_reasons\[0\]\.zone: unknown key" -- "$MNEEDLE" plan --data "$TMP/cat" "$TMP/ok.json"
bad_catalog devices.json 'next(d for d in c["devices"] if d["id"] == "dermaroller-192").pop("lengths_mm")'
expect 2 "devices\.json: \\\$\.devices\[[0-9]+\]\.lengths_mm" -- "$MNEEDLE" plan --data "$TMP/cat" "$TMP/ok.json"
bad_catalog devices.json 'next(d for d in c["devices"] if d["id"] == "dermaroller-192")["lengths_mm"] = [0.25, 1.5, 1.0, 2.5]'
expect 2 "lengths_mm\[2\]: expected lengths in increasing order" -- "$MNEEDLE" plan --data "$TMP/cat" "$TMP/ok.json"
bad_catalog devices.json 'next(d for d in c["devices"] if d["id"] == "skinpen")["lengths_mm"] = [0.25, 2.5]'
expect 2 "only rollers have fixed lengths" -- "$MNEEDLE" plan --data "$TMP/cat" "$TMP/ok.json"

finish
