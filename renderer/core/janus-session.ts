/**
 * The reclaiming Janus session: one logical session that outlives its sockets. It notices
 * loss (close, error, an unanswered keepalive, host signals), claims the session back on a
 * new socket (or creates one when Janus answers 458), queues requests meanwhile and lets
 * every plugin re-synchronise or restore itself. This class is the facade and owns the
 * lifecycle; the parts of one concern each live in ./session/. Every edge (clock, sockets,
 * storage, tokens) is injected, so each transition is tested without real time.
 */
import { defaultBackoff } from './backoff'
import { silentLogger, type Logger } from './clock'
import {
  canTransition,
  type ConnectionState,
  type DisconnectReason,
  type LossReason,
} from './connection-state'
import { Emitter } from './emitter'
import type { SystemEvent } from './host'
import { IncidentLog, type Incident } from './incident-log'
import {
  ClientError,
  parseJanusMessage,
  readCreatedId,
  type JanusMessage,
  type JanusRequest,
  type ServerInfo,
} from './janus-protocol'
import { planKeepalive, type KeepalivePlan } from './reclaim-window'
import { CoreHandle } from './session/core-handle'
import { HandleRegistry } from './session/handle-registry'
import { KeepaliveMonitor, type KeepaliveVerdict } from './session/keepalive-monitor'
import {
  runRecoveryHooks,
  type RecoveryContext,
  type SessionParticipant,
} from './session/recovery-hooks'
import { RequestLedger, type Channel, type RequestOptions } from './session/request-ledger'
import { SessionKeeper } from './session/session-keeper'
import { SocketDrain, drainsOn } from './session/socket-drain'
import {
  detachOrphans,
  type HandshakeDeps,
  type HandshakeResult,
  type SessionFacts,
  type SessionLossReason,
} from './session/handshake'
import { Attempts } from './session/attempts'
import { RetrySchedule } from './session/retry-schedule'
import { reactToSignal } from './session/signal-reaction'
import { racingSockets } from './socket-race'
import { ServerChoice } from './session/server-choice'

export type { RecoveryContext, SessionParticipant } from './session/recovery-hooks'
export type { RequestOptions } from './session/request-ledger'
export { CoreHandle } from './session/core-handle'
export type { SessionLossReason } from './session/handshake'
export type { JanusSessionDeps, JanusSessionOptions, SessionEvents } from './session/session-api'
import type { JanusSessionDeps, JanusSessionOptions, SessionEvents } from './session/session-api'

/** One Janus session that keeps itself alive across sockets. */
export class JanusSession {
  readonly events: Emitter<SessionEvents>
  // Room for a whole recovery with its retries: the benchmark reads its phases from here.
  readonly incidents = new IncidentLog(200)

  private stateValue: ConnectionState = { kind: 'idle' }
  /** The session id, the server's windows and the request times, shared with the handshake. */
  private readonly facts: SessionFacts = { lastRequestAt: 0 }
  private readonly handshakeDeps: HandshakeDeps
  private readonly participants = new Set<SessionParticipant>()
  private readonly mediaActive = new Set<string>()
  private readonly log: Logger
  private readonly handles: HandleRegistry
  private readonly ledger: RequestLedger
  private readonly keepaliveMonitor: KeepaliveMonitor
  private readonly keeper: SessionKeeper

  private readonly attempts: Attempts
  /** Sockets replaced on a network change, still open for the replies on their way. */
  private readonly drain: SocketDrain
  /** Which server each attempt goes to (issue 14). */
  private readonly servers: ServerChoice
  /** The socket that holds the session; requests go straight out on it. */
  private live: Channel | undefined
  private loss: { at: number; reason: LossReason; networkChanged: boolean } | undefined
  /** Whether `connected` was announced since the last connect(); later returns are `reconnected`. */
  private announcedConnected = false
  /** An attach lost its reply: the session may hold a handle Janus made that no reply named. */
  private attachLost = false
  /** Recoveries begun: one whose session was let go meanwhile does not finish the next. */
  private recoveries = 0

  constructor(
    private readonly options: JanusSessionOptions,
    private readonly deps: JanusSessionDeps,
  ) {
    this.log = deps.logger ?? silentLogger
    this.events = new Emitter<SessionEvents>((event, error) =>
      this.log.warn(`a listener of "${event}" threw`, error),
    )
    const { clock } = deps
    this.servers = new ServerChoice(
      [options.serverUrl, ...(options.moreServers ?? [])],
      this.facts,
      clock,
    )
    this.handles = new HandleRegistry(() => {
      void this.keeper.saveNow()
      this.events.emit('change', undefined)
    })
    this.keeper = new SessionKeeper({
      clock,
      store: deps.store,
      logger: this.log,
      servers: this.servers.pool.servers,
      facts: this.facts,
      handles: () => this.handles.list(),
    })
    this.ledger = new RequestLedger({
      clock,
      ...(deps.tokenProvider ? { tokenProvider: deps.tokenProvider } : {}),
      ...(options.apiSecret !== undefined ? { apiSecret: options.apiSecret } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
      defaultTimeoutMs: options.requestTimeoutMs ?? 10_000,
      liveChannel: () => this.live,
      onQueueChanged: () => this.events.emit('change', undefined),
      canQueue: () => ['connecting', 'reconnecting', 'recovering'].includes(this.stateValue.kind),
      onSessionRequest: () => {
        if (this.facts.sessionId === undefined) return
        this.facts.lastRequestAt = clock.now()
        this.keeper.saveSoon()
      },
    })
    this.keepaliveMonitor = new KeepaliveMonitor({
      clock,
      ledger: this.ledger,
      plan: () => planKeepalive(this.facts.serverInfo, this.mediaActive.size > 0),
      target: () =>
        this.live && this.facts.sessionId !== undefined
          ? { channel: this.live, sessionId: this.facts.sessionId }
          : undefined,
      onVerdict: (verdict) => this.onKeepaliveVerdict(verdict),
    })
    this.handshakeDeps = {
      clock,
      logger: this.log,
      facts: this.facts,
      ledger: this.ledger,
      keeper: this.keeper,
      handles: this.handles,
      lose: (reason) => this.sessionLost(reason),
      incident: (kind, detail) => this.recordIncident(kind, detail),
    }
    this.drain = new SocketDrain({
      clock,
      ...(options.drainGraceMs !== undefined ? { graceMs: options.drainGraceMs } : {}),
      onOver: (epoch) => this.settleLost(epoch),
    })
    this.attempts = new Attempts({
      clock,
      factory:
        options.socketRace === false
          ? deps.openSocket
          : racingSockets(deps.openSocket, clock, options.socketRace),
      url: () => this.servers.forAttempt(),
      onFailed: (url, message) => this.servers.failed(url, message),
      shortenDelay: (delayMs) => this.servers.delayBefore(delayMs),
      openTimeoutMs: options.openTimeoutMs ?? 5000,
      maxAttempts: options.maxReconnectAttempts ?? Number.POSITIVE_INFINITY,
      retry: new RetrySchedule(options.backoff ?? defaultBackoff, deps.random),
      handshake: this.handshakeDeps,
      onMessage: (epoch, text) => this.onSocketMessage(epoch, text),
      onClosed: (epoch, wasError) => this.onSocketClosed(epoch, wasError),
      onStart: (attempt) => {
        if (this.stateValue.kind === 'reconnecting')
          this.recordIncident('attempt', `attempt ${attempt}`)
      },
      onEstablished: (channel, result) => this.onEstablished(channel, result),
      onRetryScheduled: (attempt, delayMs, why) => this.onRetryScheduled(attempt, delayMs, why),
      onGiveUp: (reason, message) => this.fail(reason, message),
    })
  }

  /** The current lifecycle state. */
  get state(): ConnectionState {
    return this.stateValue
  }

  /** The Janus session id, while there is one. */
  get id(): number | undefined {
    return this.facts.sessionId
  }

  /** The server's windows and version, once learnt. */
  get info(): ServerInfo | undefined {
    return this.facts.serverInfo
  }

  /** The current keepalive cadence, for diagnostics. */
  get keepalive(): KeepalivePlan {
    return this.keepaliveMonitor.plan
  }

  /** Handles attached to the session, for diagnostics. */
  listHandles(): { id: number; plugin: string }[] {
    return this.handles.list()
  }

  /** Requests waiting for the connection to return. */
  get queuedCount(): number {
    return this.ledger.queuedCount
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
    if (before === this.mediaActive.size > 0) return
    if (this.live) this.keepaliveMonitor.start(0)
    this.events.emit('change', undefined)
  }

  /** Starts (or starts over after `failed` / `closed`): claims a stored session if young enough. */
  connect(): void {
    const kind = this.stateValue.kind
    if (kind !== 'idle' && kind !== 'failed' && kind !== 'closed') return
    this.attempts.begin(false)
    this.announcedConnected = false
    this.setState({ kind: 'connecting' })
    this.events.emit('connecting', { serverUrl: this.serverUrl })
    void this.attempts.run()
  }

  /** Reacts to what the host saw: network back or changed, or the machine woke, acts at once. */
  handleSystemEvent(event: SystemEvent): void {
    this.recordIncident('signal', event.type)
    this.events.emit('hostSignal', event)
    const reaction = reactToSignal(event, this.stateValue)
    switch (reaction.kind) {
      case 'persist':
        return void this.keeper.saveNow()
      case 'replaceSocket':
        return this.onLoss(reaction.reason)
      case 'retryNow':
        if (this.loss) this.loss.networkChanged = true
        return this.attempts.retryNow()
      case 'connect':
        return this.connect()
      case 'none':
        return
    }
  }

  /**
   * A call saw its media flow again while the session was still reconnecting: the path to the
   * server is very likely back too (issue 13; after a dead path the media returned in ~30 ms
   * while the next claim waited out its backoff for ~700 ms). Attempt now.
   */
  mediaFlowsAgain(who: string): void {
    if (this.stateValue.kind !== 'reconnecting') return
    if (this.attempts.retryNowIfStuck(250))
      this.recordIncident('signal', `${who}: media flows again`)
  }

  /**
   * A call's media stopped under a healthy ICE: check the connection now rather than at the
   * next keepalive (a path dead under the media is often dead under the socket too). Resolves
   * whether the connection answered; false while there is none to check. Also while the calls
   * restore themselves after a claim (`recovering`): the socket is ours then, and a false here
   * holds the caller's restart for a claim that will not come (soak seed 777: a room publisher
   * whose video Janus no longer received held its restart for good while the subscription's
   * resync waited out a lost answer).
   */
  mediaStalled(who: string): Promise<boolean> {
    const state = this.stateValue.kind
    if (state !== 'connected' && state !== 'recovering') return Promise.resolve(false)
    this.recordIncident('signal', `${who}: media stalled, checking the connection`)
    return this.keepaliveMonitor.probeNow()
  }

  /**
   * Sends a request for the session (or one of its handles) and resolves with Janus's
   * reply (`success`, `ack` or `server_info`); rejects with a ServerError or ClientError.
   */
  request(body: JanusRequest, options: RequestOptions = {}): Promise<JanusMessage> {
    return new Promise((resolve, reject) => {
      this.ledger.submit(body, options, (outcome) =>
        outcome instanceof Error ? reject(outcome) : resolve(outcome),
      )
    })
  }

  /** Attaches a plugin handle owned by the core (events arrive on the returned handle). */
  async attach(plugin: string): Promise<CoreHandle> {
    if (this.facts.sessionId === undefined) throw new ClientError('notConnected', 'No session yet')
    const reply = await this.request({ janus: 'attach', plugin, session_id: this.facts.sessionId })
    const id = readCreatedId(reply)
    const entry = this.handles.add(id, plugin, 'core')
    return new CoreHandle(this, id, plugin, entry.events)
  }

  /**
   * Like request(), with the outcome handed to `done` synchronously as the reply is read, so
   * a caller relaying replies (the janus.js bridge) keeps them in socket order with events.
   */
  submit(body: JanusRequest, done: (outcome: JanusMessage | Error) => void): void {
    this.ledger.submit(body, {}, done)
  }

  /** Records a handle janus.js attached through the bridge (or forgets one it detached). */
  trackBridgeHandle(id: number, plugin: string | undefined): void {
    if (plugin === undefined) this.handles.remove(id)
    else this.handles.add(id, plugin, 'bridge')
  }

  /**
   * Deliberate end: destroys the session on the server (bounded wait), closes the socket,
   * clears the store and fails whatever was waiting.
   */
  async disconnect(): Promise<void> {
    const sessionId = this.facts.sessionId
    this.attempts.cancel()
    this.keepaliveMonitor.stop()
    if (sessionId !== undefined && this.live) {
      try {
        await this.request(
          { janus: 'destroy', session_id: sessionId },
          { retryAfterReconnect: false, timeoutMs: 2000 },
        )
      } catch (error) {
        this.log.warn('destroy failed; the server will expire the session', error)
      }
    }
    this.dropSockets()
    this.drain.endAll()
    this.facts.sessionId = undefined
    this.facts.lostSession = undefined
    this.attachLost = false
    this.handles.clear()
    this.ledger.failAll(new ClientError('closed', 'Disconnected'))
    await this.keeper.clear()
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
    if (this.facts.sessionId === undefined) return
    this.facts.detachedAt = this.deps.clock.now()
    void this.keeper.saveNow()
  }

  /** Adds an incident (a plugin's media restart, media back...) to the session's timeline. */
  recordIncident(kind: Incident['kind'], detail: string): void {
    const incident = { at: this.deps.clock.now(), kind, detail }
    this.incidents.add(incident)
    this.events.emit('incident', incident)
  }
  /** @internal used by CoreHandle */
  removeHandle(id: number): void {
    this.handles.remove(id)
  }

  /** The server the session lives on (or the first configured, before there is one). */
  get serverUrl(): string {
    return this.facts.serverUrl ?? this.options.serverUrl
  }

  /** `channel` holds the session now: supersede the old socket, then recover. */
  private async onEstablished(channel: Channel, result: HandshakeResult): Promise<void> {
    const move = this.servers.established(channel.url)
    if (move) {
      this.recordIncident('recreated', `moved from ${move.from} to ${move.to}: ${move.why}`)
      this.events.emit('serverChanged', move)
    }
    // Janus keeps a superseded socket open (it even acks its requests): it must go.
    if (this.live && this.live.socket !== channel.socket) this.live.socket.close(1000, 'superseded')
    if (result.reclaimed && this.replaceIfOnlyUnknown(channel)) return
    this.live = channel
    this.facts.detachedAt = undefined
    await this.keeper.saveNow()
    this.finishRecovery(result)
    // After the state says where we are: a socket lost while detaching is then a loss like
    // any other (before it, a close between the claim and `connected` went unnoticed).
    if (result.reclaimed) void detachOrphans(channel, this.handshakeDeps)
  }

  /**
   * The session is ours on a live socket. A first connect is usable at once; after a loss the
   * plugins re-synchronise (claimed) or restore themselves (recreated) before `connected`.
   */
  private finishRecovery({
    reclaimed,
    recreated,
    resumedFromStore,
    lostSession,
  }: HandshakeResult): void {
    const sessionId = this.facts.sessionId!
    const loss = this.loss
    const done = (): void => {
      this.attempts.end()
      this.loss = undefined
      this.setState({ kind: 'connected', sessionId })
      if (!this.announcedConnected) {
        this.announcedConnected = true
        this.events.emit('connected', { sessionId, resumedFromStore })
      } else {
        const lossAt = loss?.at ?? this.deps.clock.now()
        const durationMs = this.deps.clock.now() - lossAt
        this.events.emit('reconnected', { sessionId, reclaimed, lossAt, durationMs })
      }
    }
    if (recreated) this.ledger.failQueue(new ClientError('sessionLost', 'The session was lost'))
    else this.ledger.flushQueue(sessionId)
    this.keepaliveMonitor.start()
    if (this.stateValue.kind === 'connecting' && !recreated) return done()
    this.setState({ kind: 'recovering', sessionId, reclaimed })
    const context: RecoveryContext = {
      sessionId,
      reason: loss?.reason ?? 'socketClosed',
      networkChanged: loss?.networkChanged ?? false,
      ...(loss ? { lostAt: loss.at } : {}),
      ...(lostSession !== undefined ? { lostSession } : {}),
    }
    const epoch = this.attempts.epoch
    const recovery = ++this.recoveries
    void runRecoveryHooks(this.participants, reclaimed ? 'resync' : 'restore', context, {
      clock: this.deps.clock,
      limitMs: this.options.hookTimeoutMs ?? 15_000,
      onSlow: (name) => this.log.warn(`${name}: recovery did not finish in time`),
      onError: (name, error) =>
        this.recordIncident('error', `${name} recovery failed: ${String(error)}`),
    }).then(() => {
      if (
        recovery === this.recoveries &&
        epoch === this.attempts.epoch &&
        this.stateValue.kind === 'recovering'
      )
        done()
    })
  }

  private onRetryScheduled(attempt: number, delayMs: number, why: string): void {
    const reason: LossReason =
      this.stateValue.kind === 'reconnecting' ? this.stateValue.reason : 'serverUnreachable'
    this.setState({
      kind: 'reconnecting',
      attempt,
      reason,
      nextAttemptAt: this.deps.clock.now() + delayMs,
    })
    this.events.emit('reconnecting', { attempt, reason })
    this.recordIncident('error', why)
  }

  private fail(reason: DisconnectReason, message: string): void {
    this.dropSockets()
    this.drain.endAll()
    this.attempts.end()
    this.ledger.failAll(new ClientError('notConnected', message))
    this.setState({ kind: 'failed', reason, message })
    this.recordIncident('error', message)
    this.events.emit('disconnected', { reason, message })
  }

  private onSocketClosed(epoch: number, wasError: boolean): void {
    if (this.drain.holds(epoch)) return this.drain.end(epoch)
    if (epoch !== this.attempts.epoch || this.attempts.closedDuringHandshake(epoch)) return
    // A close we saw is a close the server saw: the reclaim window (newer Janus) starts now.
    this.facts.detachedAt = this.deps.clock.now()
    this.onLoss(wasError ? 'socketError' : 'socketClosed')
  }

  private onKeepaliveVerdict(verdict: KeepaliveVerdict): void {
    switch (verdict) {
      case 'noAck':
        return this.onLoss('keepaliveTimeout')
      case 'sessionGone':
        return this.onSessionGoneWhileConnected('notFound')
      case 'unauthorized':
        return this.fail('unauthorized', 'The server refused the API secret or token')
    }
  }

  private onLoss(reason: LossReason): void {
    const state = this.stateValue.kind
    if (state !== 'connected' && state !== 'recovering') return
    const networkChanged =
      reason === 'networkChanged' || reason === 'resumed' || reason === 'offline'
    this.loss = { at: this.deps.clock.now(), reason, networkChanged }
    this.recordIncident('loss-detected', reason)
    const lostEpoch = this.attempts.invalidate()
    // Replies still on their way may be read from the old socket (socket-drain.ts).
    const live = this.live
    const drain =
      live !== undefined &&
      drainsOn(reason, {
        all: this.ledger.inFlightOn(lostEpoch),
        attaches: this.ledger.inFlightOn(lostEpoch, 'attach'),
      })
    if (drain) {
      this.drain.hold(lostEpoch, live)
      this.live = undefined
    }
    this.dropSockets()
    if (!drain) this.settleLost(lostEpoch)
    void this.keeper.saveNow()
    // The first attempt goes at once; the backoff only spaces out the ones that fail.
    this.attempts.begin(reason === 'networkChanged' || reason === 'resumed')
    this.setState({ kind: 'reconnecting', attempt: 1, reason })
    this.events.emit('reconnecting', { attempt: 1, reason })
    void this.attempts.run()
  }

  /**
   * What was sent on the lost socket of `epoch` and got no reply: idempotent requests go
   * again, the others fail as unknown.
   */
  private settleLost(epoch: number): void {
    const unknown = this.ledger.settleInFlight(epoch)
    // Said in the timeline: an attach Janus may have carried out leaves a handle no reply named.
    if (unknown.length)
      this.recordIncident('error', `lost before Janus answered: ${unknown.join(', ')}`)
    if (unknown.includes('attach')) this.attachLost = true
    // A drain that ends after the new socket holds the session: what goes again goes now.
    if (this.live && this.stateValue.kind !== 'reconnecting') {
      if (this.replaceIfOnlyUnknown(this.live)) return
      this.ledger.flushQueue(this.facts.sessionId)
    }
  }

  /**
   * An attach Janus carried out whose reply was lost leaves a handle no reply named, and
   * Janus's API cannot list or detach it: it lives as long as the session (soak seeds
   * 224487688 and 4204: the first attach on a session made again after a Janus restart, lost to
   * a flap or a switch, left a VideoRoom handle in no role). While the session holds nothing
   * else we know of, a new one costs nothing: the old is destroyed with that handle, and the
   * plugins set themselves up on the new one as after any new session. True when it went.
   */
  private replaceIfOnlyUnknown(channel: Channel): boolean {
    const sessionId = this.facts.sessionId
    if (!this.attachLost || sessionId === undefined || this.handles.list().length > 0) return false
    this.recordIncident('error', `session ${sessionId}: an attach lost its reply; starting afresh`)
    void this.ledger
      .sendDirect(channel, { janus: 'destroy', session_id: sessionId })
      .catch(() => undefined)
    this.startOver(channel, 'replaced', 'sessionReplaced')
    return true
  }

  /** Janus said the session is gone while our socket is fine: create a new one on it. */
  private onSessionGoneWhileConnected(reason: 'notFound' | 'timeout'): void {
    const state = this.stateValue.kind
    const live = this.live
    if ((state !== 'connected' && state !== 'recovering') || !live) return
    this.startOver(live, reason, 'sessionTimeout')
  }

  /** The session is gone (or let go): a new one is created on `channel`. */
  private startOver(channel: Channel, reason: SessionLossReason, lossReason: LossReason): void {
    // Already reconnecting (a claim that found the session not worth keeping): the loss that
    // began it stands, with whether the network changed.
    const reconnecting = this.stateValue.kind === 'reconnecting'
    this.live = undefined
    if (!reconnecting) {
      this.loss = { at: this.deps.clock.now(), reason: lossReason, networkChanged: false }
      this.keepaliveMonitor.stop()
    }
    this.sessionLost(reason)
    if (!reconnecting) {
      this.attempts.begin(false)
      this.setState({ kind: 'reconnecting', attempt: 1, reason: lossReason })
      this.events.emit('reconnecting', { attempt: 1, reason: lossReason })
    }
    this.attempts.establish(channel)
  }

  private sessionLost(reason: SessionLossReason): void {
    const sessionId = this.facts.sessionId
    if (sessionId === undefined) return
    this.facts.sessionId = undefined
    this.facts.lostSession = reason
    this.attachLost = false
    this.handles.clear()
    this.recordIncident('session-lost', `session ${sessionId}: ${reason}`)
    void this.keeper.clear()
    this.events.emit('sessionLost', { sessionId, reason })
  }

  private onSocketMessage(epoch: number, text: string): void {
    const draining = epoch !== this.attempts.epoch && this.drain.holds(epoch)
    if (epoch !== this.attempts.epoch && !draining) return
    const parsed = parseJanusMessage(text)
    if (!parsed.ok) {
      this.log.warn(`dropped a frame from Janus: ${parsed.reason}`)
      return
    }
    const message = parsed.message
    if (draining) {
      // Replies only: events come again on the new socket, or are reconciled after the claim.
      this.ledger.takeReply(message)
      if (this.ledger.inFlightOn(epoch) === 0) this.drain.end(epoch)
      return
    }
    if (this.ledger.takeReply(message)) return
    if (message.janus === 'timeout' && message.session_id === this.facts.sessionId) {
      this.onSessionGoneWhileConnected('timeout')
      return
    }
    const sender = message.sender
    const owner = sender !== undefined ? this.handles.get(sender) : undefined
    if (message.janus === 'detached' && sender !== undefined) this.handles.remove(sender)
    if (owner?.owner === 'core') owner.events.emit('event', message)
    else this.events.emit('message', message)
  }

  private setState(next: ConnectionState): void {
    const from = this.stateValue.kind
    if (from !== next.kind && !canTransition(from, next.kind)) {
      this.log.warn(`illegal transition ${from} -> ${next.kind}`)
      return
    }
    this.stateValue = next
    this.events.emit('state', next)
  }

  private dropSockets(): void {
    this.live?.socket.close(1000, 'replaced')
    this.live = undefined
    this.attempts.cancel()
    this.keepaliveMonitor.stop()
  }
}
