# The calibration/validation split of the bundled evidence (docs/evidence.md): every study
# file's role matches data/evidence/SPLIT, SPLIT names no missing study, at least a third of
# the studies are validation, and every endpoint family has at least one validation study.
# A role changed in a study file without SPLIT changing with it fails here.
. "$(dirname "$0")/lib.sh"
EV="$MN_SOURCE_DIR/data/evidence"

check_split() { # DIR: the split rules over the files and SPLIT in DIR
    python3 - "$1" <<'PY'
import glob, json, os, sys
d = sys.argv[1]
split = {}
for line in open(os.path.join(d, "SPLIT")):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    sid, role = line.split()
    assert role in ("calibration", "validation"), f"SPLIT: {sid}: role {role}"
    assert sid not in split, f"SPLIT: {sid} listed twice"
    split[sid] = role
files = {}
for p in sorted(glob.glob(os.path.join(d, "*.json"))):
    s = json.load(open(p))
    files[s["id"]] = s
    assert os.path.basename(p) == s["id"] + ".json", f"{p}: file name is not id + .json"
    assert s["id"] in split, f"{p}: {s['id']} is not in SPLIT"
    assert s["role"] == split[s["id"]], \
        f"{p}: role {s['role']} but SPLIT declares {split[s['id']]}"
missing = sorted(set(split) - set(files))
assert not missing, f"SPLIT names studies with no file: {missing}"
roles = [s["role"] for s in files.values()]
assert 3 * roles.count("validation") >= len(roles), \
    f"{roles.count('validation')} of {len(roles)} studies are validation; at least a third must be"
fams = {}
for s in files.values():
    for e in s["endpoints"]:
        fams.setdefault(e["family"], set()).add(s["role"])
for f, r in sorted(fams.items()):
    assert "validation" in r, f"endpoint family {f} has no validation study"
print(len(files), "studies,", roles.count("validation"), "validation")
PY
}

expect 0 "stdout:studies" -- check_split "$EV"

# The check can fail: a copy with one role flipped, a study missing from SPLIT, and a split
# with too few validation studies are each refused.
cp -r "$EV" "$TMP/flip"
sed -i 's/"role": "validation"/"role": "calibration"/' "$TMP/flip/alam2014.json"
expect 1 "alam2014.json: role calibration but SPLIT declares validation" -- check_split "$TMP/flip"
cp -r "$EV" "$TMP/unlisted"
sed -i '/^alam2014 /d' "$TMP/unlisted/SPLIT"
expect 1 "alam2014 is not in SPLIT" -- check_split "$TMP/unlisted"
cp -r "$EV" "$TMP/few"
for f in "$TMP"/few/*.json; do sed -i 's/"role": "validation"/"role": "calibration"/' "$f"; done
sed -i 's/ validation$/ calibration/' "$TMP/few/SPLIT"
expect 1 "at least a third must be" -- check_split "$TMP/few"
finish
