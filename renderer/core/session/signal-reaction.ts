/**
 * What the session does about a signal from the host (the OS saw the network change, the
 * machine sleep or wake): a pure decision, so each case is tested without a session.
 */
import type { ConnectionState, LossReason } from '../connection-state'
import type { SystemEvent } from '../host'

/** The session's answer to one signal. */
export type SignalReaction =
  /** Write the record now (the OS is about to freeze us: a long sleep then skips a futile claim). */
  | { kind: 'persist' }
  /**
   * Give up the socket at once: it may be bound to an address that no longer exists and
   * would never close by itself, so waiting for the keepalive would only lose time.
   */
  | { kind: 'replaceSocket'; reason: LossReason }
  /** Already (re)connecting: attempt now on the new path, not the backoff or the old path. */
  | { kind: 'retryNow' }
  /** Gave up because the network was gone: it is back, so start over. */
  | { kind: 'connect' }
  | { kind: 'none' }

/** Decides what a signal means in a given state. */
export function reactToSignal(event: SystemEvent, state: ConnectionState): SignalReaction {
  const holding = state.kind === 'connected' || state.kind === 'recovering'
  switch (event.type) {
    case 'suspend':
      return { kind: 'persist' }
    case 'offline':
      return holding ? { kind: 'replaceSocket', reason: 'offline' } : { kind: 'none' }
    case 'online':
    case 'network-changed':
    case 'resume':
      if (holding)
        return {
          kind: 'replaceSocket',
          reason: event.type === 'resume' ? 'resumed' : 'networkChanged',
        }
      // An attempt under way may be talking over the path that just went (a page that
      // reloaded and claims while Wi-Fi moves to cellular waited 10 s for a claim's reply).
      if (state.kind === 'reconnecting' || state.kind === 'connecting') return { kind: 'retryNow' }
      if (state.kind === 'failed' && state.reason === 'networkDisconnected')
        return { kind: 'connect' }
      return { kind: 'none' }
  }
}
