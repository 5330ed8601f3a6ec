#!/bin/sh
# End to end: `mneedle cohort TRIAL --plot DIR` on a small cohort. The figures must be valid
# images of the expected size, the plotted distributions and responder rates (CSV sidecars)
# must match `--json` of the same run, and a bad --plot must exit 2 before the run, leaving
# nothing behind.
. "$MN_SOURCE_DIR/tests/cli/lib.sh"
TRIAL="$MN_SOURCE_DIR/examples/trials/lotfi-2013-acne-scars.json"

png_size() { # width and height from the IHDR chunk (bytes 16..23, big-endian)
    od -An -tu1 -j16 -N8 "$1" | awk '{printf "%d %d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'
}
is_png() { [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = "89504e470d0a1a0a" ]; }
check() { # check DESCRIPTION COMMAND...
    desc=$1; shift
    if "$@"; then passes=$((passes + 1)); else echo "FAIL: $desc"; fails=$((fails + 1)); fi
}

mkdir "$TMP/fig"
# (--trials 0: the line-wise reading below takes the pooled endpoints, not trial_intervals)
expect 0 "" -- "$MNEEDLE" cohort "$TRIAL" --n 400 --threads 2 --trials 0 --quiet --json --plot "$TMP/fig" -o "$TMP/c.json" \
    --csv "$TMP/patients.csv"
for stem in improvement_distribution responders; do
    check "$stem.png is a PNG" is_png "$TMP/fig/$stem.png"
    check "$stem.png is 800x500" test "$(png_size "$TMP/fig/$stem.png")" = "800 500"
    check "$stem.svg root" grep -q 'width="800px" height="500px"' "$TMP/fig/$stem.svg"
done
check "violin sidecar header" grep -q '^kind,group,index,x,y,px,py$' "$TMP/fig/improvement_distribution.csv"
check "responder sidecar header" grep -q '^kind,series,index,x,y,px,py$' "$TMP/fig/responders.csv"

# The report's numbers per endpoint: "KEY ENDPOINT VALUE", from the pretty-printed JSON.
awk '
/"endpoints": \[/ { in_e = 1; e = -1; next }
in_e && /^  \]/ { in_e = 0 }
in_e && /"day":/ { gsub(/[",]/, ""); e++; print "day", e, $2 }
in_e && /": \{/ { sect = $1; gsub(/[":]/, "", sect) }
in_e && /^ *\},?$/ { sect = "" }
in_e && sect == "improvement_pct" && /"(mean|p5|p50|p95)":/ { gsub(/[",:]/, ""); print $1, e, $2 }
in_e && sect == "" && /"responders_50pct":/ { gsub(/[",]/, ""); print "resp", e, $2 }
' "$TMP/c.json" > "$TMP/json.txt"
awk -F, '
FILENAME ~ /distribution.csv$/ && $1 ~ /^(mean|p5|p50|p95)$/ { print $1, $2, $5 }
FILENAME ~ /responders.csv$/ && $1 == "line" { print "rday", $3, $4; print "resp", $3, $5 / 100 }
' "$TMP/fig/improvement_distribution.csv" "$TMP/fig/responders.csv" > "$TMP/plot.txt"

# Each percentile by the one rule (Hyndman & Fan type 7: linear between the order statistics
# at q (n - 1)) per endpoint, from the per-patient CSV of the same run (values to 1e-4):
# "p5 ENDPOINT VALUE".
awk -F, 'NR > 1 { print $2, $18 }' "$TMP/patients.csv" | sort -k1,1n -k2,2g | awk '
function flush(   i, r, pos, f) {
    if (n == 0) return
    split("5 50 95", q, " ")
    for (i = 1; i <= 3; i++) {
        pos = q[i] * (n - 1) / 100; r = int(pos); f = pos - r
        print "p" q[i], e, (r + 1 < n ? x[r + 1] * (1 - f) + x[r + 2] * f : x[n])
    }
    e++; n = 0
}
BEGIN { e = 0 }
$1 != day { flush(); day = $1 }
{ x[++n] = $2 }
END { flush() }' > "$TMP/ranks.txt"

# Means agree to 1e-4 points (the report's mean is exact to 2^-20 points over the same 400
# patients); percentiles: the figure's is the type-7 percentile of the patients (to the
# CSV's 1e-4) and the report's the same rule on the centres of the 0.05-point sketch bins that
# hold the order statistics (half a bin), the one rule for both; responder rates
# are the same counts over n (1e-8); the responder rate is drawn at each endpoint day.
check "plotted distributions and responder rates = cohort --json" awk '
FILENAME ~ /ranks.txt$/ { nr[$1 " " $2] = $3; next }
FILENAME ~ /plot.txt$/ { v[$1 " " $2] = $3; next }
{
    key = $1 " " $2
    if ($1 == "day") { key = "rday " $2 }
    if (!(key in v)) { print "  not plotted: " key; bad++; next }
    if ($1 ~ /^p/) {
        if (!(key in nr)) { print "  no order statistics for " key; bad++; next }
        d = v[key] - nr[key]; if (d < 0) d = -d
        if (d > 1e-4) { print "  " key ": plotted " v[key] ", type 7 " nr[key]; bad++ }
    }
    tol = $1 == "mean" ? 1e-4 : ($1 == "resp" ? 1e-8 : ($1 == "day" ? 0 : 0.025 + 1e-6))
    d = v[key] - $3; if (d < 0) d = -d
    if (d > tol) { print "  " key ": plotted " v[key] ", json " $3; bad++ }
    n++
}
END { if (n != 5 * 6) { print "  " n " values compared, expected 30"; bad++ } exit bad > 0 }
' "$TMP/ranks.txt" "$TMP/plot.txt" "$TMP/json.txt"
check "one violin per endpoint" test "$(grep -c '^p50,' "$TMP/fig/improvement_distribution.csv")" = 5

# Bad --plot: exit 2 before anything runs, no summary or per-patient CSV, no figure.
touch "$TMP/a-file"
expect 2 "not an existing directory" -- "$MNEEDLE" cohort "$TRIAL" --n 20 --plot "$TMP/a-file" -o "$TMP/r.txt" --csv "$TMP/p.csv"
expect 2 "not an existing directory" -- "$MNEEDLE" cohort "$TRIAL" --n 20 --plot "$TMP/missing" -o "$TMP/r.txt" --csv "$TMP/p.csv"
check "no summary after a bad --plot" test ! -e "$TMP/r.txt"
check "no per-patient CSV after a bad --plot" test ! -e "$TMP/p.csv"
check "nothing created for a missing --plot" test ! -e "$TMP/missing"
expect 2 "" -- "$MNEEDLE" cohort "$TRIAL" --plot
check "no temporary files left" sh -c "! ls -A '$TMP' | grep -q '^\\.'"
finish
