/** The session core's public types: its events, its options and what it is given. */
import type { BackoffOptions } from '../backoff'
import type { Clock, Logger } from '../clock'
import type { ConnectionState, DisconnectReason, LossReason } from '../connection-state'
import type { SystemEvent, TokenProvider } from '../host'
import type { Incident } from '../incident-log'
import type { JanusMessage } from '../janus-protocol'
import type { SessionStore } from '../session-record'
import type { SocketFactory } from '../socket'
import type { SessionLossReason } from './handshake'
import type { SocketRaceOptions } from '../socket-race'

/** Events for the UI, for plugins and for tests. */
export interface SessionEvents extends Record<string, unknown> {
  state: ConnectionState
  connecting: { serverUrl: string }
  connected: { sessionId: number; resumedFromStore: boolean }
  reconnecting: { attempt: number; reason: LossReason }
  reconnected: { sessionId: number; reclaimed: boolean; lossAt: number; durationMs: number }
  sessionLost: { sessionId: number; reason: SessionLossReason }
  disconnected: { reason: DisconnectReason; message: string }
  incident: Incident
  /** Something diagnostics show changed: handles, queued requests, the keepalive cadence. */
  change: undefined
  /**
   * The session now lives on another server of the pool (issue 14): the one that held it
   * could not be reached within its reclaim window, or refused.
   */
  serverChanged: { from: string; to: string; why: string }
  /** What the host told the session (the network went or came back, the machine slept): calls act on it too. */
  hostSignal: SystemEvent
  /** Inbound messages not consumed by the core: the janus.js bridge listens here. */
  message: JanusMessage
}

/** How the session talks to its server and how patient it is. */
export interface JanusSessionOptions {
  /** The server to use first. */
  serverUrl: string
  /**
   * More servers a new session may be created on when the one holding the session is gone
   * for good (a session itself never moves: it is claimed only where it lives).
   */
  moreServers?: readonly string[]
  apiSecret?: string
  token?: string
  /** Give up after this many failed attempts in a row (Vonage uses 5). Default: never. */
  maxReconnectAttempts?: number
  requestTimeoutMs?: number
  /** How long a new socket may take to open before the attempt counts as failed. */
  openTimeoutMs?: number
  /**
   * A slow socket gets company: another opens beside it and the first open one wins
   * (socket-race.ts); false opens one socket per attempt.
   */
  socketRace?: SocketRaceOptions | false
  backoff?: BackoffOptions
  /** Bound for each recovery hook so one stuck plugin cannot hold the session. */
  hookTimeoutMs?: number
  /** How long a socket replaced on a network change is read for replies (socket-drain.ts). */
  drainGraceMs?: number
}

/** The edges the session is given: time, randomness, sockets, storage, tokens, logs. */
export interface JanusSessionDeps {
  clock: Clock
  random: () => number
  openSocket: SocketFactory
  store: SessionStore
  tokenProvider?: TokenProvider
  logger?: Logger
}
