#!/bin/sh
# End to end: `mneedle simulate SCENARIO --plot DIR`. The figures must be valid images of the
# expected size, the plotted series (CSV sidecars) must equal the numbers of `--json` from the
# same run on every report day, the sessions, the maintenance visit, the peak and the return to
# baseline must be where the summary says, and a bad --plot must exit 2 leaving nothing behind.
. "$MN_SOURCE_DIR/tests/cli/lib.sh"
SCN="$MN_SOURCE_DIR/examples/scenarios/simulate-wrinkles-course.json"

png_size() { # width and height from the IHDR chunk (bytes 16..23, big-endian)
    od -An -tu1 -j16 -N8 "$1" | awk '{printf "%d %d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'
}
is_png() { [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = "89504e470d0a1a0a" ]; }
check() { # check DESCRIPTION COMMAND...
    desc=$1; shift
    if "$@"; then passes=$((passes + 1)); else echo "FAIL: $desc"; fails=$((fails + 1)); fi
}

mkdir "$TMP/fig"
expect 0 "" -- "$MNEEDLE" simulate "$SCN" --json --band 16 --plot "$TMP/fig" -o "$TMP/sim.json"
for stem in improvement collagen erythema; do
    check "$stem.png is a PNG" is_png "$TMP/fig/$stem.png"
    check "$stem.png is 800x500" test "$(png_size "$TMP/fig/$stem.png")" = "800 500"
    check "$stem.svg root" grep -q 'width="800px" height="500px"' "$TMP/fig/$stem.svg"
    check "$stem.csv header" grep -q '^kind,series,index,x,y,px,py$' "$TMP/fig/$stem.csv"
done

# The report's numbers, one "KEY DAY VALUE" line each, from the pretty-printed JSON.
awk '
/"samples": \[/ { in_s = 1; next }
in_s && /^  \]/ { in_s = 0 }
in_s && /"untreated": \{/ { tw = 1 }
in_s && tw && /^ *\},?$/ { tw = 0 }
in_s {
    line = $0; gsub(/[",]/, "", line); split(line, f, ": *"); k = f[1]; gsub(/ /, "", k); v = f[2]
    if (k == "day") day = v
    else if (tw && k == "collagen_change_pct") print "twin", day, v
    else if (!tw && k == "collagen_change_pct") print "col", day, v
    else if (!tw && k == "improvement_pct") print "imp", day, v
    else if (k == "improvement_low_pct") print "lo", day, v
    else if (k == "improvement_high_pct") print "hi", day, v
    else if (k == "erythema" && day <= 7) print "ery", day, v
}
/"peak_day":/ { gsub(/[",]/, ""); print "peak", 0, $2 }
/"back_to_baseline_day":/ { gsub(/[",]/, ""); print "baseline", 0, $2 }
/"maintenance_interval_days":/ { gsub(/[",]/, ""); print "interval", 0, $2 }
' "$TMP/sim.json" > "$TMP/json.txt"
# The plotted numbers, in the same form.
awk -F, '
FILENAME ~ /improvement.csv$/ && $1 == "line" && $2 == 0 { print "imp", $4, $5 }
FILENAME ~ /improvement.csv$/ && $1 == "band_low" { print "lo", $4, $5 }
FILENAME ~ /improvement.csv$/ && $1 == "band_high" { print "hi", $4, $5 }
FILENAME ~ /improvement.csv$/ && $1 == "note" { print "note", $3, $4 }
FILENAME ~ /improvement.csv$/ && $1 == "marker" { print "marker", $3, $4 }
FILENAME ~ /collagen.csv$/ && $1 == "line" && $2 == 0 { print "col", $4, $5 }
FILENAME ~ /collagen.csv$/ && $1 == "line" && $2 == 1 { print "twin", $4, $5 }
FILENAME ~ /erythema.csv$/ && $1 == "line" { print "ery", $4, $5 }
' "$TMP/fig/improvement.csv" "$TMP/fig/collagen.csv" "$TMP/fig/erythema.csv" > "$TMP/plot.txt"

# Every report-day number is plotted at its day, within 1e-6 relative (the JSON keeps 10
# significant digits, the sidecar 17).
check "plotted series = simulate --json on every report day" awk '
NR == FNR { v[$1 " " $2] = $3; next }
$1 ~ /^(imp|lo|hi|col|twin|ery)$/ {
    n++; key = $1 " " $2
    if (!(key in v)) { print "  not plotted: " key; bad++; next }
    d = v[key] - $3; if (d < 0) d = -d; s = $3 < 0 ? -$3 : $3; if (s < 1) s = 1
    if (d > 1e-6 * s) { print "  " key ": plotted " v[key] ", json " $3; bad++ }
}
END { if (n < 19 * 5 + 6) { print "  only " n " values compared"; bad++ } exit bad > 0 }
' "$TMP/plot.txt" "$TMP/json.txt"

# Sessions on days 0, 28, ..., 140; one maintenance visit an interval after the last session;
# the peak and the return to baseline labelled at the summary's days (the return comes after
# the horizon here, so the figure must run past it).
peak=$(awk '$1 == "peak" { print $3 }' "$TMP/json.txt")
base=$(awk '$1 == "baseline" { print $3 }' "$TMP/json.txt")
interval=$(awk '$1 == "interval" { print $3 }' "$TMP/json.txt")
check "markers: six sessions and the first maintenance" test \
    "$(awk '$1 == "marker" { printf "%s ", $3 }' "$TMP/plot.txt")" = "0 28 56 84 112 140 $((140 + interval)) "
check "peak labelled at the summary's peak day" test "$(awk '$1 == "note" && $2 == 0 { print $3 }' "$TMP/plot.txt")" = "$peak"
check "back to baseline labelled at the summary's day" test "$(awk '$1 == "note" && $2 == 1 { print $3 }' "$TMP/plot.txt")" = "$base"
check "erythema covers the first week only" test "$(awk '$1 == "ery" { n++ } END { print n }' "$TMP/plot.txt")" = 8

# --band 0: no band in the sidecar.
mkdir "$TMP/noband"
expect 0 "" -- "$MNEEDLE" simulate "$SCN" --band 0 --plot "$TMP/noband" -o "$TMP/noband.txt"
check "no band rows without a band" test "$(grep -c '^band_' "$TMP/noband/improvement.csv")" = 0

# Bad --plot: exit 2, no report, no CSV, no figure anywhere.
touch "$TMP/a-file"
expect 2 "not a directory" -- "$MNEEDLE" simulate "$SCN" --plot "$TMP/a-file" -o "$TMP/r.txt" --csv "$TMP/d.csv"
expect 2 "missing" -- "$MNEEDLE" simulate "$SCN" --plot "$TMP/missing" -o "$TMP/r.txt" --csv "$TMP/d.csv"
check "no report after a bad --plot" test ! -e "$TMP/r.txt"
check "no CSV after a bad --plot" test ! -e "$TMP/d.csv"
check "nothing written beside the bad --plot" test ! -e "$TMP/missing"
expect 2 "" -- "$MNEEDLE" simulate "$SCN" --plot
check "no temporary files left" sh -c "! ls -A '$TMP' | grep -q '^\\.'"
finish
