/**
 * `npm run bench:recovery`: the echo call's recovery in the network lab, phase by phase,
 * Holdfast against two janus.js baselines in the same run (test/bench/baseline): the careful
 * recipe (a claim on `online`, an ICE restart after every claim and at once on ICE failed) and
 * the naive one (backoff reclaims, ICE restarts after 4 s of disconnected). Each scenario runs
 * N times per client (HOLDFAST_BENCH_RUNS, default 5; HOLDFAST_BENCH_SCENARIOS picks some),
 * the clients in turn; the figures are printed and written to test-results/recovery-bench.json
 * and .md. Figures, not verdicts.
 *
 * Phases of each run (issue 13), all measured the same way for every client:
 * - told: the first sign the client had, from the break (its own event: an OS signal, a lost
 *   socket, a keepalive timeout, `online`; or its PeerConnection leaving connected);
 * - session back, restart offer, answer, ICE connected, first packet, first frame: from the
 *   moment the network was back. The offer, the answer and ICE come from the page's own
 *   PeerConnections (a probe wraps them), the packet and the frame from getStats every 50 ms.
 * A run that has not recovered within 30 s counts as not recovered (its missing phases show as
 * fewer runs in the table).
 */
import type { Browser, Page } from '@playwright/test'
import { labAddresses, type NetLab, type NetLabOptions } from '../lab/netlab'
import { pcEvents, resumedAfter, samples, untilFlowingAgain } from '../lab/media-probe'
import { openCameraTest, skipSetupIfShown } from '../lab/screens'
import { expect, test } from '../network/fixtures'
import { clientEvents, printTimeline, probeBenchPage } from './client-events'
import {
  applyNetworkEvent,
  benchRuns,
  pickedScenarios,
  recoveryScenarios,
  type RecoveryScenario,
} from './network-events'
import { phases, phasesOf, type PhaseClient, type RunResult } from './phases'
import { openBenchLab, runAcrossLabs, runInWorld } from './lab-runs'
import { comparisonTable, publishFigures } from './results'

const runs = benchRuns
const deadlineMs = 30_000
const scenarios = pickedScenarios(recoveryScenarios)
type Scenario = RecoveryScenario
const clients = ['holdfast', 'careful', 'naive'] as const satisfies readonly PhaseClient[]
type Client = PhaseClient

async function startCall(page: Page, lab: NetLab, client: Client): Promise<void> {
  if (client === 'holdfast') {
    await page.goto(lab.pageUrl())
    await expect(page.getByTestId('connection-status')).toHaveText('Connected')
    await skipSetupIfShown(page)
    await openCameraTest(page)
    await page.getByRole('button', { name: 'Start echo call' }).click()
  } else {
    await page.goto(lab.baselineUrl({ recipe: client }))
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
    await probeBenchPage(page)
    await startCall(page, lab, client)
    // Which link the media runs on, from the pair ICE connected on (for losing that one).
    const pair =
      [...(await pcEvents(page))].reverse().find((e) => e.kind === 'ice-connected')?.detail ?? ''
    const mediaUplink = pair.startsWith(`${labAddresses.wifi.client}:`) ? 'wifi' : 'cell'
    const { broke, back } = await applyNetworkEvent(lab, scenario, mediaUplink)
    const until = back + deadlineMs
    await untilFlowingAgain(page, 'frames', back, deadlineMs)
    const all = await samples(page)
    const own = await clientEvents(page, client)
    const pcs = await pcEvents(page)
    printTimeline([...own, ...pcs], broke, back)
    return phasesOf(client, own, pcs, broke, back, {
      packet: resumedAfter(all, 'audio', broke, back, until),
      frame: resumedAfter(all, 'frames', broke, back, until),
    })
  } finally {
    await context.close()
  }
}

/** Runs `wanted` in one lab, or in a fresh one per run when a run changes it for good. */
function runIn(
  options: NetLabOptions,
  wanted: Scenario[],
  freshWorldEachRun: boolean,
): Promise<Record<string, Record<Client, RunResult[]>>> {
  return runInWorld({
    open: () => openBenchLab(options),
    scenarios: wanted,
    runs,
    clients,
    measure: (world, client, scenario) =>
      measure(world.browser, world.lab, client, scenario as Scenario),
    freshWorldEachRun,
  })
}

test('recovery benchmark: Holdfast against janus.js, careful and naive, phase by phase', async () => {
  test.setTimeout(180 * 60_000)
  const results = await runAcrossLabs(scenarios, runIn)
  const { table, summary } = comparisonTable(
    results,
    phases,
    runs,
    (phase) => phase.replace(/Ms$/, ''),
    clients,
    { holdfast: 'Holdfast', careful: 'careful janus.js', naive: 'naive janus.js' },
  )
  const pairs = Object.fromEntries(
    Object.entries(results).map(([scenario, byClient]) => [
      scenario,
      Object.fromEntries(clients.map((c) => [c, byClient[c].map((r) => r.pair ?? '–')])),
    ]),
  )
  publishFigures('recovery-bench', table, { runs, deadlineMs, summary, pairs, results })
  expect(Object.keys(results).length).toBe(scenarios.length)
})
