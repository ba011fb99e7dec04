#!/bin/sh
# Idempotent: install Debian's Chromium (for Playwright tests) only when it is missing.
# Usage: sh install-chromium.sh      (exit 0 = /usr/bin/chromium usable, non-zero = clear error)
set -eu
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}   # override only for testing the script

if [ -x "$CHROMIUM" ] && "$CHROMIUM" --version >/dev/null 2>&1; then
    echo "install-chromium: $("$CHROMIUM" --version 2>/dev/null) already present at $CHROMIUM"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: ERROR: $CHROMIUM missing and apt-get not available (not Debian?)." >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "install-chromium: ERROR: $CHROMIUM missing; need root (or passwordless sudo) to run apt-get install chromium." >&2
        exit 1
    fi
fi

echo "install-chromium: $CHROMIUM missing, installing Debian package 'chromium' ..."
export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
if ! $SUDO apt-get update -qq; then
    echo "install-chromium: ERROR: apt-get update failed (no network to the Debian mirror?)." >&2
    exit 1
fi
# fonts-liberation / fonts-dejavu-core: metric-compatible Arial/Times/Courier so screenshots look sane.
if ! $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation fonts-dejavu-core; then
    echo "install-chromium: ERROR: 'apt-get install chromium' failed." >&2
    exit 1
fi
if ! "$CHROMIUM" --version >/dev/null 2>&1; then
    echo "install-chromium: ERROR: chromium installed but '$CHROMIUM --version' does not run." >&2
    exit 1
fi
echo "install-chromium: installed $("$CHROMIUM" --version 2>/dev/null) in $(( $(date +%s) - start ))s"
