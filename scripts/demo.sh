#!/usr/bin/env bash
# The main job on the embedded default: install, build, analyse a sample capture into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json
node dist/cli/main.js analyze ../shared/pcaps/mixed-arkime-synthetic-many-protocols.pcap --out out/
