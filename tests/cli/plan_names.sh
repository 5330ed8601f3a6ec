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
# history and replan texts, and the concern-specific reasons of `mneedle catalog rules`.
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
ids = [e["id"] for e in sites + concerns + devices] + studies + decisions
paths = ["docs/validation.md"]  # a file of the source tree, not something a reader has
names = [words(e["name"]).strip() for e in sites + concerns + devices]
prose = "".join(words(open("%s/%s.json" % (data, f), encoding="utf-8").read()) for f in (
    "adverse_events", "aftercare", "concerns", "devices", "products", "references", "rules",
    "scales", "sites"))
english = [" come back ", " back to ", " back at ", " post-inflammatory hyperpigmentation "]

def leaks(text):
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
    bad += ["%s: %s" % (path.rsplit("/", 1)[-1], x) for x in leaks(text)]
    bad += ["%s: %s" % (path.rsplit("/", 1)[-1], p) for p in paths if p in text]
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
printf 'Back of hand: Hyperpigmentation and uneven tone\n  - Cheek (Melasma): come back\n' \
    >"$TMP/names.txt"
expect 0 "stdout:^ok$" -- "$PY" "$TMP/check.py" "$MN_SOURCE_DIR/data" "$TMP/names.txt"

# The JSON keeps the ids.
expect 0 'stdout:"zone": "cheek"' -- "$MNEEDLE" plan --json \
    "$MN_SOURCE_DIR/examples/clients/ravi-acne-scars.json"

finish
