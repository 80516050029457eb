/** The network events the recovery benchmarks put a call through, in the network lab. */
import type { NetLab } from '../lab/netlab'

export type NetworkEvent = 'wifi-to-cell' | 'dead-path-5s' | 'sleep-4s' | 'sleep-20s'

/** Applies the event; resolves with when the network broke and when it was back. */
export async function applyNetworkEvent(
  lab: NetLab,
  event: NetworkEvent,
): Promise<{ broke: number; back: number }> {
  const broke = Date.now()
  switch (event) {
    case 'wifi-to-cell':
      lab.switchUplink(lab.active === 'wifi' ? 'cell' : 'wifi')
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
