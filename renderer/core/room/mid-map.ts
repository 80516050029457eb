/**
 * Which feed each mid of the subscriber's PeerConnection carries. Janus reuses mids as feeds
 * come and go, so the map is rebuilt from the latest `streams` list every time, never patched.
 */
import type { FeedId, SubscribedStream } from './videoroom-events'

/** What a mid carries. */
export interface MidFeed {
  feedId: FeedId
  feedMid?: string
  display: string
  type: SubscribedStream['type']
  /** The publisher's label for the stream ("Screen", "Microphone (muted)"). */
  description?: string
}

/** The mid-to-feed map of the active streams in `streams`. */
export function midMap(streams: readonly SubscribedStream[]): Map<string, MidFeed> {
  const map = new Map<string, MidFeed>()
  for (const s of streams) {
    if (!s.active || s.feedId === undefined) continue
    map.set(s.mid, {
      feedId: s.feedId,
      ...(s.feedMid !== undefined ? { feedMid: s.feedMid } : {}),
      display: s.feedDisplay ?? '',
      type: s.type,
      ...(s.feedDescription !== undefined ? { description: s.feedDescription } : {}),
    })
  }
  return map
}

/** The feeds to ask for: every stream of every publisher not already subscribed. */
export function missingFeeds(
  publishers: readonly { id: FeedId; streams: readonly { mid: string }[] }[],
  subscribed: ReadonlyMap<string, MidFeed>,
): { feed: FeedId; mid: string }[] {
  const have = new Set(
    [...subscribed.values()].map((f) => `${String(f.feedId)}/${f.feedMid ?? ''}`),
  )
  return publishers.flatMap((p) =>
    p.streams
      .filter((s) => !have.has(`${String(p.id)}/${s.mid}`))
      .map((s) => ({ feed: p.id, mid: s.mid })),
  )
}

/**
 * Subscribed streams a publisher no longer sends (a screen share it stopped: Janus announces
 * the stream disabled and sends no update to subscribers): to unsubscribe one by one.
 */
export function staleStreams(
  publishers: readonly { id: FeedId; streams: readonly { mid: string }[] }[],
  subscribed: ReadonlyMap<string, MidFeed>,
): { feed: FeedId; mid: string }[] {
  const sent = new Map(publishers.map((p) => [p.id, new Set(p.streams.map((s) => s.mid))]))
  const stale: { feed: FeedId; mid: string }[] = []
  for (const feed of subscribed.values()) {
    const mids = sent.get(feed.feedId)
    if (mids && mids.size > 0 && feed.feedMid !== undefined && !mids.has(feed.feedMid))
      stale.push({ feed: feed.feedId, mid: feed.feedMid })
  }
  return stale
}

/**
 * A subscriber's way to ask for keyframes of every video it receives: the VideoRoom has no
 * `keyframe` for subscribers, but turning a stream's `send` on, even when it is on, makes
 * Janus send the publisher a PLI without a gap (janus_videoroom.c, "Restoring video for
 * subscriber"). Asked when media flows again after a stall (issue 13): the subscription's
 * first frame otherwise waited for the publisher's periodic keyframe.
 */
export function keyframeRequests(
  subscribed: ReadonlyMap<string, MidFeed>,
): { mid: string; send: true }[] {
  return [...subscribed]
    .filter(([, feed]) => feed.type === 'video')
    .map(([mid]) => ({ mid, send: true }))
}
