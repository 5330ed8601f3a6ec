# End-to-end: `mneedle catalog concerns` shows each concern's usual passes (PASSES) and its
# deep-face exception (DEEP FACE, "-" where it has none) with the exception's reason under the
# table; --json carries them as "passes", "deep_face_max_mm" and "deep_reason" beside the keys
# it always had. Every value is checked against the catalogue file itself, the built-in one and
# an edited copy read with --data (other passes, an exception on another concern), so the
# figures cannot be written into the table. No line is wider than the wrapped paragraphs of
# the other catalogues (92 characters).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

mkdir "$TMP/edited"
"$PY" - "$MN_SOURCE_DIR/data/concerns.json" "$TMP/edited/concerns.json" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
by_id = {c["id"]: c for c in d["concerns"]}
by_id["fine-lines-wrinkles"]["passes"] = by_id["fine-lines-wrinkles"]["passes"] + 2
deep = [c for c in d["concerns"] if "deep_face_max_mm" in c]
assert deep, "no concern of data/concerns.json has a deep-face exception to show"
gone = deep[0]
del gone["deep_face_max_mm"], gone["deep_reason"]
by_id["texture-tone"]["deep_face_max_mm"] = 1.75
by_id["texture-tone"]["deep_reason"] = ("an edited catalogue's reason, long enough to be "
                                        "wrapped onto a second line under the table, with "
                                        "a number and its unit: 1.75 mm")
json.dump(d, open(sys.argv[2], "w"))
PY

cat >"$TMP/check.py" <<'PY'
import json, sys
catalogue, txt, js = sys.argv[1:4]
concerns = json.load(open(catalogue))["concerns"]
lines = open(txt, encoding="utf-8").read().splitlines()
listed = json.load(open(js))["concerns"]

# The table: a row per concern, in order, read by the header's column positions.
header = lines[0]
assert "PASSES" in header and "DEEP FACE" in header, f"header: {header!r}"
cols = [header.index(h) for h in ("PASSES", "DEEP FACE")]
rows = lines[1:1 + len(concerns)]
assert [r.split()[0] for r in rows] == [c["id"] for c in concerns], "rows are not the concerns"
for c, row in zip(concerns, rows):
    passes = row[cols[0]:cols[1]].strip()
    deep = row[cols[1]:].split("  ")[0].strip()
    assert passes == "%g" % c["passes"], f"{c['id']}: PASSES {passes!r}, file {c['passes']}"
    want = "%g mm" % c["deep_face_max_mm"] if "deep_face_max_mm" in c else "-"
    assert deep == want, f"{c['id']}: DEEP FACE {deep!r}, expected {want!r}"

# Under the table, each exception's reason in full ("  id: reason", wrapped lines joined).
notes, last = {}, None
for line in lines[1 + len(concerns):]:
    if line.startswith("    ") and last:
        notes[last] += " " + line.strip()
    elif line.startswith("  "):
        last, _, text = line.strip().partition(": ")
        notes[last] = text
    else:
        last = None
want = {c["id"]: c["deep_reason"] for c in concerns if "deep_reason" in c}
assert notes == want, f"reasons under the table\n{notes}\n!=\n{want}"
assert any("'mneedle catalog devices'" in l for l in lines), "no pointer to a roller's passes"

# JSON: the new keys, and every key the listing always had.
always = {"id", "name", "aliases", "zones", "face_depth_mm", "body_depth_mm", "sessions",
          "interval_days", "min_interval_days", "maintenance_days", "collagen_projection",
          "source"}
assert [e["id"] for e in listed] == [c["id"] for c in concerns], "JSON is not the concerns"
for c, e in zip(concerns, listed):
    assert always <= set(e), f"{c['id']}: keys lost: {sorted(always - set(e))}"
    assert e["passes"] == c["passes"], f"{c['id']}: passes {e.get('passes')}"
    for k in ("deep_face_max_mm", "deep_reason"):
        assert e.get(k) == c.get(k), f"{c['id']}: {k} {e.get(k)!r}, file {c.get(k)!r}"
PY

for run in built-in edited; do
    if [ "$run" = built-in ]; then
        file="$MN_SOURCE_DIR/data/concerns.json"
        set --
    else
        file="$TMP/edited/concerns.json"
        set -- --data "$TMP/edited"
    fi
    expect 0 "" -- "$MNEEDLE" catalog concerns "$@" --output "$TMP/$run.txt"
    no_stderr "catalog concerns ($run)"
    expect 0 "" -- "$MNEEDLE" catalog concerns "$@" --json --output "$TMP/$run.json"
    if "$PY" "$TMP/check.py" "$file" "$TMP/$run.txt" "$TMP/$run.json" 2>"$TMP/py.err"; then
        passes=$((passes + 1))
    else
        echo "FAIL: catalog concerns ($run) against its concerns.json"
        sed 's/^/  | /' "$TMP/py.err" | tail -3
        fails=$((fails + 1))
    fi
    expect 0 '' -- awk 'length > 92 { print FILENAME ": " $0; n++ } END { exit n > 0 }' \
        "$TMP/$run.txt"
done

finish
