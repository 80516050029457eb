/**
 * What happens on a socket before it holds the session: learn the server's windows, claim
 * the session we had (458: it is gone; any other refusal but the credentials: start over),
 * or create one; and after a reload, detach the handles the old page left behind.
 */
import type { Clock, Logger } from '../clock'
import type { Incident } from '../incident-log'
import type { DisconnectReason } from '../connection-state'
import {
  JanusErrorCode,
  ProtocolError,
  ServerError,
  readCreatedId,
  readServerInfo,
  type ServerInfo,
} from '../janus-protocol'
import { sessionSurelyExpired } from '../reclaim-window'
import type { HandleRegistry } from './handle-registry'
import type { Channel, RequestLedger } from './request-ledger'
import type { SessionKeeper } from './session-keeper'
import { InvalidServerError } from './socket-attempt'

/** Why the core gave up a session. */
export type SessionLossReason =
  | 'notFound'
  | 'expired'
  | 'timeout'
  | 'claimRefused'
  /** Let go by us: an attach lost its reply while the session held nothing else. */
  | 'replaced'

/** What the session knows of itself; the facade owns it, the handshake updates it. */
export interface SessionFacts {
  sessionId?: number
  /** The server that holds `sessionId` (a session is claimed only there). */
  serverUrl?: string
  serverInfo?: ServerInfo
  /** When the last request carrying the session id was sent (epoch ms). */
  lastRequestAt: number
  /** When the transport surely closed on the server too, if known. */
  detachedAt?: number
  /**
   * Set when a session was lost and not yet replaced (the keepalive or Janus itself may say
   * so before any handshake): the next session created replaces it, and plugins restore.
   */
  lostSession?: SessionLossReason
}

export interface HandshakeDeps {
  clock: Clock
  logger: Logger
  facts: SessionFacts
  ledger: Pick<RequestLedger, 'sendDirect'>
  keeper: Pick<SessionKeeper, 'loadOnce'>
  handles: HandleRegistry
  /** The session in `facts` is gone for good: forget it and tell everyone. */
  lose(reason: SessionLossReason): void
  incident(kind: Incident['kind'], detail: string): void
}

/** How the handshake ended. */
export interface HandshakeResult {
  reclaimed: boolean
  /** A session we had was lost and this one replaces it. */
  recreated: boolean
  /** The session came from the store (a reload or an app restart). */
  resumedFromStore: boolean
  /** When `recreated`: why the session it replaces was lost. */
  lostSession?: SessionLossReason
}

/**
 * Claims or creates the session on `channel`. Throws what the caller must judge: refused
 * credentials, transient refusals, failures of ours and protocol errors.
 */
export async function handshake(channel: Channel, deps: HandshakeDeps): Promise<HandshakeResult> {
  const { facts } = deps
  const resumedFromStore = await resumeStoredSession(deps)
  let lost: SessionLossReason | undefined
  const activity = {
    lastRequestAt: facts.lastRequestAt,
    ...(facts.detachedAt !== undefined ? { detachedAt: facts.detachedAt } : {}),
  }
  const elsewhere =
    facts.sessionId !== undefined &&
    facts.serverUrl !== undefined &&
    facts.serverUrl !== channel.url
  if (elsewhere) {
    // A session is claimed only where it lives: try there, unless it surely expired.
    if (!sessionSurelyExpired(activity, facts.serverInfo, deps.clock.now()))
      throw new SessionElsewhereError(facts.serverUrl!)
    deps.lose('expired')
    lost = 'expired'
  }
  if (!facts.serverInfo || facts.sessionId === undefined || elsewhere)
    await learnServer(channel, deps)
  if (facts.sessionId !== undefined) {
    lost = sessionSurelyExpired(activity, facts.serverInfo, deps.clock.now())
      ? 'expired'
      : await claim(channel, deps)
    if (lost) deps.lose(lost)
    else {
      deps.incident('claimed', `session ${facts.sessionId} claimed`)
      return { reclaimed: true, recreated: false, resumedFromStore }
    }
  }
  // The server may have restarted with other settings: learn its windows again.
  if (lost && !elsewhere) await learnServer(channel, deps)
  const created = await deps.ledger.sendDirect(channel, { janus: 'create' })
  facts.sessionId = readCreatedId(created)
  facts.serverUrl = channel.url
  facts.lastRequestAt = deps.clock.now()
  const lostSession = facts.lostSession
  const recreated = lostSession !== undefined
  facts.lostSession = undefined
  deps.incident(recreated ? 'recreated' : 'created', `session ${facts.sessionId} created`)
  return { reclaimed: false, recreated, resumedFromStore, ...(recreated ? { lostSession } : {}) }
}

/**
 * Handles stored by a previous page have no PeerConnection and nobody to use them: detach
 * them. One whose detach got no answer (the connection was lost again) stays an orphan and is
 * detached after the next claim; left alone it would live as long as the session (a SIP
 * handle still registered, a ghost in a room).
 */
export async function detachOrphans(channel: Channel, deps: HandshakeDeps): Promise<void> {
  for (const { id, plugin } of deps.handles.orphans()) {
    try {
      await deps.ledger.sendDirect(channel, {
        janus: 'detach',
        session_id: deps.facts.sessionId,
        handle_id: id,
      })
    } catch (error) {
      if (!(error instanceof ServerError)) {
        deps.logger.warn(
          `could not detach orphan handle ${id} (${plugin}); trying again later`,
          error,
        )
        return
      }
      // Janus answered (459: the handle is gone already): nothing left to detach.
    }
    deps.handles.remove(id)
  }
}

async function learnServer(channel: Channel, deps: HandshakeDeps): Promise<void> {
  deps.facts.serverInfo = readServerInfo(await deps.ledger.sendDirect(channel, { janus: 'info' }))
}

/**
 * Undefined when the session is ours again, otherwise why it must be replaced. Refused
 * credentials, transient refusals and failures of ours are thrown (final or retried); any
 * other refusal of the claim is answered by creating a new session.
 */
async function claim(
  channel: Channel,
  deps: HandshakeDeps,
): Promise<SessionLossReason | undefined> {
  try {
    await deps.ledger.sendDirect(channel, { janus: 'claim', session_id: deps.facts.sessionId })
    return undefined
  } catch (error) {
    if (!(error instanceof ServerError) || error.unauthorized || error.transient) throw error
    if (error.code === JanusErrorCode.sessionNotFound) return 'notFound'
    deps.incident('error', `the claim was refused (${error.message}); starting a new session`)
    return 'claimRefused'
  }
}

/** Takes the stored session (once per life of the session); true if it will be claimed. */
async function resumeStoredSession(deps: HandshakeDeps): Promise<boolean> {
  if (deps.facts.sessionId !== undefined) return false
  const record = await deps.keeper.loadOnce()
  if (!record) return false
  deps.facts.sessionId = record.sessionId
  deps.facts.serverUrl = record.serverUrl
  deps.facts.lastRequestAt = record.lastRequestAt
  deps.facts.detachedAt = record.detachedAt
  deps.handles.adopt(record.handles)
  return true
}

/** The session to claim lives on another server of the pool: the next attempt goes there. */
export class SessionElsewhereError extends Error {
  constructor(readonly serverUrl: string) {
    super(`the session lives on ${serverUrl}`)
  }
}

/** What a failed attempt means: the end, with its reason, or a try worth repeating. */
export type AttemptVerdict =
  { final: true; reason: DisconnectReason; message: string } | { final: false; message: string }

/**
 * Judges an attempt's failure. Refused credentials, a URL that cannot be opened, a server
 * that breaks the protocol and any lasting refusal end the session; what may pass (no
 * answer, a closed socket, a draining server) is tried again with backoff.
 */
export function judgeAttemptError(error: unknown): AttemptVerdict {
  if (error instanceof InvalidServerError || error instanceof ProtocolError)
    return { final: true, reason: 'serverError', message: error.message }
  if (error instanceof ServerError && error.unauthorized)
    return {
      final: true,
      reason: 'unauthorized',
      message: 'The server refused the API secret or token',
    }
  if (error instanceof ServerError && !error.transient)
    return { final: true, reason: 'serverError', message: error.message }
  return { final: false, message: error instanceof Error ? error.message : String(error) }
}
