/**
 * The connection lifecycle as a tagged union, the reasons that move it, and the table of
 * legal transitions. Modelled on the reference SDKs' reconnecting / reconnected /
 * disconnected events, with Holdfast's own `recovering` step between getting the session
 * back and being usable again.
 */

/** Why a working connection was judged lost. */
export type LossReason =
  | 'socketClosed'
  | 'socketError'
  | 'keepaliveTimeout'
  | 'offline'
  | 'networkChanged'
  | 'resumed'
  | 'serverUnreachable'
  | 'sessionTimeout'
  /** Let go on purpose for a new one: it may hold a handle no reply named (janus-session.ts). */
  | 'sessionReplaced'

/** Why the client gave up (the reason of `disconnected` and of `failed`). */
export type DisconnectReason =
  'networkDisconnected' | 'clientDisconnected' | 'unauthorized' | 'serverError'

/** Every state the session core can be in. */
export type ConnectionState =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'connected'; sessionId: number }
  | { kind: 'reconnecting'; attempt: number; reason: LossReason; nextAttemptAt?: number }
  | { kind: 'recovering'; sessionId: number; reclaimed: boolean }
  | { kind: 'failed'; reason: DisconnectReason; message: string }
  | { kind: 'closed' }

export type StateKind = ConnectionState['kind']

const allowed: Record<StateKind, readonly StateKind[]> = {
  idle: ['connecting', 'closed'],
  connecting: ['connected', 'recovering', 'reconnecting', 'failed', 'closed'],
  connected: ['reconnecting', 'recovering', 'failed', 'closed'],
  reconnecting: ['reconnecting', 'recovering', 'failed', 'closed'],
  recovering: ['connected', 'reconnecting', 'failed', 'closed'],
  failed: ['connecting', 'closed'],
  closed: ['connecting'],
}

/** Whether the lifecycle may move from one kind of state to another. */
export function canTransition(from: StateKind, to: StateKind): boolean {
  return allowed[from].includes(to)
}

/** Exhaustiveness guard for switches over tagged unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`)
}

/** A short sentence for the UI's live region. */
export function describeState(state: ConnectionState): string {
  switch (state.kind) {
    case 'idle':
      return 'Not connected'
    case 'connecting':
      return 'Connecting…'
    case 'connected':
      return 'Connected'
    case 'reconnecting':
      return `Reconnecting (attempt ${state.attempt})`
    case 'recovering':
      return 'Restoring the session…'
    case 'failed':
      return `Disconnected: ${describeDisconnect(state.reason)}`
    case 'closed':
      return 'Disconnected'
    default:
      return assertNever(state)
  }
}

/** The status line: the state, why the server cannot be reached, and how it ended. */
export function describeConnection(state: ConnectionState): string {
  const base = describeState(state)
  if (state.kind === 'reconnecting' && state.reason === 'serverUnreachable')
    return `${base}: cannot reach the server`
  if (state.kind === 'failed') return `${base}. ${state.message}`
  return base
}

/** Words a person understands for each way a connection can end. */
export function describeDisconnect(reason: DisconnectReason): string {
  switch (reason) {
    case 'networkDisconnected':
      return 'the server could not be reached'
    case 'clientDisconnected':
      return 'you disconnected'
    case 'unauthorized':
      return 'the server refused the credentials'
    case 'serverError':
      return 'the server reported an error'
    default:
      return assertNever(reason)
  }
}
