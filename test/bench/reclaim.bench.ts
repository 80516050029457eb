/**
 * `npm run bench:reclaim`: how long recovery takes in the browser, on this machine.
 * - socket cut mid-call -> "Connected" again (same session)
 * - page reload mid-session -> "Connected" on the reclaimed session
 * Prints p50/p95 and writes test-results/reclaim-bench.json. Figures, not verdicts: the
 * only assertions are that each run recovered the same session.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { expect, openApp, shownSessionId, startEchoCall, test } from '../e2e/fixtures'

const runs = Number(process.env.HOLDFAST_BENCH_RUNS ?? 10)

/** Records every change of the status text with an epoch timestamp, across reloads. */
const recordStatus = `
  window.__statusLog = [];
  new MutationObserver(() => {
    const el = document.querySelector('[data-testid=connection-status]');
    if (el) window.__statusLog.push({ at: performance.timeOrigin + performance.now(), text: el.textContent.trim() });
  }).observe(document, { subtree: true, childList: true, characterData: true });
`

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

test('reclaim timings', async ({ page, lab }) => {
  test.setTimeout(600_000)
  await page.addInitScript(recordStatus)
  const sessionId = await openApp(page, lab)
  await startEchoCall(page)

  const connectedAfter = async (since: number): Promise<number> => {
    let at = 0
    await expect
      .poll(async () => {
        const log = (await page.evaluate('window.__statusLog')) as { at: number; text: string }[]
        at = log.find((e) => e.at >= since && e.text === 'Connected')?.at ?? 0
        return at
      })
      .toBeGreaterThan(0)
    return at - since
  }

  const cut: number[] = []
  for (let i = 0; i < runs; i++) {
    await page.evaluate('window.__statusLog.length = 0')
    const t0 = Date.now()
    lab.relay.cut()
    cut.push(await connectedAfter(t0))
    expect(await shownSessionId(page)).toBe(sessionId)
  }

  const reload: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = Date.now()
    await page.reload()
    reload.push(await connectedAfter(t0))
    expect(await shownSessionId(page)).toBe(sessionId)
  }

  const summary = {
    machine: '2 cores, shared; Janus 1.1.2 and Chromium in one network namespace, via a TCP relay',
    runs,
    socketCutToConnectedMs: {
      p50: percentile(cut, 50),
      p95: percentile(cut, 95),
      all: cut.map(Math.round),
    },
    reloadToReclaimedMs: {
      p50: percentile(reload, 50),
      p95: percentile(reload, 95),
      all: reload.map(Math.round),
    },
  }
  mkdirSync('test-results', { recursive: true })
  writeFileSync('test-results/reclaim-bench.json', JSON.stringify(summary, null, 2))
  console.log(
    `socket cut -> Connected: p50 ${summary.socketCutToConnectedMs.p50.toFixed(0)} ms, p95 ${summary.socketCutToConnectedMs.p95.toFixed(0)} ms`,
  )
  console.log(
    `page reload -> reclaimed session: p50 ${summary.reloadToReclaimedMs.p50.toFixed(0)} ms, p95 ${summary.reloadToReclaimedMs.p95.toFixed(0)} ms`,
  )
})
