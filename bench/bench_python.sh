#!/bin/sh
# The Python-call benchmark as a user meets the package: install the library into a temporary
# prefix, build the wheel against it, install it into a fresh venv (Debian's numpy and cffi
# through --system-site-packages), and run bench_python.py with that venv's interpreter.
# usage: sh bench/bench_python.sh [BUILD_DIR] [REPEATS]   (default build/release, 20)
set -u
src=$(cd "$(dirname "$0")/.." && pwd) || exit 1
build=$(cd "${1:-$src/build/release}" && pwd) || exit 1
reps=${2:-20}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mn_bench_py.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "bench_python: $*" >&2; exit 1; }
[ -x "$build/bench/bench_pycall" ] || fail "no $build/bench/bench_pycall: build first"
cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/log" 2>&1 || fail "install: $(cat "$tmp/log")"
pc=$(dirname "$(find "$tmp/prefix" -name mneedle.pc | head -n 1)")
mkdir "$tmp/pkg"
cp -R "$src/python/mneedle" "$src/python/pyproject.toml" "$src/python/setup.py" \
    "$src/python/README.md" "$tmp/pkg/" || exit 1
rm -f "$tmp/pkg/mneedle/"*.so* "$tmp/pkg/mneedle/_mneedle.c"
(cd "$tmp/pkg" && PKG_CONFIG_PATH=$pc /usr/bin/python3 -m build --no-isolation --wheel \
    -o "$tmp/dist" .) >"$tmp/log" 2>&1 || fail "wheel: $(tail -n 30 "$tmp/log")"
/usr/bin/python3 -m venv --system-site-packages "$tmp/venv" || fail "venv"
"$tmp/venv/bin/python" -m pip install --no-index --no-deps -q "$tmp"/dist/mneedle-*.whl \
    >"$tmp/log" 2>&1 || fail "pip install: $(cat "$tmp/log")"
cd "$tmp" || exit 1
"$tmp/venv/bin/python" "$src/bench/bench_python.py" "$build/bench/bench_pycall" \
    "$src/examples/scenarios/simulate-wrinkles-course.json" "$reps"
