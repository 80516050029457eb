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

/** What a pause needs of an RTCRtpSender: its track, swapped out and back. */
export interface PausableSender<T = unknown> {
  readonly track: T | null
  replaceTrack(track: T | null): Promise<void>
}

/**
 * Pauses senders by taking their track away (`replaceTrack(null)`: no RTP leaves, no
 * renegotiation) and gives each its track back on resume. Not by turning encodings inactive:
 * Chromium then builds the encoder again and the first frame after it came ~200 ms late in the
 * room bench, where with the track back the encoder goes on with its next frame.
 */
export class SenderPause<T = unknown> {
  /** Each paused sender's track, and the pause on its way (a resume waits for it). */
  private readonly paused = new Map<PausableSender<T>, { track: T; done: Promise<void> }>()

  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  /** Pauses these senders (those with a track: a receive-only one sends no media); how many. */
  pause(senders: readonly PausableSender<T>[]): number {
    const before = this.paused.size
    for (const sender of senders) {
      const track = sender.track
      if (track === null || this.paused.has(sender)) continue
      this.paused.set(sender, { track, done: sender.replaceTrack(null).catch(this.onError) })
    }
    return this.paused.size - before
  }

  /**
   * Gives every paused sender its track back, once its pause has been applied; a sender given
   * another track meanwhile (a device switched during the pause) keeps that one. Resolves with
   * how many were paused, once all are back.
   */
  async resume(): Promise<number> {
    const paused = [...this.paused]
    this.paused.clear()
    await Promise.all(
      paused.map(async ([sender, { track, done }]) => {
        await done
        if (sender.track === null) await sender.replaceTrack(track).catch(this.onError)
      }),
    )
    return paused.length
  }
}
