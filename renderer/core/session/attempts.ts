/**
 * The attempts at getting a socket that holds the session: each opens a socket with a bound,
 * runs the handshake on it, and on failure is judged (final, or tried again after the retry
 * schedule's delay). Every attempt and every loss bumps the epoch, so whatever an older
 * socket or handshake does afterwards is recognised as stale and ignored.
 */
import type { Clock, TimerId } from '../clock'
import type { DisconnectReason } from '../connection-state'
import type { SocketFactory } from '../socket'
import { handshake, judgeAttemptError, type HandshakeDeps, type HandshakeResult } from './handshake'
import type { Channel } from './request-ledger'
import type { RetrySchedule } from './retry-schedule'
import { openSocket } from './socket-attempt'

const PROTOCOL = 'janus-protocol'

export interface AttemptsDeps {
  clock: Clock
  factory: SocketFactory
  /** The server this attempt goes to (the session's own, or one picked for a new session). */
  url(): string
  openTimeoutMs: number
  /** Give up after this many failed attempts in a row. */
  maxAttempts: number
  retry: RetrySchedule
  handshake: HandshakeDeps
  onMessage(epoch: number, text: string): void
  /** A socket that had opened closed (judged by the session: a loss, or a failed attempt). */
  onClosed(epoch: number, wasError: boolean): void
  /** An attempt begins (the first of a run too). */
  onStart(attempt: number): void
  /** `channel` holds the session now. */
  onEstablished(channel: Channel, result: HandshakeResult): Promise<void>
  /** The attempt at `url` failed (before it held the session). */
  onFailed(url: string, message: string): void
  /** May shorten the delay before the next attempt (never lengthen it). */
  shortenDelay?(delayMs: number): number
  /** An attempt failed and the next one goes after `delayMs`. */
  onRetryScheduled(attempt: number, delayMs: number, why: string): void
  /** Nothing more will be tried. */
  onGiveUp(reason: DisconnectReason, message: string): void
}

/** Runs attempts one after another until one holds the session or they are given up. */
export class Attempts {
  private epochValue = 0
  private current: Channel | undefined
  private timer: TimerId | undefined
  /** When the attempt under way started opening its socket (undefined once open, or idle). */
  private connectingSince: number | undefined
  /** Opening sockets replaced in this run: each replacement waits twice as long as the last. */
  private replacedOpening = 0

  constructor(private readonly deps: AttemptsDeps) {}

  /** The epoch of the newest attempt or loss. */
  get epoch(): number {
    return this.epochValue
  }

  /** The socket of the attempt under way, before it holds the session. */
  get channel(): Channel | undefined {
    return this.current
  }

  /** Makes everything of the current epoch stale (a loss); returns the epoch that ended. */
  invalidate(): number {
    const ended = this.epochValue
    this.epochValue += 1
    return ended
  }

  /** One try: open a socket, then establish on it. */
  async run(): Promise<void> {
    this.cancel()
    const epoch = ++this.epochValue
    this.deps.onStart(this.deps.retry.attempt)
    this.connectingSince = this.deps.clock.now()
    const url = this.deps.url()
    let socket
    try {
      socket = await openSocket({
        clock: this.deps.clock,
        factory: this.deps.factory,
        url,
        protocol: PROTOCOL,
        timeoutMs: this.deps.openTimeoutMs,
        onMessage: (text) => this.deps.onMessage(epoch, text),
        onClosed: (wasError) => this.deps.onClosed(epoch, wasError),
        onCreated: (created) => (this.current = { epoch, socket: created, url }),
      })
    } catch (error) {
      if (epoch === this.epochValue) this.connectingSince = undefined
      this.failed(epoch, error, url)
      return
    }
    if (epoch === this.epochValue) this.connectingSince = undefined
    if (epoch !== this.epochValue) {
      socket.close()
      return
    }
    this.establish({ epoch, socket, url })
  }

  /**
   * The one way into a session on a socket, whether newly opened or one whose session Janus
   * dropped under it: claim or create; every failure is judged the same way.
   */
  establish(channel: Channel): void {
    this.current = channel
    handshake(channel, this.deps.handshake)
      .then(async (result) => {
        if (channel.epoch !== this.epochValue) return
        this.current = undefined
        await this.deps.onEstablished(channel, result)
      })
      .catch((error: unknown) => this.failed(channel.epoch, error, channel.url))
  }

  /** A new run of attempts (see RetrySchedule.begin). */
  begin(fast: boolean): void {
    this.replacedOpening = 0
    this.deps.retry.begin(fast)
  }

  /** The run is over: connected, or given up. */
  end(): void {
    this.deps.retry.end()
  }

  /** A host signal says the network is back: attempt now and start the backoff over. */
  retryNow(): void {
    this.deps.retry.begin(true)
    void this.run()
  }

  /**
   * Attempt now if the run is waiting out its backoff, or its socket has been opening for
   * longer than `staleAfterMs` (its SYN went into the dead path and waits for TCP's own
   * retransmission, seconds away, while a new one would connect at once). An attempt that is
   * talking to the server is left alone. True when a new attempt went.
   *
   * Each opening socket replaced in a run doubles the wait before the next is: media flows
   * back every sample, and a socket that needs longer to open (Chromium delays new WebSockets
   * after many abandoned ones, by a second and more) was otherwise replaced again and again
   * until the session expired (soak seed 224487688: 18 s of "attempt 1" after a flap).
   */
  retryNowIfStuck(staleAfterMs: number): boolean {
    const waiting = this.timer !== undefined && this.current === undefined
    const opening =
      this.connectingSince !== undefined &&
      this.deps.clock.now() - this.connectingSince >= staleAfterMs * 2 ** this.replacedOpening
    if (!waiting && !opening) return false
    if (opening) this.replacedOpening += 1
    this.retryNow()
    return true
  }

  /** The socket of the current attempt closed before it held the session. */
  closedDuringHandshake(epoch: number): boolean {
    if (this.current?.epoch !== epoch) return false
    this.failed(epoch, new Error('the connection closed during the handshake'), this.current.url)
    return true
  }

  /** Stops the scheduled retry and closes the attempt's socket. */
  cancel(): void {
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.connectingSince = undefined
    this.current?.socket.close()
    this.current = undefined
  }

  private failed(epoch: number, error: unknown, url: string): void {
    if (epoch !== this.epochValue) return
    const verdict = judgeAttemptError(error)
    this.deps.onFailed(url, verdict.message)
    if (verdict.final) return this.deps.onGiveUp(verdict.reason, verdict.message)
    this.cancel()
    const { retry } = this.deps
    if (retry.attempt >= this.deps.maxAttempts)
      return this.deps.onGiveUp(
        'networkDisconnected',
        `Gave up after ${retry.attempt} attempts: ${verdict.message}`,
      )
    const proposed = retry.next()
    const delay = Math.min(proposed, this.deps.shortenDelay?.(proposed) ?? proposed)
    this.deps.onRetryScheduled(retry.attempt, delay, verdict.message)
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined
      void this.run()
    }, delay)
  }
}
