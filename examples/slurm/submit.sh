#!/bin/sh
# Runs a virtual trial on a Slurm cluster as a job array of N shards and a merge job that
# waits for all of them (docs/cluster.md).
#
# usage: sh examples/slurm/submit.sh TRIAL N [cohort options...]
#   e.g. sh examples/slurm/submit.sh examples/trials/lotfi-2013-acne-scars.json 16 --n 10000000
# Parts go to $PARTS (default: parts), the result to $RESULT (default: result.json); both
# must be on a file system the nodes share. Prints the two job ids.
set -eu
[ $# -ge 2 ] || { echo "usage: sh $0 TRIAL N [cohort options...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
TRIAL=$1
SHARDS=$2
shift 2
case $SHARDS in '' | *[!0-9]* | 0) echo "submit.sh: N must be a whole number >= 1" >&2; exit 2 ;; esac
COHORT_OPTS="$*"
export TRIAL SHARDS COHORT_OPTS
array=$(sbatch --parsable --export=ALL --array=1-"$SHARDS" "$here/cohort-shard.sbatch")
array=${array%%;*} # --parsable prints "id" or "id;cluster"
merge=$(sbatch --parsable --export=ALL --dependency=afterok:"$array" "$here/cohort-merge.sbatch")
echo "shards: job array $array (1-$SHARDS); merge: job ${merge%%;*}"
