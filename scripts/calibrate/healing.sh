#!/bin/sh
# Re-fits the healing model's calibrated constants and prints the checks.
# usage: scripts/calibrate/healing.sh [BUILD_DIR]   (default build/dev; build it first)
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build/dev}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -I"$here/include" -I"$here/src" \
    "$here/scripts/calibrate/calibrate_healing.c" "$build/libmneedle.a" \
    $(pkg-config --libs jansson cairo) -lsundials_cvode -lsundials_nvecserial \
    -lsundials_sunlinsoldense -lsundials_sunmatrixdense -fopenmp -lm -o "$out/calibrate_healing"
"$out/calibrate_healing"
