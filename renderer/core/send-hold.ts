/**
 * A call's senders kept quiet from the host's `offline` until the session is back (issue 13).
 * After an abrupt Wi-Fi to cellular switch the Wi-Fi address lingers, and the call's media
 * sockets, still bound to it, send to Janus through the new route: Linux then asks for the new
 * router's MAC with that stale address as the sender, a careful router does not answer, and
 * every packet for it, the claim's SYN included, waits for the next ARP try a second later. The
 * first packet through the route decides (README, "the abrupt switch's slow claim"): with media
 * quiet, it is the claim's. Nothing is lost by it: while the host says there is no network,
 * nothing we send arrives. Pure: fed the host's signals and the session's return, with a clock.
 */
import type { Clock, TimerId } from './clock'
import type { SystemEvent } from './host'

/** How long after the network is back media stays quiet when the claim has not come back. */
export const sendHoldAfterOnlineMs = 1000
/** The longest hold whatever happens: a host that never says it is online again. */
export const sendHoldMaxMs = 30_000

export interface SendHoldDeps {
  clock: Clock
  /** Stops what the call sends (keeping what to restore). */
  pause(): void
  /** Sends again as before the pause. */
  resume(): void
}

/** Decides when a call's senders pause and resume around an offline spell. */
export class SendHold {
  private held = false
  private timer: TimerId | undefined

  constructor(
    private readonly deps: SendHoldDeps,
    private readonly afterOnlineMs = sendHoldAfterOnlineMs,
    private readonly maxMs = sendHoldMaxMs,
  ) {}

  /** Whether the senders are paused now. */
  get holding(): boolean {
    return this.held
  }

  /** What the host said. */
  onSignal(event: SystemEvent['type']): void {
    if (event === 'offline') {
      if (this.held) return
      this.held = true
      this.deps.pause()
      this.arm(this.maxMs)
      return
    }
    // Back (or another network): the claim goes first; media follows it, or this timer.
    if (this.held && event !== 'suspend') this.arm(this.afterOnlineMs)
  }

  /** The session is back (or gave up): media may go. */
  onSessionSettled(): void {
    this.release()
  }

  /** The call's media stops: sends again if paused, and forgets its timer. */
  dispose(): void {
    this.release()
  }

  private arm(ms: number): void {
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer)
    this.timer = this.deps.clock.setTimeout(() => this.release(), ms)
  }

  private release(): void {
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer)
    this.timer = undefined
    if (!this.held) return
    this.held = false
    this.deps.resume()
  }
}

/** The parts of a sender's parameters a pause touches. */
export interface PausableParameters {
  encodings: { active?: boolean }[]
}

/** What a pause needs of an RTCRtpSender. */
export interface PausableSender<P extends PausableParameters = PausableParameters> {
  readonly track: unknown
  getParameters(): P
  setParameters(parameters: P): Promise<void>
}

/**
 * Pauses senders by turning every encoding inactive and restores each encoding's own `active`
 * on resume, leaving what else changed meanwhile (a renegotiation's bitrate) alone. Not by taking
 * the track away (`replaceTrack(null)`), tried first: the encoder then stays configured and, on
 * the route change, the pacer sent bursts of padding to probe the new path, and those were the
 * packets from the stale address that held the claim up (a capture in the room bench). The
 * price: Chromium builds the encoder again on resume, its first frame ~0.2 s later.
 */
export class SenderPause<P extends PausableParameters = PausableParameters> {
  /** Senders paused now (a resume not asked yet). */
  private readonly paused = new Set<PausableSender<P>>()
  /** Each paused sender's own `active` per encoding, read when its pause was applied. */
  private readonly own = new Map<PausableSender<P>, boolean[]>()
  /**
   * Each sender's changes, one after another: a browser takes new parameters only when its
   * `setParameters` resolves, so a pause read right after a resume (offline again within
   * milliseconds: soak seed 1915557470's double flap) saw the encodings still off, kept that as
   * their own state, and the camera stayed off for good.
   */
  private readonly queue = new Map<PausableSender<P>, Promise<void>>()
  /** What each sender's last resume restored, for `repair`. */
  private readonly restored = new Map<PausableSender<P>, boolean[]>()

  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  /** Pauses these senders (those with a track: a receive-only one sends no media); how many. */
  pause(senders: readonly PausableSender<P>[]): number {
    let count = 0
    for (const sender of senders) {
      if (sender.track === null || this.paused.has(sender)) continue
      if (sender.getParameters().encodings.length === 0) continue
      this.paused.add(sender)
      count += 1
      this.enqueue(sender, () => {
        const parameters = sender.getParameters()
        this.own.set(
          sender,
          parameters.encodings.map((encoding) => encoding.active !== false),
        )
        for (const encoding of parameters.encodings) encoding.active = false
        return sender.setParameters(parameters)
      })
    }
    return count
  }

  /** Restores every paused sender; how many. */
  resume(): number {
    const count = this.paused.size
    for (const sender of this.paused)
      this.enqueue(sender, () => {
        const active = this.own.get(sender)
        this.own.delete(sender)
        if (!active) return undefined
        this.restored.set(sender, active)
        return this.apply(sender, active)
      })
    this.paused.clear()
    return count
  }

  /**
   * Senders this pause resumed that are all off anyway (a resume that did not take: its
   * `setParameters` refused, or another change read the paused state and set it back) are
   * restored again; how many. For when the server says it receives nothing of ours: the
   * camera of soak seed 777's room stayed off for the others, its page none the wiser.
   */
  repair(): number {
    let count = 0
    for (const [sender, active] of this.restored) {
      if (this.paused.has(sender) || this.queue.has(sender) || sender.track === null) continue
      if (!active.some(Boolean)) continue
      if (sender.getParameters().encodings.some((encoding) => encoding.active !== false)) continue
      count += 1
      this.enqueue(sender, () => this.apply(sender, active))
    }
    return count
  }

  /** Sets each encoding's `active` as `active` has it. */
  private apply(sender: PausableSender<P>, active: boolean[]): Promise<void> {
    const parameters = sender.getParameters()
    parameters.encodings.forEach((encoding, index) => {
      encoding.active = active[index] ?? true
    })
    return sender.setParameters(parameters)
  }

  /** Runs `change` once the sender's earlier changes are applied (or failed). */
  private enqueue(sender: PausableSender<P>, change: () => Promise<void> | undefined): void {
    const next = (this.queue.get(sender) ?? Promise.resolve())
      .then(change)
      .catch(this.onError)
      .finally(() => {
        if (this.queue.get(sender) === next) this.queue.delete(sender)
      })
    this.queue.set(sender, next)
  }
}
