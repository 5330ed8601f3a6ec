#!/usr/bin/env bash
# The text table rounds each figure to what its band supports, but never so that a cumulative
# column falls while the amount rises, nor so that it reaches the dose (or 100 %) while some is
# still on the surface; the band's bounds carry the central value's figures; and the
# mass-balance sentences add up to three figures.
. "$MN_SOURCE_DIR/tests/cli/lib.sh"

sc() { # sc NAME DEVICE NEEDLE PASSES PRODUCT CONC
    cat > "$TMP/$1.json" <<JSON
{"site": "cheek", "patient": {"age": 45, "sex": "female", "fitzpatrick": 3},
 "device": "$2", "needle_mm": $3, "passes": $4,
 "product": {"name": "$5", "concentration_mg_ml": $6, "dose_ul_cm2": 10},
 "occluded": false, "hours": 24, "report_hours": [1, 6, 24]}
JSON
    "$MNEEDLE" absorb "$TMP/$1.json" > "$TMP/$1.txt" || { echo "FAIL: $1 text"; fails=$((fails + 1)); }
    "$MNEEDLE" absorb "$TMP/$1.json" --json > "$TMP/$1.out.json" || { echo "FAIL: $1 json"; fails=$((fails + 1)); }
}
sc nia home-roller 0.25 10 niacinamide 50
sc pal dermapen-4 0.25 2 palmitoyl-pentapeptide-4 0.03
sc ha dermaroller-192 2.0 5 hyaluronic-acid-5kda 10

expect 0 "" -- python3 - "$TMP" <<'PY'
import json, re, sys
d = sys.argv[1]
def sig(s):
    return len(s.split("e")[0].lstrip("-").replace(".", "").lstrip("0").rstrip("0")) or 1
for name in ("nia", "pal", "ha"):
    text = open(f"{d}/{name}.txt").read()
    res = json.load(open(f"{d}/{name}.out.json"))
    dose = res["dose_ug_cm2"]
    rows = re.findall(r"^ +(\d+(?:\.\d+)?) +(\S+) +\((\S+)-(\S+?)\)\*? .* (\S+)$", text, re.M)
    assert len(rows) == len(res["samples"]), (name, rows)
    prev = None
    for (h, dl, lo, hi, pct), smp in zip(rows, res["samples"]):
        v = smp["delivered_ug_cm2"]
        for shown, true, cap in ((float(dl), v, dose), (float(pct), 100 * v / dose, 100)):
            if true < cap * (1 - 1e-9):
                assert shown < cap, (name, h, shown, true, cap)
        if prev is not None:
            pv, pdl, ppct = prev
            if v >= pv:
                assert float(dl) >= pdl and float(pct) >= ppct, (name, h, dl, pct, prev)
        prev = (v, float(dl), float(pct))
        # the band's bounds at the central value's figures (none finer)
        # (the upper one may need more where those figures would round it to the dose)
        n = max(sig(dl), 1)
        hi_at_n = float(f"{float(hi):.{n}g}")
        assert sig(lo) <= n or "e" in dl, (name, h, dl, lo, hi)
        assert sig(hi) <= n or hi_at_n >= dose or "e" in dl, (name, h, dl, lo, hi)
        assert float(hi) < dose or smp["band"]["delivered_high_ug_cm2"] >= dose, (name, h, hi)
    last = res["samples"][-1]
    m = re.search(r"At [0-9.]+ h: ([0-9.e+-]+)% of the dose has crossed the stratum corneum"
                  r"\s+\(([0-9.e+-]+) ug/cm2\s+in the viable epidermis,\s+([0-9.e+-]+) in the dermis,"
                  r"\s+([0-9.e+-]+) ", text)
    assert m, (name, text)
    pct = float(m.group(1))
    parts = sum(float(g) for g in m.groups()[1:])
    assert abs(pct - 100 * last["delivered_ug_cm2"] / dose) <= 0.0051 * pct, (name, m.group(0))
    assert abs(100 * parts / dose - pct) <= 0.0051 * pct, (name, m.group(0))
    # what "went in" is: crossed + held in the SC, and the SC figure is printed
    mg = re.search(r"([0-9.e+-]+)% of the dose went\s+in", text)
    sc = re.search(r"([0-9.e+-]+) ug/cm2 (?:is )?held in the stratum corneum", text)
    assert mg and sc, (name, text)
    assert abs(float(mg.group(1)) - pct - 100 * float(sc.group(1)) / dose) <= 0.011 * float(mg.group(1)), (name, mg.group(0), sc.group(0))
PY
finish
