#!/bin/sh
# Install what is missing, build mneedle, and plan a course for the bundled example client.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
echo
./build/release/mneedle plan examples/clients/amelia-wrinkles.json
