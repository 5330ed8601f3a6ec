# End-to-end: the CLI's output file is replaced atomically. The process is killed in the
# middle of writing (by SIGXFSZ when it passes a file-size limit, and by SIGKILL at random
# moments), or its writes fail (the limit with SIGXFSZ ignored): the target is then the old
# file or absent, never a partial one.
. "$(dirname "$0")/lib.sh"
EX="$MN_SOURCE_DIR/examples/clients/maya-striae-melasma.json"
OUT="$TMP/dest"
mkdir "$OUT"
"$MNEEDLE" plan --json --years 20 "$EX" > "$TMP/full.json" || exit 1
full_size=$(wc -c < "$TMP/full.json")
[ "$full_size" -gt 8192 ] || { echo "FAIL: the plan is too small ($full_size bytes) to cut"; exit 1; }

old() { printf 'OLD\n' > "$OUT/plan.json"; }
is_old() { [ "$(cat "$OUT/plan.json" 2>/dev/null)" = "OLD" ]; }
leftovers() { ls "$OUT" | grep -c '\.tmp\.' || true; }

# Killed by SIGXFSZ inside write() once the file passes 4 KiB (ulimit -f counts 1 KiB
# blocks in bash): exit status 128 + 25.
old
expect 153 "" -- bash -c "ulimit -f 4; exec \"$MNEEDLE\" plan --json --years 20 -o \"$OUT/plan.json\" \"$EX\""
if is_old; then passes=$((passes + 1)); else echo "FAIL: target changed after a kill mid-write"; fails=$((fails + 1)); fi
# The killed process leaves its partial temporary file beside the target, never the target.
part=$(ls "$OUT"/plan.json.tmp.* 2>/dev/null | head -1)
if [ -n "$part" ] && [ "$(wc -c < "$part")" -lt "$full_size" ]; then passes=$((passes + 1)); else
    echo "FAIL: expected a partial temporary file"; fails=$((fails + 1)); fi
rm -f "$OUT"/plan.json.tmp.*

# No old file: none afterwards.
rm -f "$OUT/plan.json"
expect 153 "" -- bash -c "ulimit -f 4; exec \"$MNEEDLE\" plan --json --years 20 -o \"$OUT/plan.json\" \"$EX\""
expect 1 "" -- test -e "$OUT/plan.json"
rm -f "$OUT"/plan.json.tmp.*

# Writes that fail (SIGXFSZ ignored, so write() returns EFBIG): exit 1 with the reason, the
# old file kept, the temporary file removed.
old
expect 1 "$OUT/plan.json: cannot write: File too large" -- bash -c "trap '' XFSZ; ulimit -f 4; exec \"$MNEEDLE\" plan --json --years 20 -o \"$OUT/plan.json\" \"$EX\""
if is_old && [ "$(leftovers)" -eq 0 ]; then passes=$((passes + 1)); else
    echo "FAIL: old file not kept or temporary file left after a failed write"; fails=$((fails + 1)); fi

# A named pipe (like /dev/null or /dev/stdout) is written to, not replaced by a regular file:
# renaming over it would replace the node itself, which root may do even in /dev.
mkfifo "$OUT/pipe"
timeout 20 cat "$OUT/pipe" > "$TMP/from-pipe" &
reader=$!
expect 0 "" -- timeout 20 "$MNEEDLE" plan --json --years 20 -o "$OUT/pipe" "$EX"
wait "$reader"
if [ -p "$OUT/pipe" ] && cmp -s "$TMP/from-pipe" "$TMP/full.json"; then passes=$((passes + 1)); else
    echo "FAIL: the named pipe was replaced or did not carry the plan"; fails=$((fails + 1)); rm -f "$OUT/pipe"; fi
rm -f "$OUT/pipe"

# SIGKILL at random moments while the plan is computed and written: afterwards the target is
# the old file or the complete new one.
i=0
while [ $i -lt 40 ]; do
    old
    "$MNEEDLE" plan --json --years 20 -o "$OUT/plan.json" "$EX" 2>/dev/null &
    pid=$!
    sleep "0.00$((RANDOM % 10))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if ! is_old && ! cmp -s "$OUT/plan.json" "$TMP/full.json"; then
        echo "FAIL: after SIGKILL the target is neither the old nor the new file"; fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
    rm -f "$OUT"/plan.json.tmp.*
    i=$((i + 1))
done
finish
