# docs/sensitivity-healing.md and its two figures are the output of
# scripts/sensitivity_healing.py (Sobol' indices of the reference course over the posterior,
# from the committed SPECs examples/sensitivity/healing-posterior*.json): regenerated here with
# the same command and compared byte for byte, so a new posterior, a model change or an edited
# SPEC that moves a number fails until the page is regenerated.
. "$(dirname "$0")/lib.sh"

expect 0 "" -- /usr/bin/python3 "$MN_SOURCE_DIR/scripts/sensitivity_healing.py" \
    --mneedle "$MNEEDLE" --out "$TMP/doc"
for f in sensitivity-healing.md sensitivity-healing.svg sensitivity-healing-person.svg; do
    if cmp -s "$TMP/doc/$f" "$MN_SOURCE_DIR/docs/$f"; then
        passes=$((passes + 1))
    else
        echo "FAIL: docs/$f is not the output of scripts/sensitivity_healing.py (regenerate it"
        echo "      with scripts/sensitivity_healing.py --mneedle build/release/mneedle and say"
        echo "      why in the commit):"
        diff "$MN_SOURCE_DIR/docs/$f" "$TMP/doc/$f" 2>&1 | head -20
        fails=$((fails + 1))
    fi
done

# The page reports every input of each SPEC for each of the three outputs, with intervals.
expect 0 "" -- /usr/bin/python3 - "$TMP/doc/sensitivity-healing.md" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for out in ("peak_improvement_pct", "durability_days", "maintenance_interval_days"):
    assert text.count(f"(`{out}`,") == 2, out
rows = re.findall(r"^\| `\w+` \| [−0-9.]+ \| \[[−0-9.]+, [−0-9.]+\] \| [−0-9.]+ \| \[", text, re.M)
assert len(rows) == 3 * 8 + 3 * 6, len(rows)
assert "![S1 and ST of the three outputs" in text
# The bundled posterior by name: an installed copy has no file of the tree's data/ folder.
assert "data/posterior" not in text and "- Posterior: the bundled posterior," in text
PY
finish
