#!/bin/sh
# Installs what mneedle needs from Debian 12's packages, only if something is missing.
set -eu
PKGS="build-essential cmake pkg-config libjansson-dev libsundials-dev libcmocka-dev
libcairo2-dev libsqlite3-dev libsodium-dev libmicrohttpd-dev curl libopenmpi-dev openmpi-bin clang libclang-rt-14-dev libomp-14-dev clang-format valgrind
chromium poppler-utils python3 weasyprint
python3-cffi python3-numpy python3-pytest python3-build python3-wheel python3-setuptools python3-venv
python3-pip python3-matplotlib python3-scipy python3-icalendar python3-jsonschema wrk python3-emcee"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node and npm for the tests' packages (scripts/node-deps.sh): Debian's, unless a Node.js that
# brings its own npm is installed already.
command -v npm >/dev/null || missing="$missing nodejs npm"
if [ -n "$missing" ]; then
    echo "mneedle: installing:$missing"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
