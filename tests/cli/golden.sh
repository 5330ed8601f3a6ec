#!/bin/bash
# Golden outputs: every bundled example run through its command (text, --json, CSV, and for
# clients the HTML report and the SVG/CSV figures) must match tests/golden/ byte for byte, so a
# change that should not move any output is proved not to. A change that moves one on purpose
# regenerates them with MN_GOLDEN_UPDATE=1 and its commit says which lines changed and why.
. "$MN_SOURCE_DIR/tests/cli/lib.sh"
G="$MN_SOURCE_DIR/tests/golden"
# Plans state the date they were prepared: fixed here (2026-11-01) so outputs are reproducible,
# before every example client's start, as a plan is prepared ahead of the course it books (a
# start already past draws start_before_prepared, tests/cli/plan_clinic.sh).
export SOURCE_DATE_EPOCH=1793491200
EX="$MN_SOURCE_DIR/examples"

# The mass-balance error is rounding noise (1e-15 here, another last digit under other compiler
# flags such as the sanitizer build); its bound is the numerical tests' business. Below 1e-10 it
# is compared as "~", so the goldens still catch a balance that goes wrong.
roundoff() {
    sed -E 's/((mass_balance_error": |Mass balance error )-?[0-9.]+e-(1[0-9]|[2-9][0-9]))/~/' "$1"
}

# golden NAME COMMAND...: runs the command (output in $TMP/run/, stdout to NAME) and compares
# NAME and every file the command wrote with the golden copies.
golden() {
    local name=$1 f want; shift
    rm -rf "$TMP/run"; mkdir -p "$TMP/run"
    if ! (cd "$TMP/run" && "$@" >"$TMP/run/$name" 2>"$TMP/err"); then
        echo "FAIL: $name: exit status $?: $*"; sed 's/^/  | /' "$TMP/err" | head -5
        fails=$((fails + 1)); return
    fi
    # A bundled example shows good use: it draws no warning about its own input (trials
    # reproduce published protocols as published, so theirs may: allow_warning=1).
    # A plan's own warnings are in its text ("Warning: ..."), not on stderr.
    if [ -z "${allow_warning:-}" ] && { grep -q "warning:" "$TMP/err" ||
        grep -q "^Warning: " "$TMP/run/$name"; }; then
        echo "FAIL: $name: the example draws a warning: $*"; grep "warning:" "$TMP/err" |
            head -3 | cut -c1-240 | sed 's/^/  | /'
        fails=$((fails + 1))
    fi
    for f in $(cd "$TMP/run" && find . -type f | sort); do
        f=${f#./}
        want="$G/${f//\//__}"
        [ "$f" = "$name" ] || want="$G/$name--${f//\//__}"
        if [ -n "${MN_GOLDEN_UPDATE:-}" ]; then
            cp "$TMP/run/$f" "$want"; passes=$((passes + 1)); continue
        fi
        if cmp -s "$TMP/run/$f" "$want" ||
            cmp -s <(roundoff "$TMP/run/$f") <(roundoff "$want"); then
            passes=$((passes + 1))
        else
            echo "FAIL: $name: $f differs from ${want#$MN_SOURCE_DIR/}"
            diff "$want" "$TMP/run/$f" 2>&1 | head -8 | cut -c1-240 | sed 's/^/  | /'
            fails=$((fails + 1))
        fi
    done
}

for what in devices sites concerns products rules; do
    golden "catalog-$what.txt" "$MNEEDLE" catalog "$what"
    golden "catalog-$what.json" "$MNEEDLE" catalog "$what" --json
done
for f in "$EX"/clients/*.json; do
    c=$(basename "$f" .json)
    golden "screen-$c.txt" "$MNEEDLE" screen "$f"
    golden "screen-$c.json" "$MNEEDLE" screen "$f" --json
    golden "plan-$c.txt" "$MNEEDLE" plan "$f" --plot . --report report.html
    golden "plan-$c.json" "$MNEEDLE" plan "$f" --json --years 3
done
for f in "$EX"/scenarios/*.json; do
    s=$(basename "$f" .json)
    cmd=${s%%-*}
    golden "$s.txt" "$MNEEDLE" "$cmd" "$f" --csv out.csv
    golden "$s.json" "$MNEEDLE" "$cmd" "$f" --json
done
golden "absorb-field-niacinamide-field.json" "$MNEEDLE" absorb \
    "$EX/scenarios/absorb-field-niacinamide.json" --field --json
# A sensitivity example may warn about its own run (docs/sensitivity.md, Warnings): the
# maintenance interval sits at its 12-month bound for most people, and the quick example's
# N = 256 leaves an interval past 1; those warnings are part of the output under test.
allow_warning=1
for f in "$EX"/sensitivity/*.json; do
    s=$(basename "$f" .json)
    golden "sensitivity-$s.txt" "$MNEEDLE" sensitivity "$f" --csv out.csv --plot fig.svg
done
# Trials too: e.g. Alster & Li's 2 mm on the abdomen, past the planner's anatomy cap.
for f in "$EX"/trials/*.json; do
    t=$(basename "$f" .json)
    golden "cohort-$t.txt" "$MNEEDLE" cohort "$f"
    golden "cohort-$t.json" "$MNEEDLE" cohort "$f" --json
done
finish
