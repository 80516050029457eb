/**
 * The chaos soak (issue 14): Holdfast pages in an echo call, a phone call and a room while a
 * seeded schedule of faults hits the laptop, the network and the servers. After each fault
 * settles, what every page shows is checked against the server's truth. Run by
 * `npm run soak` (`--minutes N`, `--seed S` replays a schedule); `npm test` runs a short one.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { test, expect } from '@playwright/test'
import type { Page } from '@playwright/test'
import { percentile } from '../lab/media-probe'
import { publishFigures } from '../bench/results'
import { labWindows } from '../network/fixtures'
import { truthViolations, pluginsOf } from './invariants'
import { applyFault } from './faults'
import { answers, hangReport, pageShows, watchForHang } from './hang-report'
import { describeFault, faultKinds, faultSchedule, type Fault, type FaultKind } from './schedule'
import { laptopRoles, openSoakWorld, roles, type Role, type SoakWorld } from './world'

const minutes = Number(process.env.HOLDFAST_SOAK_MINUTES ?? 3)
/** At most this many faults (the short soak in `npm test` runs a fixed prefix of a schedule). */
const maxFaults = Number(process.env.HOLDFAST_SOAK_FAULTS ?? 10_000)
const seed = Number(process.env.HOLDFAST_SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31))
/** Only these kinds of fault (comma-separated), for a soak aimed at one rare failure. */
const kinds = (process.env.HOLDFAST_SOAK_KINDS?.split(',') ?? faultKinds) as FaultKind[]
/** How long a fault may take to settle before what is still wrong is a violation. */
const settleMs = 120_000
/**
 * How long the servers' truth may lag what the pages show. A Janus killed says goodbye to
 * nobody: its registration stays at the registrar until it expires (the lab's register_ttl,
 * 60 s) and its call at the far end until the far end's RTP timeout (30 s). Holdfast cannot
 * remove either through the SIP plugin; both must be gone within this.
 */
const truthMs = 75_000
/** A page's heap may grow this much over the soak (MB) before it counts as a leak. */
const heapBoundMb = 40

/**
 * Every step the driver takes, with the time, in test-results/soak-steps.log: when a soak
 * stalls, this says where.
 */
const stepsFile = 'test-results/soak-steps.log'
function step(text: string): void {
  appendFileSync(stepsFile, `${new Date().toISOString()} ${text}\n`)
}

/** One fault as it went. */
interface Outcome {
  fault: string
  kind: string
  /** From the end of the stimulus until every page was live again. */
  recoveredMs?: number
  /** Calls that ended (and what the page said), put back by the driver as a user would. */
  ended: string[]
  violations: string[]
}

/** JS heap in use after a full collection (MB), or undefined if the page cannot say. */
async function heapMb(page: Page): Promise<number | undefined> {
  return Promise.race([
    heapOf(page),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000)),
  ])
}

async function heapOf(page: Page): Promise<number | undefined> {
  try {
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('HeapProfiler.collectGarbage')
    await cdp.send('Performance.enable')
    const { metrics } = await cdp.send('Performance.getMetrics')
    await cdp.detach()
    const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value
    return used === undefined ? undefined : Math.round((used / 1_048_576) * 10) / 10
  } catch {
    return undefined
  }
}

/** Polls `check` until it holds (true) or `ms` pass; resolves with whether it held. */
async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    if (await check()) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** Waits until every page is live again, putting back calls that ended; says what it saw. */
async function recover(world: SoakWorld, fault: Fault, outcome: Outcome): Promise<void> {
  const since = Date.now()
  const pageFault = fault.page
  const last = new Map<Role, string>()
  const seen = new Map<Role, string>()
  /** When each page was first seen live in its current run of live readings. */
  const liveSince = new Map<Role, number>()
  const allLive = await within(settleMs, async () => {
    let live = true
    // All pages read at once: a page's reading says when it was live, not when its turn came.
    const readings = await Promise.all(
      roles.map(async (role) => ({ role, shown: await world.shown(role), at: Date.now() })),
    )
    for (const { role, shown, at } of readings) {
      // Each page's way back goes to the step log, as it changes (which page was last, and why).
      const said = shown.kind === 'live' ? 'live' : `${shown.kind}: ${shown.text}`
      if (seen.get(role) !== said) step(`${role}: ${said}`)
      seen.set(role, said)
      if (shown.kind === 'live') {
        liveSince.set(role, liveSince.get(role) ?? at)
        continue
      }
      liveSince.delete(role)
      live = false
      last.set(role, shown.text)
      if (shown.kind !== 'ended') continue
      // A page reloaded or crashed starts with no call, as an app restart does; anywhere
      // else a call that ended must say why.
      if (shown.text === '' && role !== pageFault)
        outcome.violations.push(`${role}: the call ended with no reason shown`)
      const ended = `${role}: ${shown.text || '(page restarted)'}`
      if (!outcome.ended.includes(ended)) outcome.ended.push(ended)
      step(`${role}: ended (${shown.text}); starting it again`)
      await world.establish(role).catch((error: Error) => {
        outcome.violations.push(`${role}: could not start its call again: ${error.message}`)
      })
    }
    return live
  })
  if (allLive) outcome.recoveredMs = Math.max(...liveSince.values()) - since
  else
    for (const [role, text] of last)
      if ((await world.shown(role)).kind !== 'live')
        outcome.violations.push(`${role}: still "${text}" ${settleMs / 1000} s after the fault`)
}

test('soak: calls, a registration and a room through a seeded schedule of faults keep every invariant', async () => {
  test.setTimeout((minutes + 8) * 60_000)
  console.log(
    `soak: seed ${seed}, ${minutes} min (replay: npm run soak -- --seed ${seed} --minutes ${minutes}${maxFaults < 10_000 ? ` --faults ${maxFaults}` : ''}${process.env.HOLDFAST_SOAK_KINDS ? ` --kinds ${kinds.join(',')}` : ''})`,
  )
  mkdirSync('test-results', { recursive: true })
  writeFileSync(stepsFile, '')
  step(`seed ${seed}: opening the world`)
  const world = await openSoakWorld(step)
  const outcomes: Outcome[] = []
  const heap: Record<string, (number | undefined)[]> = {}
  const handles: number[] = []
  const sample = async () => {
    for (const role of roles) (heap[role] ??= []).push(await heapMb(world.pages[role]))
    let total = 0
    for (const id of await world.lab.sessions()) total += (await world.lab.handles(id)).length
    handles.push(total)
  }
  try {
    // What each page's session holds when all is well: the measure of zombies later.
    for (const role of roles) await world.mediaRising(role, 30_000)
    const plugins = {} as Record<Role, string[]>
    for (const role of roles)
      plugins[role] = await pluginsOf(world, (await world.keptSessionId(role))!)
    const start = await truthViolations(world, plugins)
    expect(start, 'the world before any fault').toEqual([])
    await sample()

    /** A recovery slower than this has its pages' logs written to the step log. */
    const slowRecoveryMs = 8000
    const hangsReported = new Set<Role>()
    const hangWatch = new Map<Role, { page: Page; pause: () => Promise<string> }>()
    const schedule = faultSchedule(seed, maxFaults, labWindows, kinds)
    const endAt = Date.now() + minutes * 60_000
    for (const fault of schedule) {
      if (Date.now() >= endAt) break
      const outcome: Outcome = {
        fault: describeFault(fault),
        kind: fault.kind,
        ended: [],
        violations: [],
      }
      outcomes.push(outcome)
      // Each laptop page's debugger, opened while it is well (a reload keeps it, a new page not).
      for (const role of laptopRoles)
        if (hangWatch.get(role)?.page !== world.pages[role]) {
          const page = world.pages[role]
          const pause = await watchForHang(page).catch(() => undefined)
          if (pause) hangWatch.set(role, { page, pause })
        }
      const errorsBefore = world.consoleErrors.length
      step(`fault ${outcomes.length}: ${outcome.fault}`)
      const faultAt = new Date().toISOString()
      const held = fault.kind === 'token-expiry' ? world.tokensHeld() : undefined
      await applyFault(world, fault)
      step('recovering')
      await recover(world, fault, outcome)
      if (held) outcome.violations.push(...(await world.tokensRenewed(held, 30_000)))
      for (const role of roles) {
        step(`media of ${role}`)
        await world.mediaRising(role, 30_000).catch((error: Error) => {
          outcome.violations.push(
            `${role}: shows live but its media is not flowing both ways (${error.message.split('\n')[0]})`,
          )
        })
      }
      step('the truth')
      let truth: string[] = []
      await within(
        truthMs,
        async () => (truth = await truthViolations(world, plugins)).length === 0,
      )
      outcome.violations.push(...truth)
      outcome.violations.push(
        ...world.consoleErrors.slice(errorsBefore).map((e) => `console: ${e}`),
      )
      await sample()
      outcome.violations = [...new Set(outcome.violations)]
      // A page named by a violation that runs no script is hung: what it was doing, once.
      for (const role of laptopRoles)
        if (
          !hangsReported.has(role) &&
          outcome.violations.some((v) => v.startsWith(`${role}:`)) &&
          !(await answers(world.pages[role], 5000))
        ) {
          hangsReported.add(role)
          const pause = hangWatch.get(role)?.pause ?? (() => Promise.resolve('no debugger open'))
          step(
            `${role} does not answer; what it is doing:\n${await hangReport(pause, world.lab.laptopPids())}`,
          )
        }
      // A laptop page named by a violation that still runs scripts: what it shows.
      for (const role of laptopRoles)
        if (outcome.violations.some((v) => v.startsWith(`${role}:`)))
          step(
            `${role} shows:\n${await pageShows(world.pages[role], `test-results/playwright/soak/${role}-fault-${outcomes.length}.png`)}`,
          )
      // The evidence of a violation: what the pages it names said lately, into the step log.
      for (const role of roles)
        if (outcome.violations.some((v) => v.startsWith(`${role}:`) || v.includes(` ${role}:`)))
          step(`${role}'s log:\n  ${(world.consoleLines[role] ?? []).slice(-80).join('\n  ')}`)
      // A violation's cause may sit on another page (a publisher frozen for those who watch
      // it), and a slow way back is worth reading too (issue 13): every page since the fault.
      if (outcome.violations.length > 0 || (outcome.recoveredMs ?? 0) > slowRecoveryMs)
        for (const role of roles) {
          const lines = (world.consoleLines[role] ?? []).filter((l) => l >= faultAt)
          if (lines.length) step(`${role}'s log since the fault:\n  ${lines.join('\n  ')}`)
        }
      console.log(
        `${outcomes.length}. ${outcome.fault}: ${outcome.recoveredMs === undefined ? 'not recovered' : `live again in ${outcome.recoveredMs} ms`}${outcome.ended.length ? `; ended and started again: ${outcome.ended.join('; ')}` : ''}${outcome.violations.length ? `\n   VIOLATIONS: ${outcome.violations.join(' | ')}` : ''}`,
      )
      // A world that cannot be put back cannot say anything about the next fault.
      if (outcome.recoveredMs === undefined) break
    }
  } finally {
    const violations = outcomes.flatMap((o) => o.violations.map((v) => `${o.fault}: ${v}`))
    for (const role of roles) {
      const series = (heap[role] ?? []).filter((v): v is number => v !== undefined)
      if (series.length > 1 && series[series.length - 1]! - series[0]! > heapBoundMb)
        violations.push(`${role}: heap grew from ${series[0]} to ${series[series.length - 1]} MB`)
    }
    report(outcomes, violations, heap, handles)
    await world.close()
    expect(violations, `violations (replay with --seed ${seed})`).toEqual([])
  }
})

/** Prints and writes the soak's figures: per fault kind, every fault, heap and handles. */
function report(
  outcomes: Outcome[],
  violations: string[],
  heap: Record<string, (number | undefined)[]>,
  handles: number[],
): void {
  const kinds = [...new Set(outcomes.map((o) => o.kind))].sort()
  const ms = (v: number | undefined) => (v === undefined ? '–' : `${(v / 1000).toFixed(2)} s`)
  const rows = kinds.map((kind) => {
    const of = outcomes.filter((o) => o.kind === kind)
    const times = of.map((o) => o.recoveredMs).filter((v): v is number => v !== undefined)
    const ended = of.reduce((n, o) => n + o.ended.length, 0)
    return `| ${kind} | ${of.length} | ${times.length} | ${ms(percentile(times, 50))} | ${ms(percentile(times, 95))} | ${ended} |`
  })
  const heapRows = roles.map((role) => {
    const series = (heap[role] ?? []).filter((v): v is number => v !== undefined)
    return `| ${role} | ${series[0] ?? '–'} | ${series[series.length - 1] ?? '–'} | ${series.length ? Math.max(...series) : '–'} |`
  })
  const table = [
    `Soak: seed ${seed}, ${minutes} min, ${outcomes.length} faults (with what landed on top), violations: ${violations.length || 'none'}`,
    '',
    '| fault | applied | recovered | p50 | p95 | calls ended (started again) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '| page | heap at start (MB) | heap at end (MB) | heap max (MB) |',
    '| --- | --- | --- | --- |',
    ...heapRows,
    '',
    `Janus handles over the soak: start ${handles[0] ?? '–'}, end ${handles[handles.length - 1] ?? '–'}, max ${handles.length ? Math.max(...handles) : '–'}`,
    ...(violations.length ? ['', 'Violations:', ...violations.map((v) => `- ${v}`)] : []),
  ].join('\n')
  publishFigures('soak', table, { seed, minutes, outcomes, violations, heap, handles })
}
