/** The network events the recovery benchmarks put a call through, in the network lab. */
import type { NetLab, Uplink } from '../lab/netlab'

export type NetworkEvent =
  | 'wifi-to-cell'
  | 'wifi-to-cell-abrupt'
  | 'wifi-to-cell-orderly'
  | 'flap'
  | 'lose-one-of-two'
  | 'dead-path-5s'
  | 'sleep-4s'
  | 'sleep-20s'

/** Applies the event; resolves with when the network broke and when it was back. */
export async function applyNetworkEvent(
  lab: NetLab,
  event: NetworkEvent,
  /** For lose-one-of-two: the link the call's media runs on (the one to lose). */
  mediaUplink: Uplink = 'cell',
): Promise<{ broke: number; back: number }> {
  const broke = Date.now()
  switch (event) {
    case 'wifi-to-cell':
      lab.switchUplink(lab.active === 'wifi' ? 'cell' : 'wifi')
      return { broke, back: broke }
    case 'wifi-to-cell-abrupt': {
      // The other link is there at once; the old address lingers (counted from the break).
      const switching = lab.switchUplinkAbruptly(lab.active === 'wifi' ? 'cell' : 'wifi')
      const back = Date.now()
      await switching
      return { broke, back }
    }
    case 'wifi-to-cell-orderly':
      lab.switchUplinkOrderly(lab.active === 'wifi' ? 'cell' : 'wifi')
      return { broke, back: Date.now() }
    case 'flap':
      lab.flap()
      return { broke, back: Date.now() }
    case 'lose-one-of-two':
      // A two-links lab: the link the media runs on goes; the other stays.
      lab.loseLink(mediaUplink)
      return { broke, back: broke }
    case 'dead-path-5s': {
      lab.cutForwarding()
      // The stimulus: the path stays dead this long (not a wait for a condition).
      await new Promise((resolve) => setTimeout(resolve, 5000))
      const back = Date.now()
      lab.restoreForwarding()
      return { broke, back }
    }
    case 'sleep-4s':
      return { broke, back: await lab.sleep(4000) }
    case 'sleep-20s':
      return { broke, back: await lab.sleep(20_000) }
  }
}

/** Every event a recovery benchmark puts a call through (issue 13), in the order run. */
export const recoveryScenarios = [
  'wifi-to-cell-abrupt',
  'wifi-to-cell-orderly',
  'lose-one-of-two',
  'dead-path-5s',
  'sleep-4s',
  'sleep-20s',
  'flap',
] as const satisfies NetworkEvent[]
export type RecoveryScenario = (typeof recoveryScenarios)[number]

/** The scenarios to run: all of `from`, or those HOLDFAST_BENCH_SCENARIOS=a,b names. */
export function pickedScenarios<S extends string>(from: readonly S[]): S[] {
  const picked = process.env.HOLDFAST_BENCH_SCENARIOS?.split(',')
  return from.filter((s) => !picked || picked.includes(s))
}

/** Runs per scenario and client: HOLDFAST_BENCH_RUNS, default 5. */
export const benchRuns = Number(process.env.HOLDFAST_BENCH_RUNS ?? 5)
