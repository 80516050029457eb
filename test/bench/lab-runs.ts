/** Runs a benchmark's scenarios in a lab world it opens (one for all, or a fresh one per run). */
import type { NetLabOptions } from '../lab/netlab'
import { alternateRuns } from './results'

/** A lab with what runs in it (browsers, a SIP world); closed when the runs are done. */
export interface BenchWorld {
  close(): Promise<void>
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
