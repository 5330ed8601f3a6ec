#!/bin/bash
# Browser check of the HTML report: Debian's chromium renders it headless, and the screenshot
# must have the window's size and real content (not a blank page), where a blank page rendered
# the same way fails the same check. Then a proceed report and a declined one are laid out at
# a 390 px phone width and measured in the page: no horizontal overflow, the clinic's phone
# shown, no internal code in the visible text; a broken page fails all three. Skipped
# (exit 77) when chromium or python3 is missing.
. "$MN_SOURCE_DIR/tests/cli/lib.sh"
CHROMIUM=${MN_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
    echo "SKIP: $CHROMIUM not found; install Debian's chromium to run the browser check"
    exit 77
fi
if ! command -v python3 >/dev/null; then
    echo "SKIP: python3 not found (needed to read the screenshot)"
    exit 77
fi

W=900 H=800
shot() { # shot PAGE.html OUT.png
    profile=$(mktemp -d "$TMP/profile.XXXXXX")
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
        --window-size=$W,$H --screenshot="$2" "file://$1" >"$TMP/chromium.log" 2>&1
}

# Reads a PNG (8-bit RGB or RGBA, non-interlaced, as chromium writes) with zlib only, and
# prints "WIDTH HEIGHT INK COLOURS BLUE": the fraction of pixels that are not near-white, the
# number of distinct colours and the number of pixels near the report's heading blue #0072B2.
cat >"$TMP/pngstat.py" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6) and interlace == 0, 'unsupported PNG layout'
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
ink = blue = 0
colours = set()
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp * 2):  # every other pixel is enough
        r, g, bb = line[x], line[x + 1], line[x + 2]
        colours.add((r >> 3, g >> 3, bb >> 3))
        if r < 235 or g < 235 or bb < 235: ink += 1
        if abs(r - 0x00) < 40 and abs(g - 0x72) < 40 and abs(bb - 0xB2) < 40: blue += 1
    prev = line
print(w, h, round(ink / (w * h / 2), 4), len(colours), blue)
PY

"$MNEEDLE" plan "$MN_SOURCE_DIR/examples/clients/maya-striae-melasma.json" --report "$TMP/report.html" >/dev/null
check_shot() { # check_shot DESC PNG WANT(content|blank)
    if [ ! -s "$2" ]; then
        echo "FAIL: $1: no screenshot"; sed 's/^/  | /' "$TMP/chromium.log" | tail -5
        fails=$((fails + 1)); return
    fi
    read -r w h ink ncol nblue < <(python3 "$TMP/pngstat.py" "$2")
    echo "$1: ${w}x${h}, ink $ink, $ncol colours, $nblue blue pixels"
    if [ "$w" != "$W" ] || [ "$h" != "$H" ]; then
        echo "FAIL: $1: screenshot is ${w}x${h}, expected ${W}x${H}"; fails=$((fails + 1)); return
    fi
    content=$(python3 -c "import sys; print(int($ink > 0.03 and $ncol > 40 and $nblue > 200))")
    if { [ "$3" = content ] && [ "$content" = 1 ]; } || { [ "$3" = blank ] && [ "$content" = 0 ]; }; then
        passes=$((passes + 1))
    else
        echo "FAIL: $1: expected $3"; fails=$((fails + 1))
    fi
}
shot "$TMP/report.html" "$TMP/report.png"
check_shot "report" "$TMP/report.png" content
# The same check must reject a blank page, or it proves nothing.
printf '<!DOCTYPE html><html><body></body></html>\n' >"$TMP/blank.html"
shot "$TMP/blank.html" "$TMP/blank.png"
check_shot "blank page" "$TMP/blank.png" blank
# Layout at a 390 px phone width, measured in the page: a script appended to a copy of the
# report records the document's scroll width against the window's, the clinic's phone, and
# any internal code in the visible text, in an element that --dump-dom prints.
measure() { # measure PAGE.html WIDTH -> "OVERFLOW PHONE CODE" on stdout
    profile=$(mktemp -d "$TMP/profile.XXXXXX")
    sed 's#</body>#<script>(function(){var d=document.documentElement,t=document.body.innerText;var m=t.match(/\\b(F[0-9]+[a-z]?|MN-[A-Z][A-Z-]*|DESIGN|seed articles?)\\b/);var p=document.createElement("pre");p.id="mn-measure";p.textContent="RESULT "+(d.scrollWidth>window.innerWidth?1:0)+" "+(t.indexOf("+44 161 555 0142")>=0?1:0)+" "+(m?m[0]:"none");document.body.appendChild(p);})();</script></body>#' "$1" >"$TMP/measure.html"
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
        --window-size="$2",800 --dump-dom "file://$TMP/measure.html" 2>"$TMP/chromium.log" |
        grep -o 'RESULT [01] [01] [^<]*' | cut -d' ' -f2-
}
check_layout() { # check_layout DESC PAGE WANT_OVERFLOW WANT_PHONE WANT_CODE
    read -r overflow phone code < <(measure "$2" 390)
    echo "$1 at 390 px: overflow=$overflow phone=$phone code=$code"
    if [ "$overflow" = "$3" ] && [ "$phone" = "$4" ] && [ "$code" = "$5" ]; then
        passes=$((passes + 1))
    else
        echo "FAIL: $1: expected overflow=$3 phone=$4 code=$5"; fails=$((fails + 1))
    fi
}
"$MNEEDLE" plan "$MN_SOURCE_DIR/examples/clients/george-keloid.json" --report "$TMP/declined.html" >/dev/null
check_layout "proceed report" "$TMP/report.html" 0 1 none
check_layout "declined report" "$TMP/declined.html" 0 1 none
# Each check must be able to fail: a page too wide for a phone, without the phone, with a code.
printf '<!DOCTYPE html><html><body><table style="width:900px"><tr><td>MN-KELOID</td></tr></table></body></html>\n' >"$TMP/broken.html"
check_layout "broken page" "$TMP/broken.html" 1 0 MN-KELOID
finish
