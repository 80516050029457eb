/**
 * Which remote feeds are showing media now, from what arrives per mid on the subscriber's
 * PeerConnection: a feed flows while its counter rose within the last `staleAfterMs`.
 * Pure, so a tile's live / stalled is decided by a tested rule.
 */
import type { FeedId } from './videoroom-events'
import type { MidFeed } from './mid-map'

/** How long a feed may send nothing before its tile reads stalled (video runs at 15-30 fps). */
export const feedStaleAfterMs = 1500

/** Remembers what each mid had received and when it last rose. */
export class FeedActivity {
  private readonly last = new Map<string, { received: number; roseAt: number }>()

  constructor(private readonly staleAfterMs = feedStaleAfterMs) {}

  /**
   * Takes a sample (received so far, per mid) and answers, per feed with a mapped mid,
   * whether it is flowing. A feed with video is judged by its video; otherwise by its audio.
   */
  observe(
    receivedByMid: Readonly<Record<string, number>>,
    mids: ReadonlyMap<string, MidFeed>,
    now: number,
  ): Map<FeedId, boolean> {
    const byFeed = new Map<FeedId, { video?: boolean; audio?: boolean }>()
    for (const [mid, feed] of mids) {
      const received = receivedByMid[mid] ?? 0
      const before = this.last.get(mid)
      const roseAt =
        before !== undefined && received > before.received ? now : (before?.roseAt ?? -Infinity)
      this.last.set(mid, { received, roseAt })
      const seen = now - roseAt < this.staleAfterMs
      const entry = byFeed.get(feed.feedId) ?? {}
      if (feed.type === 'video') entry.video = (entry.video ?? false) || seen
      else if (feed.type === 'audio') entry.audio = (entry.audio ?? false) || seen
      byFeed.set(feed.feedId, entry)
    }
    for (const mid of [...this.last.keys()]) if (!mids.has(mid)) this.last.delete(mid)
    const flowing = new Map<FeedId, boolean>()
    for (const [feed, kinds] of byFeed) flowing.set(feed, kinds.video ?? kinds.audio ?? false)
    return flowing
  }
}
