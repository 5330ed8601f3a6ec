# Every treated zone's own projection (docs/clinic.md, "Each zone"): for every bundled client the
# checker below reads plan --json and requires one `projection.zones[]` entry per zone whose
# concern the model projects, exactly one of them marked as setting the maintenance interval,
# that one the zone of the summary with the summary's figures and the shortest interval, each
# zone's depth caution where its deepest setting lies below the studies', and each zone's line
# in the text plan (when more than one zone is projected) and in the report. Ravi's cheeks,
# needled at 0.7-1.7 mm, get their own line, without the forehead's depth caution. The checker
# is shown to fail on an entry that is missing or marks the wrong zone.
. "$(dirname "$0")/lib.sh"

expect 0 "" -- "$MNEEDLE" catalog concerns --json --output "$TMP/concerns.json"

cat >"$TMP/check.py" <<'PY'
import html, json, sys
name, js, txt, page, cat = sys.argv[1:6]
plan = json.load(open(js))
text = open(txt, encoding="utf-8").read()
report = html.unescape(open(page, encoding="utf-8").read())
projected = {c["id"] for c in json.load(open(cat))["concerns"] if c["collagen_projection"]}
bad = []
def same(what, got, want):
    if got != want:
        bad.append("%s: %s, expected %s" % (what, got, want))
proj, s = plan.get("projection") or {}, plan.get("summary") or {}
if not s.get("projection_applies"):
    same("projection.zones without a projection", proj.get("zones"), None)
else:
    zones = proj.get("zones")
    if not isinstance(zones, list):
        bad.append("projection.zones missing")
        zones = []
    want = [(z["zone"], z["concern"]) for z in plan["zones"] if z["concern"] in projected]
    same("projection.zones", [(e.get("zone"), e.get("concern")) for e in zones], want)
    setting = [e for e in zones if e.get("sets_maintenance_interval") is True]
    same("zones that set the interval", len(setting), 1)
    if len(setting) == 1:
        e = setting[0]
        same("the zone that sets the interval", (e["zone"], e["concern"]), (s["zone"], s["concern"]))
        for k in ("peak_improvement_pct", "peak_improvement_pct_low", "peak_improvement_pct_high",
                  "peak_day", "durability_days", "back_to_baseline_day",
                  "maintenance_interval_days", "maintenance_interval_bound"):
            same("%s of the zone that sets the interval" % k, e.get(k), s.get(k))
        shortest = min(x["maintenance_interval_days"] for x in zones)
        same("its interval, the shortest", e["maintenance_interval_days"], shortest)
        if len(zones) > 1:
            said = "In detail, the %s (%s), whose interval is the shortest" % (e["zone"],
                                                                                e["concern"])
            if said not in text:
                bad.append("text: does not say which zone the detail is (%s)" % said)
    maxmm = {}
    for z in plan["zones"]:
        maxmm[(z["zone"], z["concern"])] = z["depth_mm"]["max"]
    for e in zones:
        where = "%s (%s)" % (e["zone"], e["concern"])
        for k in ("peak_improvement_pct", "peak_day", "durability_days",
                  "maintenance_interval_days", "note"):
            if k not in e:
                bad.append("%s: no %s" % (where, k))
        if "evidence_shallowest_needle_mm" in e:
            deeper = maxmm[(e["zone"], e["concern"])] < e["evidence_shallowest_needle_mm"] - 1e-9
            same("%s depth_extrapolated" % where, e.get("depth_extrapolated"), deeper)
        caution = "needled shallower than" in e.get("note", "")
        same("%s: the note's depth caution" % where, caution, e.get("depth_extrapolated", False))
        line = "%s: peaks at about %.0f %%" % (where, e["peak_improvement_pct"])
        if not e.get("note", "").startswith(line):
            bad.append("%s: note does not start with '%s'" % (where, line))
        if len(zones) > 1 and "  - " + e.get("note", "") + "\n" not in text:
            bad.append("text: no line for %s" % where)
        if len(zones) > 1 and e.get("note", "") not in report:
            bad.append("report: no line for %s" % where)
print(name + (": every zone projected" if not bad else ":"))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY

check_client() { # NAME CLIENT_FILE: the plan's text, report and JSON, then the checker
    local name=$1 client=$2
    mkdir -p "$TMP/$name"
    expect 0 "" -- "$MNEEDLE" plan --start earliest --output "$TMP/$name/plan.txt" \
        --report "$TMP/$name/r.html" "$client"
    expect 0 "" -- "$MNEEDLE" plan --start earliest --json --output "$TMP/$name/plan.json" \
        "$client"
    expect 0 "stdout:$name: every zone projected" -- python3 "$TMP/check.py" "$name" \
        "$TMP/$name/plan.json" "$TMP/$name/plan.txt" "$TMP/$name/r.html" "$TMP/concerns.json"
    sed 's/^/  /' "$TMP/out"
}
for client in "$MN_SOURCE_DIR"/examples/clients/*.json; do
    check_client "$(basename "$client" .json)" "$client"
done

# Ravi: the forehead (0.2 mm) sets the interval; the cheeks, the scars that matter, have their
# own lines, and only the forehead's carries the depth caution.
r="$TMP/ravi-acne-scars"
expect 0 "" -- python3 -c '
import json, sys
z = {(e["zone"], e["concern"]): e for e in json.load(open(sys.argv[1]))["projection"]["zones"]}
f, c = z[("forehead", "acne-scars")], z[("cheek", "acne-scars")]
sys.exit(0 if f["sets_maintenance_interval"] and f["depth_extrapolated"]
         and not c["sets_maintenance_interval"] and c["depth_extrapolated"] is False
         and ("cheek", "ice-pick-scars") in z else 1)' "$r/plan.json"
expect 0 "stdout:^  - cheek \(acne-scars\): peaks at about [0-9]+ % \(range [0-9]+-[0-9]+ %" -- \
    cat "$r/plan.txt"
expect 1 "" -- grep -Eq "^  - cheek \(acne-scars\).*needled shallower" "$r/plan.txt"
expect 0 "" -- grep -Eq "^  - forehead \(acne-scars\).*needled shallower than 1.5 mm" "$r/plan.txt"

# The checker fails on a missing zone, and on the wrong zone marked as setting the interval.
python3 - "$r/plan.json" "$r/less.json" "$r/wrong.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
zones = plan["projection"]["zones"]
plan["projection"]["zones"] = [e for e in zones if e["zone"] != "cheek"]
json.dump(plan, open(sys.argv[2], "w"))
plan["projection"]["zones"] = zones
for e in zones:
    e["sets_maintenance_interval"] = e["zone"] == "cheek" and e["concern"] == "acne-scars"
json.dump(plan, open(sys.argv[3], "w"))
PY
expect 1 "stdout:projection.zones: " -- python3 "$TMP/check.py" ravi "$r/less.json" \
    "$r/plan.txt" "$r/r.html" "$TMP/concerns.json"
expect 1 "stdout:the zone that sets the interval: " -- python3 "$TMP/check.py" ravi \
    "$r/wrong.json" "$r/plan.txt" "$r/r.html" "$TMP/concerns.json"
finish
