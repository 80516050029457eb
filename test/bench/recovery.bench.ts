/**
 * `npm run bench:recovery`: recovery in the network lab, Holdfast against a baseline client
 * (janus.js alone following the Janus reclaim guide, test/bench/baseline). Each scenario runs
 * N times per client (HOLDFAST_BENCH_RUNS, default 5) and the figures are printed and written
 * to test-results/recovery-bench.json and .md. Figures, not verdicts.
 *
 * Per run: loss detected (from the client's own event, after the break; after the wake for a
 * sleep), session back (claimed or recreated, after the network is back), first new decoded
 * video frame and first new audio packet after the network is back (from getStats, sampled
 * every 50 ms by a probe injected into both pages). A run that has not recovered within
 * 30 s counts as not recovered.
 */
import { openCameraTest, openScreen, skipSetupIfShown } from '../lab/screens'
import { chromium, type Browser, type Page } from '@playwright/test'
import { startNetLab, type NetLab } from '../lab/netlab'
import { applyNetworkEvent } from './network-events'
import { alternateRuns, comparisonTable, publishFigures, type BenchClient } from './results'
import { probe, resumedAfter, samples, untilFlowingAgain } from '../lab/media-probe'
import { chromiumArgs, expect, test } from '../network/fixtures'

const runs = Number(process.env.HOLDFAST_BENCH_RUNS ?? 5)
const deadlineMs = 30_000
const scenarios = ['wifi-to-cell', 'dead-path-5s', 'sleep-20s'] as const
const metrics = ['lossDetectedMs', 'sessionBackMs', 'videoBackMs', 'audioBackMs'] as const
type Client = BenchClient
type Scenario = (typeof scenarios)[number]
type Metric = (typeof metrics)[number]
type RunResult = Partial<Record<Metric, number>>

interface ClientEvent {
  at: number
  kind: string
  detail: string
}

async function clientEvents(page: Page, client: Client): Promise<ClientEvent[]> {
  if (client === 'baseline')
    return (await page.evaluate('window.__baseline.events')) as ClientEvent[]
  await openScreen(page, 'Settings', 'Advanced')
  return page.locator('[data-testid="incidents"] li').evaluateAll((items) =>
    items.map((li) => ({
      at: Number(li.getAttribute('data-at')),
      kind: li.getAttribute('data-kind') ?? '',
      detail: li.textContent ?? '',
    })),
  )
}

async function startCall(page: Page, lab: NetLab, client: Client): Promise<void> {
  if (client === 'holdfast') {
    await page.goto(lab.pageUrl())
    await expect(page.getByTestId('connection-status')).toHaveText('Connected')
    await skipSetupIfShown(page)
    await openCameraTest(page)
    await page.getByRole('button', { name: 'Start echo call' }).click()
  } else {
    await page.goto(lab.baselineUrl())
  }
  await expect
    .poll(async () => (await samples(page)).at(-1)?.frames ?? 0, { timeout: 30_000 })
    .toBeGreaterThan(30)
}

async function measure(
  browser: Browser,
  lab: NetLab,
  client: Client,
  scenario: Scenario,
): Promise<RunResult> {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.addInitScript(probe)
    await startCall(page, lab, client)
    const { broke, back } = await applyNetworkEvent(lab, scenario)
    const until = back + deadlineMs
    await untilFlowingAgain(page, 'frames', broke, back, deadlineMs)
    const all = await samples(page)
    const events = (await clientEvents(page, client)).filter((e) => e.at >= broke)
    const detectFrom = scenario === 'sleep-20s' ? back : broke
    const lossKinds = client === 'holdfast' ? ['loss-detected'] : ['loss']
    const backKinds = client === 'holdfast' ? ['claimed', 'recreated'] : ['reconnected']
    const loss = events.find((e) => lossKinds.includes(e.kind))
    const session = events.find((e) => backKinds.includes(e.kind) && e.at >= back - 50)
    return {
      ...(loss ? { lossDetectedMs: Math.max(0, loss.at - detectFrom) } : {}),
      ...(session ? { sessionBackMs: Math.max(0, session.at - back) } : {}),
      ...withValue('videoBackMs', resumedAfter(all, 'frames', broke, back, until)),
      ...withValue('audioBackMs', resumedAfter(all, 'audio', broke, back, until)),
    }
  } finally {
    await context.close()
  }
}

function withValue(key: Metric, value: number | undefined): RunResult {
  return value === undefined ? {} : { [key]: Math.round(value) }
}

test('recovery benchmark: Holdfast against janus.js alone', async () => {
  test.setTimeout(90 * 60_000)
  // Production-like windows: a 60 s session timeout and a 15 s reclaim window.
  const lab = await startNetLab({ sessionTimeoutS: 60, reclaimSessionTimeoutS: 15 })
  const browser = await chromium.launch({
    executablePath: lab.chromiumLauncher,
    args: chromiumArgs,
  })
  let results: Record<string, Record<Client, RunResult[]>>
  try {
    results = await alternateRuns(scenarios, runs, (client, scenario) =>
      measure(browser, lab, client, scenario as Scenario),
    )
  } finally {
    await browser.close().catch(() => undefined)
    await lab.close()
  }

  const { table, summary } = comparisonTable(results, metrics, runs, (metric) =>
    metric.replace(/Ms$/, ''),
  )
  publishFigures('recovery-bench', table, { runs, deadlineMs, summary, results })
  expect(results['wifi-to-cell']!.holdfast.length).toBe(runs)
})
