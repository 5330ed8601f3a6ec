# End-to-end: a cohort split with --shard K/N and put back together with merge gives output
# (text, JSON and per-patient CSV) byte-identical to a single run, for several N: one shard,
# uneven slices, more shards than patients, parts in any order, with threads and MPI ranks.
# Every kind of bad input (a --shard that does not parse, parts of different runs or trials, a
# duplicate or missing part, a changed or foreign file) exits 2 naming what is wrong and
# writes nothing; several scheduler tasks that MPI sees as one process are refused.
. "$(dirname "$0")/lib.sh"
T="$MN_SOURCE_DIR/examples/trials/lotfi-2013-acne-scars.json"
N=23 # patients: small, so uneven slices and N > n are cheap to cover

expect 0 "stdout:--shard K/N" -- "$MNEEDLE" cohort --help
expect 0 "stdout:--patients" -- "$MNEEDLE" cohort --help
expect 0 "stdout:usage: mneedle merge PART\.\.\." -- "$MNEEDLE" merge --help
expect 0 "stdout:merge +merge the parts" -- "$MNEEDLE" --help

# The single run every merge must reproduce.
expect 0 "" -- "$MNEEDLE" cohort "$T" --n $N --json --csv "$TMP/one.csv" -o "$TMP/one.json"
expect 0 "" -- "$MNEEDLE" cohort "$T" --n $N -o "$TMP/one.txt"

# shards K N [extra cohort options]: runs the N shards into $TMP/parts/
shards() {
    k=1
    rm -rf "$TMP/parts"
    mkdir "$TMP/parts"
    nn=$1
    shift
    while [ $k -le "$nn" ]; do
        expect 0 "" -- "$MNEEDLE" cohort "$T" --n $N --shard $k/"$nn" --patients "$@" \
            -o "$TMP/parts/p$k.json"
        k=$((k + 1))
    done
}

# same WHAT FILE1 FILE2
same() {
    if cmp -s "$2" "$3"; then
        passes=$((passes + 1))
    else
        echo "FAIL: $1: $2 and $3 differ"
        diff "$2" "$3" | head -5 | sed 's/^/  | /'
        fails=$((fails + 1))
    fi
}

for nsh in 1 2 3 7 40; do
    shards $nsh
    # Parts in reverse order: merge sorts them by shard.
    set -- $(ls "$TMP"/parts/p*.json | sort -r)
    expect 0 "" -- "$MNEEDLE" merge --json --csv "$TMP/m.csv" -o "$TMP/m.json" "$@"
    same "$nsh shards, JSON" "$TMP/one.json" "$TMP/m.json"
    same "$nsh shards, CSV" "$TMP/one.csv" "$TMP/m.csv"
    expect 0 "" -- "$MNEEDLE" merge -o "$TMP/m.txt" "$@"
    same "$nsh shards, text" "$TMP/one.txt" "$TMP/m.txt"
    # The slices: floor((K-1) n / N) to floor(K n / N) - 1: uneven for 23 over 7; for 23 over
    # 40, 17 shards are empty (the first among them).
    slices=$(for k in $(seq 1 $nsh); do grep -o '"first_patient":[0-9]*,"patients":[0-9]*' \
        "$TMP/parts/p$k.json" | tr -dc '0-9,'; echo; done | tr '\n' ' ')
    case $nsh in
    7) want='0,3 3,3 6,3 9,4 13,3 16,3 19,4 ' ;;
    40) want=$(awk 'BEGIN { for (k = 1; k <= 40; k++) printf "%d,%d ", int((k - 1) * 23 / 40),
                            int(k * 23 / 40) - int((k - 1) * 23 / 40) }') ;;
    *) want=$slices ;;
    esac
    [ "$slices" = "$want" ] || { echo "FAIL: slices of 23 over $nsh: '$slices'"; fails=$((fails + 1)); }
done
grep -q '"first_patient":0,"patients":0' "$TMP/parts/p1.json" ||
    { echo "FAIL: shard 1/40 of 23 is not empty"; fails=$((fails + 1)); }
[ "$(grep -l '"patients":0,' "$TMP"/parts/p*.json | wc -l)" -eq 17 ] ||
    { echo "FAIL: 23 over 40 does not leave 17 empty shards"; fails=$((fails + 1)); }

# Threads do not change a part; --seed and --n overrides travel in it.
expect 0 "" -- "$MNEEDLE" cohort "$T" --n $N --shard 2/3 --threads 1 -o "$TMP/t1.json"
expect 0 "" -- "$MNEEDLE" cohort "$T" --n $N --shard 2/3 --threads 2 -o "$TMP/t2.json"
same "1 and 2 threads, part" "$TMP/t1.json" "$TMP/t2.json"
expect 0 "" -- "$MNEEDLE" cohort "$T" --n 9 --seed 5 --json -o "$TMP/s.json"
for k in 1 2; do
    expect 0 "" -- "$MNEEDLE" cohort "$T" --n 9 --seed 5 --shard $k/2 -o "$TMP/s$k.json"
done
expect 0 "" -- "$MNEEDLE" merge --json -o "$TMP/sm.json" "$TMP/s1.json" "$TMP/s2.json"
same "--n 9 --seed 5" "$TMP/s.json" "$TMP/sm.json"

# MPI ranks inside a shard: the same part.
if [ "${MN_HAVE_MPI:-0}" = 1 ] && command -v mpirun >/dev/null; then
    mpi_env
    expect 0 "" -- mpirun --oversubscribe -np 2 "$MNEEDLE" cohort "$T" --n $N --shard 2/3 \
        --threads 1 -o "$TMP/mpi.json"
    same "2 MPI ranks, part" "$TMP/t1.json" "$TMP/mpi.json"
else
    echo "skip: MPI part test (MN_HAVE_MPI=${MN_HAVE_MPI:-unset})"
fi

# Bad --shard: exit 2, the option named, no output and no temporary file left.
for bad in 0/4 5/4 1/0 x 4 1/ /4 -1/4 1/4x " 1/4" 1/2/3 3/+4 ""; do
    rm -f "$TMP/out.json"
    expect 2 "--shard: expected K/N with 1 <= K <= N" -- \
        "$MNEEDLE" cohort "$T" --n $N --shard "$bad" -o "$TMP/out.json"
    [ ! -e "$TMP/out.json" ] || { echo "FAIL: --shard '$bad' wrote output"; fails=$((fails + 1)); }
done
expect 2 "--shard writes a part file: --json" -- "$MNEEDLE" cohort "$T" --shard 1/2 --json
expect 2 "--csv belongs to 'mneedle merge'" -- \
    "$MNEEDLE" cohort "$T" --shard 1/2 --csv "$TMP/x.csv"
expect 2 "--plot belongs" -- "$MNEEDLE" cohort "$T" --shard 1/2 --plot "$TMP"
expect 2 "--patients goes with --shard" -- "$MNEEDLE" cohort "$T" --patients
# A bad TRIAL is named as for a single run.
printf '{"population": {"n": 5}}' >"$TMP/bad-trial.json"
expect 2 "bad-trial.json: \\$" -- "$MNEEDLE" cohort "$TMP/bad-trial.json" --shard 1/2

# The untreated arm and dropout, from the TRIAL file (a part carries the file, not the command
# line, so --control and --dropout are refused with --shard): merged, byte-identical to one run.
expect 2 "--control with --shard: a part carries the TRIAL file" -- \
    "$MNEEDLE" cohort "$T" --shard 1/2 --control untreated -o "$TMP/x.json"
expect 2 "--dropout with --shard" -- "$MNEEDLE" cohort "$T" --shard 1/2 --dropout 0.1 -o "$TMP/x.json"
sed 's/"seed": 2013/"seed": 2013, "control": "untreated", "dropout_per_visit": 0.1/' "$T" >"$TMP/arms.json"
expect 0 "" -- "$MNEEDLE" cohort "$TMP/arms.json" --n 90 --trials 0 --json -o "$TMP/arms-one.json"
for k in 1 2 3; do
    expect 0 "" -- "$MNEEDLE" cohort "$TMP/arms.json" --n 90 --shard $k/3 -o "$TMP/arms-p$k.json"
done
expect 0 "" -- "$MNEEDLE" merge --json -o "$TMP/arms-m.json" "$TMP/arms-p3.json" "$TMP/arms-p1.json" "$TMP/arms-p2.json"
# merge runs the default intervals; the single run above none: compare without them
expect 0 "" -- python3 - "$TMP/arms-one.json" "$TMP/arms-m.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for x in (a, b):
    x.pop("trial_intervals")
assert a == b, [k for k in a if a[k] != b.get(k)]
assert a["control"] == "untreated" and a["dropout"]["completers"] < 90, a["dropout"]
assert "difference_improvement_pct" in a["endpoints"][0]
PY

# merge: bad parts. Each exits 2 naming what is wrong, and writes neither output.
shards 3
P1="$TMP/parts/p1.json" P2="$TMP/parts/p2.json" P3="$TMP/parts/p3.json"
refused() { # refused PATTERN PART...
    pattern=$1
    shift
    rm -f "$TMP/r.json" "$TMP/r.csv"
    expect 2 "$pattern" -- "$MNEEDLE" merge --json --csv "$TMP/r.csv" -o "$TMP/r.json" "$@"
    if [ -e "$TMP/r.json" ] || [ -e "$TMP/r.csv" ] || ls "$TMP"/r.*.tmp.* >/dev/null 2>&1; then
        echo "FAIL: a refused merge left output: $*"
        fails=$((fails + 1))
    fi
}
refused "shard 2/3 is missing \\(2 of 3 parts" "$P1" "$P3"
refused "shard 3/3 is missing" "$P1" "$P2"
refused "p2.json and .*p2.json are both shard 2/3" "$P1" "$P2" "$P2" "$P3"
refused "expected the part files of one run"
# Different runs: another seed, another n, another N, another trial.
expect 0 "" -- "$MNEEDLE" cohort "$T" --n $N --seed 99 --shard 2/3 -o "$TMP/seed.json"
refused "seed.json and .*p1.json are shards of different runs: seed 99 and 2013" \
    "$P1" "$TMP/seed.json" "$P3"
expect 0 "" -- "$MNEEDLE" cohort "$T" --n 24 --shard 2/3 -o "$TMP/n24.json"
refused "shards of different runs: n 24 and 23" "$P1" "$TMP/n24.json" "$P3"
expect 0 "" -- "$MNEEDLE" cohort "$T" --n $N --shard 2/4 -o "$TMP/of4.json"
refused "shards of different runs: split into 4 and 3 shards" "$P1" "$TMP/of4.json" "$P3"
other="$MN_SOURCE_DIR/examples/trials/$(ls "$MN_SOURCE_DIR/examples/trials" | grep -v lotfi | head -1)"
expect 0 "" -- "$MNEEDLE" cohort "$other" --n $N --seed 2013 --shard 2/3 -o "$TMP/other.json"
refused "shards of different trials" "$P1" "$TMP/other.json" "$P3"
# Parts made without --patients: the summary merges, --csv is refused.
for k in 1 2; do
    expect 0 "" -- "$MNEEDLE" cohort "$T" --n $N --shard $k/2 -o "$TMP/np$k.json"
done
refused "np1.json carries no per-patient rows; run the shards with --patients" \
    "$TMP/np1.json" "$TMP/np2.json"
expect 0 "" -- "$MNEEDLE" merge --json -o "$TMP/np.json" "$TMP/np1.json" "$TMP/np2.json"
same "parts without --patients, JSON" "$TMP/one.json" "$TMP/np.json"
# Not a part, a changed part, a broken file, no file.
refused "one.json: \\$.format: expected \"mneedle-cohort-part\"" "$TMP/one.json"
sed 's/"seed":2013/"seed":2014/' "$P2" >"$TMP/edited.json"
refused "edited.json: \\$.run_id: does not match" "$P1" "$TMP/edited.json" "$P3"
sed 's/"mneedle_version":"[^"]*"/"mneedle_version":"0.0.1"/' "$P2" >"$TMP/old.json"
refused "old.json: \\$.run_id" "$P1" "$TMP/old.json" "$P3"
# A part of an older format (1: before each patient drew the evidence fit's constants; 2: before
# the untreated arm and dropout; 3: before the completers' PIH and maintenance counts; 4:
# before the completers' untreated arm and difference) is refused by name.
for v in 1 2 3 4; do
    sed "s/\"format_version\":5,/\"format_version\":$v,/" "$P2" >"$TMP/v$v.json"
    refused "v$v.json: \\$.format_version: an older version, written by an mneedle whose parts lack the completers' untreated arm and difference \\(version 4\\), the completers' PIH and maintenance counts \\(version 3\\), the untreated arm and dropout \\(version 2\\) or whose patients all took the library's default constants \\(version 1\\)" \
        "$P1" "$TMP/v$v.json" "$P3"
done
sed 's/"shard":2,/"shard":4,/' "$P2" >"$TMP/k4.json"
refused "k4.json: \\$.shard: 4 is outside 1 to 3" "$P1" "$TMP/k4.json" "$P3"
sed 's/"first_patient":7,/"first_patient":8,/' "$P2" >"$TMP/first.json"
refused "first.json: \\$.first_patient: 8 is outside 7 to 7" "$P1" "$TMP/first.json" "$P3"
# A histogram count changed (the run id covers the identity, the totals the accumulators).
sed 's/"counts":\[\([0-9]*\),\([0-9]*\),/"counts":[\1,9\2,/' "$P2" >"$TMP/count.json"
refused "count.json: \\$.accumulators.counts" "$P1" "$TMP/count.json" "$P3"
# A part's per-patient rows are checked cell by cell when it is loaded: they go into the CSV
# as they are, so a changed cell (a spreadsheet formula, a name off its list, a word for a
# number, a column more or less, a header) is refused by row and column, nothing written.
csv_cell() { # csv_cell OUT ROW COLUMN VALUE: P2 with the cell (1-based; ROW 0 adds a row first)
    $PY - "$P2" "$@" <<'PY'
import json, sys
src, out, row, col, value = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
part = json.load(open(src))
rows = part["patients_csv"].split("\n")
if row == 0:
    rows.insert(0, value)
elif col == 0:
    rows[row - 1] = value
else:
    cells = rows[row - 1].split(",")
    cells[col - 1] = value
    rows[row - 1] = ",".join(cells)
part["patients_csv"] = "\n".join(rows)
json.dump(part, open(out, "w"), separators=(",", ":"))
PY
}
PY=/usr/bin/python3
csv_cell "$TMP/same.json" 1 2 "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["patients_csv"].split("\n")[0].split(",")[1])' "$P2")"
expect 0 "" -- "$MNEEDLE" merge --json --csv "$TMP/same.csv" -o "$TMP/same.out" "$P1" "$TMP/same.json" "$P3"
same "a part written again unchanged, CSV" "$TMP/one.csv" "$TMP/same.csv"
csv_cell "$TMP/formula.json" 2 4 '=HYPERLINK("http://example.com")'
refused 'formula.json: \$\.patients_csv, row 2, column 4 \(sex\): expected female or male, got "=HYPERLINK\("http://example.com"\)"' \
    "$P1" "$TMP/formula.json" "$P3"
csv_cell "$TMP/sum.json" 3 18 '=1+1'
refused 'sum.json: \$\.patients_csv, row 3, column 18 \(improvement_pct\): expected a finite number, got "=1\+1"' \
    "$P1" "$TMP/sum.json" "$P3"
csv_cell "$TMP/inf.json" 1 3 'inf'
refused 'inf.json: \$\.patients_csv, row 1, column 3 \(age_years\): expected a finite number, got "inf"' \
    "$P1" "$TMP/inf.json" "$P3"
csv_cell "$TMP/arm.json" 1 24 '-1;cmd'
refused 'arm.json: \$\.patients_csv, row 1, column 24 \(untreated_improvement_pct\): expected a finite number or nothing' \
    "$P1" "$TMP/arm.json" "$P3"
csv_cell "$TMP/sun.json" 2 7 'Moderate'
refused 'sun.json: \$\.patients_csv, row 2, column 7 \(sun\): expected low, moderate or high, got "Moderate"' \
    "$P1" "$TMP/sun.json" "$P3"
csv_cell "$TMP/wide.json" 2 29 '1.0,=2'
refused 'wide.json: \$\.patients_csv, row 2: expected 29 comma-separated columns, as .mneedle cohort --csv. writes them, got 30' \
    "$P1" "$TMP/wide.json" "$P3"
csv_cell "$TMP/narrow.json" 1 0 '7,90'
refused 'narrow.json: \$\.patients_csv, row 1: expected 29 comma-separated columns, as .mneedle cohort --csv. writes them, got 2' \
    "$P1" "$TMP/narrow.json" "$P3"
csv_cell "$TMP/header.json" 0 0 "$(head -1 "$TMP/one.csv")"
refused 'header.json: \$\.patients_csv, row 1, column 1 \(patient\): expected a finite number, got "patient"' \
    "$P1" "$TMP/header.json" "$P3"
$PY -c 'import json,sys; p=json.load(open(sys.argv[1])); p["patients_csv"]=p["patients_csv"].rstrip("\n"); json.dump(p, open(sys.argv[2], "w"))' "$P2" "$TMP/noeol.json"
refused 'noeol.json: \$\.patients_csv, row [0-9]+: expected the row to end with a newline' \
    "$P1" "$TMP/noeol.json" "$P3"
head -c 300 "$P2" >"$TMP/cut.json"
refused "cut.json:1:[0-9]+: malformed JSON" "$P1" "$TMP/cut.json" "$P3"
refused "nothere.json: cannot open" "$P1" "$TMP/nothere.json" "$P3"
expect 2 "--csv - needs --output FILE" -- "$MNEEDLE" merge --csv - "$P1" "$P2" "$P3"

# Several tasks from the scheduler but one MPI process: refused, whatever says so; a shard per
# task, or a single task, runs.
for var in SLURM_NTASKS SLURM_STEP_NUM_TASKS OMPI_COMM_WORLD_SIZE PMI_SIZE; do
    rm -f "$TMP/g.json"
    if [ "${MN_HAVE_MPI:-0}" != 1 ] && [ "$var" = OMPI_COMM_WORLD_SIZE -o "$var" = PMI_SIZE ]; then
        # Without MPI the launcher's own variables are refused earlier, as before.
        expect 1 "no MPI support" -- env "$var=4" "$MNEEDLE" cohort "$T" --n 5 -o "$TMP/g.json"
    else
        expect 2 "$var=4 says 4 tasks were started, but MPI sees this process alone" -- \
            env "$var=4" "$MNEEDLE" cohort "$T" --n 5 -o "$TMP/g.json"
    fi
    [ ! -e "$TMP/g.json" ] || { echo "FAIL: $var=4 wrote output"; fails=$((fails + 1)); }
done
expect 0 "" -- env SLURM_NTASKS=4 "$MNEEDLE" cohort "$T" --n 5 --shard 1/4 -o "$TMP/g.json"
expect 0 "" -- env SLURM_NTASKS=1 "$MNEEDLE" cohort "$T" --n 5 -o "$TMP/g.json"
# srun's step count decides over the job's: a one-task step inside a bigger job runs.
expect 0 "" -- env SLURM_NTASKS=8 SLURM_STEP_NUM_TASKS=1 "$MNEEDLE" cohort "$T" --n 5

finish
