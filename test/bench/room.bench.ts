/**
 * `npm run bench:room`: a video room through what laptops do, Holdfast against a baseline
 * room client (janus.js alone, the careful recipe of test/bench/baseline/room.ts). Ann joins
 * from the laptop's network (the client namespace), Ben from a network that never changes
 * (the watchers' namespace), both with the same client. Ann goes through Wi-Fi to cellular, a
 * 4 s sleep and a 5 s dead path; per run: the time from the network being back until Ben
 * decodes Ann's video again, and until Ann decodes Ben's (from getStats, sampled every 50 ms
 * by a probe injected into both pages). HOLDFAST_BENCH_RUNS runs per scenario and client
 * (default 5); figures are printed and written to test-results/room-bench.json and .md.
 * Figures, not verdicts: a run not back within 30 s counts as not recovered.
 */
import { chromium, type Browser, type Page } from '@playwright/test'
import { startNetLab, type NetLab } from '../lab/netlab'
import { applyNetworkEvent, type NetworkEvent } from './network-events'
import { alternateRuns, comparisonTable, publishFigures, type BenchClient } from './results'
import { probe, resumedAfter, samples, untilFlowingAgain } from '../lab/media-probe'
import { chromiumArgs, expect, joinRoom, test } from '../network/fixtures'

const runs = Number(process.env.HOLDFAST_BENCH_RUNS ?? 5)
const deadlineMs = 30_000
const scenarios = ['wifi-to-cell', 'sleep-4s', 'dead-path-5s'] as const satisfies NetworkEvent[]
const metrics = ['benSeesAnnMs', 'annSeesBenMs'] as const
type Client = BenchClient
type Metric = (typeof metrics)[number]
type Scenario = (typeof scenarios)[number]
type RunResult = Partial<Record<Metric, number>>

/** Opens the client as `name` in the room (the baseline joins by itself). */
async function enter(page: Page, url: string, client: Client, name: string): Promise<void> {
  if (client === 'holdfast') await joinRoom(page, url, name)
  else await page.goto(url)
}

async function leaveRoom(page: Page, client: Client): Promise<void> {
  if (client === 'holdfast')
    await page
      .getByRole('region', { name: 'Meetings' })
      .getByRole('button', { name: 'Leave room' })
      .click({ timeout: 5000 })
      .catch(() => undefined)
  else await page.evaluate('window.__baseline.leave()').catch(() => undefined)
}

const decoding = (page: Page) =>
  expect
    .poll(async () => (await samples(page)).at(-1)?.frames ?? 0, { timeout: 45_000 })
    .toBeGreaterThan(30)

async function measure(
  browsers: { ann: Browser; ben: Browser },
  lab: NetLab,
  client: Client,
  scenario: Scenario,
): Promise<RunResult> {
  const annContext = await browsers.ann.newContext()
  const benContext = await browsers.ben.newContext()
  try {
    const ann = await annContext.newPage()
    const ben = await benContext.newPage()
    await ann.addInitScript(probe)
    await ben.addInitScript(probe)
    const baseline = (server: string, name: string) =>
      `http://127.0.0.1:8080/baseline/room.html?${new URLSearchParams({ server, name }).toString()}`
    const benServer = new URL(lab.watcherPageUrl!()).searchParams.get('server')!
    await enter(
      ann,
      client === 'holdfast' ? lab.pageUrl() : baseline(lab.janusUrl, 'Ann'),
      client,
      'Ann',
    )
    await enter(
      ben,
      client === 'holdfast' ? lab.watcherPageUrl!() : baseline(benServer, 'Ben'),
      client,
      'Ben',
    )
    await decoding(ann)
    await decoding(ben)
    const { broke, back } = await applyNetworkEvent(lab, scenario)
    const until = back + deadlineMs
    await untilFlowingAgain(ben, 'frames', broke, back, deadlineMs)
    await untilFlowingAgain(ann, 'frames', broke, back, deadlineMs)
    const result: RunResult = {}
    const benSees = resumedAfter(await samples(ben), 'frames', broke, back, until)
    const annSees = resumedAfter(await samples(ann), 'frames', broke, back, until)
    if (benSees !== undefined) result.benSeesAnnMs = Math.round(benSees)
    if (annSees !== undefined) result.annSeesBenMs = Math.round(annSees)
    await leaveRoom(ann, client)
    await leaveRoom(ben, client)
    return result
  } finally {
    await annContext.close()
    await benContext.close()
  }
}

test('room benchmark: Holdfast against a careful janus.js room client', async () => {
  test.setTimeout(90 * 60_000)
  // Production-like windows: a 60 s session timeout and a 15 s reclaim window.
  const lab = await startNetLab({ sessionTimeoutS: 60, reclaimSessionTimeoutS: 15, room: true })
  const ann = await chromium.launch({ executablePath: lab.chromiumLauncher, args: chromiumArgs })
  const ben = await chromium.launch({ executablePath: lab.watcherLauncher!, args: chromiumArgs })
  let results: Record<string, Record<Client, RunResult[]>>
  try {
    results = await alternateRuns(scenarios, runs, (client, scenario) =>
      measure({ ann, ben }, lab, client, scenario as Scenario),
    )
  } finally {
    await ann.close().catch(() => undefined)
    await ben.close().catch(() => undefined)
    await lab.close()
  }

  const { table, summary } = comparisonTable(results, metrics, runs, (metric) =>
    metric === 'benSeesAnnMs' ? 'Ben sees Ann' : 'Ann sees Ben',
  )
  publishFigures('room-bench', table, { runs, deadlineMs, summary, results })
  expect(results['wifi-to-cell']!.holdfast.length).toBe(runs)
})
