#!/bin/sh
# Install what is missing, build mneedle, and plan a course for the bundled example client,
# starting on the earliest day its steps before the first visit can still be kept.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
echo
./build/release/mneedle plan --start earliest examples/clients/amelia-wrinkles.json
