#!/usr/bin/env bash
# The README's test command (npm test): prepares the machine, then runs every suite and
# fails if any suite failed or did not run. Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p test-results
reports=test-results/reports
rm -rf "$reports" && mkdir -p "$reports"
status=0
ran=()
failed=()

step() {
  local name=$1
  shift
  echo
  echo "━━━ $name"
  if "$@"; then
    ran+=("$name")
  else
    failed+=("$name")
    status=1
  fi
}

bash test/tools/prepare-machine.sh || exit 1
step lint npx eslint .
step format npx prettier --check .
step typecheck npm run -s typecheck
step build npx electron-vite build
step unit npx vitest run test/unit --reporter=default --reporter=json --outputFile.json="$reports/unit.json"
step integration npx vitest run test/integration --reporter=default --reporter=json --outputFile.json="$reports/integration.json"
step e2e env PLAYWRIGHT_JSON_OUTPUT_NAME="$reports/e2e.json" bash test/tools/run-e2e.sh --project=e2e --reporter=list,json
if ! npx tsx -e "import { electronBinary } from './test/electron/electron-binary.ts'; process.exit(electronBinary() ? 0 : 1)"; then
  echo
  echo "━━━ electron: SKIPPED — $(npx tsx -e "import { noElectronReason } from './test/electron/electron-binary.ts'; console.log(noElectronReason)")"
fi
step electron env PLAYWRIGHT_JSON_OUTPUT_NAME="$reports/electron.json" bash test/tools/run-e2e.sh --project=electron --reporter=list,json
# The network lab builds its own namespaces (root), so it runs from the root namespace.
step network env PLAYWRIGHT_JSON_OUTPUT_NAME="$reports/network.json" npx playwright test --project=network --reporter=list,json
# The short chaos soak (issue 14): a fixed seed whose first 14 faults cover every kind.
step soak env PLAYWRIGHT_JSON_OUTPUT_NAME="$reports/soak.json" npx tsx test/tools/soak.ts --seed 14289 --faults 15 --minutes 9 --reporter=list,json
step bundle-size npx tsx test/tools/bundle-size.ts

echo
echo "━━━ summary"
echo "steps passed: ${ran[*]:-none}"
[ ${#failed[@]} -eq 0 ] || echo "steps FAILED: ${failed[*]}"
node test/tools/summarize.mjs "$reports" || status=1
exit $status
