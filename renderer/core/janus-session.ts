/**
 * The reclaiming Janus session: one logical session that outlives its sockets.
 *
 * It notices loss (close, error, an unanswered keepalive, host signals), gets the session
 * back by claiming it on a new socket (or creates a new one when Janus answers 458),
 * queues requests meanwhile and lets every plugin re-synchronise or restore itself.
 * Everything it touches outside itself (clock, timers, sockets, storage, tokens) is
 * injected, so every transition can be driven in a unit test without real time.
 */
import { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff'
import { silentLogger, type Clock, type Logger, type TimerId } from './clock'
import {
  canTransition,
  type ConnectionState,
  type DisconnectReason,
  type LossReason,
} from './connection-state'
import { Emitter } from './emitter'
import type { TokenProvider, SystemEvent } from './host'
import { IncidentLog, type Incident } from './incident-log'
import {
  JanusErrorCode,
  JanusRequestError,
  LocalErrorCode,
  parseJanusMessage,
  readServerInfo,
  type JanusMessage,
  type JanusRequest,
  type ServerInfo,
} from './janus-protocol'
import { planKeepalive, sessionSurelyExpired, type KeepalivePlan } from './reclaim-window'
import { parseSessionRecord, type SessionRecord, type SessionStore } from './session-record'
import type { SocketConnection, SocketFactory } from './socket'

/** What a recovery hook is told. */
export interface RecoveryContext {
  sessionId: number
  reason: LossReason
  /** The network path changed (or the machine woke): media should restart ICE. */
  networkChanged: boolean
}

/**
 * A plugin's part in recovery. After a claim Janus keeps every handle but has dropped the
 * events it produced while we were detached, so each plugin re-synchronises; after a new
 * session every handle is gone, so each plugin re-attaches and restores its own state.
 */
export interface SessionParticipant {
  readonly name: string
  resync?(context: RecoveryContext): Promise<void> | void
  restore?(context: RecoveryContext): Promise<void> | void
}

/** Events for the UI, for plugins and for tests. */
export interface SessionEvents extends Record<string, unknown> {
  state: ConnectionState
  connecting: { serverUrl: string }
  connected: { sessionId: number; resumedFromStore: boolean }
  reconnecting: { attempt: number; reason: LossReason }
  reconnected: { sessionId: number; reclaimed: boolean; lossAt: number; durationMs: number }
  sessionLost: { sessionId: number; reason: 'notFound' | 'expired' | 'timeout' }
  disconnected: { reason: DisconnectReason; message: string }
  incident: Incident
  /** Inbound messages not consumed by the core: the janus.js bridge listens here. */
  message: JanusMessage
}

export interface JanusSessionOptions {
  serverUrl: string
  apiSecret?: string
  token?: string
  /** Give up after this many failed attempts in a row (Vonage uses 5). Default: never. */
  maxReconnectAttempts?: number
  requestTimeoutMs?: number
  /** How long a new socket may take to open before the attempt counts as failed. */
  openTimeoutMs?: number
  backoff?: BackoffOptions
  /** Bound for each recovery hook so one stuck plugin cannot hold the session. */
  hookTimeoutMs?: number
}

export interface JanusSessionDeps {
  clock: Clock
  random: () => number
  openSocket: SocketFactory
  store: SessionStore
  tokenProvider?: TokenProvider
  logger?: Logger
}

/** Per-request options. */
export interface RequestOptions {
  /**
   * Whether a request made while the connection is down waits for it to come back
   * (default) or fails at once with a clear error (OpenTok's `retryAfterReconnect: false`).
   */
  retryAfterReconnect?: boolean
  timeoutMs?: number
  /** Safe to send twice; re-sent if the socket dies before the reply. */
  idempotent?: boolean
}

type HandleOwner = 'core' | 'bridge'

interface HandleEntry {
  plugin: string
  owner: HandleOwner
  events: Emitter<{ event: JanusMessage }>
}

interface Pending {
  transaction: string
  request: JanusRequest
  /** Called synchronously with the reply or the failure, so replies keep socket order. */
  done: (outcome: JanusMessage | Error) => void
  timer?: TimerId
  timeoutMs: number
  queueable: boolean
  idempotent: boolean
  /** Socket epoch it was written to, if written. */
  sentOn?: number
  tokenRetried: boolean
}

interface Attempt {
  epoch: number
  socket: SocketConnection
}

const PROTOCOL = 'janus-protocol'
/**
 * Retry delays after a network-back signal, before the normal backoff resumes. A route that
 * is not ready yet fails at once (unreachable), so early retries are cheap. In the lab the
 * first attempt after Wi-Fi to cellular sometimes failed this way ~10 ms after the signal,
 * and a 150 ms first retry made the claim take ~250 ms.
 */
const fastRetryDelays = [50, 100, 200, 400, 800] as const
const terminalReplies = new Set(['success', 'error', 'ack', 'server_info'])
const quietVerbs = new Set(['keepalive', 'trickle'])

let transactionCounter = 0

/** One Janus session that keeps itself alive across sockets. */
export class JanusSession {
  readonly events = new Emitter<SessionEvents>()
  readonly incidents = new IncidentLog()

  private stateValue: ConnectionState = { kind: 'idle' }
  private serverInfo: ServerInfo | undefined
  private sessionId: number | undefined
  private readonly handles = new Map<number, HandleEntry>()
  private readonly pending = new Map<string, Pending>()
  private queue: Pending[] = []
  private readonly participants = new Set<SessionParticipant>()
  private readonly mediaActive = new Set<string>()

  private epoch = 0
  private socket: SocketConnection | undefined
  /** True while a socket is open and holds the session: requests go straight out. */
  private transportReady = false
  private attempt: Attempt | undefined
  private attemptNumber = 0
  private retryTimer: TimerId | undefined
  private keepaliveTimer: TimerId | undefined
  private keepalivePlan: KeepalivePlan | undefined
  private lastRequestAt = 0
  private detachedAt: number | undefined
  private lossAt: number | undefined
  private lossReason: LossReason = 'socketClosed'
  private networkChangedSinceLoss = false
  private storedRecordChecked = false
  /** Fast retries still allowed since the last network-back signal. */
  private fastRetriesLeft = 0
  /** Position in the backoff sequence (1 s, 2 s, 4 s ...); fast retries do not advance it. */
  private backoffStep = 0
  /** Whether `connected` was announced since the last connect(); later returns are `reconnected`. */
  private announcedConnected = false
  private persistTimer: TimerId | undefined
  private tokenRefresh: Promise<string | undefined> | undefined
  private token: string | undefined
  private readonly log: Logger

  constructor(
    private readonly options: JanusSessionOptions,
    private readonly deps: JanusSessionDeps,
  ) {
    this.log = deps.logger ?? silentLogger
    this.token = options.token
  }

  // ---------------------------------------------------------------- public surface

  /** The current lifecycle state. */
  get state(): ConnectionState {
    return this.stateValue
  }

  /** The Janus session id, while there is one. */
  get id(): number | undefined {
    return this.sessionId
  }

  /** The server's windows and version, once learnt. */
  get info(): ServerInfo | undefined {
    return this.serverInfo
  }

  /** The current keepalive cadence, for diagnostics. */
  get keepalive(): KeepalivePlan {
    return this.keepalivePlan ?? planKeepalive(this.serverInfo, this.mediaActive.size > 0)
  }

  /** Handles attached to the session, for diagnostics. */
  listHandles(): { id: number; plugin: string }[] {
    return [...this.handles].map(([id, h]) => ({ id, plugin: h.plugin }))
  }

  /** Requests waiting for the connection to return. */
  get queuedCount(): number {
    return this.queue.length
  }

  /** Registers a plugin's recovery hooks; returns the function that removes them. */
  addParticipant(participant: SessionParticipant): () => void {
    this.participants.add(participant)
    return () => this.participants.delete(participant)
  }

  /**
   * Marks a call as up (or down). While any call is up the keepalive runs every second so
   * that a dead connection is found within 3 s.
   */
  setMediaActive(key: string, active: boolean): void {
    const before = this.mediaActive.size > 0
    if (active) this.mediaActive.add(key)
    else this.mediaActive.delete(key)
    if (before !== this.mediaActive.size > 0 && this.transportReady) this.scheduleKeepalive(0)
  }

  /** Starts (or starts over after `failed` / `closed`): claims a stored session if young enough. */
  connect(): void {
    const kind = this.stateValue.kind
    if (kind !== 'idle' && kind !== 'failed' && kind !== 'closed') return
    this.attemptNumber = 1
    this.backoffStep = 0
    this.fastRetriesLeft = 0
    this.announcedConnected = false
    this.setState({ kind: 'connecting' })
    this.events.emit('connecting', { serverUrl: this.options.serverUrl })
    void this.runAttempt()
  }

  /** Reacts to what the host saw: network back or changed, or the machine woke, acts at once. */
  handleSystemEvent(event: SystemEvent): void {
    const state = this.stateValue
    this.addIncident('signal', event.type)
    switch (event.type) {
      case 'suspend':
        // The OS is about to freeze us; record the moment so a long sleep skips a futile claim.
        this.persistNow()
        return
      case 'offline':
        if (state.kind === 'connected' || state.kind === 'recovering') this.onLoss('offline')
        return
      case 'online':
      case 'network-changed':
      case 'resume': {
        const reason: LossReason = event.type === 'resume' ? 'resumed' : 'networkChanged'
        if (state.kind === 'connected' || state.kind === 'recovering') {
          // The old socket may be bound to an address that no longer exists and would never
          // close by itself: replace it now instead of waiting for the keepalive to notice.
          this.onLoss(reason)
        } else if (state.kind === 'reconnecting') {
          this.networkChangedSinceLoss = true
          this.retryNow()
        } else if (state.kind === 'failed' && state.reason === 'networkDisconnected') {
          this.connect()
        }
        return
      }
    }
  }

  /**
   * Sends a request for the session (or one of its handles) and resolves with Janus's
   * reply (`success`, `ack` or `server_info`); rejects with a JanusRequestError.
   */
  request(body: JanusRequest, options: RequestOptions = {}): Promise<JanusMessage> {
    return new Promise((resolve, reject) => {
      this.submit(body, options, (outcome) =>
        outcome instanceof Error ? reject(outcome) : resolve(outcome),
      )
    })
  }

  private submit(body: JanusRequest, options: RequestOptions, done: Pending['done']): void {
    const transaction = body.transaction ?? nextTransaction()
    this.dispatch({
      transaction,
      request: { ...body, transaction },
      done,
      timeoutMs: options.timeoutMs ?? this.requestTimeoutMs,
      queueable: options.retryAfterReconnect !== false,
      idempotent: options.idempotent ?? quietVerbs.has(body.janus),
      tokenRetried: false,
    })
  }

  /** Attaches a plugin handle owned by the core (events arrive on the returned handle). */
  async attach(plugin: string): Promise<CoreHandle> {
    const reply = await this.request({ janus: 'attach', plugin, session_id: this.requireSession() })
    const id = readHandleId(reply)
    this.addHandle(id, plugin, 'core')
    return new CoreHandle(this, id, plugin, this.handles.get(id)!.events)
  }

  /**
   * Sends a janus.js request through the core. Credentials are stamped here, requests wait
   * while reconnecting, and every reply for the transaction goes to `onReply`.
   */
  sendFromBridge(body: JanusRequest, onReply: (message: JanusMessage) => void): void {
    const sessionId = this.sessionId
    if (body.session_id !== undefined && body.session_id !== sessionId) {
      onReply(errorReply(body, JanusErrorCode.sessionNotFound, 'No such session'))
      return
    }
    this.submit(body, {}, (outcome) => {
      if (outcome instanceof Error) {
        const e =
          outcome instanceof JanusRequestError
            ? outcome
            : new JanusRequestError(LocalErrorCode.closed, outcome.message)
        onReply(errorReply(body, e.code, e.reason))
        return
      }
      const attachedId = outcome.data?.id
      if (
        body.janus === 'attach' &&
        outcome.janus === 'success' &&
        typeof attachedId === 'number'
      ) {
        this.addHandle(attachedId, String(body.plugin), 'bridge')
      } else if (body.janus === 'detach' && typeof body.handle_id === 'number') {
        this.removeHandle(body.handle_id)
      }
      onReply(outcome)
    })
  }

  /**
   * Deliberate end: destroys the session on the server (bounded wait), closes the socket,
   * clears the store and fails whatever was waiting.
   */
  async disconnect(): Promise<void> {
    const sessionId = this.sessionId
    this.clearTimers()
    if (sessionId !== undefined && this.transportReady) {
      try {
        await this.request(
          { janus: 'destroy', session_id: sessionId },
          { retryAfterReconnect: false, timeoutMs: 2000 },
        )
      } catch (error) {
        this.log.warn('destroy failed; the server will expire the session', error)
      }
    }
    this.dropSocket()
    this.sessionId = undefined
    this.handles.clear()
    this.failAll(new JanusRequestError(LocalErrorCode.closed, 'Disconnected'))
    await this.deps.store.clear()
    if (this.stateValue.kind !== 'closed') {
      this.setState({ kind: 'closed' })
      this.events.emit('disconnected', { reason: 'clientDisconnected', message: 'Disconnected' })
    }
  }

  /**
   * The page or app is going away without ending the call: remember when the transport
   * was let go, so the next start knows how much of the reclaim window is left.
   */
  releaseForUnload(): void {
    if (this.sessionId === undefined) return
    this.detachedAt = this.deps.clock.now()
    this.persistNow()
  }

  // ---------------------------------------------------------------- state

  private setState(next: ConnectionState): void {
    const from = this.stateValue.kind
    if (from !== next.kind && !canTransition(from, next.kind)) {
      this.log.warn(`illegal transition ${from} -> ${next.kind}`)
      return
    }
    this.stateValue = next
    this.events.emit('state', next)
  }

  /** Adds a plugin's incident (media restarts, media back) to the session's timeline. */
  recordIncident(kind: Incident['kind'], detail: string): void {
    this.addIncident(kind, detail)
  }

  private addIncident(kind: Incident['kind'], detail: string): void {
    const incident = { at: this.deps.clock.now(), kind, detail }
    this.incidents.add(incident)
    this.events.emit('incident', incident)
  }

  private get requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? 10_000
  }

  private requireSession(): number {
    if (this.sessionId === undefined)
      throw new JanusRequestError(LocalErrorCode.notConnected, 'No session yet')
    return this.sessionId
  }

  // ---------------------------------------------------------------- attempts

  /** One try at getting a socket that holds the session: open, learn, claim or create. */
  private async runAttempt(): Promise<void> {
    this.clearRetryTimer()
    const epoch = ++this.epoch
    const attemptNumber = this.attemptNumber
    if (this.stateValue.kind === 'reconnecting')
      this.addIncident('attempt', `attempt ${attemptNumber}`)
    let socket: SocketConnection
    try {
      socket = await this.openSocket(epoch)
    } catch (error) {
      if (epoch !== this.epoch) return
      if (error instanceof InvalidServerError) {
        this.fail('serverError', error.message)
        return
      }
      this.attemptFailed(epoch, describeError(error))
      return
    }
    if (epoch !== this.epoch) {
      socket.close()
      return
    }
    try {
      await this.establish(epoch, socket)
    } catch (error) {
      if (epoch !== this.epoch) return
      if (error instanceof JanusRequestError && error.code === JanusErrorCode.unauthorized) {
        this.fail('unauthorized', 'The server refused the API secret or token')
        return
      }
      if (error instanceof JanusRequestError && error.code < 1000) {
        this.fail('serverError', error.message)
        return
      }
      this.attemptFailed(epoch, describeError(error))
    }
  }

  private openSocket(epoch: number): Promise<SocketConnection> {
    return new Promise((resolve, reject) => {
      let opened = false
      let socket: SocketConnection
      const timer = this.deps.clock.setTimeout(() => {
        if (opened) return
        socket.close()
        reject(new Error('the server did not answer in time'))
      }, this.options.openTimeoutMs ?? 5000)
      try {
        socket = this.deps.openSocket(this.options.serverUrl, PROTOCOL, {
          onOpen: () => {
            opened = true
            this.deps.clock.clearTimeout(timer)
            resolve(socket)
          },
          onMessage: (text) => this.onSocketMessage(epoch, text),
          onClose: (info) => {
            this.deps.clock.clearTimeout(timer)
            if (!opened) reject(new Error(`cannot reach ${this.options.serverUrl}`))
            else this.onSocketClosed(epoch, info.wasError ? 'socketError' : 'socketClosed')
          },
        })
      } catch (error) {
        this.deps.clock.clearTimeout(timer)
        reject(new InvalidServerError(`Invalid server URL: ${describeError(error)}`))
        return
      }
      this.attempt = { epoch, socket }
    })
  }

  private async establish(epoch: number, socket: SocketConnection): Promise<void> {
    const resumedFromStore = await this.loadStoredSession()
    if (!this.serverInfo || this.sessionId === undefined) {
      const reply = await this.sendDirect(epoch, socket, { janus: 'info' })
      this.serverInfo = readServerInfo(reply)
    }
    const info = this.serverInfo
    const now = this.deps.clock.now()
    let reclaimed = false
    let lostSessionId: number | undefined
    if (this.sessionId !== undefined) {
      const expired = sessionSurelyExpired(
        {
          lastRequestAt: this.lastRequestAt,
          ...(this.detachedAt !== undefined ? { detachedAt: this.detachedAt } : {}),
        },
        info,
        now,
      )
      if (expired) {
        lostSessionId = this.sessionId
        this.sessionLost('expired')
      } else {
        try {
          await this.sendDirect(epoch, socket, { janus: 'claim', session_id: this.sessionId })
          reclaimed = true
        } catch (error) {
          if (
            !(error instanceof JanusRequestError) ||
            error.code !== JanusErrorCode.sessionNotFound
          )
            throw error
          lostSessionId = this.sessionId
          this.sessionLost('notFound')
        }
      }
    }
    if (!reclaimed) {
      if (lostSessionId !== undefined) {
        // The server may have restarted with other settings: learn its windows again.
        const reply = await this.sendDirect(epoch, socket, { janus: 'info' })
        this.serverInfo = readServerInfo(reply)
      }
      const created = await this.sendDirect(epoch, socket, { janus: 'create' })
      this.sessionId = readHandleId(created)
      this.lastRequestAt = this.deps.clock.now()
      this.addIncident(
        lostSessionId !== undefined ? 'recreated' : 'created',
        `session ${this.sessionId} created`,
      )
    } else {
      this.addIncident('claimed', `session ${this.sessionId} claimed`)
    }
    if (epoch !== this.epoch) return
    // This socket now holds the session: any other one is superseded and must go
    // (Janus does not close it, shared/JANUS-NOTES.md).
    if (this.socket && this.socket !== socket) this.socket.close(1000, 'superseded')
    this.socket = socket
    this.attempt = undefined
    this.transportReady = true
    this.detachedAt = undefined
    await this.persistNow()
    if (resumedFromStore && reclaimed) await this.detachOrphans(epoch, socket)
    this.finishRecovery(reclaimed, lostSessionId !== undefined, resumedFromStore)
  }

  /** Handles stored by a previous page have no PeerConnection any more: detach them. */
  private async detachOrphans(epoch: number, socket: SocketConnection): Promise<void> {
    const orphans = [...this.handles]
    for (const [id, handle] of orphans) {
      try {
        await this.sendDirect(epoch, socket, {
          janus: 'detach',
          session_id: this.sessionId,
          handle_id: id,
        })
      } catch (error) {
        this.log.warn(`could not detach orphan handle ${id} (${handle.plugin})`, error)
      }
      this.handles.delete(id)
    }
    if (orphans.length > 0) await this.persistNow()
  }

  private finishRecovery(reclaimed: boolean, recreated: boolean, resumedFromStore: boolean): void {
    const sessionId = this.sessionId!
    const initial = !this.announcedConnected
    if (this.stateValue.kind === 'connecting' && !recreated) {
      this.announcedConnected = true
      this.flushQueue()
      this.attemptNumber = 0
      this.setState({ kind: 'connected', sessionId })
      this.scheduleKeepalive()
      this.events.emit('connected', { sessionId, resumedFromStore })
      return
    }
    this.setState({ kind: 'recovering', sessionId, reclaimed })
    if (recreated)
      this.failQueue(new JanusRequestError(LocalErrorCode.sessionLost, 'The session was lost'))
    else this.flushQueue()
    this.scheduleKeepalive()
    const context: RecoveryContext = {
      sessionId,
      reason: this.lossReason,
      networkChanged: this.networkChangedSinceLoss,
    }
    const epoch = this.epoch
    void this.runHooks(reclaimed ? 'resync' : 'restore', context).then(() => {
      if (epoch !== this.epoch || this.stateValue.kind !== 'recovering') return
      const lossAt = this.lossAt ?? this.deps.clock.now()
      this.attemptNumber = 0
      this.networkChangedSinceLoss = false
      this.setState({ kind: 'connected', sessionId })
      if (initial) {
        this.announcedConnected = true
        this.events.emit('connected', { sessionId, resumedFromStore })
        return
      }
      this.events.emit('reconnected', {
        sessionId,
        reclaimed,
        lossAt,
        durationMs: this.deps.clock.now() - lossAt,
      })
    })
  }

  private async runHooks(kind: 'resync' | 'restore', context: RecoveryContext): Promise<void> {
    const limit = this.options.hookTimeoutMs ?? 15_000
    await Promise.all(
      [...this.participants].map(async (participant) => {
        const hook = participant[kind]
        if (!hook) return
        let timer: TimerId | undefined
        try {
          await Promise.race([
            Promise.resolve(hook.call(participant, context)),
            new Promise<void>((resolve) => {
              timer = this.deps.clock.setTimeout(() => {
                this.log.warn(`${participant.name}: ${kind} did not finish in ${limit} ms`)
                resolve()
              }, limit)
            }),
          ])
        } catch (error) {
          this.addIncident('error', `${participant.name} ${kind} failed: ${describeError(error)}`)
        } finally {
          if (timer !== undefined) this.deps.clock.clearTimeout(timer)
        }
      }),
    )
  }

  private attemptFailed(epoch: number, why: string): void {
    if (epoch !== this.epoch) return
    this.attempt?.socket.close()
    this.attempt = undefined
    const max = this.options.maxReconnectAttempts ?? Number.POSITIVE_INFINITY
    if (this.attemptNumber >= max) {
      this.fail('networkDisconnected', `Gave up after ${this.attemptNumber} attempts: ${why}`)
      return
    }
    // Right after the network came back the new route may not be usable yet (an address
    // before its route, a DHCP lease in flight): retry fast a few times before backing off.
    const fast =
      this.fastRetriesLeft > 0
        ? fastRetryDelays[fastRetryDelays.length - this.fastRetriesLeft]
        : undefined
    if (fast !== undefined) this.fastRetriesLeft -= 1
    else this.backoffStep += 1
    const delay =
      fast ??
      backoffDelay(this.backoffStep, this.options.backoff ?? defaultBackoff, this.deps.random)
    const reason: LossReason =
      this.stateValue.kind === 'reconnecting' ? this.stateValue.reason : 'serverUnreachable'
    this.attemptNumber += 1
    this.setState({
      kind: 'reconnecting',
      attempt: this.attemptNumber,
      reason,
      nextAttemptAt: this.deps.clock.now() + delay,
    })
    this.events.emit('reconnecting', { attempt: this.attemptNumber, reason })
    this.addIncident('error', why)
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined
      void this.runAttempt()
    }, delay)
  }

  /** A host signal says the network is back: attempt now and start the backoff over. */
  private retryNow(): void {
    this.fastRetriesLeft = fastRetryDelays.length
    this.backoffStep = 0
    this.clearRetryTimer()
    this.attempt?.socket.close()
    this.attempt = undefined
    this.attemptNumber = 1
    void this.runAttempt()
  }

  private fail(reason: DisconnectReason, message: string): void {
    this.clearTimers()
    this.dropSocket()
    this.failAll(new JanusRequestError(LocalErrorCode.notConnected, message))
    this.setState({ kind: 'failed', reason, message })
    this.addIncident('error', message)
    this.events.emit('disconnected', { reason, message })
  }

  // ---------------------------------------------------------------- loss

  private onSocketClosed(epoch: number, reason: LossReason): void {
    if (epoch !== this.epoch) return
    if (this.attempt?.epoch === epoch && !this.transportReady) {
      this.attemptFailed(epoch, 'the connection closed during the handshake')
      return
    }
    // A close we saw is a close the server saw: the reclaim window (newer Janus) starts now.
    this.detachedAt = this.deps.clock.now()
    this.onLoss(reason)
  }

  private onLoss(reason: LossReason): void {
    const state = this.stateValue.kind
    if (state !== 'connected' && state !== 'recovering') return
    this.lossAt = this.deps.clock.now()
    this.lossReason = reason
    this.networkChangedSinceLoss =
      reason === 'networkChanged' || reason === 'resumed' || reason === 'offline'
    this.addIncident('loss-detected', reason)
    const lostEpoch = this.epoch
    this.epoch += 1
    this.dropSocket()
    this.settleInFlight(lostEpoch)
    this.persistNow()
    this.attemptNumber = 1
    this.setState({ kind: 'reconnecting', attempt: 1, reason })
    this.events.emit('reconnecting', { attempt: 1, reason })
    // The first attempt goes at once; the backoff only spaces out the ones that fail.
    this.backoffStep = 0
    this.fastRetriesLeft =
      reason === 'networkChanged' || reason === 'resumed' ? fastRetryDelays.length : 0
    void this.runAttempt()
  }

  /**
   * Requests written to the lost socket without a reply: idempotent ones go out again
   * after the claim; for the others we cannot know whether Janus acted, so they fail
   * with a clear error rather than risk doing something twice.
   */
  private settleInFlight(lostEpoch: number): void {
    for (const p of [...this.pending.values()]) {
      if (p.sentOn !== lostEpoch) continue
      if (p.idempotent && p.queueable) {
        p.sentOn = undefined
        this.clearRequestTimer(p)
        this.queue.push(p)
      } else {
        this.settle(
          p,
          new JanusRequestError(
            LocalErrorCode.outcomeUnknown,
            'The connection was lost before Janus answered',
          ),
        )
      }
    }
  }

  private sessionLost(reason: 'notFound' | 'expired' | 'timeout'): void {
    const sessionId = this.sessionId
    if (sessionId === undefined) return
    this.sessionId = undefined
    this.handles.clear()
    this.addIncident('session-lost', `session ${sessionId}: ${reason}`)
    void this.deps.store.clear()
    this.events.emit('sessionLost', { sessionId, reason })
  }

  // ---------------------------------------------------------------- keepalive

  private scheduleKeepalive(delayMs?: number): void {
    if (this.keepaliveTimer !== undefined) this.deps.clock.clearTimeout(this.keepaliveTimer)
    const plan = planKeepalive(this.serverInfo, this.mediaActive.size > 0)
    this.keepalivePlan = plan
    this.keepaliveTimer = this.deps.clock.setTimeout(() => {
      this.keepaliveTimer = undefined
      this.sendKeepalive(plan)
    }, delayMs ?? plan.intervalMs)
  }

  private sendKeepalive(plan: KeepalivePlan): void {
    if (!this.transportReady || this.sessionId === undefined || !this.socket) return
    const epoch = this.epoch
    this.sendDirect(
      epoch,
      this.socket,
      { janus: 'keepalive', session_id: this.sessionId },
      plan.ackTimeoutMs,
    ).then(
      () => {
        if (epoch === this.epoch) this.scheduleKeepalive()
      },
      (error: unknown) => {
        if (epoch !== this.epoch) return
        if (error instanceof JanusRequestError && error.code === LocalErrorCode.timeout) {
          this.onLoss('keepaliveTimeout')
        } else if (
          error instanceof JanusRequestError &&
          error.code === JanusErrorCode.sessionNotFound
        ) {
          this.onSessionGoneWhileConnected('notFound')
        } else if (
          error instanceof JanusRequestError &&
          error.code === JanusErrorCode.unauthorized
        ) {
          this.fail('unauthorized', 'The server refused the API secret or token')
        } else {
          this.scheduleKeepalive()
        }
      },
    )
  }

  /** Janus said the session is gone while our socket is fine: create a new one on it. */
  private onSessionGoneWhileConnected(reason: 'notFound' | 'timeout'): void {
    const state = this.stateValue.kind
    const socket = this.socket
    if ((state !== 'connected' && state !== 'recovering') || !socket) return
    this.lossAt = this.deps.clock.now()
    this.lossReason = 'sessionTimeout'
    this.transportReady = false
    if (this.keepaliveTimer !== undefined) this.deps.clock.clearTimeout(this.keepaliveTimer)
    this.keepaliveTimer = undefined
    this.sessionLost(reason)
    const epoch = this.epoch
    this.attempt = { epoch, socket }
    this.attemptNumber = 1
    this.setState({ kind: 'reconnecting', attempt: 1, reason: 'sessionTimeout' })
    this.events.emit('reconnecting', { attempt: 1, reason: 'sessionTimeout' })
    this.establish(epoch, socket).catch((error: unknown) =>
      this.attemptFailed(epoch, describeError(error)),
    )
  }

  // ---------------------------------------------------------------- sending

  private dispatch(p: Pending): void {
    this.pending.set(p.transaction, p)
    if (this.transportReady && this.socket) {
      this.write(p, this.epoch, this.socket)
    } else if (
      p.queueable &&
      ['connecting', 'reconnecting', 'recovering'].includes(this.stateValue.kind)
    ) {
      this.queue.push(p)
    } else {
      this.settle(
        p,
        new JanusRequestError(LocalErrorCode.notConnected, 'Not connected to the server'),
      )
    }
  }

  private write(p: Pending, epoch: number, socket: SocketConnection): void {
    const message: JanusRequest = { ...p.request }
    if (this.token !== undefined) message.token = this.token
    if (this.options.apiSecret !== undefined) message.apisecret = this.options.apiSecret
    if (this.sessionId !== undefined && message.session_id !== undefined) {
      this.lastRequestAt = this.deps.clock.now()
      this.persistSoon()
    }
    p.sentOn = epoch
    this.clearRequestTimer(p)
    p.timer = this.deps.clock.setTimeout(() => {
      this.settle(
        p,
        new JanusRequestError(
          LocalErrorCode.timeout,
          `No reply to ${p.request.janus} within ${p.timeoutMs} ms`,
        ),
      )
    }, p.timeoutMs)
    socket.send(JSON.stringify(message))
  }

  /** Sends on a specific socket during the handshake, bypassing the queue. */
  private sendDirect(
    epoch: number,
    socket: SocketConnection,
    body: JanusRequest,
    timeoutMs?: number,
  ): Promise<JanusMessage> {
    return new Promise((resolve, reject) => {
      const p: Pending = {
        transaction: nextTransaction(),
        request: { ...body },
        done: (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)),
        timeoutMs: timeoutMs ?? this.requestTimeoutMs,
        queueable: false,
        idempotent: false,
        tokenRetried: false,
      }
      p.request.transaction = p.transaction
      this.pending.set(p.transaction, p)
      this.write(p, epoch, socket)
    })
  }

  private flushQueue(): void {
    const queued = this.queue
    this.queue = []
    for (const p of queued) {
      if (!this.pending.has(p.transaction)) continue
      if (p.request.session_id !== undefined) p.request.session_id = this.sessionId
      if (this.socket) this.write(p, this.epoch, this.socket)
    }
  }

  private failQueue(error: JanusRequestError): void {
    const queued = this.queue
    this.queue = []
    for (const p of queued) this.settle(p, error)
  }

  private failAll(error: JanusRequestError): void {
    this.queue = []
    for (const p of [...this.pending.values()]) this.settle(p, error)
  }

  private settle(p: Pending, outcome: JanusMessage | Error): void {
    if (this.pending.get(p.transaction) !== p) return
    this.pending.delete(p.transaction)
    this.clearRequestTimer(p)
    this.queue = this.queue.filter((q) => q !== p)
    p.done(outcome)
  }

  private clearRequestTimer(p: Pending): void {
    if (p.timer !== undefined) this.deps.clock.clearTimeout(p.timer)
    p.timer = undefined
  }

  // ---------------------------------------------------------------- receiving

  private onSocketMessage(epoch: number, text: string): void {
    if (epoch !== this.epoch) return
    const parsed = parseJanusMessage(text)
    if (!parsed.ok) {
      this.log.warn(`dropped a frame from Janus: ${parsed.reason}`)
      return
    }
    const message = parsed.message
    const p = message.transaction !== undefined ? this.pending.get(message.transaction) : undefined
    if (p && terminalReplies.has(message.janus)) {
      this.onReply(p, message)
      return
    }
    if (message.janus === 'timeout' && message.session_id === this.sessionId) {
      this.onSessionGoneWhileConnected('timeout')
      return
    }
    const sender = message.sender
    const owner = sender !== undefined ? this.handles.get(sender) : undefined
    if (owner?.owner === 'core') {
      owner.events.emit('event', message)
      if (message.janus === 'detached') this.removeHandle(sender!)
      return
    }
    if (message.janus === 'detached' && sender !== undefined) this.removeHandle(sender)
    this.events.emit('message', message)
  }

  private onReply(p: Pending, message: JanusMessage): void {
    if (message.janus !== 'error') {
      this.settle(p, message)
      return
    }
    const code = message.error?.code ?? 0
    const reason = message.error?.reason ?? 'unknown error'
    if (
      code === JanusErrorCode.unauthorized &&
      this.token !== undefined &&
      this.deps.tokenProvider &&
      !p.tokenRetried
    ) {
      p.tokenRetried = true
      this.clearRequestTimer(p)
      void this.refreshToken().then((token) => {
        if (this.pending.get(p.transaction) !== p) return
        if (token === undefined) {
          this.settle(p, new JanusRequestError(code, reason))
          return
        }
        if (this.socket && this.transportReady) this.write(p, this.epoch, this.socket)
        else if (this.attempt && p.sentOn === this.attempt.epoch)
          this.write(p, this.attempt.epoch, this.attempt.socket)
        else this.queue.push(p)
      })
      return
    }
    this.settle(p, new JanusRequestError(code, reason))
  }

  private refreshToken(): Promise<string | undefined> {
    if (!this.tokenRefresh) {
      const provider = this.deps.tokenProvider
      this.tokenRefresh = (provider ? provider.refreshToken() : Promise.resolve(undefined))
        .catch(() => undefined)
        .then((token) => {
          this.tokenRefresh = undefined
          if (token !== undefined && token !== this.token) {
            this.token = token
            return token
          }
          return undefined
        })
    }
    return this.tokenRefresh
  }

  // ---------------------------------------------------------------- handles & persistence

  private addHandle(id: number, plugin: string, owner: HandleOwner): void {
    this.handles.set(id, { plugin, owner, events: new Emitter() })
    this.persistNow()
  }

  /** @internal used by CoreHandle */
  removeHandle(id: number): void {
    if (this.handles.delete(id)) this.persistNow()
  }

  /** Reads the stored session once per life of this object; true if it will be claimed. */
  private async loadStoredSession(): Promise<boolean> {
    if (this.storedRecordChecked) return false
    this.storedRecordChecked = true
    if (this.sessionId !== undefined) return false
    let record: SessionRecord | undefined
    try {
      record = parseSessionRecord(await this.deps.store.load())
    } catch (error) {
      this.log.warn('could not read the stored session', error)
    }
    if (!record) return false
    const info = {
      sessionTimeoutS: record.sessionTimeoutS,
      reclaimSessionTimeoutS: record.reclaimSessionTimeoutS,
    }
    const activity = {
      lastRequestAt: record.lastRequestAt,
      ...(record.detachedAt !== undefined ? { detachedAt: record.detachedAt } : {}),
    }
    if (
      record.serverUrl !== this.options.serverUrl ||
      sessionSurelyExpired(activity, info, this.deps.clock.now())
    ) {
      await this.deps.store.clear()
      return false
    }
    this.sessionId = record.sessionId
    this.lastRequestAt = record.lastRequestAt
    this.detachedAt = record.detachedAt
    for (const h of record.handles)
      this.handles.set(h.id, { plugin: h.plugin, owner: 'bridge', events: new Emitter() })
    return true
  }

  private record(): SessionRecord | undefined {
    if (this.sessionId === undefined) return undefined
    return {
      version: 1,
      serverUrl: this.options.serverUrl,
      sessionId: this.sessionId,
      handles: this.listHandles(),
      lastRequestAt: this.lastRequestAt,
      ...(this.detachedAt !== undefined ? { detachedAt: this.detachedAt } : {}),
      sessionTimeoutS: this.serverInfo?.sessionTimeoutS ?? 60,
      reclaimSessionTimeoutS: this.serverInfo?.reclaimSessionTimeoutS ?? 0,
    }
  }

  private persistNow(): Promise<void> {
    if (this.persistTimer !== undefined) this.deps.clock.clearTimeout(this.persistTimer)
    this.persistTimer = undefined
    const record = this.record()
    if (!record) return Promise.resolve()
    return this.deps.store
      .save(record)
      .catch((error: unknown) => this.log.warn('could not store the session', error))
  }

  /** Request times change often; coalesce them into one write. */
  private persistSoon(): void {
    if (this.persistTimer !== undefined) return
    this.persistTimer = this.deps.clock.setTimeout(() => {
      this.persistTimer = undefined
      void this.persistNow()
    }, 0)
  }

  // ---------------------------------------------------------------- teardown helpers

  private dropSocket(): void {
    this.transportReady = false
    this.socket?.close(1000, 'replaced')
    this.socket = undefined
    this.attempt?.socket.close()
    this.attempt = undefined
    if (this.keepaliveTimer !== undefined) this.deps.clock.clearTimeout(this.keepaliveTimer)
    this.keepaliveTimer = undefined
  }

  private clearRetryTimer(): void {
    if (this.retryTimer !== undefined) this.deps.clock.clearTimeout(this.retryTimer)
    this.retryTimer = undefined
  }

  private clearTimers(): void {
    this.clearRetryTimer()
    if (this.keepaliveTimer !== undefined) this.deps.clock.clearTimeout(this.keepaliveTimer)
    this.keepaliveTimer = undefined
  }
}

/** A plugin handle owned by the core, for code that talks to a plugin without janus.js. */
export class CoreHandle {
  constructor(
    private readonly session: JanusSession,
    readonly id: number,
    readonly plugin: string,
    private readonly emitter: Emitter<{ event: JanusMessage }>,
  ) {}

  /** Sends a plugin message; resolves with Janus's ack or synchronous success. */
  message(
    body: Record<string, unknown>,
    jsep?: unknown,
    options?: RequestOptions,
  ): Promise<JanusMessage> {
    return this.session.request(
      {
        janus: 'message',
        session_id: this.session.id,
        handle_id: this.id,
        body,
        ...(jsep ? { jsep } : {}),
      },
      options,
    )
  }

  /** Subscribes to this handle's events (plugin events, webrtcup, hangup ...). */
  onEvent(listener: (message: JanusMessage) => void): () => void {
    return this.emitter.on('event', listener)
  }

  /** Detaches the handle on the server. */
  async detach(): Promise<void> {
    await this.session.request({ janus: 'detach', session_id: this.session.id, handle_id: this.id })
    this.session.removeHandle(this.id)
  }
}

class InvalidServerError extends Error {}

function nextTransaction(): string {
  transactionCounter = (transactionCounter + 1) % Number.MAX_SAFE_INTEGER
  return `hf${transactionCounter.toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}`
}

function readHandleId(reply: JanusMessage): number {
  const id = reply.data?.id
  if (typeof id !== 'number')
    throw new JanusRequestError(LocalErrorCode.outcomeUnknown, 'reply without an id')
  return id
}

function errorReply(body: JanusRequest, code: number, reason: string): JanusMessage {
  return {
    janus: 'error',
    ...(body.transaction !== undefined ? { transaction: body.transaction } : {}),
    ...(body.session_id !== undefined ? { session_id: body.session_id } : {}),
    error: { code, reason },
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
