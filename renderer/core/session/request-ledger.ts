/**
 * Every request the session has sent or will send: the ones waiting for a reply, the ones
 * queued while the connection is down, their timeouts, the credentials stamped on them and
 * the single retry of a request whose token expired.
 */
import type { Clock, TimerId } from '../clock'
import type { TokenProvider } from '../host'
import { ClientError, ServerError, type JanusMessage, type JanusRequest } from '../janus-protocol'
import type { SocketConnection } from '../socket'

/** A socket, the epoch of the attempt that opened it and the server it goes to. */
export interface Channel {
  epoch: number
  socket: SocketConnection
  url: string
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

interface Pending {
  transaction: string
  request: JanusRequest
  /** Called synchronously with the reply or the failure, so replies keep socket order. */
  done: (outcome: JanusMessage | Error) => void
  timer?: TimerId
  timeoutMs: number
  queueable: boolean
  idempotent: boolean
  /** The channel it was last written to, if written. */
  sentOn?: Channel
  /** Written on a handshake channel, outside the queue. */
  direct: boolean
  tokenRetried: boolean
  /** The token it was last written with. */
  sentToken?: string | undefined
}

/** What the ledger needs from the session around it. */
export interface RequestLedgerDeps {
  clock: Clock
  tokenProvider?: TokenProvider
  apiSecret?: string
  token?: string
  /** The channel that holds the session now, if requests can go straight out. */
  liveChannel(): Channel | undefined
  /** Whether a request made now may wait for the connection (it is being re-established). */
  canQueue(): boolean
  /** A request carrying the session id was written: Janus counts its windows from now. */
  onSessionRequest(): void
  /** The number of queued requests changed. */
  onQueueChanged(): void
  defaultTimeoutMs: number
}

const terminalReplies = new Set(['success', 'error', 'ack', 'server_info'])
/**
 * Requests that may go out twice: repeating them changes nothing. A `detach` lost with its
 * socket must go out again after the claim, or the handle lives on as a zombie (issue 14's
 * soak found one); a second detach of a handle already gone is answered 459, harmlessly.
 */
const quietVerbs = new Set(['keepalive', 'trickle', 'detach'])

let transactionCounter = 0

/** The session's requests, from the first write to their settlement. */
export class RequestLedger {
  private readonly pending = new Map<string, Pending>()
  private queue: Pending[] = []
  private token: string | undefined
  private tokenRefresh: Promise<string | undefined> | undefined

  constructor(private readonly deps: RequestLedgerDeps) {
    this.token = deps.token
  }

  /** Requests waiting for the connection to return. */
  get queuedCount(): number {
    return this.queue.length
  }

  /** Requests not settled yet (written or queued). */
  get openCount(): number {
    return this.pending.size
  }

  /** Sends (or queues) a request; `done` gets the reply or the failure. */
  submit(body: JanusRequest, options: RequestOptions, done: Pending['done']): void {
    const transaction = body.transaction ?? nextTransaction()
    const p: Pending = {
      transaction,
      request: { ...body, transaction },
      done,
      timeoutMs: options.timeoutMs ?? this.deps.defaultTimeoutMs,
      queueable: options.retryAfterReconnect !== false,
      idempotent: options.idempotent ?? quietVerbs.has(body.janus),
      direct: false,
      tokenRetried: false,
    }
    this.pending.set(p.transaction, p)
    const live = this.deps.liveChannel()
    if (live) this.write(p, live)
    else if (p.queueable && this.deps.canQueue()) this.enqueue(p)
    else this.settle(p, new ClientError('notConnected', 'Not connected to the server'))
  }

  /** Sends on a given channel during the handshake (or a keepalive), bypassing the queue. */
  sendDirect(channel: Channel, body: JanusRequest, timeoutMs?: number): Promise<JanusMessage> {
    return new Promise((resolve, reject) => {
      const transaction = nextTransaction()
      const p: Pending = {
        transaction,
        request: { ...body, transaction },
        done: (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)),
        timeoutMs: timeoutMs ?? this.deps.defaultTimeoutMs,
        queueable: false,
        idempotent: false,
        direct: true,
        tokenRetried: false,
      }
      this.pending.set(transaction, p)
      this.write(p, channel)
    })
  }

  /**
   * Offers an inbound message to the requests waiting for replies; true if it settled one
   * (or will, once a refreshed token was tried).
   */
  takeReply(message: JanusMessage): boolean {
    const p = message.transaction !== undefined ? this.pending.get(message.transaction) : undefined
    if (!p || !terminalReplies.has(message.janus)) return false
    if (message.janus !== 'error') {
      this.settle(p, message)
      return true
    }
    const error = new ServerError(
      message.error?.code ?? 0,
      message.error?.reason ?? 'unknown error',
    )
    // With a token service, a 403 also fetches the first token: a server that wants one
    // says so by refusing the request that came without.
    if (error.unauthorized && this.deps.tokenProvider && !p.tokenRetried) {
      this.retryWithFreshToken(p, error)
      return true
    }
    this.settle(p, error)
    return true
  }

  /** Sends what was queued, now addressed to `sessionId`. */
  flushQueue(sessionId: number | undefined): void {
    const live = this.deps.liveChannel()
    const queued = this.takeQueue()
    for (const p of queued) {
      if (!this.pending.has(p.transaction)) continue
      if (p.request.session_id !== undefined) p.request.session_id = sessionId
      if (live) this.write(p, live)
    }
  }

  /** Fails everything queued (the session they were meant for is gone). */
  failQueue(error: Error): void {
    for (const p of this.takeQueue()) this.settle(p, error)
  }

  /** Fails everything, queued or in flight. */
  failAll(error: Error): void {
    this.takeQueue()
    for (const p of [...this.pending.values()]) this.settle(p, error)
  }

  /** How many requests (of `verb`, if given) written on the socket of `epoch` wait for their reply. */
  inFlightOn(epoch: number, verb?: string): number {
    let count = 0
    for (const p of this.pending.values())
      if (p.sentOn?.epoch === epoch && (verb === undefined || p.request.janus === verb)) count += 1
    return count
  }

  /**
   * Requests written to a lost socket without a reply: idempotent ones go out again after
   * the claim; for the others we cannot know whether Janus acted, so they fail with a clear
   * error rather than risk doing something twice.
   */
  settleInFlight(lostEpoch: number): string[] {
    const unknown: string[] = []
    for (const p of [...this.pending.values()]) {
      if (p.sentOn?.epoch !== lostEpoch) continue
      if (p.idempotent && p.queueable) {
        p.sentOn = undefined
        this.clearTimer(p)
        this.enqueue(p)
      } else {
        unknown.push(p.request.janus)
        this.settle(
          p,
          new ClientError('outcomeUnknown', 'The connection was lost before Janus answered'),
        )
      }
    }
    return unknown
  }

  private write(p: Pending, channel: Channel): void {
    const message: JanusRequest = { ...p.request }
    if (this.token !== undefined) message.token = this.token
    p.sentToken = this.token
    if (this.deps.apiSecret !== undefined) message.apisecret = this.deps.apiSecret
    if (message.session_id !== undefined) this.deps.onSessionRequest()
    p.sentOn = channel
    this.clearTimer(p)
    p.timer = this.deps.clock.setTimeout(() => {
      this.settle(
        p,
        new ClientError('timeout', `No reply to ${p.request.janus} within ${p.timeoutMs} ms`),
      )
    }, p.timeoutMs)
    channel.socket.send(JSON.stringify(message))
  }

  private retryWithFreshToken(p: Pending, refused: ServerError): void {
    p.tokenRetried = true
    this.clearTimer(p)
    // Refused for a token already replaced (it crossed the refresh): the new one will do.
    const fresh =
      this.token !== undefined && p.sentToken !== this.token
        ? Promise.resolve(this.token)
        : this.refreshToken()
    void fresh.then((token) => {
      if (this.pending.get(p.transaction) !== p) return
      if (token === undefined) {
        this.settle(p, refused)
        return
      }
      const live = this.deps.liveChannel()
      if (live) this.write(p, live)
      else if (p.direct && p.sentOn) this.write(p, p.sentOn)
      else this.enqueue(p)
    })
  }

  /** One refresh at a time; resolves with a new token, or undefined when there is none. */
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

  private settle(p: Pending, outcome: JanusMessage | Error): void {
    if (this.pending.get(p.transaction) !== p) return
    this.pending.delete(p.transaction)
    this.clearTimer(p)
    if (this.queue.includes(p)) {
      this.queue = this.queue.filter((q) => q !== p)
      this.deps.onQueueChanged()
    }
    p.done(outcome)
  }

  private enqueue(p: Pending): void {
    this.queue.push(p)
    this.deps.onQueueChanged()
  }

  private takeQueue(): Pending[] {
    const queued = this.queue
    this.queue = []
    if (queued.length > 0) this.deps.onQueueChanged()
    return queued
  }

  private clearTimer(p: Pending): void {
    if (p.timer !== undefined) this.deps.clock.clearTimeout(p.timer)
    p.timer = undefined
  }
}

function nextTransaction(): string {
  transactionCounter = (transactionCounter + 1) % Number.MAX_SAFE_INTEGER
  return `hf${transactionCounter.toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}`
}
