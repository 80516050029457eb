// Adds up the test counts of every suite's JSON report and fails if a suite ran no test.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.argv[2]
const suites = {
  unit: 'vitest',
  integration: 'vitest',
  e2e: 'playwright',
  electron: 'playwright',
  network: 'playwright',
  soak: 'playwright',
}
// Suites that may skip as a whole, with a reason printed by the run (no Electron binary here).
const mayBeSkipped = new Set(['electron'])
let passed = 0
let failed = 0
let skipped = 0
let missing = false
for (const [suite, kind] of Object.entries(suites)) {
  const file = join(dir, `${suite}.json`)
  if (!existsSync(file)) {
    console.log(`${suite}: no report: the suite did not run`)
    missing = true
    continue
  }
  const report = JSON.parse(readFileSync(file, 'utf8'))
  const [p, f, s] =
    kind === 'vitest'
      ? [report.numPassedTests, report.numFailedTests, report.numPendingTests + report.numTodoTests]
      : [report.stats.expected + report.stats.flaky, report.stats.unexpected, report.stats.skipped]
  console.log(`${suite}: ${p} passed, ${f} failed${s ? `, ${s} skipped` : ''}`)
  if (p + f === 0 && !(mayBeSkipped.has(suite) && s > 0)) {
    console.log(`${suite}: ran no test`)
    missing = true
  }
  passed += p
  failed += f
  skipped += s
}
console.log(`Total: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(missing || failed > 0 ? 1 : 0)
