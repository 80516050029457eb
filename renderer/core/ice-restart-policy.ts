/**
 * When to restart ICE on a call, kept free of WebRTC objects so it can be tested with a fake
 * clock. Modelled on OpenVidu (restart at once on `failed`, after a grace on `disconnected`)
 * plus what was measured here: a restart made while the old address is still gathered can
 * pick the dead path again, so each restart is verified and repeated if the selected pair
 * did not move or media did not come back.
 */
import type { Clock, TimerId } from './clock'

/** What the policy is told about the PeerConnection and what it can do to it. */
export interface IceRestartDeps {
  clock: Clock
  /** Performs the restart (a new offer with iceRestart through the plugin). */
  restart(reason: string): Promise<void>
  /** The local address (`host:port`) of the selected candidate pair, if any. */
  selectedLocalAddress(): Promise<string | undefined>
  /**
   * A counter that rises while media arrives (packets, frames). Media arriving after a
   * restart proves the path works even when the address did not change (a link that came
   * back as it was), where "the pair moved" can never be shown.
   */
  mediaReceived?(): Promise<number>
  /**
   * The addresses the browser can gather host candidates on right now (a throwaway
   * PeerConnection's candidates). After a network change Chromium's list of interfaces lags
   * the OS by up to seconds, and a restart made before it caught up picks the stale path
   * again; a new address appearing here is the moment a restart can work.
   */
  gatherableAddresses?(): Promise<string[]>
  /**
   * Builds the call's media again on a new PeerConnection (issue 13): ICE restarts that keep
   * choosing the address that went can go on for as long as the old PeerConnection lives (a
   * soak saw seven in 20 s), while a new one gathers afresh. Calls without a way to do so
   * leave it out and keep restarting.
   */
  rebuild?(reason: string): Promise<void>
  /**
   * Asks whether signalling works right now (a keepalive with a short bound). A restart for a
   * stall waits for the answer: an offer sent into a socket that died with the media sits in
   * it, and reaches Janus whenever TCP gets it through after the path is back, an ICE restart
   * on a path that works again (issue 13: the dead path's picture then waited for a keyframe,
   * 0.28 s instead of 0.1). Where it says no, the restart waits for the session's claim.
   */
  signallingAlive?(): Promise<boolean>
  /** Reports an incident for the timeline. */
  report(kind: 'media-restart' | 'media-back' | 'error', detail: string): void
}

export interface IceRestartOptions {
  /** How long `disconnected` may last before a restart (OpenVidu waits 4 s; we default to 2). */
  disconnectedGraceMs: number
  /** How long after a restart media must be connected again on a new pair. */
  verifyAfterMs: number
  /** Restart after every reclaim, even when the PeerConnection claims to be fine. */
  forceAfterReclaim: boolean
  maxRestarts: number
  /**
   * How long after a restart not a single packet may arrive before it is judged stale and made
   * again, without waiting for `verifyAfterMs` (issue 13: right after a network change Chromium
   * can still gather on the interface that went, and the first restart then picks it again).
   * The n-th restart in a row waits n times this (at most `verifyAfterMs`): on a loaded machine
   * Chromium's view of its interfaces can lag for seconds, and restarts made faster than it
   * catches up would spend the whole budget on the stale address.
   */
  noMediaRetryMs: number
  /**
   * How long one restart (offer, Janus's answer, the keyframe request) may take before it is
   * treated as failed: a reply that never comes must not hold every later restart back.
   */
  restartTimeoutMs: number
  /**
   * After this many restarts in a row that left ICE connected on the same host with nothing
   * arriving, the media is built again on a new PeerConnection (where the call can).
   */
  rebuildAfterStaleRestarts: number
}

export const defaultIceRestartOptions: IceRestartOptions = {
  disconnectedGraceMs: 2000,
  verifyAfterMs: 3000,
  forceAfterReclaim: false,
  maxRestarts: 8,
  noMediaRetryMs: 600,
  restartTimeoutMs: 5000,
  rebuildAfterStaleRestarts: 3,
}

/** The host part of `host:port` (IPv6 hosts keep their colons). */
export function hostOf(address: string): string {
  const colon = address.lastIndexOf(':')
  return colon > 0 ? address.slice(0, colon) : address
}

/** How often a restart is checked before its deadline. */
const probeIntervalMs = 250

type IceState =
  'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed'

/** Decides when a call's ICE must restart, and checks that a restart worked. */
export class IceRestartPolicy {
  private iceState: IceState = 'new'
  private signallingUp = true
  private pendingReason: string | undefined
  private graceTimer: TimerId | undefined
  private verifyTimer: TimerId | undefined
  private inFlight = false
  private restartsInRow = 0
  /** Restarts in this row that kept ICE on the same host with nothing arriving. */
  private staleInRow = 0
  private addressBefore: string | undefined
  private receivedBefore: number | undefined
  /**
   * What proves the recovery worked. ICE reconnecting is proof after `failed` or
   * `disconnected`; after a network change ICE may reconnect on the dead path, so a new pair
   * or media is needed; after a stall under a `connected` ICE only media arriving proves
   * anything (ICE said `connected` all along).
   */
  private proof: 'connected' | 'new-pair' | 'media' = 'connected'
  /** A restart was made and media has not been seen back since. */
  private recovering = false
  private gaveUp = false
  /** A stall's restart waits for the check of signalling. */
  private checkingSignalling = false
  /** What the browser could gather on when the last restart was made. */
  private gatheredAtRestart: string[] | undefined
  /** Which restart the running probes belong to; a newer restart ends the older probes. */
  private generation = 0
  private disposed = false

  constructor(
    private readonly deps: IceRestartDeps,
    private readonly options: IceRestartOptions = defaultIceRestartOptions,
  ) {}

  /** Feed `iceConnectionState` changes here. */
  onIceState(state: string): void {
    this.iceState = state as IceState
    if (state === 'connected' || state === 'completed') {
      this.clearGrace()
      if (this.verifyTimer !== undefined) void this.verify()
    } else if (state === 'disconnected') {
      if (this.graceTimer === undefined && !this.inFlight && this.verifyTimer === undefined) {
        this.graceTimer = this.deps.clock.setTimeout(() => {
          this.graceTimer = undefined
          if (this.iceState === 'disconnected' || this.iceState === 'failed')
            this.request('disconnected for the grace period')
        }, this.options.disconnectedGraceMs)
      }
    } else if (state === 'failed') {
      this.clearGrace()
      this.request('ICE failed')
    }
  }

  /** Feed `connectionState` changes here: `failed` restarts at once. */
  onConnectionState(state: string): void {
    if (state === 'failed') {
      this.clearGrace()
      this.request('connection failed')
    }
  }

  /**
   * Media stopped arriving while ICE reports healthy (the path died under a `connected`
   * pair): restart at once. Media arriving again is what proves the restart worked. False
   * when a restart is already being made or verified (that one answers the stall).
   */
  onMediaStalled(): boolean {
    // A restart under way is verified by its own probes (issue 13: a stall told while the
    // restart was checking made another restart that threw its checks away, a second each).
    if (this.inFlight || this.verifyTimer !== undefined || this.checkingSignalling) return false
    // Given up: said once already; media arriving or a new network starts again.
    if (this.restartsInRow >= this.options.maxRestarts) return false
    this.clearGrace()
    this.proof = 'media'
    const reason = 'media stopped while ICE was connected'
    const check = this.signallingUp ? this.deps.signallingAlive : undefined
    if (!check) {
      this.request(reason)
      return true
    }
    this.checkingSignalling = true
    void check()
      .catch(() => false)
      .then((alive) => {
        this.checkingSignalling = false
        if (alive) this.request(reason)
        // The session is reconnecting (or about to): the restart waits for its claim.
        else if (!this.disposed) this.pendingReason ??= reason
      })
    return true
  }

  /** A restart is waiting for signalling to come back. */
  get holdsRestart(): boolean {
    return this.pendingReason !== undefined
  }

  /**
   * Media arrives again over the old path: the restart held for signalling is moot (it would
   * cost the picture a keyframe for nothing).
   */
  dropHeldRestart(): void {
    this.pendingReason = undefined
  }

  /** Signalling went down or came back; restarts wait for it. */
  onSignalling(up: boolean): void {
    this.signallingUp = up
    if (up && this.pendingReason !== undefined) {
      const reason = this.pendingReason
      this.pendingReason = undefined
      this.request(reason)
    }
  }

  /**
   * Media was seen arriving (the call's stats rose). While recovering, that is media back,
   * whatever the policy could prove about the pair: a restart that gave up, or Chromium moving
   * its pair by itself after a late network change under a `connected` ICE, both end here.
   */
  onMediaFlowing(): void {
    if (!this.recovering || this.inFlight || this.disposed) return
    void this.deps.selectedLocalAddress().then((address) => {
      if (this.recovering && !this.inFlight && !this.disposed) this.back(address)
    })
  }

  /** The session was claimed back; after a network change the old path is presumed dead. */
  onSessionReclaimed(networkChanged: boolean): void {
    // A new network is a new chance: restarts given up on the old one may work now.
    if (networkChanged) this.restartsInRow = Math.min(this.restartsInRow, 1)
    if (networkChanged || this.options.forceAfterReclaim) {
      if (networkChanged && this.proof === 'connected') this.proof = 'new-pair'
      this.request(networkChanged ? 'network changed' : 'reclaimed')
    }
  }

  dispose(): void {
    this.disposed = true
    this.clearGrace()
    if (this.verifyTimer !== undefined) this.deps.clock.clearTimeout(this.verifyTimer)
    this.verifyTimer = undefined
  }

  private request(reason: string): void {
    if (this.disposed) return
    if (!this.signallingUp) {
      this.pendingReason ??= reason
      return
    }
    // One restart at a time, and no second one queued behind it: every restart is verified
    // and made again when it did not bring media back (the proof asked for carries a network
    // change that arrived meanwhile), so a queued one would only throw away the
    // checks of the one that may be about to succeed.
    if (this.inFlight) return
    if (this.restartsInRow >= this.options.maxRestarts) {
      if (!this.gaveUp)
        this.deps.report(
          'error',
          `gave up after ${this.restartsInRow} ICE restarts in a row (${reason}); ` +
            'waiting for media or a network change',
        )
      this.gaveUp = true
      return
    }
    void this.run(reason)
  }

  /** Media is back: the recovery is over and the budget full again. */
  private back(address: string | undefined): void {
    if (this.verifyTimer !== undefined) this.deps.clock.clearTimeout(this.verifyTimer)
    this.verifyTimer = undefined
    this.restartsInRow = 0
    this.staleInRow = 0
    this.proof = 'connected'
    this.recovering = false
    this.gaveUp = false
    // A restart held for signalling is moot: media arriving proves the path (issue 13: after a
    // dead path one went out on the claim, 20 ms after media was back, and cost a keyframe).
    this.pendingReason = undefined
    this.deps.report('media-back', `media connected via ${address ?? 'unknown address'}`)
  }

  private async run(reason: string): Promise<void> {
    this.inFlight = true
    this.recovering = true
    this.gaveUp = false
    this.restartsInRow += 1
    const generation = ++this.generation
    if (this.verifyTimer !== undefined) this.deps.clock.clearTimeout(this.verifyTimer)
    this.verifyTimer = undefined
    try {
      this.addressBefore = await this.deps.selectedLocalAddress()
      this.receivedBefore = await this.deps.mediaReceived?.()
      this.deps.report('media-restart', `ICE restart ${this.restartsInRow}: ${reason}`)
      // What the restart could gather on, looked at beside it (never holding it up).
      this.gatheredAtRestart = undefined
      void this.deps
        .gatherableAddresses?.()
        .catch(() => [] as string[])
        .then((list) => {
          // Could not gather in time: Chromium is still taking the change in and knew of
          // nothing new; whatever it lists later counts as new (but the stale host).
          if (generation === this.generation) this.gatheredAtRestart = list
        })
      await this.bounded(this.deps.restart(reason))
    } catch {
      // A failed offer is retried by the verification below.
    } finally {
      this.inFlight = false
    }
    if (this.disposed) return
    this.verifyTimer = this.deps.clock.setTimeout(
      () => void this.verify(true),
      this.options.verifyAfterMs,
    )
    // After a restart iceConnectionState often stays 'connected' (no event to react to):
    // look at the selected pair every 250 ms until the deadline.
    const restartedAt = this.deps.clock.now()
    const probe = (): void => {
      if (this.verifyTimer === undefined || this.disposed || generation !== this.generation) return
      const early = this.deps.clock.now() - restartedAt >= this.patienceMs()
      void this.verify(false, early)
      if (this.deps.clock.now() - restartedAt + probeIntervalMs < this.options.verifyAfterMs) {
        this.deps.clock.setTimeout(probe, probeIntervalMs)
      }
    }
    this.deps.clock.setTimeout(probe, probeIntervalMs)
  }

  /**
   * Media is back on a new pair: done. Otherwise restart again at the deadline, or earlier
   * (`noMediaYet`) when not one packet arrived since the restart.
   */
  private async verify(deadline = false, noMediaYet = false): Promise<void> {
    if (this.disposed || this.inFlight) return
    const connected = this.iceState === 'connected' || this.iceState === 'completed'
    const address = connected ? await this.deps.selectedLocalAddress() : undefined
    const received = connected ? await this.deps.mediaReceived?.() : undefined
    const flowing =
      received !== undefined && this.receivedBefore !== undefined && received > this.receivedBefore
    // The host, not the port: a restart on the same (stale) interface gets a new port too.
    const newPair =
      address !== undefined &&
      this.addressBefore !== undefined &&
      hostOf(address) !== hostOf(this.addressBefore)
    const proven = this.proof === 'connected' || flowing || (this.proof === 'new-pair' && newPair)
    if (connected && proven) {
      this.back(address)
      return
    }
    const nothing =
      received !== undefined && this.receivedBefore !== undefined && received <= this.receivedBefore
    if (!deadline && this.proof !== 'connected' && !flowing && (await this.newAddressAppeared())) {
      if (this.disposed || this.inFlight || this.verifyTimer === undefined) return
      this.deps.clock.clearTimeout(this.verifyTimer)
      this.verifyTimer = undefined
      this.request('the browser can gather on a new address now')
      return
    }
    if (deadline || (noMediaYet && connected && nothing)) {
      if (this.verifyTimer !== undefined) this.deps.clock.clearTimeout(this.verifyTimer)
      this.verifyTimer = undefined
      if (connected && !newPair && !flowing) this.staleInRow += 1
      if (this.deps.rebuild && this.staleInRow >= this.options.rebuildAfterStaleRestarts) {
        const reason = `${this.staleInRow} ICE restarts kept the stale address`
        this.deps.report('media-restart', `rebuilding the media on a new connection: ${reason}`)
        this.dispose()
        void this.deps
          .rebuild(reason)
          .catch((error: unknown) =>
            this.deps.report('error', `the media could not be rebuilt: ${String(error)}`),
          )
        return
      }
      this.request(
        deadline
          ? connected
            ? 'restart kept the stale address'
            : 'media did not come back'
          : `no media ${this.patienceMs()} ms after the restart`,
      )
    }
  }

  /**
   * Whether the browser can gather on an address it could not when the restart was made
   * (other than the stale one the call was on).
   */
  private async newAddressAppeared(): Promise<boolean> {
    const before = this.gatheredAtRestart
    if (!before || !this.deps.gatherableAddresses) return false
    const stale = this.addressBefore === undefined ? undefined : hostOf(this.addressBefore)
    const now = await this.deps.gatherableAddresses().catch(() => undefined)
    return now !== undefined && now.some((host) => !before.includes(host) && host !== stale)
  }

  /** Settles like `work`, or rejects once `restartTimeoutMs` passed. */
  private bounded(work: Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = this.deps.clock.setTimeout(
        () => reject(new Error('the restart got no answer in time')),
        this.options.restartTimeoutMs,
      )
      work.then(
        () => {
          this.deps.clock.clearTimeout(timer)
          resolve()
        },
        (error: unknown) => {
          this.deps.clock.clearTimeout(timer)
          reject(error instanceof Error ? error : new Error(String(error)))
        },
      )
    })
  }

  /** How long this restart may bring no packet at all before it is made again. */
  private patienceMs(): number {
    return Math.min(this.options.noMediaRetryMs * this.restartsInRow, this.options.verifyAfterMs)
  }

  private clearGrace(): void {
    if (this.graceTimer !== undefined) this.deps.clock.clearTimeout(this.graceTimer)
    this.graceTimer = undefined
  }
}
