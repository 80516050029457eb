/** Runs a benchmark's scenarios in a lab world it opens (one for all, or a fresh one per run). */
import { chromium, type Browser } from '@playwright/test'
import { labAddresses, startNetLab, type NetLab, type NetLabOptions } from '../lab/netlab'
import { benchLaunchArgs } from '../lab/chromium'
import { gatherTrace, pcEvents, probe } from '../lab/media-probe'
import { startSipWorld, type SipWorld } from '../network/fixtures'
import { alternateRuns } from './results'

/** A lab with what runs in it (browsers, a SIP world); closed when the runs are done. */
export interface BenchWorld {
  close(): Promise<void>
}

/** A network lab with Chromium in the client namespace, the watchers' and a SIP world as asked. */
export interface BenchLab extends BenchWorld {
  lab: NetLab
  browser: Browser
  /** In a room lab: Chromium in the watchers' namespace. */
  watcherBrowser?: Browser
  /** In a SIP lab: the registrar and the far end. */
  sip?: SipWorld
}

/** Starts the lab and what runs in it; `close` stops all of it. */
export async function openBenchLab(options: NetLabOptions): Promise<BenchLab> {
  const lab = await startNetLab(options)
  const sip = options.sip ? await startSipWorld(lab) : undefined
  const launch = (executablePath: string) =>
    chromium.launch({ executablePath, args: benchLaunchArgs() })
  const browser = await launch(lab.chromiumLauncher)
  const watcherBrowser = lab.watcherLauncher ? await launch(lab.watcherLauncher) : undefined
  if (!options.twoLinks) await warmUpNetworkChanges(lab, browser)
  return {
    lab,
    browser,
    ...(watcherBrowser ? { watcherBrowser } : {}),
    ...(sip ? { sip } : {}),
    close: async () => {
      await browser.close().catch(() => undefined)
      await watcherBrowser?.close().catch(() => undefined)
      await sip?.stop()
      await lab.close()
    },
  }
}

/**
 * A fresh browser's first network change is slower than the rest: the gathering trace showed
 * Chromium learning of the new link ~3.1 s after the first abrupt switch in a lab, ~0.6 s after
 * each later one (issue 13), and whichever client ran first (always Holdfast) paid for it. One
 * unmeasured switch there and back, each waited out until the browser can gather on the new
 * link, puts every measured run on the same footing.
 */
async function warmUpNetworkChanges(lab: NetLab, browser: Browser): Promise<void> {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.addInitScript(probe)
    await page.addInitScript(gatherTrace)
    await page.goto('http://127.0.0.1:8080/')
    for (const to of lab.active === 'wifi'
      ? (['cell', 'wifi'] as const)
      : (['wifi', 'cell'] as const)) {
      const switched = Date.now()
      await lab.switchUplinkAbruptly(to)
      const address = labAddresses[to].client
      const deadline = switched + 15_000
      const known = async () =>
        (await pcEvents(page)).find(
          (e) =>
            e.kind === 'gatherable' && e.at >= switched && e.detail.split(',').includes(address),
        )
      let seen = await known()
      while (!seen && Date.now() < deadline) {
        await page.waitForTimeout(100)
        seen = await known()
      }
      console.log(
        `warm-up switch to ${to}: the browser could gather on ${address} ` +
          (seen ? `${Math.round(seen.at - switched)} ms after the switch` : 'not within 15 s'),
      )
    }
  } finally {
    await context.close()
  }
}

/**
 * Runs `scenarios` `runs` times per client, the clients in turn, in one world, or in a fresh
 * one for every run when a run leaves the world changed for good (a lost link stays lost).
 */
export async function runInWorld<W extends BenchWorld, C extends string, R>(options: {
  open: () => Promise<W>
  scenarios: readonly string[]
  runs: number
  clients: readonly C[]
  measure: (world: W, client: C, scenario: string) => Promise<R>
  freshWorldEachRun?: boolean
}): Promise<Record<string, Record<C, R[]>>> {
  if (options.scenarios.length === 0) return {}
  const shared = options.freshWorldEachRun ? undefined : await options.open()
  try {
    return await alternateRuns(
      options.scenarios,
      options.runs,
      async (client, scenario) => {
        const world = shared ?? (await options.open())
        try {
          return await options.measure(world, client, scenario)
        } finally {
          if (!shared) await world.close()
        }
      },
      options.clients,
    )
  } finally {
    await shared?.close()
  }
}

/** Production-like windows: a 60 s session timeout and a 15 s reclaim window. */
export const productionWindows = { sessionTimeoutS: 60, reclaimSessionTimeoutS: 15 }

/**
 * Runs every scenario in the lab it needs: one lab for all but losing one of two links, which
 * gets a two-links lab (signalling on Wi-Fi, the media starting on cellular) per run.
 */
export async function runAcrossLabs<S extends string, Results extends object>(
  scenarios: readonly S[],
  runIn: (options: NetLabOptions, wanted: S[], freshWorldEachRun: boolean) => Promise<Results>,
): Promise<Results> {
  return {
    ...(await runIn(
      productionWindows,
      scenarios.filter((s) => s !== 'lose-one-of-two'),
      false,
    )),
    ...(await runIn(
      { ...productionWindows, twoLinks: { signallingVia: 'wifi' } },
      scenarios.filter((s) => s === 'lose-one-of-two'),
      true,
    )),
  }
}
