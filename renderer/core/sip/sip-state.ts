/**
 * A softphone's registration and call as tagged unions, driven by the Janus SIP plugin's
 * events (normalised here), and what each outcome means to a person. Pure: no janus.js, no
 * DOM, so every transition is unit-tested.
 */
import type { AppEndCause } from '../call'
import { assertNever } from '../connection-state'

/** Why registration failed, as a person should read it. */
export type RegistrationCause = 'credentials' | 'network' | 'noAnswer' | 'server'

export type RegistrationState =
  | { kind: 'unregistered' }
  | { kind: 'registering' }
  | { kind: 'registered'; username: string }
  | { kind: 'failed'; cause: RegistrationCause; code: number; reason: string }

export type CallDirection = 'outgoing' | 'incoming'

/** How a call ended. */
export type EndReason =
  | 'local-hangup'
  | 'remote-hangup'
  | 'busy'
  | 'declined'
  | 'not-found'
  | 'unreachable'
  | 'no-answer'
  | 'cancelled'
  | 'missed'
  | 'connection-lost'
  /** The server no longer had the session (458 on the claim): it restarted or lost it. */
  | 'server-lost'
  | 'ended-while-away'
  /** Answered while we were detached: its answer was lost with the event, so we hung up. */
  | 'answered-while-away'
  | 'transferred'
  | 'failed'
  /** The user disconnected from the server during the call. */
  | 'disconnected'
  /** Holdfast was closing (quit, or the OS shutting down). */
  | 'app-closing'

export type CallState =
  | { kind: 'idle' }
  | { kind: 'calling'; direction: 'outgoing'; peer: string }
  | { kind: 'ringing'; direction: CallDirection; peer: string }
  | { kind: 'early-media'; direction: 'outgoing'; peer: string }
  | {
      kind: 'active'
      direction: CallDirection
      peer: string
      since: number
      onHold: boolean
      /** Where the call is being transferred (by us, or by the other side's REFER). */
      transferTo?: string
    }
  | {
      kind: 'ended'
      direction: CallDirection
      peer: string
      reason: EndReason
      code?: number
      at: number
      duration: number
    }

/** SIP plugin events and local actions, normalised. */
export type SipEvent =
  /** Our REGISTER request is on its way (applied locally when it is sent). */
  | { type: 'registering' }
  /**
   * The plugin's own "registering" event: it handed the REGISTER to its SIP stack. Janus 1.1.2
   * pushes it from the request's thread after that hand-over, while the stack's thread pushes
   * the registrar's answer: on a fast registrar "registered" can come first (issue 9, bug 8).
   * It changes nothing.
   */
  | { type: 'register-sent' }
  | { type: 'registered'; username: string }
  | { type: 'registration_failed'; code: number; reason: string }
  | { type: 'unregistered' }
  | { type: 'dial'; peer: string }
  | { type: 'calling' }
  | { type: 'ringing' }
  | { type: 'proceeding' }
  | { type: 'progress' }
  /** A call rings in; `replaces` names the Call-ID of our call it takes over (RFC 3891). */
  | { type: 'incomingcall'; peer: string; replaces?: string }
  | { type: 'accepted' }
  | { type: 'holding' }
  | { type: 'resuming' }
  | { type: 'local-hangup' }
  | { type: 'hangup'; code: number; reason: string }
  | { type: 'missed_call'; peer: string }
  | { type: 'dtmf'; digit: string }
  /** The session is gone; `serverLost` when the server no longer had it (not our absence). */
  | { type: 'session-lost'; serverLost?: boolean }
  /** The app ends the call and lets go of the registrar (disconnect, quit, a session given up). */
  | { type: 'app-end'; cause: AppEndCause }
  /** A REGISTER got no answer at all within the bound. */
  | { type: 'registration-timeout' }
  /** After a claim: the call had ended while we were detached (its hang-up event was lost). */
  | { type: 'gone-while-away' }
  /** After a claim: our call was answered while we were detached, and the answer is lost. */
  | { type: 'answered-while-away' }
  /** We asked the other side to call `target` instead (a blind transfer, REFER). */
  | { type: 'transfer-requested'; target: string }
  /** How the call our REFER asked for is going (the NOTIFY's sipfrag status). */
  | { type: 'transfer-progress'; code: number }
  /**
   * The other side asks us to call `referTo` instead (an incoming REFER); `replaces` when it
   * is an attended transfer (our call replaces theirs with the target).
   */
  | { type: 'transfer'; referId: number; referTo: string; referredBy: string; replaces?: string }

/** The end a call gets when the app ends it. */
function appEndReason(cause: AppEndCause): EndReason {
  switch (cause) {
    case 'disconnected':
      return 'disconnected'
    case 'quit':
      return 'app-closing'
    case 'sessionFailed':
      return 'connection-lost'
    default:
      return assertNever(cause)
  }
}

/** Whether a call is under way (from dialling or ringing until it ends). */
export function isLiveCall(state: CallState): boolean {
  return state.kind !== 'idle' && state.kind !== 'ended'
}

/**
 * The SIP plugin's own errors that may pass: 449 (sofia-sip failed), 450 (I/O), 499 (unknown,
 * e.g. its SIP stack not ready within 2 s). Worth trying again, like an unreachable registrar.
 */
const transientPluginErrors = new Set([449, 450, 499])

/** Maps a registrar failure to its cause; 904 is the plugin's own "wrong credentials". */
export function registrationCause(code: number): RegistrationCause {
  if (code === 401 || code === 403 || code === 407 || code === 904) return 'credentials'
  if (code === 408 || code === 503 || code === 0 || code >= 900 || transientPluginErrors.has(code))
    return 'network'
  return 'server'
}

/**
 * How long to wait before registering again after `failures` failures in a row, when the
 * registrar could not be reached; undefined when trying again cannot help (wrong
 * credentials, a refusal by the server).
 */
export function registrationRetryDelayMs(
  state: RegistrationState,
  failures: number,
): number | undefined {
  if (state.kind !== 'failed' || (state.cause !== 'network' && state.cause !== 'noAnswer'))
    return undefined
  const delays = [5_000, 10_000, 30_000]
  return delays[Math.min(Math.max(failures, 1), delays.length + 1) - 1] ?? 60_000
}

/** Reduces registration events. */
export function nextRegistration(state: RegistrationState, event: SipEvent): RegistrationState {
  switch (event.type) {
    case 'registering':
      return { kind: 'registering' }
    case 'registered':
      return { kind: 'registered', username: event.username }
    case 'registration_failed':
      return {
        kind: 'failed',
        cause: registrationCause(event.code),
        code: event.code,
        reason: event.reason,
      }
    case 'register-sent':
      return state
    case 'registration-timeout':
      return state.kind === 'registering'
        ? { kind: 'failed', cause: 'noAnswer', code: 0, reason: 'No answer from the registrar' }
        : state
    case 'unregistered':
    case 'session-lost':
    case 'app-end':
      return { kind: 'unregistered' }
    default:
      return state
  }
}

/** Maps the SIP status of a hang-up to why the call ended, from the caller's side. */
export function endReasonFor(code: number, state: CallState, localHangup: boolean): EndReason {
  if (localHangup) {
    if (state.kind === 'ringing' && state.direction === 'incoming') return 'declined'
    // Hanging up before the other side answered cancels the call.
    return state.kind === 'active' ? 'local-hangup' : 'cancelled'
  }
  if (code === 486 || code === 600) return 'busy'
  if (code === 603) return 'declined'
  if (code === 404 || code === 484 || code === 604) return 'not-found'
  if (code === 480 || code === 408) return state.kind === 'active' ? 'remote-hangup' : 'unreachable'
  if (code === 487)
    return state.kind === 'ringing' && state.direction === 'incoming' ? 'missed' : 'cancelled'
  if (code === 200) return 'remote-hangup'
  if (code >= 500) return 'failed'
  return state.kind === 'active' ? 'remote-hangup' : 'failed'
}

/** Ends that come from our side's connection or the app, never from the transfer. */
const lostByUs = new Set<EndReason>([
  'connection-lost',
  'server-lost',
  'ended-while-away',
  'answered-while-away',
  'disconnected',
  'app-closing',
])

/** Reduces call events; `now` stamps starts and ends. */
export function nextCall(state: CallState, event: SipEvent, now: number): CallState {
  const peer = 'peer' in state ? state.peer : ''
  const direction: CallDirection = 'direction' in state ? state.direction : 'outgoing'
  // A call that is being transferred ends as transferred, whoever hangs up.
  const transferring = state.kind === 'active' && state.transferTo !== undefined
  const end = (reason: EndReason, code?: number): CallState => ({
    kind: 'ended',
    direction,
    peer,
    reason: transferring && !lostByUs.has(reason) ? 'transferred' : reason,
    ...(code !== undefined ? { code } : {}),
    at: now,
    duration: state.kind === 'active' ? now - state.since : 0,
  })
  const live = isLiveCall(state)
  switch (event.type) {
    case 'dial':
      return live ? state : { kind: 'calling', direction: 'outgoing', peer: event.peer }
    case 'calling':
      return state
    case 'ringing':
    case 'proceeding':
      return state.kind === 'calling' ? { kind: 'ringing', direction: 'outgoing', peer } : state
    case 'progress':
      return state.kind === 'calling' ||
        (state.kind === 'ringing' && state.direction === 'outgoing')
        ? { kind: 'early-media', direction: 'outgoing', peer }
        : state
    case 'incomingcall':
      return live ? state : { kind: 'ringing', direction: 'incoming', peer: event.peer }
    case 'accepted':
      return live && state.kind !== 'active'
        ? { kind: 'active', direction, peer, since: now, onHold: false }
        : state
    case 'holding':
      return state.kind === 'active' ? { ...state, onHold: true } : state
    case 'resuming':
      return state.kind === 'active' ? { ...state, onHold: false } : state
    case 'local-hangup':
      return live ? end(endReasonFor(0, state, true)) : state
    case 'hangup':
      return live ? end(endReasonFor(event.code, state, false), event.code) : state
    case 'missed_call':
      return live
        ? state
        : {
            kind: 'ended',
            direction: 'incoming',
            peer: event.peer,
            reason: 'missed',
            at: now,
            duration: 0,
          }
    case 'session-lost':
      return live ? end(event.serverLost ? 'server-lost' : 'connection-lost') : state
    case 'gone-while-away':
      // An incoming call that stopped ringing while we were away: its caller gave up.
      if (state.kind === 'ringing' && state.direction === 'incoming') return end('missed')
      return live ? end('ended-while-away') : state
    case 'answered-while-away':
      return live ? end('answered-while-away') : state
    case 'app-end':
      return live ? end(appEndReason(event.cause)) : state
    case 'transfer-requested':
      return state.kind === 'active' ? { ...state, transferTo: event.target } : state
    case 'transfer':
      return state.kind === 'active' ? { ...state, transferTo: event.referTo } : state
    case 'transfer-progress':
      if (state.kind !== 'active' || state.transferTo === undefined || event.code < 200)
        return state
      if (event.code < 300) return end('transferred')
      // The target refused: the call stays ours.
      return { ...state, transferTo: undefined }
    case 'registering':
    case 'register-sent':
    case 'registered':
    case 'registration_failed':
    case 'registration-timeout':
    case 'unregistered':
    case 'dtmf':
      return state
    default:
      return assertNever(event)
  }
}

/** Words for the registration line of the UI. */
export function describeRegistration(state: RegistrationState): string {
  switch (state.kind) {
    case 'unregistered':
      return 'Not registered'
    case 'registering':
      return 'Registering…'
    case 'registered':
      return 'Registered'
    case 'failed':
      if (state.cause === 'credentials') return 'Registration failed: wrong username or password'
      if (state.cause === 'noAnswer')
        return 'Registration failed: no answer from the registrar; trying again'
      if (state.cause === 'network')
        return `Registration failed: the registrar could not be reached (${state.code}); trying again`
      return `Registration failed: ${state.reason} (${state.code})`
    default:
      return assertNever(state)
  }
}

/** Words for where a call is, for the call status line. */
export function describeCall(state: CallState): string {
  switch (state.kind) {
    case 'idle':
      return 'No call'
    case 'calling':
      return `Calling ${state.peer}…`
    case 'ringing':
      return state.direction === 'incoming'
        ? `Incoming call from ${state.peer}`
        : `Ringing ${state.peer}…`
    case 'early-media':
      return `Ringing ${state.peer} (early media)`
    case 'active':
      if (state.transferTo !== undefined) return `Transferring to ${state.transferTo}…`
      return state.onHold ? `On hold with ${state.peer}` : `In call with ${state.peer}`
    case 'ended':
      return describeEnd(state.reason)
    default:
      return assertNever(state)
  }
}

/** Words for how a call ended. */
export function describeEnd(reason: EndReason): string {
  switch (reason) {
    case 'local-hangup':
      return 'Call ended'
    case 'remote-hangup':
      return 'The other side hung up'
    case 'busy':
      return 'Busy'
    case 'declined':
      return 'Call declined'
    case 'not-found':
      return 'Number not found'
    case 'unreachable':
      return 'Unreachable'
    case 'no-answer':
      return 'No answer'
    case 'cancelled':
      return 'Call cancelled'
    case 'missed':
      return 'Missed call'
    case 'connection-lost':
      return 'Call dropped: the connection was lost for too long'
    case 'server-lost':
      return 'Call dropped: the server no longer had the call (it may have restarted)'
    case 'ended-while-away':
      return 'The call ended while you were offline'
    case 'answered-while-away':
      return 'Call dropped: it was answered while you were offline; call again'
    case 'transferred':
      return 'Call transferred'
    case 'failed':
      return 'Call failed'
    case 'disconnected':
      return 'Call ended: you disconnected'
    case 'app-closing':
      return 'Call ended: Holdfast closed'
    default:
      return assertNever(reason)
  }
}
