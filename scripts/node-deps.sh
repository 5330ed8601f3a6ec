#!/bin/sh
# Installs the Node packages the tests use (the browser tests' playwright-core and axe-core, and
# the official FHIR R4 JSON schema) into node_modules/, exactly as package-lock.json pins them.
# Never downloads a browser: the browser tests drive Debian's /usr/bin/chromium.
set -eu
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "mneedle: npm is missing (sh scripts/deps.sh installs it)" >&2; exit 1; }
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
