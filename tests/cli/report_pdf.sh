#!/bin/bash
# `mneedle plan --report FILE.pdf`: with WeasyPrint installed, a real PDF of several A4 pages;
# without it, exit 1 with a message that says how to get it, and no file. Both paths are
# tested: the second by hiding weasyprint from PATH.
. "$MN_SOURCE_DIR/tests/cli/lib.sh"
EX="$MN_SOURCE_DIR/examples/clients"
check() { desc=$1; shift; if "$@"; then passes=$((passes + 1)); else echo "FAIL: $desc"; fails=$((fails + 1)); fi; }

mkdir -p "$TMP/empty-bin"
expect 1 "apt-get install weasyprint" -- env PATH="$TMP/empty-bin" "$MNEEDLE" plan "$EX/amelia-wrinkles.json" --report "$TMP/none.pdf"
check "no PDF without weasyprint" test ! -e "$TMP/none.pdf"
check "no temporary file left" bash -c "[ -z \"\$(ls -A '$TMP' | grep -v -e '^empty-bin$' -e '^out$' -e '^err$')\" ]"

if ! command -v weasyprint >/dev/null; then
    echo "SKIP: weasyprint not installed (Debian package weasyprint); the PDF itself is not checked"
    finish || exit 1
    exit 77
fi
expect 0 "" -- "$MNEEDLE" plan "$EX/maya-striae-melasma.json" --report "$TMP/maya.pdf"
check "PDF signature" test "$(head -c 5 "$TMP/maya.pdf")" = "%PDF-"
pages=$(grep -ac '/Type /Page\b' "$TMP/maya.pdf")
check "several pages (got $pages)" test "$pages" -ge 2
check "A4 pages" grep -aq 'MediaBox \[ *0 0 595' "$TMP/maya.pdf"
finish
