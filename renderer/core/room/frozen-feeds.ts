/**
 * Remote feeds whose media stopped while the subscriber's connection calls itself healthy
 * (OpenVidu's frozen media): ICE will never restart for them, so after a while each is
 * renegotiated (unsubscribed and subscribed again). A short stall is left alone (its
 * publisher may be between networks and be back in seconds); a feed is tried again only
 * after another full wait, so a publisher who is really gone costs little.
 */
import type { FeedId } from './videoroom-events'

/** How long a feed must show nothing under a healthy connection before it is renegotiated. */
export const frozenAfterMs = 7_000

export class FrozenFeeds {
  /** When each feed stopped (or was last renegotiated). */
  private readonly since = new Map<FeedId, number>()

  constructor(private readonly afterMs = frozenAfterMs) {}

  /**
   * One sample: which feeds flow now, and whether the subscriber's connection is healthy.
   * Answers the feeds to renegotiate now.
   */
  observe(flowing: ReadonlyMap<FeedId, boolean>, healthy: boolean, now: number): FeedId[] {
    const due: FeedId[] = []
    for (const id of [...this.since.keys()]) if (!flowing.has(id)) this.since.delete(id)
    for (const [id, on] of flowing) {
      // A connection that is itself down is ICE's to repair: no feed is judged meanwhile.
      if (on || !healthy) {
        this.since.delete(id)
        continue
      }
      const since = this.since.get(id)
      if (since === undefined) this.since.set(id, now)
      else if (now - since >= this.afterMs) {
        due.push(id)
        this.since.set(id, now)
      }
    }
    return due
  }
}
