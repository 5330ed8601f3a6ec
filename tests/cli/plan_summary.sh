# The plan's `summary` (docs/clinic.md, "Summary") carries simulate's summary names with their
# meanings, every value the one the plan's projection already states: for every bundled client
# the checker below reads plan --json and requires each field, its agreement with
# `projection.*`, the bound fields' consistency with the note the text and the report print,
# and simulate's summary having the same names. A client who is not treated gets no summary
# (nor projection); a treated client whose concerns the model does not project gets one that
# says so and gives only the interval the visits follow. The checker is shown to fail on a
# summary that disagrees with its projection or misses a field.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/check.py" <<'PY'
import html, json, os, re, sys
name, js, txt, page, sim = sys.argv[1:6]
plan = json.load(open(js))
src = os.environ["MN_SOURCE_DIR"]  # the note names zones and concerns (data/), the JSON ids
NAME = {e["id"]: e["name"] for f in ("sites", "concerns")
        for e in json.load(open("%s/data/%s.json" % (src, f)))[f]}
text = open(txt, encoding="utf-8").read()
report = html.unescape(open(page, encoding="utf-8").read())
simulate = json.load(open(sim))["summary"]
bad = []
def same(what, got, want):
    if got != want:
        bad.append("%s: %s, expected %s" % (what, got, want))
# The figures, under simulate's names (the names must be simulate's too).
FIGURES = ["peak_improvement_pct", "peak_day", "durability_days", "back_to_baseline_day",
           "peak_improvement_pct_low", "peak_improvement_pct_high", "durability_days_low",
           "durability_days_high", "maintenance_interval_days", "maintenance_interval_days_low",
           "maintenance_interval_days_high", "maintenance_interval_bounded",
           "maintenance_interval_bound", "maintenance_interval_at_longest_fraction",
           "range_people", "range_note", "evidence_followup_days", "durability_extrapolated"]
for k in FIGURES:
    if k not in simulate:
        bad.append("simulate's summary has no %s" % k)
if plan["screening"]["decision"] in ("decline", "defer"):
    same("summary of a client who is not treated", plan.get("summary"), None)
    same("projection of a client who is not treated", plan.get("projection"), None)
else:
    s, proj = plan.get("summary") or {}, plan.get("projection") or {}
    applies = "peak" in proj
    same("summary.projection_applies", s.get("projection_applies"), applies)
    same("summary.scheduled_maintenance_interval_days",
         s.get("scheduled_maintenance_interval_days"), proj.get("maintenance_interval_days"))
    same("summary.maintenance_source", s.get("maintenance_source"), proj.get("maintenance_source"))
    # Raised to the shortest interval the plan books above the concerns' default: the note says
    # so (docs/clinic.md, "Maintenance").
    raised = s.get("scheduled_maintenance_interval_raised")
    if not isinstance(raised, bool):
        bad.append("summary.scheduled_maintenance_interval_raised: %r, expected a boolean" % raised)
    elif raised != ("the shortest maintenance interval the plan books" in proj["note"]):
        bad.append("summary.scheduled_maintenance_interval_raised %s, but the note says %s"
                   % (raised, "it is" if not raised else "nothing of it"))
    if not applies:
        # Nothing projected: no figure a reader could take for one (null durability means
        # "beyond 40 years", so the keys are absent, not null).
        for k in FIGURES + ["zone", "concern", "target_fraction"]:
            if k in s:
                bad.append("summary.%s without a projection" % k)
    else:
        for k in FIGURES + ["zone", "concern", "target_fraction"]:
            if k not in s:
                bad.append("summary.%s missing" % k)
        pk = proj["peak"]
        for k, want in (("peak_improvement_pct", pk["improvement_pct"]), ("peak_day", pk["day"]),
                        ("peak_improvement_pct_low", pk["low_pct"]),
                        ("peak_improvement_pct_high", pk["high_pct"])):
            same("summary." + k, s.get(k), want)
        for k in ("peak_improvement_pct", "peak_improvement_pct_low", "peak_improvement_pct_high",
                  "durability_days", "back_to_baseline_day", "durability_days_low",
                  "durability_days_high", "maintenance_interval_days_low",
                  "maintenance_interval_days_high", "target_fraction", "range_note",
                  "evidence_followup_days", "durability_extrapolated"):
            same("summary." + k + " vs projection", s.get(k), proj.get(k))
        # The model's interval: the visits' one unless a concern it does not project sets a
        # shorter usual interval (the projection's note says which).
        mi = s.get("maintenance_interval_days")
        if s.get("maintenance_source") == "model":
            same("summary.maintenance_interval_days", mi, proj["maintenance_interval_days"])
        elif not (isinstance(mi, int) and proj["maintenance_interval_days"] < mi):
            bad.append("summary.maintenance_interval_days %s not above the concerns' usual %s"
                       % (mi, proj["maintenance_interval_days"]))
        if s.get("zone") not in [z["zone"] for z in plan["zones"]]:
            bad.append("summary.zone %s is not a zone of the plan" % s.get("zone"))
        if "%s (%s)" % (NAME.get(s.get("zone")), NAME.get(s.get("concern"))) not in proj["note"]:
            bad.append("the note does not name the summary's zone and concern")
        # Below the shallowest needle length any study of the concern used, the note says the
        # projection extrapolates (the zone's deepest setting against the evidence's shallowest).
        for k in ("evidence_shallowest_needle_mm", "evidence_shallowest_study",
                  "evidence_shallowest_cite", "depth_extrapolated"):
            same("summary." + k + " vs projection", s.get(k), proj.get(k))
        if "evidence_shallowest_needle_mm" in s:
            zmax = max(z["depth_mm"]["max"] for z in plan["zones"]
                       if z["zone"] == s["zone"] and z["concern"] == s["concern"])
            same("depth_extrapolated", s["depth_extrapolated"],
                 zmax < s["evidence_shallowest_needle_mm"] - 1e-9)
            # The study by its name (author and year, from its citation), never its id.
            said = "needled shallower than %g mm (%s)" % (s["evidence_shallowest_needle_mm"],
                                                          s["evidence_shallowest_cite"])
            if s["evidence_shallowest_study"] in text + report + proj["note"]:
                bad.append("the plan names the shallowest study by its id")
            for where, body in (("text", text), ("report", report), ("JSON note", proj["note"])):
                if (said in body) != s["depth_extrapolated"]:
                    bad.append("%s: the depth extrapolation (%s) is not stated as '%s'"
                               % (where, s["depth_extrapolated"], said))
        bound, frac = s.get("maintenance_interval_bound"), s.get("maintenance_interval_at_longest_fraction")
        same("maintenance_interval_bounded", s.get("maintenance_interval_bounded"), bound != "none")
        same("maintenance_interval_unbounded_days present", "maintenance_interval_unbounded_days" in s,
             bound == "longest")
        if not (isinstance(frac, (int, float)) and 0 <= frac <= 1):
            bad.append("maintenance_interval_at_longest_fraction %s outside [0, 1]" % frac)
        lo, hi = s.get("maintenance_interval_days_low"), s.get("maintenance_interval_days_high")
        if not (isinstance(lo, int) and isinstance(hi, int) and lo <= hi):
            bad.append("maintenance interval range %s-%s" % (lo, hi))
        # What a clinician reads: the note in the text plan and in the report states the range,
        # whether the typical person's interval is bounded, and the share held at the longest.
        words = {"none": "the model's own interval, inside the",
                 "longest": "bound, not the model's need",
                 "shortest": "the shortest the 3-12 month bounds allow"}.get(bound, "?")
        own = s.get("maintenance_interval_unbounded_days")
        if bound == "longest" and own is not None and own <= s["maintenance_interval_days"]:
            words = "12-month bound, and the model agrees: its own interval is also %d days" % own
        share = "For %.0f %% of them it is held at the" % (100 * frac) if frac else None
        for where, body in (("text", text), ("report", report), ("JSON note", proj["note"])):
            if "comes every %s-%s days" % (lo, hi) not in body:
                bad.append("%s: no maintenance range %s-%s days" % (where, lo, hi))
            if words not in body:
                bad.append("%s: does not say the interval's bound (%s)" % (where, bound))
            if (share is not None) != ("of them it is held at the" in body) or \
                    (share and share not in body):
                bad.append("%s: the share held at the longest bound (%s) is not stated as '%s'"
                           % (where, frac, share))
print(name + (": summary agrees with the projection" if not bad else ":"))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY

expect 0 "" -- "$MNEEDLE" simulate --json --output "$TMP/sim.json" \
    "$MN_SOURCE_DIR/examples/scenarios/simulate-wrinkles-course.json"
check_client() { # NAME CLIENT_FILE: the plan's text, report and JSON, then the checker
    local name=$1 client=$2
    mkdir -p "$TMP/$name"
    expect 0 "" -- "$MNEEDLE" plan --output "$TMP/$name/plan.txt" --report "$TMP/$name/r.html" \
        "$client"
    expect 0 "" -- "$MNEEDLE" plan --json --output "$TMP/$name/plan.json" "$client"
    expect 0 "stdout:$name: summary agrees" -- python3 "$TMP/check.py" "$name" \
        "$TMP/$name/plan.json" "$TMP/$name/plan.txt" "$TMP/$name/r.html" "$TMP/sim.json"
    sed 's/^/  /' "$TMP/out"
}
for client in "$MN_SOURCE_DIR"/examples/clients/*.json; do
    check_client "$(basename "$client" .json)" "$client"
done

# Ravi's cheeks are held at 1.2 mm for his phototype, below every acne-scar study's needle
# length: his plan's projection (the cheek's; his 0.2 mm forehead is not booked) says it
# extrapolates.
expect 0 "" -- python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
sys.exit(0 if s["zone"] == "cheek" and s["depth_extrapolated"] is True else 1)' \
    "$TMP/ravi-acne-scars/plan.json"

# Treated, but nothing the model projects (melasma does not follow dermal collagen): the
# summary says so and gives only the interval the visits follow.
cat >"$TMP/melasma.json" <<'EOF'
{"client": {"age": 38, "sex": "female", "fitzpatrick": 2},
 "concerns": [{"concern": "melasma", "zones": ["cheek"], "severity": "mild"}],
 "history": {},
 "clinic": {"device": "skinpen", "start": "2027-01-04"}}
EOF
check_client melasma-only "$TMP/melasma.json"
expect 0 "" -- python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
sys.exit(0 if s["projection_applies"] is False and s["maintenance_source"] == "concern_default"
         and sorted(s) == ["maintenance_source", "projection_applies",
                           "scheduled_maintenance_interval_days",
                           "scheduled_maintenance_interval_raised"] else 1)' \
    "$TMP/melasma-only/plan.json"

# Tom's hair loss has a 60-day default maintenance (data/concerns.json) that the plan books every
# 90 days, the shortest it books: raised. Amelia's interval is the model's, and melasma's usual
# interval is 90 days itself: neither is raised.
raised() { # PLAN_JSON true|false
    expect 0 "" -- python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
sys.exit(0 if s["scheduled_maintenance_interval_raised"] is (sys.argv[2] == "true") else 1)' \
        "$1" "$2"
}
raised "$TMP/tom-hair-loss/plan.json" true
raised "$TMP/amelia-wrinkles/plan.json" false
raised "$TMP/melasma-only/plan.json" false

# The checker fails on a summary that disagrees with its projection, or misses a field.
a="$TMP/amelia-wrinkles"
python3 - "$a/plan.json" "$a/moved.json" "$a/short.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
plan["summary"]["durability_days_high"] += 30
json.dump(plan, open(sys.argv[2], "w"))
plan["summary"]["durability_days_high"] -= 30
del plan["summary"]["maintenance_interval_bound"]
json.dump(plan, open(sys.argv[3], "w"))
PY
expect 1 "stdout:summary.durability_days_high vs projection" -- python3 "$TMP/check.py" amelia \
    "$a/moved.json" "$a/plan.txt" "$a/r.html" "$TMP/sim.json"
expect 1 "stdout:summary.maintenance_interval_bound missing" -- python3 "$TMP/check.py" amelia \
    "$a/short.json" "$a/plan.txt" "$a/r.html" "$TMP/sim.json"
finish
