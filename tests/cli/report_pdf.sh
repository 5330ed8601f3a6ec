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

# The PDF gets the mode of every other output (0666 less the umask), not mkstemp's 0600:
# checked with a stand-in weasyprint that writes a minimal PDF, so it runs without the real one.
mkdir -p "$TMP/fake-bin"
printf '#!/bin/sh\nprintf "%%%%PDF-1.4 stand-in\\n" >"$2"\n' >"$TMP/fake-bin/weasyprint"
chmod +x "$TMP/fake-bin/weasyprint"
for mask in 022 027; do
    rm -f "$TMP/m.pdf" "$TMP/m.txt"
    (umask "$mask" && PATH="$TMP/fake-bin:$PATH" "$MNEEDLE" plan "$EX/amelia-wrinkles.json" --report "$TMP/m.pdf" -o "$TMP/m.txt") 2>"$TMP/err"
    want=$(printf '%o' $((0666 & ~0$mask)))
    check "umask $mask: PDF mode $(stat -c %a "$TMP/m.pdf" 2>/dev/null), expected $want as the plan's ($(stat -c %a "$TMP/m.txt" 2>/dev/null))" \
        test "$(stat -c %a "$TMP/m.pdf" 2>/dev/null)" = "$want" -a "$(stat -c %a "$TMP/m.txt" 2>/dev/null)" = "$want"
done
rm -rf "$TMP/fake-bin" "$TMP/m.pdf" "$TMP/m.txt"

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
