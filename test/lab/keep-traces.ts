/** Attaches a failing test's lab traces (Janus's log, the SIP lab's) to its results. */
import { writeFileSync } from 'node:fs'
import type { TestInfo } from '@playwright/test'
import type { RunningJanus } from './janus-process'
import { tracesSince } from './traces'

/** Janus's log and the traces of lab processes started since `mark` (and the running ones). */
export async function keepLabTraces(
  testInfo: TestInfo,
  janus: RunningJanus,
  mark: number,
): Promise<void> {
  await testInfo.attach('janus.log', { path: janus.logFile, contentType: 'text/plain' })
  for (const trace of tracesSince(mark, { includeRunning: true })) {
    // Written as files, so they stay in test-results whatever the reporter.
    const path = testInfo.outputPath(trace.name)
    writeFileSync(path, trace.text)
    await testInfo.attach(trace.name, { path, contentType: 'text/plain' })
  }
}
