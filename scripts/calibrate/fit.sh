#!/bin/sh
# Re-runs the Bayesian calibration of the healing model end to end (docs/models/healing.md §4.3):
# builds the library (release preset), installs it and the mneedle Python package into a
# temporary prefix and virtual environment (as python/tests/run.sh does: Debian's python3 with
# its numpy, cffi and emcee), then runs scripts/calibrate/calibrate.py with the arguments
# given, which writes data/posterior/healing.json and the table of docs/models/healing.md.
# usage: scripts/calibrate/fit.sh [calibrate.py options]   (e.g. --steps 3000 --seed 1)
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
for m in cffi numpy emcee build venv; do
    "$py" -c "import $m" 2>/dev/null || { echo "fit.sh: Python module $m missing: run scripts/deps.sh" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mn_fit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$here"
cmake --preset release >/dev/null
cmake --build --preset release -j2 >"$tmp/log" 2>&1 || { tail -n 30 "$tmp/log"; exit 1; }
cmake --install build/release --prefix "$tmp/prefix" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
pc=$(dirname "$(find "$tmp/prefix" -name mneedle.pc | head -n 1)")
mkdir "$tmp/pkg"
cp -R python/mneedle python/pyproject.toml python/setup.py python/README.md "$tmp/pkg/"
rm -f "$tmp/pkg/mneedle/"*.so* "$tmp/pkg/mneedle/_mneedle.c"
(cd "$tmp/pkg" && PKG_CONFIG_PATH=$pc "$py" -m build --no-isolation --wheel -o "$tmp/dist" .) \
    >"$tmp/log" 2>&1 || { tail -n 30 "$tmp/log"; exit 1; }
"$py" -m venv --system-site-packages "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --no-index --no-deps -q "$tmp"/dist/mneedle-*.whl
"$tmp/venv/bin/python" "$here/scripts/calibrate/calibrate.py" "$@"
