/**
 * Which feed each mid of the subscriber's PeerConnection carries. Janus reuses mids as feeds
 * come and go, so the map is rebuilt from the latest `streams` list every time, never patched.
 */
import type { Participant } from './room-state'
import type { FeedId, PublisherInfo, SubscribedStream } from './videoroom-events'

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

/**
 * The streams of feeds subscribed whole (publishers announced while we were away), as what we
 * now receive of them tells: one entry per such feed that carries a stream of its own.
 */
export function streamsLearnt(
  mids: ReadonlyMap<string, MidFeed>,
  wholeFeeds: ReadonlySet<FeedId>,
): PublisherInfo[] {
  const learnt = new Map<FeedId, PublisherInfo>()
  for (const feed of mids.values()) {
    if (!wholeFeeds.has(feed.feedId) || feed.feedMid === undefined) continue
    const info = learnt.get(feed.feedId) ?? { id: feed.feedId, display: feed.display, streams: [] }
    info.streams.push({
      mid: feed.feedMid,
      type: feed.type,
      ...(feed.description !== undefined ? { description: feed.description } : {}),
      simulcast: false,
      disabled: false,
    })
    learnt.set(feed.feedId, info)
  }
  return [...learnt.values()]
}

/**
 * The mids whose media should be arriving (not a camera turned off, not a muted microphone),
 * and the feeds from which nothing is expected at all.
 */
export function expectedMedia(
  mids: ReadonlyMap<string, MidFeed>,
  roster: ReadonlyMap<FeedId, Pick<Participant, 'camera' | 'microphone'>>,
): { judged: Map<string, MidFeed>; silent: FeedId[] } {
  const judged = new Map<string, MidFeed>()
  const subscribedFeeds = new Set<FeedId>()
  for (const [mid, feed] of mids) {
    subscribedFeeds.add(feed.feedId)
    const who = roster.get(feed.feedId)
    const off =
      (feed.type === 'video' && who?.camera === 'off') ||
      (feed.type === 'audio' && who?.microphone === 'muted')
    if (!off) judged.set(mid, feed)
  }
  const judgedFeeds = new Set([...judged.values()].map((f) => f.feedId))
  return { judged, silent: [...subscribedFeeds].filter((id) => !judgedFeeds.has(id)) }
}
