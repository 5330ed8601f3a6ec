# End-to-end: the examples the --help texts give run as written. A command's example block
# (the indented lines after "Example:" or "Examples:") runs as one shell script in a fresh
# folder holding examples/, "mneedle" being the binary under test, so "db init" then
# "client add" work as a reader would type them. Blocks that need what the reader brings
# are listed with the reason; a block neither run nor listed fails, so a new example is
# either runnable or says why not. An example that draws a warning fails too.
. "$(dirname "$0")/lib.sh"
brings() {
    case $1 in
    evidence | validate) echo "a folder of one's own studies or a fit of one's own" ;;
    record | history | replan | recall | export | import) echo "a clinic database with clients and their files" ;;
    serve) echo "a server that runs until stopped (tests/cli/serve.sh)" ;;
    db) echo "a database and backup files of one's own (tests/cli/records.sh)" ;;
    *) return 1 ;;
    esac
}
block() { awk '/^Examples?( \(.*\))?:$/{f=1;next} f&&/^$/{f=0} f'; }
run_block() { # NAME: runs $TMP/block, counts it
    dir="$TMP/run-$1"
    mkdir "$dir"
    ln -s "$MN_SOURCE_DIR/examples" "$dir/examples"
    { echo 'mneedle() { "$MNEEDLE" "$@"; }'; echo 'set -e'; cat "$TMP/block"; } > "$dir/example.sh"
    if (cd "$dir" && bash example.sh) > "$TMP/out" 2>&1; then
        passes=$((passes + 1)); ran=$((ran + 1))
        # A reader's first run should be clean: an example that draws a warning (a start
        # date already past, a setting beyond a cap) teaches the wrong habit. Sensitivity's
        # warnings are about the analysis itself (docs/sensitivity.md, Warnings: an output at
        # its 12-month bound for most people, an interval past 1 at a quick N), as in
        # tests/cli/golden.sh; any other warning there still fails.
        if grep -E '[Ww]arning:' "$TMP/out" |
            { [ "$1" = sensitivity ] && grep -Ev '^Warning: [a-z0-9_]+: (with N = [0-9]+ the 95 % intervals|[0-9]+ % of the [0-9]+ evaluations)'; } ||
            { [ "$1" != sensitivity ] && grep -Eq '[Ww]arning:' "$TMP/out"; }; then
            echo "FAIL: the example of $1 --help draws a warning:"; sed 's/^/  > /' "$TMP/block"
            grep -E '[Ww]arning:' "$TMP/out" | sed 's/^/  | /' | head -3
            fails=$((fails + 1))
        fi
    else
        echo "FAIL: the example of $1 --help:"; sed 's/^/  > /' "$TMP/block"
        sed 's/^/  | /' "$TMP/out" | tail -5
        fails=$((fails + 1))
    fi
}
ran=0
for c in catalog screen plan simulate absorb cohort merge sensitivity evidence validate client \
    record history replan recall export import serve db; do
    "$MNEEDLE" "$c" --help | block > "$TMP/block"
    [ -s "$TMP/block" ] || continue
    brings "$c" > /dev/null && continue
    run_block "$c"
done
"$MNEEDLE" --help | block > "$TMP/block"
run_block main
# No --help names a file of the source tree's data/ folder, which an installed copy does not
# have (the catalogues are built into the binary): it names the command that shows the content
# ('mneedle catalog ...') or the installed documentation (docs/...). Every command the main
# --help lists is checked, so a new one is too, and the main --help itself.
helps=0
for c in main $("$MNEEDLE" --help | awk '/^Commands:$/{f=1;next} f&&/^$/{f=0} f{print $1}'); do
    if [ "$c" = main ]; then "$MNEEDLE" --help; else "$MNEEDLE" "$c" --help; fi > "$TMP/help" 2>&1
    helps=$((helps + 1))
    if grep -n 'data/' "$TMP/help" > "$TMP/data_paths"; then
        echo "FAIL: $c --help names a file of data/:"; sed 's/^/  | /' "$TMP/data_paths"
        fails=$((fails + 1))
    fi
    # A catalogue column is named, not quoted with its value: a number copied from the
    # catalogue into a help (plan's "PASSES: 15" for the rollers) goes stale when it changes.
    if grep -nE "'mneedle catalog [a-z]+', [A-Z ]+: [0-9]" "$TMP/help" > "$TMP/copied"; then
        echo "FAIL: $c --help copies a catalogue value:"; sed 's/^/  | /' "$TMP/copied"
        fails=$((fails + 1))
    fi
done
if [ "$helps" -lt 20 ]; then echo "FAIL: only $helps --help texts checked for data/"; fails=$((fails + 1)); fi
# The main --help lists the commands in two columns: every summary starts in one column, at
# least two spaces after the longest name ("sensitivity" once ran into its summary).
"$MNEEDLE" --help | awk '/^Commands:$/{f=1;next} f&&/^$/{f=0} f' > "$TMP/commands"
cols=$(awk '{ match($0, /^  [a-z]+ +/); print RLENGTH }' "$TMP/commands" | sort -u)
short=$(awk '{ match($0, /^  [a-z]+/); if (RLENGTH + 2 > n) n = RLENGTH + 2 } END { print n }' "$TMP/commands")
if [ "$(echo "$cols" | wc -l)" -ne 1 ] || [ "$cols" -lt "$short" ] || [ "$(wc -l < "$TMP/commands")" -lt 19 ]; then
    echo "FAIL: the main --help's command summaries do not start in one column:"
    sed 's/^/  | /' "$TMP/commands"
    fails=$((fails + 1))
fi
# Something was run: plan, simulate, merge, sensitivity, client and the main --help.
if [ "$ran" -lt 6 ]; then echo "FAIL: only $ran example blocks ran"; fails=$((fails + 1)); fi
finish
