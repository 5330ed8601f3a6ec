#!/bin/bash
# End to end: `mneedle plan --plot DIR --report FILE.html` on the example clients. The files
# must be valid (PNG signature and IHDR size, SVG root), the page self-contained, and a bad
# --plot or --report path must fail with exit 2 and leave nothing behind.
. "$MN_SOURCE_DIR/tests/cli/lib.sh"
EX="$MN_SOURCE_DIR/examples/clients"

# PNG width and height from the IHDR chunk (bytes 16..23, big-endian).
png_size() {
    od -An -tu1 -j16 -N8 "$1" | awk '{printf "%d %d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'
}
is_png() {
    [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = "89504e470d0a1a0a" ]
}
check() { # check DESCRIPTION COMMAND...: counts a pass or a failure
    desc=$1; shift
    if "$@"; then passes=$((passes + 1)); else echo "FAIL: $desc"; fails=$((fails + 1)); fi
}

for client in amelia-wrinkles maya-striae-melasma lena-pregnant; do
    d="$TMP/$client"
    mkdir -p "$d/fig"
    expect 0 "" -- "$MNEEDLE" plan "$EX/$client.json" --plot "$d/fig" --report "$d/report.html" -o "$d/plan.txt"
    check "$client: zones.svg has an svg root" grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$d/fig/zones.svg"
    check "$client: report is HTML" grep -q '^<!DOCTYPE html>' "$d/report.html"
    if [ "$client" = lena-pregnant ]; then # deferred: no treatment content at all
        check "$client: no projection in the report" bash -c "! grep -q 'How long will it last?' '$d/report.html'"
        check "$client: no depth on the diagram" bash -c "! grep -q 'data-depth\|mm</text>' '$d/fig/zones.svg'"
        check "$client: zones marked on the diagram" grep -q 'data-zone="' "$d/fig/zones.svg"
        check "$client: no simulation notice (nothing simulated)" bash -c "! grep -q 'simulation, not a promise' '$d/report.html'"
    else
        check "$client: report says it is a simulation" grep -q 'simulation, not a promise' "$d/report.html"
        check "$client: report answers how long it lasts" grep -q 'How long will it last?' "$d/report.html"
    fi
    # Self-contained: nothing that a browser would fetch.
    check "$client: no network reference" bash -c "! grep -Eq 'https?:|@import|url\\(|<link|<script' '$d/report.html'"
    check "$client: every src is a data: URI" bash -c "! grep -Eo 'src=\"[^\"]{0,5}' '$d/report.html' | grep -qv 'src=\"data:'"
    # Each zone of the plan's JSON is drawn with its start depth.
    "$MNEEDLE" plan "$EX/$client.json" --json > "$d/plan.json"
    if command -v python3 >/dev/null; then
        check "$client: zone depths on the diagram match the plan" python3 - "$d/plan.json" "$d/fig/zones.svg" <<'PY'
import json, re, sys
plan = json.load(open(sys.argv[1]))
svg = open(sys.argv[2]).read()
drawn = {m.group(1): float(m.group(2)) for m in re.finditer(r'data-zone="([^"]+)" data-depth-start-mm="([^"]+)"', svg)}
first = {}
for z in plan["zones"]:
    if "depth_mm" in z:
        first.setdefault(z["zone"], z["depth_mm"]["start"])
if plan["screening"]["decision"] in ("defer", "decline"):
    first = {}  # no depths in the plan, none drawn
ok = set(drawn) == set(first) and all(abs(drawn[k] - first[k]) < 1e-9 for k in first)
if not ok:
    print("drawn", drawn, "plan", first)
sys.exit(0 if ok else 1)
PY
    fi
    if [ -f "$d/fig/projection.png" ]; then
        check "$client: projection.png is a PNG" is_png "$d/fig/projection.png"
        check "$client: projection.png is 800x500" test "$(png_size "$d/fig/projection.png")" = "800 500"
        check "$client: projection.svg root" grep -q 'width="800px" height="500px"' "$d/fig/projection.svg"
        check "$client: projection.csv header" grep -q '^kind,series,index,x,y,px,py$' "$d/fig/projection.csv"
        if command -v python3 >/dev/null; then
            check "$client: plotted projection = plan --json projection" python3 - "$d/plan.json" "$d/fig/projection.csv" <<'PY'
import csv, json, sys
# Series 0 is the plan's curve; series 1... each other projected zone's own, in the order of
# projection.zones[] (docs/plots.md).
proj = json.load(open(sys.argv[1]))["projection"]
curves = [proj["samples"]] + [z["samples"] for z in proj.get("zones") or []
                              if not z["sets_maintenance_interval"]]
rows = [r for r in csv.DictReader(open(sys.argv[2])) if r["kind"] == "line"]
def same(rows, samples):
    return len(rows) == len(samples) and all(
        abs(float(r["x"]) - s["day"]) < 1e-9 and
        abs(float(r["y"]) - s["improvement_pct"]) <= 1e-9 * max(1.0, abs(s["improvement_pct"]))
        for r, s in zip(rows, samples))
ok = {r["series"] for r in rows} == {str(k) for k in range(len(curves))} and all(
    same([r for r in rows if r["series"] == str(k)], c) for k, c in enumerate(curves))
sys.exit(0 if ok else 1)
PY
        fi
    fi
done

# A declined or deferred client still gets a report, without sessions.
check "lena: no session booked" grep -q 'no session is booked' "$TMP/lena-pregnant/report.html"
check "lena: says what to do next" grep -q 'What to do next' "$TMP/lena-pregnant/report.html"
check "lena: says when to come back" grep -q 'When to come back' "$TMP/lena-pregnant/report.html"
for section in 'Aftercare sheet' 'Zones and needle depths' 'Cost</h2>' 'Risks to know about'; do
    check "lena: no '$section'" bash -c "! grep -q '$section' '$TMP/lena-pregnant/report.html'"
done

# Bad paths: exit 2 (input), and no report or plan output left behind.
expect 2 "not-a-dir" -- "$MNEEDLE" plan "$EX/amelia-wrinkles.json" --plot "$TMP/not-a-dir" --report "$TMP/r.html" -o "$TMP/p.txt"
check "no report after a bad --plot" test ! -e "$TMP/r.html"
check "no plan after a bad --plot" test ! -e "$TMP/p.txt"
expect 2 "" -- "$MNEEDLE" plan "$EX/amelia-wrinkles.json" --report "$TMP/missing/r.html"
expect 2 "" -- "$MNEEDLE" plan "$EX/amelia-wrinkles.json" --plot
# The pre-treatment list runs in date order, the earliest first ("on the day" last), the same
# in the text, the JSON and the report; items due the same day keep the catalogue's order.
expect 0 "" -- "$MNEEDLE" plan "$EX/amelia-wrinkles.json" -o "$TMP/pre.txt"
expect 0 "" -- "$MNEEDLE" plan --json "$EX/amelia-wrinkles.json" -o "$TMP/pre.json" --report "$TMP/pre.html"
expect 0 "" -- python3 - "$TMP/pre.txt" "$TMP/pre.json" "$TMP/pre.html" "$MN_SOURCE_DIR/data/aftercare.json" <<'PY'
import json, re, sys
txt, js, html, cat = (open(f, encoding="utf-8").read() for f in sys.argv[1:])
items = json.loads(js)["pretreatment"]
order = [x["id"] for x in json.loads(cat)["pretreatment"]]
assert len(items) > 2 and len({x["from"] for x in items}) > 2, items
keys = [(x["from"], order.index(x["id"])) for x in items]
assert keys == sorted(keys), keys
block = txt.split("Before your first visit", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
assert [l[2:18].strip() for l in block] == ["from " + x["from"] if x["days_before"] else "on the day" for x in items], block
table = html.split("Before your first visit", 1)[1].split("</table>", 1)[0]
dates = re.findall(r'<td class="num">(\d{4}-\d\d-\d\d|on the day)', table)
assert dates == [x["from"] if x["days_before"] else "on the day" for x in items], dates
PY
check "no temporary files left" bash -c "! ls -A '$TMP' | grep -q '^\\.'"
finish
