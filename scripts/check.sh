#!/bin/sh
# Install what is missing, build, and run the whole test suite twice: an optimised build, and
# a build under AddressSanitizer + UndefinedBehaviorSanitizer. Also checks formatting.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
jobs="$(nproc)"

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

echo "== example plan"
./build/release/mneedle plan examples/clients/amelia-wrinkles.json >/dev/null
echo "mneedle: all checks passed"
