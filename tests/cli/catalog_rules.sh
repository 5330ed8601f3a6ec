# End-to-end: `mneedle catalog rules` shows under each rule with an adjust block what the block
# changes in the plan, in words (the pre-treatment items it adds by their names), with its
# reason, its source and each concern's own reason and source; --json carries the block as
# "adjust" beside the keys it always had (the items by id), and each rule's name under its code
# (text) and as "name" (JSON). No wrapped line parts a number from
# the word after it (its unit). Every rule of
# data/rules.json is checked against the catalogue file itself, so a new block is covered.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
DATA="$MN_SOURCE_DIR/data"

# The phototype rule, as a clinician reads it: the interval, the gentle rise, the items added,
# and hair loss's own reason.
expect 0 'stdout:^  adjusts: start -0\.25 mm, maximum -0\.25 mm, \+14 days between course sessions, needle rises' \
    -- "$MNEEDLE" catalog rules
expect 0 'stdout:adds: Strict sun protection for 4 weeks, Pigment-calming$' -- "$MNEEDLE" catalog rules
expect 0 'stdout:^    skincare, Test patch$' -- "$MNEEDLE" catalog rules
expect 0 'stdout:^  reason for Hair loss \(androgenetic alopecia\): darker skin marks more easily \(a caution$' \
    -- "$MNEEDLE" catalog rules
expect 0 'stdout:"interval_days": 14' -- "$MNEEDLE" catalog rules --json

"$MNEEDLE" catalog rules >"$TMP/rules.txt" 2>"$TMP/err" &&
    "$MNEEDLE" catalog rules --json >"$TMP/rules.out" 2>>"$TMP/err"
if [ $? -ne 0 ]; then
    echo "FAIL: catalog rules failed"; sed 's/^/  | /' "$TMP/err" | head -5
    fails=$((fails + 1))
elif "$PY" - "$DATA" "$TMP" <<'PY' 2>"$TMP/py.err"; then
import json, sys
data, tmp = sys.argv[1], sys.argv[2]
rules = json.load(open(data + "/rules.json"))["rules"]
pre = {t["id"]: t.get("name", t["id"]) for t in json.load(open(data + "/aftercare.json"))["pretreatment"]}
concern_name = {c["id"]: c["name"] for c in json.load(open(data + "/concerns.json"))["concerns"]}
listed = json.load(open(tmp + "/rules.out"))["rules"]
gentle_mm = 0.25  # MN_PLAN_RISE_GENTLE_MM (include/mneedle/clinic.h)

# The text as rows, each with its items ("  label: text", wrapped lines joined back).
rows = []
for line in open(tmp + "/rules.txt").read().splitlines()[1:]:
    if line.startswith("    "):
        label, text = rows[-1][1][-1]
        rows[-1][1][-1] = (label, text + " " + line.strip())
    elif line.startswith("  "):
        label, _, text = line.strip().partition(": ")
        rows[-1][1].append((label, text))
    else:
        rows.append((line.split()[0], []))
assert [c for c, _ in rows] == [r["code"] for r in rules], "text rows are not the rules in order"
assert [e["code"] for e in listed] == [r["code"] for r in rules], "JSON is not the rules in order"

for r, (code, items), entry in zip(rules, rows, listed):
    base = {"code", "name", "input", "input_label", "severity", "message", "source"}
    assert set(entry) - {"adjust"} <= base, f"{code}: unexpected keys {sorted(entry)}"
    # The rule's name, what the record's texts print in place of its code, on the line
    # under it and in the JSON.
    assert entry.get("name") == r.get("name"), f"{code}: JSON name {entry.get('name')}"
    if r.get("name"):
        assert items and items[0] == ("name", r["name"]), f"{code}: name line {items[:1]}"
        items = items[1:]
    assert entry["source"] == r["source"] and entry["message"] == r["message"], code
    a = r.get("adjust")
    if a is None:
        assert not items and "adjust" not in entry, f"{code}: no block, yet {items or entry}"
        continue
    got = entry["adjust"]
    want = {"start_mm": a.get("start_mm", 0), "max_mm": a.get("max_mm", 0),
            "interval_days": a.get("interval_days", 0),
            "pretreatment": a.get("pretreatment", []),
            "gentle_rise": a.get("gentle_rise", False), "reason": a["reason"],
            "concern_reasons": a.get("concern_reasons", []), "source": a["source"]}
    assert got == want, f"{code}: --json adjust {got} != {want}"
    words = []
    if want["start_mm"]:
        words.append(f"start {want['start_mm']:+g} mm")
    if want["max_mm"]:
        words.append(f"maximum {want['max_mm']:+g} mm")
    if want["interval_days"]:
        words.append(f"+{want['interval_days']} days between course sessions")
    if want["gentle_rise"]:
        words.append(f"needle rises at most {gentle_mm:g} mm per visit")
    said = ", ".join(words)
    if want["pretreatment"]:
        said += ("; " if said else "") + "adds: " + ", ".join(pre[i] for i in want["pretreatment"])
    expected = [("adjusts", said), ("reason", a["reason"]), ("source", a["source"])]
    for cr in want["concern_reasons"]:
        expected += [("reason for " + concern_name[cr["concern"]], cr["reason"]),
                     ("source for " + concern_name[cr["concern"]], cr["source"])]
    assert items == expected, f"{code}: text\n{items}\n!=\n{expected}"
PY
    passes=$((passes + 1))
else
    echo "FAIL: catalog rules against data/rules.json"; sed 's/^/  | /' "$TMP/py.err" | tail -5
    fails=$((fails + 1))
fi

# No line under a rule is wider than the wrapped paragraphs (92 characters).
expect 0 '' -- sh -c "! awk '/^  / && length > 92' '$TMP/rules.txt' | grep -q ."
# No wrapped line ends in a number whose word (its unit) opens the next line: "one 0.25" then
# "mm step" was a break in the phototype rule's source.
expect 0 '' -- awk 'prev ~ /(^| )[-+]?[0-9][0-9.]*$/ && /^    / { n++ } { prev = $0 }
    END { exit n > 0 }' "$TMP/rules.txt"

finish
