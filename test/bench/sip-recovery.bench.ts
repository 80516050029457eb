/**
 * `npm run bench:sip`: a phone call through what laptops do, in the SIP network lab
 * (Holdfast in the client namespace; Janus's SIP plugin, kamailio and a baresip far end on the
 * server). Each scenario runs N times (HOLDFAST_BENCH_RUNS, default 5); the figures are printed
 * and written to test-results/sip-recovery-bench.json and .md. Figures, not verdicts.
 *
 * Per run: the session back (claimed, after the network is back) and audio back: the first
 * new audio packet from the far end after the network is back, from getStats sampled every
 * 50 ms by the probe (0 when audio never paused for 200 ms). A run that has not recovered
 * within 30 s counts as not recovered.
 */
import { hangUpButton, incidents, openScreen, returnToCall, skipSetupIfShown } from '../lab/screens'
import { chromium, type Page } from '@playwright/test'
import { startNetLab, type NetLab } from '../lab/netlab'
import { chromiumArgs, expect, startSipWorld, test } from '../network/fixtures'
import { applyNetworkEvent } from './network-events'
import { publishFigures } from './results'
import { percentile, probe, resumedAfter, samples, untilFlowingAgain } from '../lab/media-probe'

const runs = Number(process.env.HOLDFAST_BENCH_RUNS ?? 5)
const deadlineMs = 30_000
const scenarios = ['wifi-to-cell', 'sleep-4s', 'dead-path-5s', 'socket-cut'] as const
type Scenario = (typeof scenarios)[number]
interface RunResult {
  sessionBackMs?: number
  audioBackMs?: number
}

/** Applies the scenario; a socket cut is the page going offline until it notices. */
async function apply(
  lab: NetLab,
  page: Page,
  scenario: Scenario,
): Promise<{ broke: number; back: number }> {
  if (scenario !== 'socket-cut') return applyNetworkEvent(lab, scenario)
  const broke = Date.now()
  await page.context().setOffline(true)
  await expect(page.getByTestId('connection-status')).toHaveText(/^Reconnecting/)
  const back = Date.now()
  await page.context().setOffline(false)
  return { broke, back }
}

test('SIP call recovery benchmark', async () => {
  test.setTimeout(60 * 60_000)
  // Production-like windows: a 60 s session timeout and a 15 s reclaim window.
  const lab = await startNetLab({ sessionTimeoutS: 60, reclaimSessionTimeoutS: 15, sip: true })
  const sip = await startSipWorld(lab)
  const browser = await chromium.launch({
    executablePath: lab.chromiumLauncher,
    args: chromiumArgs,
  })
  const results: Record<string, RunResult[]> = {}
  try {
    for (const scenario of scenarios) {
      results[scenario] = []
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext()
        try {
          const page = await context.newPage()
          await page.addInitScript(probe)
          await page.goto(lab.pageUrl())
          await expect(page.getByTestId('connection-status')).toHaveText('Connected')
          await skipSetupIfShown(page)
          await openScreen(page, 'Settings', 'Accounts')
          await page.getByLabel('SIP address', { exact: true }).fill(sip.account.uri)
          await page.getByLabel('Password', { exact: true }).fill(sip.account.password)
          await page.getByLabel('Registrar', { exact: true }).fill(sip.account.registrar)
          await page.getByRole('button', { name: 'Register' }).click()
          await expect(page.getByTestId('sip-registration')).toHaveText('Registered')
          await openScreen(page, 'Phone')
          await page.getByLabel('Number or SIP address').fill('desk')
          await page.getByRole('button', { name: 'Call', exact: true }).click()
          await expect(page.getByTestId('sip-call-status')).toHaveText(/^In call/)
          await expect
            .poll(async () => (await samples(page)).at(-1)?.audio ?? 0, { timeout: 30_000 })
            .toBeGreaterThan(100)

          const { broke, back } = await apply(lab, page, scenario)
          const until = back + deadlineMs
          await untilFlowingAgain(page, 'audio', broke, back, deadlineMs)
          const audio = resumedAfter(await samples(page), 'audio', broke, back, until)
          const claimed = await (
            await incidents(page)
          )
            .locator('li[data-kind="claimed"]')
            .evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-at'))))
          const session = claimed.find((at) => at >= back - 50)
          const result: RunResult = {
            ...(session !== undefined ? { sessionBackMs: Math.max(0, session - back) } : {}),
            ...(audio !== undefined ? { audioBackMs: Math.round(audio) } : {}),
          }
          results[scenario].push(result)
          console.log(`${scenario} #${i + 1}: ${JSON.stringify(result)}`)
          // Hang up, so the far end is free for the next run.
          await returnToCall(page)
          await hangUpButton(page).click()
          await expect(page.getByTestId('sip-call-status')).toHaveText('Call ended')
        } finally {
          await context.close()
        }
      }
    }
  } finally {
    await browser.close().catch(() => undefined)
    await sip.stop()
    await lab.close()
  }

  const rows = ['| scenario | measure | p50 | p95 | recovered |', '| --- | --- | --- | --- | --- |']
  const summary: Record<string, unknown> = {}
  for (const scenario of scenarios) {
    for (const metric of ['sessionBackMs', 'audioBackMs'] as const) {
      const values = results[scenario]!.map((r) => r[metric]).filter(
        (v): v is number => v !== undefined,
      )
      const [p50, p95] = [percentile(values, 50), percentile(values, 95)]
      const fmt = (v: number | undefined) => (v === undefined ? '–' : `${Math.round(v)} ms`)
      rows.push(
        `| ${scenario} | ${metric.replace(/Ms$/, '')} | ${fmt(p50)} | ${fmt(p95)} | ${values.length}/${runs} |`,
      )
      summary[`${scenario}.${metric}`] = { p50, p95, recovered: values.length, runs }
    }
  }
  const table = rows.join('\n')
  publishFigures('sip-recovery-bench', table, { runs, deadlineMs, summary, results })
  expect(results['wifi-to-cell']!.length).toBe(runs)
})
