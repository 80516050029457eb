/**
 * Whether Janus still holds a PeerConnection for a handle: after every call (and every
 * incoming offer, declined or not) it closes it a moment later and says so ("hangup"). A new
 * offer on the handle before then is refused (490) or torn down half-built, so the next call
 * waits here, at most `boundMs`.
 */
import type { Clock } from '../core/clock'

export class ServerMediaGate {
  private held = false
  private waiting: (() => void)[] = []

  constructor(
    private readonly clock: Clock,
    private readonly boundMs = 2000,
  ) {}

  /** Janus set up media for the handle (we offered or answered, or it offered us a call). */
  hold(): void {
    this.held = true
  }

  /** Janus closed it (or it is known gone, as after a new session). */
  release(): void {
    this.held = false
    for (const resolve of this.waiting.splice(0)) resolve()
  }

  /** Resolves once Janus has closed the last PeerConnection, or after the bound. */
  untilReleased(): Promise<void> {
    if (!this.held) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => this.release(), this.boundMs)
      this.waiting.push(() => {
        this.clock.clearTimeout(timer)
        resolve()
      })
    })
  }
}
