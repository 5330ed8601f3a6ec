# The Slurm job-array example (examples/slurm/): every script parses (sh -n); the shard
# script's body, run locally once per fake SLURM_ARRAY_TASK_ID, and then the merge script give
# the single run's JSON and CSV byte for byte; submit.sh, with a stand-in sbatch that records
# its calls, submits an array of N tasks and a merge that depends on the array's success.
. "$(dirname "$0")/lib.sh"
S="$MN_SOURCE_DIR/examples/slurm"
T="$MN_SOURCE_DIR/examples/trials/lotfi-2013-acne-scars.json"

for f in "$S"/submit.sh "$S"/cohort-shard.sbatch "$S"/cohort-merge.sbatch; do
    expect 0 "" -- sh -n "$f"
done

expect 0 "" -- "$MNEEDLE" cohort "$T" --n 31 --json --csv "$TMP/one.csv" -o "$TMP/one.json"

# The array's tasks, as Slurm would start them (SLURM_CPUS_PER_TASK set, like --cpus-per-task).
cd "$TMP" || exit 1
for k in 1 2 3 4 5; do
    expect 0 "" -- env TRIAL="$T" MNEEDLE="$MNEEDLE" COHORT_OPTS="--n 31 --patients" \
        SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_COUNT=5 SLURM_CPUS_PER_TASK=2 \
        sh "$S/cohort-shard.sbatch"
done
[ "$(ls parts | wc -l)" -eq 5 ] || { echo "FAIL: the array did not write 5 parts"; fails=$((fails + 1)); }
expect 0 "" -- env MNEEDLE="$MNEEDLE" MERGE_OPTS="--json --csv merged.csv" sh "$S/cohort-merge.sbatch"
if cmp -s one.json result.json && cmp -s one.csv merged.csv; then
    passes=$((passes + 1))
else
    echo "FAIL: the job array's merged result differs from a single run"
    fails=$((fails + 1))
fi
# A task that failed (its part missing): the merge job names the shard and writes nothing.
rm parts/part-3.json result.json
expect 2 "shard 3/5 is missing" -- env MNEEDLE="$MNEEDLE" sh "$S/cohort-merge.sbatch"
[ ! -e result.json ] || { echo "FAIL: a merge with a missing part wrote a result"; fails=$((fails + 1)); }
# Outside an array the shard script says what it needs.
expect 2 "run as a job array" -- env -u SLURM_ARRAY_TASK_ID TRIAL="$T" sh "$S/cohort-shard.sbatch"

# submit.sh against a stand-in sbatch: an array 1-N, then a merge after the array succeeded.
mkdir bin
cat >bin/sbatch <<'SH'
#!/bin/sh
echo "$*" >>"$SBATCH_LOG"
case "$*" in *--array*) echo "4242;cluster" ;; *) echo 4243 ;; esac
SH
chmod +x bin/sbatch
expect 0 "stdout:job array 4242 \\(1-16\\); merge: job 4243" -- \
    env PATH="$TMP/bin:$PATH" SBATCH_LOG="$TMP/sbatch.log" sh "$S/submit.sh" "$T" 16 --n 100
first=$(sed -n 1p sbatch.log)
second=$(sed -n 2p sbatch.log)
case $first in *--array=1-16*cohort-shard.sbatch) passes=$((passes + 1)) ;;
*) echo "FAIL: first sbatch call: $first"; fails=$((fails + 1)) ;; esac
case $second in *--dependency=afterok:4242\ *cohort-merge.sbatch) passes=$((passes + 1)) ;;
*) echo "FAIL: second sbatch call: $second"; fails=$((fails + 1)) ;; esac
expect 2 "N must be a whole number" -- env PATH="$TMP/bin:$PATH" SBATCH_LOG="$TMP/sbatch.log" \
    sh "$S/submit.sh" "$T" x
cd / || exit 1

finish
