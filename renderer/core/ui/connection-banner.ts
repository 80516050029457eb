/**
 * The connection banner every screen shows (issue 11): the session's state in words a person
 * understands, with what it means for their calls. Pure, so each wording is unit-tested.
 */
import { assertNever, type ConnectionState } from '../connection-state'

/** What the banner needs besides the state. */
export interface BannerContext {
  /** A call, a meeting or a camera test is under way. */
  inCall: boolean
  /** The session came back a moment ago (the banner says so for a few seconds). */
  justReconnected: boolean
}

/** The banner: its tone and words, or nothing when all is well. */
export type Banner =
  { tone: 'none' } | { tone: 'good' | 'warning' | 'error'; text: string; action?: 'settings' }

/** How long "Reconnected" stays up after a recovery. */
export const reconnectedBannerMs = 4000

/** The banner for a connection state. */
export function connectionBanner(state: ConnectionState, context: BannerContext): Banner {
  switch (state.kind) {
    case 'connected':
      return context.justReconnected ? { tone: 'good', text: 'Reconnected' } : { tone: 'none' }
    case 'idle':
      return {
        tone: 'warning',
        text: 'Not connected: add a server in Settings',
        action: 'settings',
      }
    case 'connecting':
      return { tone: 'warning', text: 'Connecting to the server…' }
    case 'reconnecting':
      if (state.reason === 'offline')
        return {
          tone: 'warning',
          text: context.inCall
            ? 'Offline: calls will resume when the network is back'
            : 'Offline: Holdfast will reconnect when the network is back',
        }
      if (state.reason === 'serverUnreachable' && !context.inCall)
        return {
          tone: 'error',
          text: 'Could not reach the server: check the address in Settings',
          action: 'settings',
        }
      return {
        tone: 'warning',
        text: context.inCall ? 'Reconnecting… your call will continue' : 'Reconnecting…',
      }
    case 'recovering':
      return {
        tone: 'warning',
        text: context.inCall ? 'Reconnecting… your call will continue' : 'Reconnecting…',
      }
    case 'failed':
      return state.reason === 'networkDisconnected'
        ? {
            tone: 'error',
            text: 'Could not reach the server: check the address in Settings',
            action: 'settings',
          }
        : { tone: 'error', text: `Disconnected: ${state.message}`, action: 'settings' }
    case 'closed':
      return { tone: 'warning', text: 'Disconnected from the server', action: 'settings' }
    default:
      return assertNever(state)
  }
}
