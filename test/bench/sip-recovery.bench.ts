/**
 * `npm run bench:sip`: a phone call through what laptops do, in the SIP network lab (the
 * laptop in the client namespace; Janus's SIP plugin, kamailio and a baresip far end `desk` on
 * the server), Holdfast against a careful janus.js phone (test/bench/baseline/sip.ts) in the
 * same run, phase by phase as in bench:recovery: told, session back, restart offer, answer,
 * ICE connected, first audio packet from the far end (there is no video). Each scenario runs
 * N times per client (HOLDFAST_BENCH_RUNS, default 5; HOLDFAST_BENCH_SCENARIOS picks some);
 * figures are printed and written to test-results/sip-recovery-bench.json and .md. Figures,
 * not verdicts: a run not back within 30 s counts as not recovered.
 *
 * Not here: a 20 s sleep (past the reclaim window the session is gone and the SIP plugin
 * hangs the call up, for every client: there is no call to recover) and a socket cut alone
 * (the browser's offline emulation is Holdfast-observable only; the network lab covers it).
 */
import type { Browser, Page } from '@playwright/test'
import { labAddresses, type NetLab, type NetLabOptions } from '../lab/netlab'
import { pcEvents, resumedAfter, samples, untilFlowingAgain } from '../lab/media-probe'
import { hangUpButton, returnToCall } from '../lab/screens'
import { callDeskFromLab, expect, test, type SipWorld } from '../network/fixtures'
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
// Not a 20 s sleep: past the reclaim window the SIP plugin hangs the call up, for every client.
const scenarios = pickedScenarios(recoveryScenarios.filter((s) => s !== 'sleep-20s'))
type Scenario = RecoveryScenario
const clients = ['holdfast', 'careful'] as const satisfies readonly PhaseClient[]
type Client = (typeof clients)[number]
/** Audio only: the phases up to the first packet. */
const audioPhases = phases.filter((p) => p !== 'firstFrameMs')

async function startCall(page: Page, lab: NetLab, sip: SipWorld, client: Client): Promise<void> {
  if (client === 'careful') {
    await page.goto(
      `http://127.0.0.1:8080/baseline/sip.html?${new URLSearchParams({
        server: lab.janusUrl,
        user: sip.account.uri,
        password: sip.account.password,
        registrar: sip.account.registrar,
        callee: `sip:desk@${labAddresses.server}`,
      }).toString()}`,
    )
  } else {
    await callDeskFromLab(page, lab, sip)
  }
  await expect
    .poll(async () => (await samples(page)).at(-1)?.audio ?? 0, { timeout: 30_000 })
    .toBeGreaterThan(100)
}

/** Hangs up so the far end is free for the next run (a call that never came back may not). */
async function hangUp(page: Page, client: Client): Promise<void> {
  if (client === 'careful') {
    await Promise.race([
      page.evaluate('window.__baseline.hangup()'),
      new Promise((resolve) => setTimeout(resolve, 5000)),
    ]).catch(() => undefined)
    return
  }
  await returnToCall(page).catch(() => undefined)
  if (await hangUpButton(page).isVisible()) await hangUpButton(page).click()
  await expect(page.getByTestId('sip-call-status'))
    .toHaveText('Call ended', { timeout: 10_000 })
    .catch(() => undefined)
}

async function measure(
  browser: Browser,
  lab: NetLab,
  sip: SipWorld,
  client: Client,
  scenario: Scenario,
): Promise<RunResult> {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await probeBenchPage(page)
    await startCall(page, lab, sip, client)
    const pair =
      [...(await pcEvents(page))].reverse().find((e) => e.kind === 'ice-connected')?.detail ?? ''
    const mediaUplink = pair.startsWith(`${labAddresses.wifi.client}:`) ? 'wifi' : 'cell'
    const { broke, back } = await applyNetworkEvent(lab, scenario, mediaUplink)
    const until = back + deadlineMs
    await untilFlowingAgain(page, 'audio', back, deadlineMs)
    const all = await samples(page)
    if (process.env.HOLDFAST_BENCH_DEBUG && client === 'holdfast')
      console.log(
        `call: ${await page
          .getByTestId('sip-call-status')
          .textContent()
          .catch(() => '?')}`,
      )
    const own = await clientEvents(page, client)
    const pcs = await pcEvents(page)
    printTimeline([...own, ...pcs], broke, back)
    const result = phasesOf(client, own, pcs, broke, back, {
      packet: resumedAfter(all, 'audio', broke, back, until),
      frame: undefined,
    })
    await hangUp(page, client)
    return result
  } finally {
    await context.close()
  }
}

/** Runs `wanted` in one SIP lab, or in a fresh one per run when a run changes it for good. */
function runIn(
  options: NetLabOptions,
  wanted: Scenario[],
  freshWorldEachRun: boolean,
): Promise<Record<string, Record<Client, RunResult[]>>> {
  return runInWorld({
    open: () => openBenchLab({ ...options, sip: true }),
    scenarios: wanted,
    runs,
    clients,
    measure: (world, client, scenario) =>
      measure(world.browser, world.lab, world.sip!, client, scenario as Scenario),
    freshWorldEachRun,
  })
}

test('SIP call recovery benchmark: Holdfast against a careful janus.js phone, phase by phase', async () => {
  test.setTimeout(120 * 60_000)
  const results = await runAcrossLabs(scenarios, runIn)
  const { table, summary } = comparisonTable(
    results,
    audioPhases,
    runs,
    (phase) => phase.replace(/Ms$/, ''),
    clients,
    { holdfast: 'Holdfast', careful: 'careful janus.js' },
  )
  publishFigures('sip-recovery-bench', table, { runs, deadlineMs, summary, results })
  expect(Object.keys(results).length).toBe(scenarios.length)
})
