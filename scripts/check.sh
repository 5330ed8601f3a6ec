#!/bin/sh
# Install what is missing, build, and run the whole test suite in an optimised build (its CLI
# tests include valgrind on every example), then again under AddressSanitizer +
# UndefinedBehaviorSanitizer, all but the tests labelled or marked "once" (tests/CMakeLists.txt
# says which and why); --full runs those under the sanitizers too. Installs the tests' Node
# packages from package-lock.json first (scripts/node-deps.sh). Also checks formatting and
# fuzzes every parser briefly (MN_FUZZ_SECONDS per target, default 15; 0 skips;
# scripts/fuzz.sh runs longer).
#   sh scripts/check.sh [--full]
set -eu
full=0
for arg in "$@"; do
    case $arg in
        --full) full=1 ;;
        -h | --help)
            sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "check.sh: unknown argument '$arg' (expected --full or --help)" >&2
            exit 2
            ;;
    esac
done
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

cmake --preset asan >/dev/null
if [ "$full" -eq 1 ]; then
    echo "== ASan + UBSan build and tests (all)"
    cmake --build --preset asan -j "$jobs"
    ctest --preset asan -j "$jobs"
else
    echo "== ASan + UBSan build and tests (all but those labelled \"once\"; --full runs them too)"
    cmake --build --preset asan -j "$jobs"
    MN_SKIP_ONCE=1 ctest --preset asan -j "$jobs" -LE '^once$'
fi

fuzz_seconds="${MN_FUZZ_SECONDS:-15}"
if [ "$fuzz_seconds" -gt 0 ]; then
    echo "== fuzz (libFuzzer + ASan + UBSan, ${fuzz_seconds} s per target)"
    sh scripts/fuzz.sh "$fuzz_seconds"
fi

echo "== example plan"
./build/release/mneedle plan --start earliest examples/clients/amelia-wrinkles.json >/dev/null
echo "mneedle: all checks passed"
