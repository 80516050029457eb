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
import { chromium, type Browser, type Page } from '@playwright/test'
import { startNetLab, type NetLab } from '../lab/netlab'
import { applyNetworkEvent } from './network-events'
import { publishFigures } from './results'
import { percentile, probe, resumedAfter, samples, untilFlowingAgain } from './media-probe'
import { chromiumArgs, expect, test } from '../network/fixtures'

const runs = Number(process.env.HOLDFAST_BENCH_RUNS ?? 5)
const deadlineMs = 30_000
const clients = ['holdfast', 'baseline'] as const
const scenarios = ['wifi-to-cell', 'dead-path-5s', 'sleep-20s'] as const
const metrics = ['lossDetectedMs', 'sessionBackMs', 'videoBackMs', 'audioBackMs'] as const
type Client = (typeof clients)[number]
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
  const results: Record<string, Record<Client, RunResult[]>> = {}
  try {
    for (const scenario of scenarios) {
      results[scenario] = { holdfast: [], baseline: [] }
      for (let i = 0; i < runs; i++) {
        for (const client of clients) {
          const result = await measure(browser, lab, client, scenario)
          results[scenario]![client].push(result)
          console.log(`${scenario} ${client} #${i + 1}: ${JSON.stringify(result)}`)
        }
      }
    }
  } finally {
    await browser.close().catch(() => undefined)
    await lab.close()
  }

  const rows: string[] = [
    '| scenario | measure | Holdfast p50 | Holdfast p95 | baseline p50 | baseline p95 | Holdfast / baseline (p50) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ]
  const summary: Record<string, unknown> = {}
  const fmt = (v: number | undefined, n: number, of: number) =>
    v === undefined ? `– (0/${of})` : `${Math.round(v)} ms${n < of ? ` (${n}/${of})` : ''}`
  for (const scenario of scenarios) {
    for (const metric of metrics) {
      const h = results[scenario]!.holdfast.map((r) => r[metric]).filter(
        (v): v is number => v !== undefined,
      )
      const b = results[scenario]!.baseline.map((r) => r[metric]).filter(
        (v): v is number => v !== undefined,
      )
      const [h50, h95, b50, b95] = [
        percentile(h, 50),
        percentile(h, 95),
        percentile(b, 50),
        percentile(b, 95),
      ]
      const ratio =
        h50 !== undefined && b50 !== undefined && b50 > 0
          ? (h50 / b50).toFixed(2)
          : b50 === undefined && h50 !== undefined
            ? 'baseline never'
            : '–'
      rows.push(
        `| ${scenario} | ${metric.replace(/Ms$/, '')} | ${fmt(h50, h.length, runs)} | ${fmt(h95, h.length, runs)} | ${fmt(b50, b.length, runs)} | ${fmt(b95, b.length, runs)} | ${ratio} |`,
      )
      summary[`${scenario}.${metric}`] = {
        holdfast: { p50: h50, p95: h95, recovered: h.length },
        baseline: { p50: b50, p95: b95, recovered: b.length },
        runs,
      }
    }
  }
  const table = rows.join('\n')
  publishFigures('recovery-bench', table, { runs, deadlineMs, summary, results })
  expect(results['wifi-to-cell']!.holdfast.length).toBe(runs)
})
