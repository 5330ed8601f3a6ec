#!/bin/sh
# Install what is missing, build, and run the whole test suite twice: an optimised build (its
# CLI tests include valgrind on every example), and a build under AddressSanitizer +
# UndefinedBehaviorSanitizer. Installs the tests' Node packages from package-lock.json first
# (scripts/node-deps.sh). Also checks formatting and fuzzes every parser briefly
# (MN_FUZZ_SECONDS per target, default 15; 0 skips; scripts/fuzz.sh runs longer).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
jobs="$(nproc)"

echo "== Node packages for the tests (npm ci from package-lock.json; no browser download)"
sh scripts/node-deps.sh
# The tests that use them (the FHIR R4 schema check, the browser tests) fail here rather than
# skip when node_modules/ lacks what they need.
export MN_REQUIRE_NODE_MODULES=1

echo "== format (clang-format, .clang-format)"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find include src cli tests bench -name '*.[ch]')
clang-format --dry-run --Werror $files

echo "== release build and tests"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs"

echo "== ASan + UBSan build and tests"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs"

fuzz_seconds="${MN_FUZZ_SECONDS:-15}"
if [ "$fuzz_seconds" -gt 0 ]; then
    echo "== fuzz (libFuzzer + ASan + UBSan, ${fuzz_seconds} s per target)"
    sh scripts/fuzz.sh "$fuzz_seconds"
fi

echo "== example plan"
./build/release/mneedle plan --start earliest examples/clients/amelia-wrinkles.json >/dev/null
echo "mneedle: all checks passed"
