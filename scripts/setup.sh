#!/usr/bin/env bash
# Installs what the tests need on a fresh machine: npm packages (from the lockfile) and tshark
# (Debian), which the tests use as an independent oracle. Idempotent and quiet when done before.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

if ! command -v tshark >/dev/null 2>&1 || ! command -v file >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: tshark is missing and installing it needs root: sudo apt-get install -y tshark" >&2
    exit 1
  fi
  echo "setup: installing tshark (Debian) for the oracle tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends tshark file >/dev/null
fi

# The web UI's tests drive a real browser: Debian's Chromium (never a downloaded one).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: chromium is missing and installing it needs root: sudo apt-get install -y chromium" >&2
    exit 1
  fi
  echo "setup: installing chromium (Debian) for the browser tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
