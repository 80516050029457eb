/**
 * Which simulcast layer each remote video needs. A tile in focus (shown large) gets the
 * highest; with one in focus every other tile is a thumbnail and gets the lowest, so a
 * thumbnail never pulls full resolution; with none in focus the grid's tiles get the middle.
 */
import type { MidFeed } from './mid-map'
import type { FeedId } from './videoroom-events'

/** A simulcast substream as Janus numbers them: 0 is the lowest resolution. */
export type Layer = 0 | 1 | 2

/** The layer a feed's tile needs, given which feed (if any) is in focus. */
export function layerFor(feed: FeedId, focused: FeedId | undefined): Layer {
  if (focused === undefined) return 1
  return feed === focused ? 2 : 0
}

/**
 * What to ask the subscriber for: each simulcast video mid whose needed layer differs from
 * the one last asked (a subscriber starts with none asked).
 */
export function layerRequests(
  mids: ReadonlyMap<string, MidFeed>,
  isSimulcast: (feed: MidFeed) => boolean,
  focused: FeedId | undefined,
  asked: ReadonlyMap<string, Layer>,
): { mid: string; substream: Layer }[] {
  const requests: { mid: string; substream: Layer }[] = []
  for (const [mid, feed] of mids) {
    if (feed.type !== 'video' || !isSimulcast(feed)) continue
    const substream = layerFor(feed.feedId, focused)
    if (asked.get(mid) !== substream) requests.push({ mid, substream })
  }
  return requests
}
