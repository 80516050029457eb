/**
 * The desktop app hears the network from two places: the page's own Chromium (`online`,
 * `offline`, a connection change: told within milliseconds, from the same notifier WebRTC
 * gathers by) and the main process's poll (every 2 s, debounced 300 ms, issue 13). The page's
 * go through at once; the poll's network signals are dropped while the page has spoken of the
 * network lately, since a late copy of the same change would make the session give up its socket
 * a second time, mid-recovery. The poll still tells what the page missed (an address changed on
 * the same kind of link), and its power signals (suspend, resume) always pass. Pure: given the
 * two sources and a clock.
 */
import type { Clock } from './clock'
import type { SystemEvent } from './host'

/** How long after the page's own network signal the poll's are taken for copies of it. */
export const pollEchoMs = 5000

/** A source of system events: subscribe, get the unsubscribe. */
export type SignalSource = (listener: (event: SystemEvent) => void) => () => void

const isNetworkSignal = (event: SystemEvent): boolean =>
  event.type === 'online' || event.type === 'offline' || event.type === 'network-changed'

/** One source from the page's signals and the poll's, the poll's network copies dropped. */
export function mergeSignals(
  clock: Clock,
  fromPage: SignalSource,
  fromPoll: SignalSource,
  echoMs = pollEchoMs,
): SignalSource {
  return (listener) => {
    let pageSpokeAt = Number.NEGATIVE_INFINITY
    const offPage = fromPage((event) => {
      if (isNetworkSignal(event)) pageSpokeAt = clock.now()
      listener(event)
    })
    const offPoll = fromPoll((event) => {
      if (isNetworkSignal(event) && clock.now() - pageSpokeAt < echoMs) return
      listener(event)
    })
    return () => {
      offPage()
      offPoll()
    }
  }
}
