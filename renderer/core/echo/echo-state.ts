/**
 * The echo call (Janus's echotest: your camera and microphone come back) as a tagged union
 * and a pure reducer, like the SIP call's, so every transition is tested without WebRTC.
 */
import type { AppEndCause } from '../call'
import { assertNever } from '../connection-state'

/** Where the echo call is. */
export type EchoCallState =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'active'; since: number }
  | { kind: 'recovering'; reason: string }
  | { kind: 'ended'; reason: string }
  | { kind: 'failed'; message: string }

/** What happens to an echo call. */
export type EchoEvent =
  | { type: 'start' }
  /** Media flows (WebRTC up, or media seen again after a restart). */
  | { type: 'media-up' }
  /** Media is being recovered (an ICE restart, a new handle, a new session). */
  | { type: 'recovering'; reason: string }
  | { type: 'hangup'; reason: string }
  | { type: 'app-end'; cause: AppEndCause }
  | { type: 'failed'; message: string }

/** Under way: not idle, not over. */
export function isLiveEcho(state: EchoCallState): boolean {
  return state.kind === 'starting' || state.kind === 'active' || state.kind === 'recovering'
}

/** Reduces echo call events; `now` stamps when media came up. */
export function nextEcho(state: EchoCallState, event: EchoEvent, now: number): EchoCallState {
  const live = isLiveEcho(state)
  switch (event.type) {
    case 'start':
      return state.kind === 'idle' ? { kind: 'starting' } : state
    case 'media-up':
      return state.kind === 'starting' || state.kind === 'recovering'
        ? { kind: 'active', since: now }
        : state
    case 'recovering':
      return live ? { kind: 'recovering', reason: event.reason } : state
    case 'hangup':
      return live ? { kind: 'ended', reason: event.reason } : state
    case 'app-end':
      return live ? { kind: 'ended', reason: appEndReason(event.cause) } : state
    case 'failed':
      return live ? { kind: 'failed', message: event.message } : state
    default:
      return assertNever(event)
  }
}

/** How an ending the app decided reads for people. */
export function appEndReason(cause: AppEndCause): string {
  switch (cause) {
    case 'disconnected':
      return 'you disconnected'
    case 'quit':
      return 'Holdfast is closing'
    case 'sessionFailed':
      return 'the connection to the server was lost'
    default:
      return assertNever(cause)
  }
}

/** Describes an echo call state for people. */
export function describeEcho(state: EchoCallState): string {
  switch (state.kind) {
    case 'idle':
      return 'No call'
    case 'starting':
      return 'Starting the echo call…'
    case 'active':
      return 'In call'
    case 'recovering':
      return `Recovering media (${state.reason})`
    case 'ended':
      return `Call ended: ${state.reason}`
    case 'failed':
      return `Call failed: ${state.message}`
    default:
      return assertNever(state)
  }
}
