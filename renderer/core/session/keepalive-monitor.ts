/**
 * The keepalive that also proves the connection is alive: janus.js sends one every 25 s and
 * never waits for its ack, so a path that died without closing goes unnoticed. Here each
 * keepalive has an ack bound, and the cadence follows the server's windows and whether a
 * call is up (the reclaim window of Janus 1.1 counts from the last request).
 */
import type { Clock, TimerId } from '../clock'
import { ClientError, JanusErrorCode, ServerError } from '../janus-protocol'
import type { KeepalivePlan } from '../reclaim-window'
import type { Channel, RequestLedger } from './request-ledger'

/** What a keepalive found out, when it was not simply acknowledged. */
export type KeepaliveVerdict = 'noAck' | 'sessionGone' | 'unauthorized'

export interface KeepaliveMonitorDeps {
  clock: Clock
  /** The plan for now (it changes with the server's windows and calls). */
  plan(): KeepalivePlan
  ledger: Pick<RequestLedger, 'sendDirect'>
  /** Where the session lives now; undefined while there is none to keep. */
  target(): { channel: Channel; sessionId: number } | undefined
  /** A keepalive showed the connection or the session is gone. */
  onVerdict(verdict: KeepaliveVerdict): void
}

/**
 * The ack bound of a probe made because a call's media stalled: a few round trips, so a dead
 * path is told in a fraction of the scheduled keepalive's bound (issue 13), and no less than
 * this, so a busy server or a jittery link does not cost a needless new socket.
 */
export const minProbeAckMs = 300
/** A probe waits this many of the last acknowledged keepalive's round trips. */
const probeRoundTrips = 4

/** Sends keepalives on a schedule while started, and reports what their answers mean. */
export class KeepaliveMonitor {
  private timer: TimerId | undefined
  private planValue: KeepalivePlan | undefined
  /** Bumped on every start and stop, so a late answer of an older keepalive is ignored. */
  private run = 0
  /** The round trip of the last acknowledged keepalive. */
  private lastRttMs: number | undefined
  /** A probe waiting for its ack, and how to tell its outcome (true: acknowledged). */
  private probe: { outcome: Promise<boolean>; tell: (alive: boolean) => void } | undefined

  constructor(private readonly deps: KeepaliveMonitorDeps) {}

  /** The cadence in force, for diagnostics. */
  get plan(): KeepalivePlan {
    return this.planValue ?? this.deps.plan()
  }

  /** (Re)starts the schedule; the first keepalive after `delayMs`, or one interval. */
  start(delayMs?: number): void {
    this.stop()
    const run = this.run
    const plan = this.deps.plan()
    this.planValue = plan
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined
      this.send(run, plan)
    }, delayMs ?? plan.intervalMs)
  }

  stop(): void {
    this.run += 1
    this.endProbe(false)
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  /**
   * Asks now whether the connection is alive, with a short ack bound (a few round trips):
   * a call's media stalled, and a path dead under the media is often dead under the socket
   * too (an orderly switch waited ~1 s more for the scheduled keepalive's verdict). Resolves
   * true when the server answered, false when it did not (the verdict is told as usual) or
   * the keepalives stopped first; a probe under way is shared.
   */
  probeNow(): Promise<boolean> {
    if (this.probe) return this.probe.outcome
    if (!this.deps.target()) return Promise.resolve(false)
    const plan = this.deps.plan()
    const ackTimeoutMs = Math.min(
      plan.ackTimeoutMs,
      Math.max(minProbeAckMs, probeRoundTrips * (this.lastRttMs ?? 0)),
    )
    this.stop()
    let tell: (alive: boolean) => void = () => undefined
    const outcome = new Promise<boolean>((resolve) => (tell = resolve))
    this.probe = { outcome, tell }
    this.planValue = plan
    this.send(this.run, { ...plan, ackTimeoutMs })
    return outcome
  }

  private endProbe(alive: boolean): void {
    const probe = this.probe
    this.probe = undefined
    probe?.tell(alive)
  }

  private send(run: number, plan: KeepalivePlan): void {
    const target = this.deps.target()
    if (!target) return
    const { channel, sessionId } = target
    const keepalive = { janus: 'keepalive', session_id: sessionId }
    const sentAt = this.deps.clock.now()
    this.deps.ledger.sendDirect(channel, keepalive, plan.ackTimeoutMs).then(
      () => {
        if (run !== this.run) return
        this.lastRttMs = this.deps.clock.now() - sentAt
        this.endProbe(true)
        this.start()
      },
      (error: unknown) => {
        if (run !== this.run) return
        const verdict: KeepaliveVerdict | undefined =
          error instanceof ClientError && error.kind === 'timeout'
            ? 'noAck'
            : error instanceof ServerError && error.code === JanusErrorCode.sessionNotFound
              ? 'sessionGone'
              : error instanceof ServerError && error.unauthorized
                ? 'unauthorized'
                : undefined
        // Any other answer is still an answer: the connection lives.
        this.endProbe(verdict === undefined)
        if (verdict) this.deps.onVerdict(verdict)
        else this.start()
      },
    )
  }
}
