#!/bin/sh
# The Python package as a user gets it: install the library into a temporary prefix, build the
# wheel against it (Debian's python3-build, no network), install the wheel with pip into a
# fresh venv (--system-site-packages, for Debian's numpy, cffi, pytest, matplotlib, scipy), and
# run the pytest suite with that venv's interpreter.
# usage: run.sh BUILD_DIR SOURCE_DIR   (needs $MNEEDLE, the command, for the identity tests)
set -u
build=$(cd "${1:?usage: run.sh BUILD_DIR SOURCE_DIR}" && pwd) || exit 1
src=$(cd "${2:?usage: run.sh BUILD_DIR SOURCE_DIR}" && pwd) || exit 1
py=/usr/bin/python3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mn_python.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

for m in cffi numpy pytest build wheel setuptools venv matplotlib scipy emcee; do
    "$py" -c "import $m" 2>/dev/null || fail "Python module $m missing: run scripts/deps.sh"
done
cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/log" 2>&1 || fail "install: $(cat "$tmp/log")"
pc=$(dirname "$(find "$tmp/prefix" -name mneedle.pc | head -n 1)")
# Build from a copy, so nothing is written into the source tree.
mkdir "$tmp/pkg"
cp -R "$src/python/mneedle" "$src/python/pyproject.toml" "$src/python/setup.py" \
    "$src/python/README.md" "$tmp/pkg/" || exit 1
rm -f "$tmp/pkg/mneedle/"*.so* "$tmp/pkg/mneedle/_mneedle.c"
(cd "$tmp/pkg" && PKG_CONFIG_PATH=$pc "$py" -m build --no-isolation --wheel -o "$tmp/dist" .) \
    >"$tmp/log" 2>&1 || fail "wheel: $(tail -n 30 "$tmp/log")"
"$py" -m venv --system-site-packages "$tmp/venv" || fail "venv"
"$tmp/venv/bin/python" -m pip install --no-index --no-deps -q "$tmp"/dist/mneedle-*.whl \
    >"$tmp/log" 2>&1 || fail "pip install: $(cat "$tmp/log")"
# The installed package must not reach back into the prefix it was built against.
rm -rf "$tmp/prefix/lib" "$tmp/prefix/include"
cd "$tmp" || exit 1
# A library built with the sanitizers (MN_SANITIZE_FLAGS) needs their runtime loaded first in
# the interpreter; CPython's own allocations are not ours to leak-check.
if [ -n "${MN_SANITIZE_FLAGS:-}" ]; then
    cc=${CC:-cc}
    LD_PRELOAD="$("$cc" -print-file-name=libasan.so) $("$cc" -print-file-name=libubsan.so)"
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    export LD_PRELOAD ASAN_OPTIONS
fi
# MN_SKIP_ONCE=1 (scripts/check.sh's sanitizer phase) leaves out the tests marked "once".
if [ "${MN_SKIP_ONCE:-0}" = 1 ]; then
    set -- -m "not once"
else
    set --
fi
MN_SOURCE_DIR=$src "$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider "$@" "$src/python/tests"
