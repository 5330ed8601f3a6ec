# The bundled posterior names the evidence and priors it was fitted on (SHA-256 in its
# provenance, docs/models/healing.md §4.2). Any edit of a calibration study's file or of the
# priors, even to a note, must come with a refit (scripts/calibrate/fit.sh; with the same data
# and seed it gives the same draws), so the hashes here always name the files in the tree.
. "$(dirname "$0")/lib.sh"

# check_provenance POSTERIOR EVIDENCE_DIR PRIORS: exit 1 naming what the posterior does not match.
check_provenance() {
    /usr/bin/python3 - "$1" "$2" "$3" "$MN_SOURCE_DIR/scripts/calibrate" <<'PY'
import json, sys
post, evidence, priors, here = sys.argv[1:5]
sys.path.insert(0, here)
import priors as P
prov = json.load(open(post))["provenance"]
ev, ids = P.evidence_hash(evidence)
bad = 0
if prov["evidence_sha256"] != ev:
    print(f"{post}: evidence_sha256 {prov['evidence_sha256'][:12]}... but the calibration "
          f"studies in {evidence} hash to {ev[:12]}...: refit (scripts/calibrate/fit.sh)")
    bad = 1
if prov.get("studies") != ids:
    print(f"{post}: studies {prov.get('studies')} but the calibration studies are {ids}")
    bad = 1
pr = P.sha256_file(priors)
if prov["priors_sha256"] != pr:
    print(f"{post}: priors_sha256 {prov['priors_sha256'][:12]}... but {priors} hashes to "
          f"{pr[:12]}...: refit (scripts/calibrate/fit.sh)")
    bad = 1
print("posterior provenance matches" if not bad else "posterior provenance is stale")
sys.exit(bad)
PY
}

D=$MN_SOURCE_DIR/data
expect 0 "stdout:posterior provenance matches" -- \
    check_provenance "$D/posterior/healing.json" "$D/evidence" "$D/priors/healing.json"

# The check can fail: a note edited in one calibration study, and an edited prior.
cp -r "$D/evidence" "$TMP/ev"
sed -i 's/"notes": "/"notes": "edited. /' "$TMP/ev/lotfi2013.json"
expect 1 "stdout:evidence_sha256 .* refit" -- \
    check_provenance "$D/posterior/healing.json" "$TMP/ev" "$D/priors/healing.json"
printf ' ' | cat "$D/priors/healing.json" - >"$TMP/priors.json"
expect 1 "stdout:priors_sha256 .* refit" -- \
    check_provenance "$D/posterior/healing.json" "$D/evidence" "$TMP/priors.json"
finish
