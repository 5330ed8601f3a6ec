# End-to-end: the rules for inputs and outputs every command shares. Each bad input exits 2 with
# a message naming the file and the place, and leaves nothing behind: no output, no temporary.
. "$(dirname "$0")/lib.sh"
EX="$MN_SOURCE_DIR/examples"
CLIENT="$EX/clients/amelia-wrinkles.json"

# refused CODE PATTERN -- command... --output: runs the command with --output "$TMP/o/out",
# checks the exit code and message as expect does, and that the output folder is still empty
# (no output and no temporary file).
refused() {
    rm -rf "$TMP/o" && mkdir "$TMP/o"
    code=$1 pattern=$2
    shift 3
    expect "$code" "$pattern" -- "$@" --output "$TMP/o/out"
    if [ -n "$(ls -A "$TMP/o")" ]; then
        echo "FAIL: files left behind: $(ls -A "$TMP/o") by: $*"
        fails=$((fails + 1))
    fi
}

# --data DIR: missing, not a directory, a misspelt catalogue file, a dangling link.
refused 2 "data directory $TMP/none: No such file or directory" -- "$MNEEDLE" plan --data "$TMP/none" "$CLIENT"
refused 2 "data directory $CLIENT: not a directory" -- "$MNEEDLE" plan --data "$CLIENT" "$CLIENT"
refused 2 "data directory: the name is empty; expected the path of a directory" -- "$MNEEDLE" plan --data "" "$CLIENT"
mkdir "$TMP/d1" && cp "$MN_SOURCE_DIR/data/devices.json" "$TMP/d1/device.json"
refused 2 "$TMP/d1/device.json: not a catalogue file name" -- "$MNEEDLE" plan --data "$TMP/d1" "$CLIENT"
mkdir "$TMP/d2" && cp "$MN_SOURCE_DIR/data/sites.json" "$TMP/d2/Sites.JSON"
refused 2 "$TMP/d2/Sites.JSON: not a catalogue file name" -- "$MNEEDLE" catalog --data "$TMP/d2" sites
mkdir "$TMP/d3" && ln -s "$TMP/nowhere.json" "$TMP/d3/rules.json"
refused 2 "$TMP/d3/rules.json: No such file or directory \(a link to a file that does not exist\)" -- "$MNEEDLE" screen --data "$TMP/d3" "$CLIENT"
mkdir "$TMP/d4" "$TMP/d4/sites.json"
refused 2 "$TMP/d4/sites.json: not a regular file" -- "$MNEEDLE" catalog --data "$TMP/d4" sites
# Other files in the directory are left alone; the six names are read.
mkdir "$TMP/d5" && cp "$MN_SOURCE_DIR/data/sites.json" "$TMP/d5/" && echo notes > "$TMP/d5/README.md"
expect 0 "stdout:forehead" -- "$MNEEDLE" catalog --data "$TMP/d5" sites

# Ids and aliases are unique under the lookup's normalisation (case, '_', ' ', '-'); a collision
# names both entries.
mkdir "$TMP/d6" "$TMP/d7"
python3 - "$MN_SOURCE_DIR/data" "$TMP" <<'PY' || exit 1
import json, sys
data, tmp = sys.argv[1], sys.argv[2]
s = json.load(open(data + "/sites.json"))
s["sites"][4]["aliases"].append("Under_Eye")  # cheek's alias collides with periorbital's
json.dump(s, open(tmp + "/d6/sites.json", "w"))
d = json.load(open(data + "/devices.json"))
d["devices"][1]["id"] = "Skin Pen"  # a second device whose id reads as skinpen
json.dump(d, open(tmp + "/d7/devices.json", "w"))
PY
refused 2 'd6/sites.json: \$\.sites\[2\] \("periorbital"\) and \$\.sites\[4\] \("cheek"\) share the name "under-eye" / "Under_Eye"' -- "$MNEEDLE" catalog --data "$TMP/d6" sites
refused 2 'd7/devices.json: \$\.devices\[0\] \("skinpen"\) and \$\.devices\[1\] \("Skin Pen"\) share the name' -- "$MNEEDLE" plan --data "$TMP/d7" "$CLIENT"

# A roller's passes (data/devices.json): required, in range, a number; a pen carries none (it
# takes its concern's). dermaroller-192 is $.devices[3], skinpen $.devices[0].
mkdir "$TMP/p0" "$TMP/p1" "$TMP/p2" "$TMP/p3"
python3 - "$MN_SOURCE_DIR/data" "$TMP" <<'PY' || exit 1
import json, sys
data, tmp = sys.argv[1], sys.argv[2]
for sub, edit in (("p0", lambda d: d["devices"][3].update(passes=0)),
                  ("p1", lambda d: d["devices"][3].pop("passes")),
                  ("p2", lambda d: d["devices"][3].update(passes="15")),
                  ("p3", lambda d: d["devices"][0].update(passes=3))):
    d = json.load(open(data + "/devices.json"))
    assert d["devices"][3]["id"] == "dermaroller-192" and d["devices"][0]["id"] == "skinpen"
    edit(d)
    json.dump(d, open(tmp + "/" + sub + "/devices.json", "w"))
PY
refused 2 'p0/devices.json: \$\.devices\[3\]\.passes: 0 is out of range; expected 0\.1 to 30' -- "$MNEEDLE" plan --data "$TMP/p0" "$CLIENT"
refused 2 'p1/devices.json: \$\.devices\[3\]\.passes: missing' -- "$MNEEDLE" plan --data "$TMP/p1" "$CLIENT"
refused 2 'p2/devices.json: \$\.devices\[3\]\.passes: expected a number' -- "$MNEEDLE" plan --data "$TMP/p2" "$CLIENT"
refused 2 "p3/devices.json: \\\$\\.devices\\[0\\]\\.passes: only rollers carry their own passes; a pen takes its concern's \\(passes in concerns\\.json, PASSES in 'mneedle catalog concerns'\\)\$" -- "$MNEEDLE" plan --data "$TMP/p3" "$CLIENT"
expect 2 'p0/devices.json: \$\.devices\[3\]\.passes' -- "$MNEEDLE" catalog --data "$TMP/p0" devices

# A UTF-8 byte-order mark at the start of a file is ignored, in every kind of input.
bom() { printf '\357\273\277' > "$2" && cat "$1" >> "$2"; }
bom "$CLIENT" "$TMP/bom-client.json"
expect 0 "stdout:Screening:" -- "$MNEEDLE" plan "$TMP/bom-client.json"
expect 0 "stdout:Screening:" -- sh -c "\"$MNEEDLE\" plan - < \"$TMP/bom-client.json\""
bom "$EX/scenarios/simulate-wrinkles-course.json" "$TMP/bom-sim.json"
expect 0 'stdout:"version"' -- "$MNEEDLE" simulate --json "$TMP/bom-sim.json"
bom "$EX/scenarios/absorb-vitc-pen.json" "$TMP/bom-abs.json"
expect 0 'stdout:"version"' -- "$MNEEDLE" absorb --json "$TMP/bom-abs.json"
bom "$EX/trials/lotfi-2013-acne-scars.json" "$TMP/bom-trial.json"
expect 0 'stdout:"version"' -- "$MNEEDLE" cohort --json --n 40 "$TMP/bom-trial.json"
mkdir "$TMP/d8" && bom "$MN_SOURCE_DIR/data/products.json" "$TMP/d8/products.json"
expect 0 "stdout:niacinamide" -- "$MNEEDLE" catalog --data "$TMP/d8" products
# ... only at the start: a second one, or one inside a value, is named, not printed raw.
bom "$TMP/bom-client.json" "$TMP/bom2.json"
refused 2 'bom2\.json:1:1: malformed JSON: .*<U\+FEFF>' -- "$MNEEDLE" plan "$TMP/bom2.json"
sed 's/"cheek"/"cheek\xef\xbb\xbf"/' "$CLIENT" > "$TMP/feff-zone.json"
refused 2 'unknown zone "cheek<U\+FEFF>"' -- "$MNEEDLE" plan "$TMP/feff-zone.json"
sed 's/"cheek"/"cheek\xc2\xa0"/' "$CLIENT" > "$TMP/nbsp-zone.json"
refused 2 'unknown zone "cheek<U\+00A0>"' -- "$MNEEDLE" plan "$TMP/nbsp-zone.json"
sed 's/"cheek"/"che\xe2\x80\x8bek"/' "$CLIENT" > "$TMP/zwsp-zone.json"
refused 2 'unknown zone "che<U\+200B>ek"' -- "$MNEEDLE" plan "$TMP/zwsp-zone.json"
printf '{"client": {"age": \240}}' > "$TMP/byte.json"
refused 2 'byte\.json:1:[0-9]+: malformed JSON: .*byte 0xa0' -- "$MNEEDLE" plan "$TMP/byte.json"
printf '{"client": {"age": 40, "sex": "fe\240male"}}' > "$TMP/latin1.json"
refused 2 'latin1\.json:1:[0-9]+: malformed JSON: .*byte 0xa0' -- "$MNEEDLE" plan "$TMP/latin1.json"
# No raw invisible character or byte reaches the terminal in any of these messages.
for f in feff-zone nbsp-zone zwsp-zone bom2 byte latin1; do
    "$MNEEDLE" plan "$TMP/$f.json" 2> "$TMP/msg" >/dev/null
    if LC_ALL=C grep -q "$(printf '[\200-\377]')" "$TMP/msg"; then
        echo "FAIL: $f: a raw non-ASCII byte in the message: $(cat -v "$TMP/msg")"; fails=$((fails + 1))
    else passes=$((passes + 1)); fi
done

# The kinds of adverse event (data/adverse_events.json) are checked when the catalogues load,
# like the other files: a plan made with a malformed copy is refused naming the file and the
# place, not made with the entry passed over.
mkdir "$TMP/ae1" "$TMP/ae2" "$TMP/ae3" "$TMP/ae4" "$TMP/ae5" "$TMP/ae6" "$TMP/ae7" "$TMP/ae8"
python3 - "$MN_SOURCE_DIR/data" "$TMP" <<'PY' || exit 1
import json, sys
data, tmp = sys.argv[1], sys.argv[2]
for sub, edit in (("ae1", lambda k: k[2].update(persistence="lasting")),
                  ("ae2", lambda k: k[1].pop("source")),
                  ("ae3", lambda k: k[4].update(status=True)),
                  ("ae4", lambda k: k[3].update(id=k[1]["id"])),
                  # a reason to hold given for a kind that does not hold whatever its grade
                  ("ae5", lambda k: k[1].update(holds_source="a reason")),
                  ("ae6", lambda k: k[1].update(holds="severe", holds_source="a reason")),
                  # a reason to step down without the step, and the step without its reason
                  ("ae7", lambda k: k[1].update(after_source="a reason")),
                  ("ae8", lambda k: [e for e in k if e.get("after")][0].pop("after_source"))):
    d = json.load(open(data + "/adverse_events.json"))
    edit(d["adverse_events"])
    json.dump(d, open(tmp + "/" + sub + "/adverse_events.json", "w"))
PY
refused 2 'ae1/adverse_events.json: \$\.adverse_events\[2\]\.persistence: unknown value "lasting"' -- "$MNEEDLE" plan --data "$TMP/ae1" "$CLIENT"
refused 2 'ae2/adverse_events.json: \$\.adverse_events\[1\]\.source: missing' -- "$MNEEDLE" plan --data "$TMP/ae2" "$CLIENT"
refused 2 'ae3/adverse_events.json: \$\.adverse_events\[4\]\.status: expected a string' -- "$MNEEDLE" plan --data "$TMP/ae3" "$CLIENT"
refused 2 'ae4/adverse_events.json: kind of adverse event "swelling" is listed twice' -- "$MNEEDLE" plan --data "$TMP/ae4" "$CLIENT"
refused 2 'ae5/adverse_events.json: \$\.adverse_events\[1\]\.holds_source: expected no holds_source without "holds": "any-severity"' -- "$MNEEDLE" plan --data "$TMP/ae5" "$CLIENT"
refused 2 'ae6/adverse_events.json: \$\.adverse_events\[1\]\.holds_source: expected no holds_source without "holds": "any-severity"' -- "$MNEEDLE" catalog devices --data "$TMP/ae6"
refused 2 'ae7/adverse_events.json: \$\.adverse_events\[1\]\.after_source: expected no after_source without "after": "step-down"' -- "$MNEEDLE" plan --data "$TMP/ae7" "$CLIENT"
refused 2 'ae8/adverse_events.json: \$\.adverse_events\[[0-9]+\]\.after_source: expected the reason the next visit steps down' -- "$MNEEDLE" plan --data "$TMP/ae8" "$CLIENT"

# The optional keys of the plan's gentler and darker-skin settings are checked when the
# catalogues load: a concern's gentle_rise, dark_phototype_from and dark_phototype_reason
# (concerns.json), a rule's adjust.gentle_rise (rules.json) and a pre-treatment item's
# states_settings (aftercare.json). Each malformed value is refused naming the file and the
# place, never read as absent or as a default; a darker-skin phototype or reason without the
# cap they belong to is refused, as is a reason with no words for the zone's line to give.
python3 - "$MN_SOURCE_DIR/data" "$TMP" <<'PY' || exit 1
import json, os, sys
data, tmp = sys.argv[1], sys.argv[2]
def concern(cid):
    return lambda d: [c for c in d["concerns"] if c["id"] == cid][0]
def rule(code):
    return lambda d: [r for r in d["rules"] if r["code"] == code][0]
def item(iid):
    return lambda d: [t for t in d["pretreatment"] if t["id"] == iid][0]
for sub, f, find, edit in (
        ("k1", "concerns.json", concern("melasma"), lambda c: c.update(gentle_rise="yes")),
        ("k2", "concerns.json", concern("melasma"), lambda c: c.update(gentle_rise=1)),
        ("k3", "concerns.json", concern("melasma"), lambda c: c.update(dark_phototype_from=3)),
        ("k4", "concerns.json", concern("melasma"), lambda c: c.update(dark_phototype_from=4.5)),
        ("k5", "concerns.json", concern("melasma"), lambda c: c.update(dark_phototype_from="V")),
        ("k6", "concerns.json", concern("acne-scars"), lambda c: c.update(dark_phototype_from=5)),
        ("k7", "concerns.json", concern("melasma"), lambda c: c.update(dark_phototype_reason=5)),
        ("k8", "concerns.json", concern("melasma"), lambda c: c.update(dark_phototype_reason=" ")),
        ("k9", "concerns.json", concern("acne-scars"),
         lambda c: c.update(dark_phototype_reason="darker skin marks more easily")),
        ("k10", "rules.json", rule("MN-PIH-RISK"), lambda r: r["adjust"].update(gentle_rise="true")),
        ("k11", "rules.json", rule("MN-PIH-RISK"), lambda r: r["adjust"].update(gentle_rise=[True])),
        ("k12", "aftercare.json", item("test-patch"), lambda t: t.update(states_settings="yes")),
        ("k13", "aftercare.json", item("test-patch"), lambda t: t.update(states_settings=1))):
    d = json.load(open(data + "/" + f))
    edit(find(d))
    os.mkdir(tmp + "/" + sub)
    json.dump(d, open(tmp + "/" + sub + "/" + f, "w"))
PY
i_melasma=$(python3 -c 'import json,sys; print([c["id"] for c in json.load(open(sys.argv[1]))["concerns"]].index("melasma"))' "$MN_SOURCE_DIR/data/concerns.json")
i_acne=$(python3 -c 'import json,sys; print([c["id"] for c in json.load(open(sys.argv[1]))["concerns"]].index("acne-scars"))' "$MN_SOURCE_DIR/data/concerns.json")
i_pih=$(python3 -c 'import json,sys; print([r["code"] for r in json.load(open(sys.argv[1]))["rules"]].index("MN-PIH-RISK"))' "$MN_SOURCE_DIR/data/rules.json")
i_patch=$(python3 -c 'import json,sys; print([t["id"] for t in json.load(open(sys.argv[1]))["pretreatment"]].index("test-patch"))' "$MN_SOURCE_DIR/data/aftercare.json")
M="\\\$\\.concerns\\[$i_melasma\\]"
A="\\\$\\.concerns\\[$i_acne\\]"
refused 2 "k1/concerns.json: $M\\.gentle_rise: expected true or false, got a string" -- "$MNEEDLE" plan --data "$TMP/k1" "$CLIENT"
refused 2 "k2/concerns.json: $M\\.gentle_rise: expected true or false, got a number" -- "$MNEEDLE" plan --data "$TMP/k2" "$CLIENT"
refused 2 "k3/concerns.json: $M\\.dark_phototype_from: 3 is out of range; expected 4 to 6" -- "$MNEEDLE" plan --data "$TMP/k3" "$CLIENT"
refused 2 "k4/concerns.json: $M\\.dark_phototype_from: expected a whole number" -- "$MNEEDLE" plan --data "$TMP/k4" "$CLIENT"
refused 2 "k5/concerns.json: $M\\.dark_phototype_from: expected a number from 4 to 6, got a string" -- "$MNEEDLE" plan --data "$TMP/k5" "$CLIENT"
refused 2 "k6/concerns.json: $A\\.dark_phototype_from: expected no dark_phototype_from without dark_phototype_max_mm" -- "$MNEEDLE" plan --data "$TMP/k6" "$CLIENT"
refused 2 "k7/concerns.json: $M\\.dark_phototype_reason: expected a string, got a number" -- "$MNEEDLE" plan --data "$TMP/k7" "$CLIENT"
refused 2 "k8/concerns.json: $M\\.dark_phototype_reason: expected the plain words the zone's line gives, got an empty string" -- "$MNEEDLE" plan --data "$TMP/k8" "$CLIENT"
refused 2 "k9/concerns.json: $A\\.dark_phototype_reason: expected no dark_phototype_reason without dark_phototype_max_mm" -- "$MNEEDLE" catalog --data "$TMP/k9" concerns
refused 2 "k10/rules.json: \\\$\\.rules\\[$i_pih\\]\\.adjust\\.gentle_rise: expected true or false, got a string" -- "$MNEEDLE" screen --data "$TMP/k10" "$CLIENT"
refused 2 "k11/rules.json: \\\$\\.rules\\[$i_pih\\]\\.adjust\\.gentle_rise: expected true or false, got an array" -- "$MNEEDLE" plan --data "$TMP/k11" "$CLIENT"
refused 2 "k12/aftercare.json: \\\$\\.pretreatment\\[$i_patch\\]\\.states_settings: expected true or false, got a string" -- "$MNEEDLE" plan --data "$TMP/k12" "$CLIENT"
refused 2 "k13/aftercare.json: \\\$\\.pretreatment\\[$i_patch\\]\\.states_settings: expected true or false, got a number" -- "$MNEEDLE" plan --data "$TMP/k13" "$CLIENT"

# A pre-treatment wait the screening also keeps is read from its rule (days_from_rule), so the
# list a client follows cannot end inside the screening's deferral: the peel-and-laser item
# starts the rule's weeks, rounded up to whole days as screen.c rounds, before the first visit.
python3 - "$MN_SOURCE_DIR/data" "$MNEEDLE" "$CLIENT" <<'PY' || exit 1
import json, math, subprocess, sys
data, mneedle, client = sys.argv[1:4]
rules = {r["code"]: r for r in json.load(open(data + "/rules.json"))["rules"]}
plan = json.loads(subprocess.run([mneedle, "plan", "--json", client], capture_output=True,
                                 check=True, text=True).stdout)
pre = {t["id"]: t["days_before"] for t in plan["pretreatment"]}
for item, code in (("no-peel-laser", "MN-PEEL-LASER"), ("no-other-treatments", "MN-FILLER")):
    want = math.ceil(rules[code]["threshold"] * 7)
    if pre.get(item) != want:
        sys.exit(f"pretreatment {item}: {pre.get(item)} days before, expected {want} ({code})")
PY
mkdir "$TMP/pt1" "$TMP/pt2" "$TMP/pt3"
python3 - "$MN_SOURCE_DIR/data" "$TMP" <<'PY' || exit 1
import json, sys
data, tmp = sys.argv[1], sys.argv[2]
for sub, edit in (("pt1", lambda t: t.update(days_before=30)),            # both given
                  ("pt2", lambda t: t.update(days_from_rule="MN-PREGNANT")),  # not weeks_ago
                  ("pt3", lambda t: t.update(days_from_rule="MN-NO-SUCH"))):
    d = json.load(open(data + "/aftercare.json"))
    edit([t for t in d["pretreatment"] if t["id"] == "no-peel-laser"][0])
    json.dump(d, open(tmp + "/" + sub + "/aftercare.json", "w"))
PY
refused 2 'pt1/aftercare.json: \$\.pretreatment\[[0-9]+\]: expected exactly one of days_before' -- "$MNEEDLE" plan --data "$TMP/pt1" "$CLIENT"
refused 2 'days_from_rule: "MN-PREGNANT" is not a "weeks_ago" rule' -- "$MNEEDLE" plan --data "$TMP/pt2" "$CLIENT"
refused 2 'days_from_rule: "MN-NO-SUCH" is unknown' -- "$MNEEDLE" plan --data "$TMP/pt3" "$CLIENT"

# Every --json output carries the version.
V=$("$MNEEDLE" --version | sed 's/^mneedle //')
expect 0 "stdout:\"version\": \"$V\"" -- "$MNEEDLE" plan --json "$CLIENT"
expect 0 "stdout:\"version\": \"$V\"" -- "$MNEEDLE" screen --json "$CLIENT"
for what in devices sites concerns products rules; do
    expect 0 "stdout:\"version\": \"$V\"" -- "$MNEEDLE" catalog --json "$what"
done
expect 0 "stdout:\"version\": \"$V\"" -- "$MNEEDLE" simulate --json "$EX/scenarios/simulate-wrinkles-course.json"
expect 0 "stdout:\"version\": \"$V\"" -- "$MNEEDLE" absorb --json "$EX/scenarios/absorb-vitc-pen.json"
expect 0 "stdout:\"version\": \"$V\"" -- "$MNEEDLE" cohort --json --n 40 "$EX/trials/lotfi-2013-acne-scars.json"

# A full disk: the message names the file and the system's reason; exit 1.
if [ -w /dev/full ]; then
    expect 1 "/dev/full: cannot write: No space left on device" -- "$MNEEDLE" plan --json --years 20 -o /dev/full "$EX/clients/maya-striae-melasma.json"
    expect 1 "standard output: cannot write: No space left on device" -- sh -c "\"$MNEEDLE\" plan \"$CLIENT\" > /dev/full"
    expect 1 "/dev/full: cannot write: No space left on device" -- "$MNEEDLE" simulate --csv /dev/full "$EX/scenarios/simulate-wrinkles-course.json"
    expect 1 "/dev/full: cannot write: No space left on device" -- "$MNEEDLE" cohort --n 200 --csv /dev/full "$EX/trials/lotfi-2013-acne-scars.json"
    expect 1 "/dev/full: cannot write: No space left on device" -- "$MNEEDLE" absorb --csv /dev/full "$EX/scenarios/absorb-vitc-pen.json"
fi
# A file-size limit (writes fail with EFBIG): the file and the reason, nothing left.
mkdir "$TMP/fs"
expect 1 "$TMP/fs/plan.json: cannot write: File too large" -- bash -c "trap '' XFSZ; ulimit -f 4; exec \"$MNEEDLE\" plan --json --years 20 -o \"$TMP/fs/plan.json\" \"$EX/clients/maya-striae-melasma.json\""
if [ -z "$(ls -A "$TMP/fs")" ]; then passes=$((passes + 1)); else echo "FAIL: left $(ls "$TMP/fs")"; fails=$((fails + 1)); fi

# Passes are whole sweeps of the device: 2.5 is refused wherever a session's passes are read
# (a scenario's session, a trial's protocol, a roller in the catalogue), naming the file and
# the place, with nothing written.
mkdir "$TMP/p4"
python3 - "$MN_SOURCE_DIR" "$TMP" <<'PY' || exit 1
import json, sys
src, tmp = sys.argv[1], sys.argv[2]
s = json.load(open(src + "/examples/scenarios/simulate-wrinkles-course.json"))
s["sessions"][1]["passes"] = 2.5
json.dump(s, open(tmp + "/passes-scenario.json", "w"))
t = json.load(open(src + "/examples/trials/lotfi-2013-acne-scars.json"))
t["protocol"]["passes"] = 2.5
json.dump(t, open(tmp + "/passes-trial.json", "w"))
d = json.load(open(src + "/data/devices.json"))
assert d["devices"][3]["id"] == "dermaroller-192"
d["devices"][3]["passes"] = 2.5
json.dump(d, open(tmp + "/p4/devices.json", "w"))
PY
refused 2 'passes-scenario\.json: \$\.sessions\[1\]\.passes: expected a whole number of passes, got 2\.5' -- "$MNEEDLE" simulate "$TMP/passes-scenario.json"
refused 2 'passes-trial\.json: \$\.protocol\.passes: expected a whole number of passes, got 2\.5' -- "$MNEEDLE" cohort --n 10 "$TMP/passes-trial.json"
refused 2 'p4/devices\.json: \$\.devices\[3\]\.passes: expected a whole number of passes, got 2\.5' -- "$MNEEDLE" plan --data "$TMP/p4" "$CLIENT"

finish
