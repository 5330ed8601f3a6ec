# The HTML report (plan --report) carries what the text plan says about the course's timing, in
# the same words: the "Course spacing" heading and each of its lines (the days between a
# zone's course sessions as booked, src/report/html_util.c), and every sentence of the text's
# "How long will it last?" that says when the skin is back at its starting (pre-treatment)
# level, with its 10-90 % range, or when half of the gain is lost (to the half-year past the
# evidence's follow-up in both, docs/models/healing.md); and every line of the text's "Risks" (the PIH chance first,
# src/clinic/plan.c) as a list item of the report's risks, with the PIH label the line names
# in the report's own sentence. Run on every bundled client; the clients must between them
# give an even spacing, an uneven one and a baseline range, so the checks meet each kind.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
export SOURCE_DATE_EPOCH=1793491200 # the goldens' day (tests/cli/golden.sh): no start in the past

for f in "$MN_SOURCE_DIR"/examples/clients/*.json; do
    name=$(basename "$f" .json)
    "$MNEEDLE" plan "$f" -o "$TMP/$name.txt" --report "$TMP/$name.html" 2>/dev/null
done

expect 0 "stdout:^ok" -- "$PY" - "$TMP" <<'PY'
import glob, html, os, re, sys

def words(s):
    return " ".join(s.split())

def page_text(path):
    # The page's text as a reader sees it: tags gone, entities read, whitespace collapsed;
    # list items and paragraphs kept apart.
    h = open(path, encoding="utf-8").read()
    h = re.sub(r"<(li|p|br|tr|td|th|div|h[1-6])\b[^>]*>", "\n", h)
    h = re.sub(r"<[^>]+>", "", h)
    return [words(html.unescape(l)) for l in h.split("\n")]

even = uneven = ranges = risks = halves = 0
for txt in sorted(glob.glob(os.path.join(sys.argv[1], "*.txt"))):
    name = os.path.basename(txt)[:-4]
    text = open(txt, encoding="utf-8").read()
    page = page_text(txt[:-4] + ".html")
    whole = " ".join(page)
    if "\nRisks\n" in text:
        for l in text[text.index("\nRisks\n") + 7:].split("\n"):
            if not l.startswith("  - "):
                break
            assert words(l[4:]) in page, (name, l)
            risks += 1
            m = re.match(r"  - Pigmentation \(PIH\) risk (\w+):", l)
            if m:
                said = "post-inflammatory hyperpigmentation): %s." % m.group(1)
                assert said in whole, (name, said)
    if "Course spacing" not in text:
        assert "Course spacing" not in whole, name  # no course: no spacing either
        continue
    lines = text[text.index("  Course spacing"):].split("\n")
    head = lines[0].strip()
    assert head in page, (name, head)
    spacing = []
    for l in lines[1:]:
        if not l.startswith("    "):
            break
        spacing.append(words(l))
    assert spacing, name
    # Each line as its own list item, in the text's order.
    at = [page.index(l) if l in page else -1 for l in spacing]
    assert -1 not in at, (name, [l for l, i in zip(spacing, at) if i < 0])
    assert at == sorted(at) and at[0] == page.index(head) + 1, (name, at)
    even += sum("every" in l for l in spacing)
    uneven += sum("the interval is" in l for l in spacing)
    # The back-to-baseline sentences of "How long will it last?", range included.
    lasting = words(text[text.index("How long will it last?"):text.index("\nRisks")])
    for m in re.finditer(r"back (?:at|to) (?:its|the) (?:starting|pre-treatment) level[^.;]*",
                         lasting):
        said = m.group(0).strip()
        assert said in whole, (name, said)
        ranges += bool(re.search(r"starting level \d+-\d+ years", said))
    for m in re.finditer(r"half of (?:it|the gain) is lost (?:[^.;,]|\.\d)*", lasting):
        said = m.group(0).strip()
        assert said in whole, (name, said)
        halves += 1
assert even and uneven and ranges and risks and halves, (even, uneven, ranges, risks, halves)
print("ok", even, uneven, ranges, risks, halves)
PY

finish
