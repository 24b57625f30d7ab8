#!/usr/bin/env bash
# `npm test`: build (integration tests run the compiled CLI and init stage), then the whole
# suite — pure planner tests, FakeHost executor tests and privileged tests on the real
# kernel — ending with a leak check of host objects.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/host-deps.sh test
npm run build --silent
# The tests are TypeScript too; vitest strips types without checking them.
npx tsc -p tsconfig.test.json
# One format for the whole tree (prettier; `npm run format` rewrites it).
npx prettier --check . --log-level warn
exec npx vitest run "$@"
