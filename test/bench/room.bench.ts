/**
 * `npm run bench:room`: a video room through what laptops do, Holdfast against a careful
 * janus.js room client (test/bench/baseline/room.ts) in the same run, phase by phase as in
 * bench:recovery. Ann joins from the laptop's network (the client namespace), Ben from a
 * network that never changes (the watchers' namespace), both with the same client. Ann's
 * network goes through each scenario; the phases are Ann's (told, session back, the first
 * restart offer from either side and its answer, ICE connected, the first audio packet and
 * the first video frame from Ben), and one more measure: Ben decoding Ann's video again. All
 * from getStats sampled every 50 ms by a probe injected into both pages. HOLDFAST_BENCH_RUNS
 * runs per scenario and client (default 5; HOLDFAST_BENCH_SCENARIOS picks some); figures are
 * printed and written to test-results/room-bench.json and .md. Figures, not verdicts: a run
 * not back within 30 s counts as not recovered.
 */
import type { Browser, Page } from '@playwright/test'
import { labAddresses, type NetLab, type NetLabOptions } from '../lab/netlab'
import { pcEvents, resumedAfter, samples, untilFlowingAgain } from '../lab/media-probe'
import { expect, joinRoom, test } from '../network/fixtures'
import { clientEvents, printTimeline, probeBenchPage } from './client-events'
import { openBenchLab, runAcrossLabs, runInWorld } from './lab-runs'
import {
  applyNetworkEvent,
  benchRuns,
  pickedScenarios,
  recoveryScenarios,
  type RecoveryScenario,
} from './network-events'
import { phases, phasesOf, type PhaseClient, type RunResult as Phases } from './phases'
import { comparisonTable, publishFigures } from './results'

const runs = benchRuns
const deadlineMs = 30_000
const scenarios = pickedScenarios(recoveryScenarios)
type Scenario = RecoveryScenario
const clients = ['holdfast', 'careful'] as const satisfies readonly PhaseClient[]
type Client = (typeof clients)[number]
const measures = [...phases, 'benSeesAnnMs'] as const
type RunResult = Phases & { benSeesAnnMs?: number }

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
    for (const page of [ann, ben]) await probeBenchPage(page)
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
    const pair =
      [...(await pcEvents(ann))].reverse().find((e) => e.kind === 'ice-connected')?.detail ?? ''
    const mediaUplink = pair.startsWith(`${labAddresses.wifi.client}:`) ? 'wifi' : 'cell'
    const { broke, back } = await applyNetworkEvent(lab, scenario, mediaUplink)
    const until = back + deadlineMs
    await untilFlowingAgain(ben, 'frames', back, deadlineMs)
    await untilFlowingAgain(ann, 'frames', back, deadlineMs)
    const annSamples = await samples(ann)
    const own = await clientEvents(ann, client)
    const pcs = await pcEvents(ann)
    printTimeline([...own, ...pcs], broke, back)
    const result: RunResult = phasesOf(client, own, pcs, broke, back, {
      packet: resumedAfter(annSamples, 'audio', broke, back, until),
      frame: resumedAfter(annSamples, 'frames', broke, back, until),
    })
    const benSees = resumedAfter(await samples(ben), 'frames', broke, back, until)
    if (benSees !== undefined) result.benSeesAnnMs = Math.round(benSees)
    await leaveRoom(ann, client)
    await leaveRoom(ben, client)
    return result
  } finally {
    await annContext.close()
    await benContext.close()
  }
}

/** Runs `wanted` in one room lab, or in a fresh one per run when a run changes it for good. */
function runIn(
  options: NetLabOptions,
  wanted: Scenario[],
  freshWorldEachRun: boolean,
): Promise<Record<string, Record<Client, RunResult[]>>> {
  return runInWorld({
    open: () => openBenchLab({ ...options, room: true }),
    scenarios: wanted,
    runs,
    clients,
    measure: (world, client, scenario) =>
      measure(
        { ann: world.browser, ben: world.watcherBrowser! },
        world.lab,
        client,
        scenario as Scenario,
      ),
    freshWorldEachRun,
  })
}

test('room benchmark: Holdfast against a careful janus.js room client, phase by phase', async () => {
  test.setTimeout(180 * 60_000)
  const results = await runAcrossLabs(scenarios, runIn)
  const { table, summary } = comparisonTable(
    results,
    measures,
    runs,
    (measure) => (measure === 'benSeesAnnMs' ? 'Ben sees Ann' : measure.replace(/Ms$/, '')),
    clients,
    { holdfast: 'Holdfast', careful: 'careful janus.js' },
  )
  publishFigures('room-bench', table, { runs, deadlineMs, summary, results })
  expect(Object.keys(results).length).toBe(scenarios.length)
})
