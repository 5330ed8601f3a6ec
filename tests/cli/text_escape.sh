# End-to-end: a string from the input (a client's name, the clinic's, a trial's name, a
# catalogue entry given with --data, a path or value on the command line) cannot forge a line,
# hide one or drive the terminal in any output. Text and error messages name the character
# ("<U+001B>"); JSON keeps the exact string (escaped as JSON, \uXXXX); the HTML report shows it
# named, as the text does. A writer that prints the string raw fails here.
. "$(dirname "$0")/lib.sh"

# The attack strings: a forged line, a carriage return over it, colour and "hide" escapes, a
# right-to-left override (CVE-2021-42574), a line separator, a C1 CSI, DEL.
python3 - "$MN_SOURCE_DIR" "$TMP" <<'PY' || exit 1
import json, sys
src, tmp = sys.argv[1], sys.argv[2]
evil = "Eve\nmneedle plan for Mal\r\x1b[31mR\x1b[8mh\x1b[0m \u202ee\u2028x\x9b2J\x7f"  # < 64 bytes
line = "Riverside \u202eevil\u2028 \u2066iso\u2069"  # what the one-line clinic fields accept
d = json.load(open(src + "/examples/clients/maya-striae-melasma.json"))
d["client"]["name"] = evil
d["clinic"]["name"] = line
d["clinic"]["practitioner"] = "Dr \u202eX"
d["clinic"]["currency"] = "E\u202eR"
json.dump(d, open(tmp + "/maya.json", "w"))
g = json.load(open(src + "/examples/clients/george-keloid.json"))
g["client"]["name"] = evil
json.dump(g, open(tmp + "/george.json", "w"))
t = json.load(open(src + "/examples/trials/lotfi-2013-acne-scars.json"))
t["name"] = evil
t["population"]["n"] = 20
json.dump(t, open(tmp + "/trial.json", "w"))
import os
os.mkdir(tmp + "/data")
dev = json.load(open(src + "/data/devices.json"))
for e in dev["devices"]:
    if e["id"] == "dermapen-4":
        e["name"] = "Dermapen\x1b[8m hidden\u202e"
json.dump(dev, open(tmp + "/data/devices.json", "w"))
bad = dict(d)
bad["client"] = dict(d["client"], sex="\x1b[31mmale\u202e")
json.dump(bad, open(tmp + "/badsex.json", "w"))
open(tmp + "/evil.txt", "w", newline="").write(evil)
PY

# raw FILE: exit 1 (with the offending characters listed) when FILE holds any character that
# can forge or hide a line: C0 controls other than newline, DEL, C1 controls, line and
# paragraph separators, bidirectional overrides, embeddings and isolates. --lines N: FILE must
# also have exactly N lines starting with "mneedle plan for" (no forged title line).
cat >"$TMP/raw.py" <<'PY'
import re, sys
text = open(sys.argv[1], "rb").read().decode("utf-8")
bad = re.findall("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]", text)
if bad:
    print("raw:", sorted({hex(ord(c)) for c in bad}))
    sys.exit(1)
if len(sys.argv) > 3 and sys.argv[2] == "--title-lines":
    n = sum(1 for l in text.split("\n") if l.startswith("mneedle plan for"))
    if n != int(sys.argv[3]):
        print("title lines:", n)
        sys.exit(1)
PY
raw() { python3 "$TMP/raw.py" "$@"; }

# The plan as text: the name is shown on the one title line, every character named.
expect 0 "" -- "$MNEEDLE" plan --output "$TMP/plan.txt" "$TMP/maya.json"
expect 0 "" -- raw "$TMP/plan.txt" --title-lines 1
expect 0 'stdout:Mal<U\+000D><U\+001B>\[31mR<U\+001B>\[8mh<U\+001B>\[0m <U\+202E>e<U\+2028>x<U\+009B>2J<U\+007F>' \
    -- cat "$TMP/plan.txt"
expect 0 'stdout:mneedle plan for Eve<U\+000A>mneedle plan for Mal<U\+000D>' -- cat "$TMP/plan.txt"
expect 0 'stdout:by Riverside <U\+202E>evil<U\+2028> <U\+2066>iso<U\+2069> \(Dr <U\+202E>X\)' \
    -- cat "$TMP/plan.txt"
expect 0 'stdout:Cost \(E<U\+202E>R\)' -- cat "$TMP/plan.txt"
# On standard output too (a terminal), and for a declined client.
expect 0 "" -- sh -c "'$MNEEDLE' plan '$TMP/maya.json' >'$TMP/stdout.txt'"
expect 0 "" -- raw "$TMP/stdout.txt" --title-lines 1
expect 0 "" -- "$MNEEDLE" plan --output "$TMP/george.txt" "$TMP/george.json"
expect 0 "" -- raw "$TMP/george.txt" --title-lines 1
expect 0 'stdout:<U\+001B>\[8mh<U\+001B>' -- cat "$TMP/george.txt"

# JSON: the exact string back (the encoder's escapes), and nothing raw in the file.
expect 0 "" -- "$MNEEDLE" plan --json --output "$TMP/plan.json" "$TMP/maya.json"
expect 0 "" -- raw "$TMP/plan.json"
expect 0 'stdout:"Eve\\nmneedle plan for Mal\\r\\u001B\[31mR' -- cat "$TMP/plan.json"
expect 0 'stdout:\\u202Ee\\u2028x\\u009B2J\\u007F"' -- cat "$TMP/plan.json"
expect 0 "" -- python3 -c "
import json, sys
p = json.load(open(sys.argv[1]))
sys.exit(0 if p['client']['name'] == open(sys.argv[2], newline='').read() and
         p['clinic']['name'] == 'Riverside \u202eevil\u2028 \u2066iso\u2069' else 1)" \
    "$TMP/plan.json" "$TMP/evil.txt"

# HTML: named as in the text (so the page cannot reorder or hide it), then entity-escaped.
expect 0 "" -- "$MNEEDLE" plan --report "$TMP/r.html" --output "$TMP/x.txt" "$TMP/maya.json"
expect 0 "" -- raw "$TMP/r.html"
expect 0 'stdout:Eve&lt;U\+000A&gt;mneedle plan for Mal&lt;U\+000D&gt;&lt;U\+001B&gt;\[31mR' \
    -- cat "$TMP/r.html"
expect 0 'stdout:Riverside &lt;U\+202E&gt;evil' -- cat "$TMP/r.html"
expect 0 'stdout:E&lt;U\+202E&gt;R' -- cat "$TMP/r.html"
expect 0 "" -- "$MNEEDLE" plan --report "$TMP/g.html" --output "$TMP/y.txt" "$TMP/george.json"
expect 0 "" -- raw "$TMP/g.html"

# A virtual trial's name in the cohort summary.
expect 0 "" -- "$MNEEDLE" cohort --output "$TMP/cohort.txt" "$TMP/trial.json"
expect 0 "" -- raw "$TMP/cohort.txt"
expect 0 'stdout:Virtual trial: Eve<U\+000A>mneedle plan for Mal<U\+000D><U\+001B>' \
    -- cat "$TMP/cohort.txt"
expect 0 "" -- "$MNEEDLE" cohort --json --output "$TMP/cohort.json" "$TMP/trial.json"
expect 0 "" -- raw "$TMP/cohort.json"
# A shard's part file (JSON for machines, but shown in terminals too): escaped as JSON, and the
# merge of the parts still reads the name back exactly.
expect 0 "" -- "$MNEEDLE" cohort --shard 1/2 --output "$TMP/part1.json" "$TMP/trial.json"
expect 0 "" -- "$MNEEDLE" cohort --shard 2/2 --output "$TMP/part2.json" "$TMP/trial.json"
expect 0 "" -- raw "$TMP/part1.json"
expect 0 'stdout:\\u202Ee\\u2028x\\u009B2J\\u007F' -- cat "$TMP/part1.json"
expect 0 "" -- "$MNEEDLE" merge --json --output "$TMP/merged.json" "$TMP/part1.json" "$TMP/part2.json"
expect 0 "" -- cmp "$TMP/cohort.json" "$TMP/merged.json"

# A catalogue given with --data is input too: the catalogue listing and the absorb text.
expect 0 "" -- "$MNEEDLE" absorb --data "$TMP/data" --output "$TMP/absorb.txt" \
    "$MN_SOURCE_DIR/examples/scenarios/absorb-vitc-pen.json"
expect 0 "" -- raw "$TMP/absorb.txt"
expect 0 'stdout:Device: Dermapen<U\+001B>\[8m hidden<U\+202E> at' -- cat "$TMP/absorb.txt"

# Error messages that quote the command line or the file.
esc=$(printf '\033')
expect 2 "'pl<U\+001B>\[31man' is not a command" -- "$MNEEDLE" "pl${esc}[31man"
expect 0 "" -- raw "$TMP/err"
expect 2 "got '3<U\+000A>4'" -- "$MNEEDLE" plan --years "3
4" "$TMP/maya.json"
expect 0 "" -- raw "$TMP/err"
expect 2 "unknown option '--x<U\+001B>\]0;t<U\+0007>'" -- "$MNEEDLE" plan "--x${esc}]0;t$(printf '\007')" \
    "$TMP/maya.json"
expect 0 "" -- raw "$TMP/err"
expect 2 "nofile<U\+001B>\[8m.json: cannot open" -- "$MNEEDLE" plan "$TMP/nofile${esc}[8m.json"
expect 0 "" -- raw "$TMP/err"
expect 2 "data directory .*nodir<U\+001B>\[8m" -- "$MNEEDLE" plan --data "$TMP/nodir${esc}[8m" \
    "$TMP/maya.json"
expect 0 "" -- raw "$TMP/err"
expect 2 'client.sex.*<U\+001B>\[31mmale<U\+202E>' -- "$MNEEDLE" plan "$TMP/badsex.json"
expect 0 "" -- raw "$TMP/err"

# The clinic record's client show gives the stored planning input in words: its strings named.
export MNEEDLE_ACTOR=test-nurse
expect 0 "" -- "$MNEEDLE" db init --db "$TMP/clinic.db"
expect 0 "stdout:^c-maya$" -- "$MNEEDLE" client add --db "$TMP/clinic.db" --id c-maya "$TMP/maya.json"
expect 0 'stdout:per session.*name Riverside <U\+202E>evil<U\+2028> <U\+2066>iso<U\+2069>' -- \
    "$MNEEDLE" client show --db "$TMP/clinic.db" c-maya
cp "$TMP/out" "$TMP/client.txt"
expect 0 "" -- raw "$TMP/client.txt"

# The checker itself finds a raw escape, a forged title line and a bidi override.
printf 'mneedle plan for A\nmneedle plan for B\n' >"$TMP/forged.txt"
expect 1 "" -- raw "$TMP/forged.txt" --title-lines 1
printf 'a\033[8mb\n' >"$TMP/esc.txt"
expect 1 "" -- raw "$TMP/esc.txt"
printf 'a\342\200\256b\n' >"$TMP/rlo.txt"
expect 1 "" -- raw "$TMP/rlo.txt"
finish
