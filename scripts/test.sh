#!/usr/bin/env bash
# Runs every test. Installs what the tests need first (scripts/setup.sh), builds, then runs
# Node's test runner over every *.test.ts file under test/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build --silent
# The store tests need PostgreSQL: the private cluster of scripts/pg.sh, stopped at the end if started here.
if ! bash scripts/pg.sh status; then bash scripts/pg.sh start >/dev/null; trap 'bash scripts/pg.sh stop' EXIT; fi
mapfile -t files < <(find test -name '*.test.ts' | sort)
node --import tsx --test --test-reporter=spec "${files[@]}"
