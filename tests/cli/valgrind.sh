# Valgrind (memcheck) on the CLI: the plan, as JSON and as text, for every example, its
# figures and HTML report for one, a catalogue listing, a cohort run as two shards and merged, and the error paths of bad input: no invalid read or write, no use of
# uninitialised memory, no definite or indirect leak. MN_VALGRIND_FULL=1 adds screen on every
# example and every catalogue listing (about twice as long). Skipped (passes, saying so) when valgrind is not installed or
# the binary is built with AddressSanitizer (the two cannot run together; the asan preset
# covers the same ground).
. "$(dirname "$0")/lib.sh"
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind not installed: skipped"; exit 0
fi
if ldd "$MNEEDLE" 2>/dev/null | grep -q 'libasan\|libubsan' || nm "$MNEEDLE" 2>/dev/null | grep -q __asan_init; then
    echo "sanitizer build: skipped (valgrind runs on the dev and release builds)"; exit 0
fi
# With the wait policy unset the command sets it and starts itself again (cli/main.c), and
# valgrind does not follow exec by default: set it, so valgrind checks the whole run.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
EX="$MN_SOURCE_DIR/examples/clients"

# expect's pattern is empty: the exit code says it all (99 = a valgrind error).
full=${MN_VALGRIND_FULL:-0}
for f in "$EX"/*.json; do
    expect 0 "" -- $VG "$MNEEDLE" plan --json --years 3 "$f"
    expect 0 "" -- $VG "$MNEEDLE" plan "$f"
    [ "$full" = 1 ] && expect 0 "" -- $VG "$MNEEDLE" screen "$f"
done
lists="concerns"
[ "$full" = 1 ] && lists="devices sites concerns products rules"
for what in $lists; do
    expect 0 "" -- $VG "$MNEEDLE" catalog --json "$what"
done
expect 0 "" -- $VG "$MNEEDLE" plan -o "$TMP/plan.txt" "$EX/amelia-wrinkles.json"
# The figures and the HTML report (cairo, fontconfig).
mkdir "$TMP/figures"
expect 0 "" -- $VG "$MNEEDLE" plan --plot "$TMP/figures" --report "$TMP/report.html" "$EX/maya-striae-melasma.json"

# Error paths: each must exit 2 (input) or 1 (runtime), not 99.
printf '{"client": {"age": 300}}' > "$TMP/bad.json"
expect 2 "out of range" -- $VG "$MNEEDLE" plan "$TMP/bad.json"
printf '{"client": ' > "$TMP/trunc.json"
expect 2 "malformed JSON" -- $VG "$MNEEDLE" screen "$TMP/trunc.json"
mkdir "$TMP/data"
printf '{"sites": [{"id": "cheek"}]}' > "$TMP/data/sites.json"
expect 2 "sites.json" -- $VG "$MNEEDLE" catalog --data "$TMP/data" sites
expect 2 "cannot create" -- $VG "$MNEEDLE" plan -o /nonexistent-dir/p.txt "$EX/amelia-wrinkles.json"
# A cohort in two shards and their merge, and a refused merge (parts are read by their own
# loader).
TR="$MN_SOURCE_DIR/examples/trials/lotfi-2013-acne-scars.json"
for k in 1 2; do
    expect 0 "" -- $VG "$MNEEDLE" cohort "$TR" --n 12 --threads 1 --shard $k/2 --patients \
        -o "$TMP/part-$k.json"
done
expect 0 "" -- $VG "$MNEEDLE" merge --json --csv "$TMP/m.csv" "$TMP/part-1.json" "$TMP/part-2.json"
expect 2 "both shard 1/2" -- $VG "$MNEEDLE" merge "$TMP/part-1.json" "$TMP/part-1.json"
finish
