# What a client and a clinician read names zones and concerns, never by their catalogue ids: the
# text plan and the HTML report of every bundled client, and `mneedle simulate`'s text for every
# bundled scenario, carry no zone id and no concern id of data/sites.json and
# data/concerns.json (the generated clients are checked in tests/unit/test_plan_properties.c,
# by the same rule). An id is a whole word in its own case ("cheek", "acne-scars"; the names
# are "Cheek", "Atrophic acne scars (rolling, boxcar)"). A word that is also an id is not one
# inside a zone's or a concern's name ("Back of hand"), in catalogue prose the plan quotes (the
# word with the one before and the one after as in data/: "the treated scalp for", "another
# hair-loss lotion") or in the planner's own English ("come back", "back to"). The --json
# outputs keep their ids (DESIGN §4). The checker is shown to catch an id in a schedule line.
# The same holds for the devices, the evidence's studies (named by author and year, from their
# citations), the screening's decision ("proceed with caution") and the validation report (by
# the command that prints it, not a file of the source tree); and for the clinic record's
# history and replan texts, and the concern-specific reasons of `mneedle catalog rules`; and
# for the record's hold reasons (replan, recall: the screening rules by their names, not their
# codes), its adverse events and rating scales (history, replan), client show's planning input
# (in words, not as JSON) and every text's sources (in words, never a data/ or docs/ file).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
export SOURCE_DATE_EPOCH=1793491200 # the goldens' day (tests/cli/golden.sh): no start in the past

for f in "$MN_SOURCE_DIR"/examples/clients/*.json; do
    name=$(basename "$f" .json)
    expect 0 "" -- "$MNEEDLE" plan "$f" -o "$TMP/$name.txt" --report "$TMP/$name.html"
done
for f in "$MN_SOURCE_DIR"/examples/scenarios/simulate-*.json; do
    name=$(basename "$f" .json)
    expect 0 "" -- "$MNEEDLE" simulate "$f" -o "$TMP/$name.sim.txt"
done

# The clinic record's texts: history and replan of a client with two sessions done and a
# post-inflammatory hyperpigmentation after the second, resolved (replan steps her zones down),
# and of one whose next visit is held to the plan's rise; each zone and device by its name.
. "$(dirname "$0")/lib_records.sh"
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-02, after the visits recorded
amelia_planned 2
printf '{"client": "c-amelia", "date": "2027-01-05", "session": 2, "kind": "post-inflammatory-hyperpigmentation", "severity": "mild", "resolved": "2027-02-01"}\n' >"$TMP/pih.json"
expect 0 "stdout:recorded 1" -- "$MNEEDLE" record adverse-event --db "$DB" "$TMP/pih.json"
expect 0 "stdout:^c-ravi$" -- "$MNEEDLE" client add --db "$DB" --id c-ravi \
    "$MN_SOURCE_DIR/examples/clients/ravi-acne-scars.json"
expect 0 "" -- "$MNEEDLE" plan c-ravi --save --db "$DB"
session 1 c-ravi "$TMP/r1.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/r1.json"
for c in c-amelia c-ravi; do
    expect 0 "stdout:^History of $c" -- "$MNEEDLE" history --db "$DB" "$c"
    cp "$TMP/out" "$TMP/history-$c.txt"
    expect 0 "stdout:^Visits left" -- "$MNEEDLE" replan --db "$DB" "$c"
    cp "$TMP/out" "$TMP/replan-$c.txt"
done
# A client held: her record updated since the plan (a pregnancy, a recent isotretinoin course)
# and an open adverse event; replan and recall give the reasons, client show the planning
# input; Ravi's scores on a rating scale, in history and replan. Each text names the rules,
# the adverse events and the scale, never by a code or id, and no file of the source tree.
expect 0 "stdout:^c-held$" -- "$MNEEDLE" client add --db "$DB" --id c-held \
    "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
expect 0 "" -- "$MNEEDLE" plan c-held --save --db "$DB"
session 1 c-held "$TMP/h1.json"
expect 0 "stdout:recorded 1 session" -- "$MNEEDLE" record session --db "$DB" "$TMP/h1.json"
printf '{"client": "c-held", "date": "2026-12-05", "session": 1, "kind": "swelling", "severity": "severe"}\n' >"$TMP/sw.json"
expect 0 "stdout:recorded 1 adverse event" -- "$MNEEDLE" record adverse-event --db "$DB" "$TMP/sw.json"
$PY -c 'import json, sys
d = json.load(open(sys.argv[1])); d["history"] = {"pregnant": True, "isotretinoin_months_ago": 1}
json.dump(d, open(sys.argv[2], "w"))' "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json" \
    "$TMP/held.json"
expect 0 "" -- "$MNEEDLE" client update --db "$DB" c-held "$TMP/held.json"
printf '[{"client": "c-ravi", "date": "2026-11-30", "scale": "goodman-baron-quantitative", "score": 40, "rater": "dr-a"},
 {"client": "c-ravi", "date": "2027-03-30", "scale": "goodman-baron-quantitative", "score": 30, "rater": "dr-a"}]\n' >"$TMP/score.json"
expect 0 "stdout:recorded 2 assessments" -- "$MNEEDLE" record assessment --db "$DB" "$TMP/score.json"
for c in c-held c-ravi; do
    expect 0 "stdout:^History of $c" -- "$MNEEDLE" history --db "$DB" "$c"
    cp "$TMP/out" "$TMP/rec-history-$c.txt"
    expect 0 "stdout:^Visits left" -- "$MNEEDLE" replan --db "$DB" "$c"
    cp "$TMP/out" "$TMP/rec-replan-$c.txt"
    expect 0 "stdout:^client $c" -- "$MNEEDLE" client show --db "$DB" "$c"
    cp "$TMP/out" "$TMP/rec-client-$c.txt"
done
expect 0 "stdout:On hold" -- "$MNEEDLE" recall --db "$DB" --due-before 2029-01-01
cp "$TMP/out" "$TMP/rec-recall.txt"
ok 'grep -q "^ON HOLD: screening of the client.s current record: defer (recent isotretinoin; pregnancy); a severe adverse event is open: Swelling (oedema) since 2026-12-05" "$TMP/rec-replan-c-held.txt" &&
    grep -q "^  Pregnancy (defer): Microneedling is not offered" "$TMP/rec-replan-c-held.txt" &&
    grep -q "^  2026-12-05  Swelling (oedema) (severe) after session 1$" "$TMP/rec-replan-c-held.txt"' \
    "replan does not name the rules and the adverse event that hold the client"
ok 'grep -Eq "^c-held +due .*on hold: screening of the client.s current record: defer \(recent isotretinoin; pregnancy\)" "$TMP/rec-recall.txt"' \
    "recall does not name the rules that hold the client"
ok 'grep -q "^  2026-12-05  Swelling (oedema) (severe) after session 1$" "$TMP/rec-history-c-held.txt" &&
    grep -q "^  2027-03-30  Goodman & Baron quantitative global acne scarring score: 30, rated by dr-a$" "$TMP/rec-history-c-ravi.txt" &&
    grep -q "day  *[0-9]*  Goodman & Baron quantitative global acne scarring score 30: improvement" "$TMP/rec-replan-c-ravi.txt" &&
    grep -q "^1 score on Goodman & Baron quantitative global acne scarring score used" "$TMP/rec-replan-c-ravi.txt"' \
    "history or replan does not name the adverse event or the rating scale"
ok 'grep -q "^    concern: Fine lines and wrinkles (moderate): Forehead, Periorbital / eyelid, Cheek$" "$TMP/rec-client-c-held.txt" &&
    grep -q "^    health questionnaire: pregnant; isotretinoin months ago 1$" "$TMP/rec-client-c-held.txt" &&
    grep -q "^    clinic: SkinPen (Crown Aesthetics), 300 GBP per session, start 2026-12-01$" "$TMP/rec-client-c-held.txt" &&
    ! grep -q "{\"" "$TMP"/rec-client-*.txt' \
    "client show prints the planning input as JSON, not in words"
# A clinic's own rules (--data) without a name for a rule: its message's words, never its code;
# a name longer than the record keeps is refused, naming the place.
mkdir -p "$TMP/data" "$TMP/long"
$PY - "$MN_SOURCE_DIR/data/rules.json" "$TMP/data/rules.json" "$TMP/long/rules.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
pregnant = [r for r in d["rules"] if r["code"] == "MN-PREGNANT"][0]
del pregnant["name"]
json.dump(d, open(sys.argv[2], "w"))
pregnant["name"] = "x" * 81
json.dump(d, open(sys.argv[3], "w"))
PYEOF
expect 0 "stdout:^ON HOLD: screening of the client.s current record: defer \(recent isotretinoin; Microneedling is not offered during pregnancy\)" \
    -- "$MNEEDLE" replan --db "$DB" --data "$TMP/data" c-held
ok '! grep -q "MN-" "$TMP/out"' "replan names a rule without a name by its code"
expect 2 "rules.json: .*rules.8.\.name: expected the finding in a few words \(1 to 80 characters\)" \
    -- "$MNEEDLE" catalog rules --data "$TMP/long"

# The JSON keeps the codes and ids: the rules' codes in the hold, the kind and the scale.
expect 0 "" -- "$MNEEDLE" replan --db "$DB" --json c-held
ok '$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert \"MN-PREGNANT\" in d[\"hold\"][\"reason\"] and \"swelling since\" in d[\"hold\"][\"reason\"], d[\"hold\"]
assert \"MN-PREGNANT\" in [f[\"code\"] for f in d[\"screening\"][\"findings\"]]
assert d[\"open_adverse_events\"][0][\"kind\"] == \"swelling\"
" "$TMP/out"' "replan --json no longer carries the rules' codes or the event's kind"
expect 0 "" -- "$MNEEDLE" recall --db "$DB" --due-before 2029-01-01 --json
ok 'grep -q "MN-PREGNANT" "$TMP/out"' "recall --json no longer carries the rules' codes"
expect 0 'stdout:"scale": "goodman-baron-quantitative"' -- "$MNEEDLE" history --db "$DB" --json c-ravi
expect 0 'stdout:"input": \{' -- "$MNEEDLE" client show --db "$DB" --json c-held

ok 'grep -q "^       Periorbital / eyelid 0.50 mm x 3 passes" "$TMP/history-c-amelia.txt"' \
    "history does not list a session's zones by name"
ok 'grep -q "Stepped down .*: Forehead: 0.25 mm at visit 3" "$TMP/replan-c-amelia.txt" &&
    grep -q "Held to the plan.s rise .*: Cheek: 0.75 mm at visit 2" "$TMP/replan-c-ravi.txt"' \
    "replan does not say its step down and held rise with the zones by name"

# catalog rules labels a concern's own reason and source by the concern's name.
expect 0 "stdout:^  reason for Hair loss \(androgenetic alopecia\): " -- "$MNEEDLE" catalog rules
ok '! grep -Eq "^  [a-z0-9_-]+ (reason|source):" "$TMP/out"' \
    "catalog rules labels a concern's reason or source by its id"

cat >"$TMP/check.py" <<'PY'
import glob, html, json, re, sys
data, files = sys.argv[1], sys.argv[2:]

def words(text):
    return " " + " ".join(re.sub(r"[^0-9A-Za-z_\x80-\U0010ffff-]+", " ", text).split()) + " "

sites = json.load(open(data + "/sites.json"))["sites"]
concerns = json.load(open(data + "/concerns.json"))["concerns"]
devices = json.load(open(data + "/devices.json"))["devices"]
studies = [json.load(open(f, encoding="utf-8"))["id"] for f in glob.glob(data + "/evidence/*.json")]
decisions = ["proceed_with_caution"]  # the screening's decision as the JSON names it
rules = [r["code"] for r in json.load(open(data + "/rules.json"))["rules"]]
kinds = json.load(open(data + "/adverse_events.json"))["adverse_events"]
scales = json.load(open(data + "/scales.json"))["scales"]
ids = [e["id"] for e in sites + concerns + devices] + studies + decisions + rules
# The clinic record's texts (files named rec-*) also name each adverse event and rating scale,
# never by its id (the JSON keeps them).
record_ids = [e["id"] for e in kinds + scales]
# A file of the source tree is not something a reader has: docs/validation.md anywhere; in the
# record's texts, no catalogue (data/rules.json) or document of docs/ either (simulate names
# its model's documents, installed with mneedle, for the modeller who runs it).
paths = ["docs/validation.md"]
record_paths = re.compile(r"\b(?:data/[a-z_/]+\.json|docs/[a-z_/.-]+\.md)")
names = [words(e["name"]).strip() for e in sites + concerns + devices + kinds + scales]
prose = "".join(words(open("%s/%s.json" % (data, f), encoding="utf-8").read()) for f in (
    "adverse_events", "aftercare", "concerns", "devices", "products", "references", "rules",
    "scales", "sites"))
english = [" come back ", " back to ", " back at ", " post-inflammatory hyperpigmentation "]

def leaks(text, ids):
    w = words(text)
    found = []
    for i in ids:
        for m in re.finditer(r"(?<= )%s(?= )" % re.escape(i), w):
            at = m.start()
            if any(h.start() <= at < h.end() for n in names
                   for h in re.finditer(re.escape(n), w)):
                continue
            before = w.rfind(" ", 0, at - 1)
            after = w.find(" ", m.end() + 1)
            around = w[max(before, 0):after + 1 if after >= 0 else len(w)]
            if around in prose:
                continue
            if any(e in around and around.index(e) < at - max(before, 0) <
                   around.index(e) + len(e) - 1 for e in english):
                continue
            found.append("%s in '...%s...'" % (i, around.strip()))
    return found

bad = []
for path in files:
    text = open(path, encoding="utf-8").read()
    if path.endswith(".html"):  # what a reader sees: no style sheet, no tags
        text = re.sub(r"<style.*?</style>", " ", text, flags=re.S)
        text = html.unescape(re.sub(r"<[^>]*>", " ", text))
    base = path.rsplit("/", 1)[-1]
    bad += ["%s: %s" % (base, x) for x in leaks(text, ids + (record_ids if base.startswith("rec-") else []))]
    bad += ["%s: %s" % (base, p) for p in paths if p in text]
    if base.startswith("rec-"):
        bad += ["%s: %s" % (base, p) for p in record_paths.findall(text)]
print("\n".join(bad) if bad else "ok")
PY

expect 0 "stdout:^ok$" -- "$PY" "$TMP/check.py" "$MN_SOURCE_DIR/data" "$TMP"/*.txt "$TMP"/*.html
if [ "$(cat "$TMP/out")" != ok ]; then sed 's/^/  | /' "$TMP/out" | head -10; fi

# The checker finds an id where the plan printed one, and lets the names pass.
printf '   1  Mon 2027-01-11  course\n        cheek 0.7 mm (3 passes)\n' >"$TMP/id.txt"
expect 0 "stdout:cheek in '...course cheek 0" -- "$PY" "$TMP/check.py" "$MN_SOURCE_DIR/data" \
    "$TMP/id.txt"
printf 'Screening: proceed_with_caution\n  (the longest follow-up: aust2008; docs/validation.md)\n' \
    >"$TMP/codes.txt"
expect 0 "stdout:proceed_with_caution in" -- "$PY" "$TMP/check.py" "$MN_SOURCE_DIR/data" \
    "$TMP/codes.txt"
expect 0 "stdout:aust2008 in '...follow-up aust2008 docs" -- "$PY" "$TMP/check.py" \
    "$MN_SOURCE_DIR/data" "$TMP/codes.txt"
expect 0 "stdout:codes.txt: docs/validation.md" -- "$PY" "$TMP/check.py" "$MN_SOURCE_DIR/data" \
    "$TMP/codes.txt"
printf 'ON HOLD: screening: defer (MN-PREGNANT)\n  valid for 6 months (data/rules.json)\n' \
    >"$TMP/rec-rule.txt"
expect 0 "stdout:MN-PREGNANT in '...defer MN-PREGNANT valid" -- "$PY" "$TMP/check.py" \
    "$MN_SOURCE_DIR/data" "$TMP/rec-rule.txt"
expect 0 "stdout:rec-rule.txt: data/rules.json" -- "$PY" "$TMP/check.py" "$MN_SOURCE_DIR/data" \
    "$TMP/rec-rule.txt"
printf '  2027-01-05  swelling (mild) after session 2 - Swelling (oedema)\n' >"$TMP/rec-kind.txt"
expect 0 "stdout:swelling in '...2027-01-05 swelling mild" -- "$PY" "$TMP/check.py" \
    "$MN_SOURCE_DIR/data" "$TMP/rec-kind.txt"
printf 'Back of hand: Hyperpigmentation and uneven tone\n  - Cheek (Melasma): come back\n' \
    >"$TMP/names.txt"
expect 0 "stdout:^ok$" -- "$PY" "$TMP/check.py" "$MN_SOURCE_DIR/data" "$TMP/names.txt"

# The JSON keeps the ids.
expect 0 'stdout:"zone": "cheek"' -- "$MNEEDLE" plan --json \
    "$MN_SOURCE_DIR/examples/clients/ravi-acne-scars.json"

finish
