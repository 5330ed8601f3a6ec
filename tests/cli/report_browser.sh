#!/bin/bash
# Browser check of the HTML report: Debian's chromium renders it headless, and the screenshot
# must have the window's size and real content (not a blank page), where a blank page rendered
# the same way fails the same check. Then a proceed report and a declined one are laid out at
# a 390 px phone width and measured in the page: no horizontal overflow, the clinic's phone
# shown, no internal code in the visible text; a broken page fails all three. Last, both are
# printed on A4 by chromium and the PDF's pages read with poppler's pdftotext: no box splits
# across pages and the aftercare sheet is one page of its own; pages built to split a box or
# overflow the sheet fail. Skipped (exit 77) when chromium, python3 or pdftotext is missing.
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
if ! command -v pdftotext >/dev/null || ! command -v pdfinfo >/dev/null; then
    echo "SKIP: pdftotext/pdfinfo not found; install Debian's poppler-utils (scripts/deps.sh)"
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

# Print on A4. print_check.py marks each box that must not split (the report's
# break-inside:avoid list: .box .card .answer .flags .sim figure tr li h3 .zones), each h2
# with what follows it, and the aftercare sheet with two absolutely positioned markers at its
# top and bottom edge (in every cell of a table row), which take no room in the layout;
# chromium prints the page to PDF and pdftotext reads the markers page by page. A box is split
# when its markers are on different pages; a box whose markers are missing from the PDF
# fails too, so a page that lost its markers cannot pass.
cat >"$TMP/print_check.py" <<'PY'
# print_check.py CHROMIUM PAGE.html WORKDIR: prints PAGE on A4 with chromium, reads the PDF's
# pages with poppler's pdftotext, and checks that no box is split across pages and that the
# aftercare sheet, when there is one, is one page of its own. Prints one line of figures and
# the boxes that fail; exit 0 when all hold, 1 otherwise.
import os, re, subprocess, sys, tempfile
chromium, page, work = sys.argv[1:4]
# Boxes that must not split (the report's break-inside:avoid list), each heading with what
# follows it, and the aftercare sheet. Two absolutely positioned markers per box, at its top
# and bottom edge (for a table row, in each cell), take no room in the layout; pdftotext finds
# them on the pages they print on. A legend of the boxes goes into the DOM for --dump-dom.
JS = r"""(function(){
var boxes=[];
document.querySelectorAll(".box,.card,.answer,.flags,.sim,figure,tr,li,h3,.zones,.sheet").forEach(function(e){boxes.push({el:e,hosts:e.tagName==="TR"?Array.prototype.slice.call(e.cells):[e],end:null});});
document.querySelectorAll("h2").forEach(function(h){var n=h.nextElementSibling;if(n)boxes.push({el:h,hosts:[h],end:n});});
function mark(host,text,edge){var s=document.createElement("span");s.textContent=text;
s.setAttribute("style","position:absolute;left:0;"+edge+":0;font:4px/1 monospace;color:#fff;white-space:nowrap;margin:0;padding:0;border:0");
if(getComputedStyle(host).position==="static")host.style.position="relative";host.appendChild(s);}
var legend=[];
boxes.forEach(function(b,i){
 b.hosts.forEach(function(h){mark(h,"QZS"+i+"ZQ","top");if(!b.end)mark(h,"QZE"+i+"ZQ","bottom");});
 if(b.end)mark(b.end,"QZE"+i+"ZQ","top");
 var e=b.el,sheet=e.closest(".sheet")?1:0,shown=e.closest(".noprint")?0:1,kind=e.tagName.toLowerCase()+(e.className?"."+e.className.trim().replace(/\s+/g,"."):"")+(b.end?"+next":"");
 legend.push(i+" "+sheet+" "+shown+" "+kind+" "+(e.textContent||"").replace(/QZ[SE][0-9]+ZQ/g,"").replace(/\s+/g," ").trim().slice(0,50));});
var l=document.createElement("script");l.type="text/plain";l.id="mn-legend";l.textContent="\n"+legend.join("\n")+"\n";document.body.appendChild(l);
})();"""
html = open(page, encoding="utf-8").read()
assert "</body>" in html, page + ": no </body>"
marked = os.path.join(work, "marked.html")
open(marked, "w", encoding="utf-8").write(html.replace("</body>", "<script>" + JS + "</script></body>", 1))
pdf = os.path.join(work, "marked.pdf")
def browser(*args):
    profile = tempfile.mkdtemp(dir=work)
    return subprocess.run(["timeout", "120", chromium, "--headless", "--no-sandbox", "--disable-gpu",
                           "--disable-background-networking", "--disable-component-update",
                           "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
                           *args, "file://" + marked], capture_output=True, text=True)
browser("--no-pdf-header-footer", "--print-to-pdf=" + pdf)
dom = browser("--dump-dom").stdout
m = re.search(r'<script type="text/plain" id="mn-legend">(.*?)</script>', dom, re.S)
if not m or not os.path.exists(pdf):
    print("FAIL: chromium gave no", "legend" if not m else "PDF"); sys.exit(1)
legend = {}
for line in m.group(1).strip().split("\n"):
    i, sheet, shown, kind, *text = line.split(" ", 4)
    legend[int(i)] = (int(sheet), int(shown), kind, text[0] if text else "")
info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
n = int(re.search(r"Pages:\s+(\d+)", info).group(1))
w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
where = {}   # box -> {"S": pages, "E": pages}
on_page = {}  # page -> boxes with a marker there
for p in range(1, n + 1):
    text = subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), pdf, "-"],
                          capture_output=True, text=True).stdout
    for kind, i in re.findall(r"QZ([SE])(\d+)ZQ", text):
        where.setdefault(int(i), {"S": set(), "E": set()})[kind].add(p)
        on_page.setdefault(p, set()).add(int(i))
bad = []
for i, (sheet, shown, kind, text) in sorted(legend.items()):
    d = where.get(i)
    if not d:
        if shown:
            bad.append("box %d %s not found in the PDF: %s" % (i, kind, text))
        continue
    pages = d["S"] | d["E"]
    if not d["S"] or not d["E"] or len(pages) != 1:
        bad.append("split: %s starts on page %s, ends on page %s: %s"
                   % (kind, sorted(d["S"]), sorted(d["E"]), text))
sheets = [i for i, v in legend.items() if v[2].startswith("section.sheet")]
sheet_pages = "-"
for i in sheets:
    pages = where.get(i, {"S": set(), "E": set()})
    pages = pages["S"] | pages["E"]
    sheet_pages = ",".join(map(str, sorted(pages)))
    for p in pages:
        others = [legend[k] for k in on_page.get(p, ()) if not legend[k][0]]
        if others:
            bad.append("the aftercare sheet shares page %d with: %s" % (p, "; ".join(
                o[2] + " " + o[3] for o in others[:3])))
a4 = abs(w - 595.3) < 2 and abs(h - 841.9) < 2
if not a4:
    bad.append("page size %.1f x %.1f pt, not A4" % (w, h))
print("pages %d, A4 %d, boxes %d, split %d, aftercare sheet on page %s" % (
    n, a4, len(legend), sum(b.startswith("split") for b in bad), sheet_pages))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
check_print() { # check_print DESC PAGE WANT(0 pass|1 fail) [PATTERN the output must match]
    work=$(mktemp -d "$TMP/print.XXXXXX")
    python3 "$TMP/print_check.py" "$CHROMIUM" "$2" "$work" >"$TMP/print.out" 2>&1
    got=$?
    echo "$1 on A4: $(head -1 "$TMP/print.out")"
    if [ "$got" -ne "$3" ] || { [ -n "${4:-}" ] && ! grep -Eq -- "$4" "$TMP/print.out"; }; then
        echo "FAIL: $1 on A4: exit $got, expected $3${4:+ with /$4/}"
        sed 's/^/  | /' "$TMP/print.out" | head -8; fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
}
check_print "proceed report" "$TMP/report.html" 0 'aftercare sheet on page [0-9]+$'
check_print "declined report" "$TMP/declined.html" 0 'split 0, aftercare sheet on page -'
# The check must fail on a box that splits: a box of 30 lines below 230 mm of other content
# with break-inside left at auto splits, and the same box with break-inside:avoid does not.
split_page() { # split_page BREAK-INSIDE OUT
    {
        printf '<!DOCTYPE html><html><head><style>@page{size:A4;margin:14mm 12mm}'
        printf '.box{border:1px solid #000;break-inside:%s}</style></head><body>' "$1"
        printf '<div style="height:230mm">filler</div><div class="box">'
        for i in $(seq 30); do printf 'line %d of the box<br>' "$i"; done
        printf '</div></body></html>\n'
    } >"$2"
}
split_page auto "$TMP/split.html"
check_print "page built to split a box" "$TMP/split.html" 1 'split: div.box starts on page \[1\], ends on page \[2\]'
split_page avoid "$TMP/kept.html"
check_print "the same box kept whole" "$TMP/kept.html" 0 'split 0'
# ... and on an aftercare sheet longer than a page, or sharing its page.
{
    printf '<!DOCTYPE html><html><head><style>@page{size:A4}.sheet{break-before:page}'
    printf '</style></head><body><p>before</p><section class="sheet"><h2>Aftercare sheet</h2>'
    for i in $(seq 80); do printf '<p>advice %d</p>' "$i"; done
    printf '</section><p>after</p></body></html>\n'
} >"$TMP/longsheet.html"
check_print "aftercare sheet over two pages" "$TMP/longsheet.html" 1 'split: section.sheet'
{
    printf '<!DOCTYPE html><html><head><style>@page{size:A4}</style></head><body>'
    printf '<p>before</p><section class="sheet"><h2>Aftercare sheet</h2><p>advice</p></section>'
    printf '<ol><li>a reference on the same page</li></ol></body></html>\n'
} >"$TMP/sharedsheet.html"
check_print "aftercare sheet sharing its page" "$TMP/sharedsheet.html" 1 'shares page 1 with: li'
finish
