#!/usr/bin/env bash
# Runs every test. Installs what the tests need first (scripts/setup.sh), builds, then runs
# Node's test runner over every *.test.ts file under test/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx tsc -p tsconfig.json
mapfile -t files < <(find test -name '*.test.ts' | sort)
exec node --import tsx --test --test-reporter=spec "${files[@]}"
