#!/bin/sh
# The behaviours issue 16 asks of the healing model, under a posterior file (docs/models/
# healing.md §4.3): the library's defaults, the posterior's medians and 64 of its draws on the
# scenarios of the behaviour tests of tests/unit/test_healing.c (medians.c), and the figures
# of §4.3's bullets (figures.c). Builds the release library first.
# usage: scripts/calibrate/behaviours.sh [posterior.json]   (default: the bundled one)
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
post=${1:-$here/data/posterior/healing.json}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mn_beh.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$here"
cmake --preset release >/dev/null
cmake --build --preset release -j2 --target mneedle_shared >"$tmp/log" 2>&1 || { tail -n 30 "$tmp/log"; exit 1; }
for p in medians figures; do
    cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude "scripts/calibrate/behaviours/$p.c" -Lbuild/release \
        -lmneedle -lm -Wl,-rpath,"$here/build/release" -o "$tmp/$p"
    "$tmp/$p" "$post"
done
