/**
 * Reads the VideoRoom plugin's events (untrusted JSON from `plugindata.data`) into typed
 * room and subscriber events, and its error codes into words. Pure: never throws on junk.
 */

/** A participant's id: Janus uses numbers, or strings with `string_ids`. */
export type FeedId = number | string

/** One stream a publisher sends. */
export interface FeedStream {
  mid: string
  type: 'audio' | 'video' | 'data'
  codec?: string
  /** What the publisher called it, e.g. "Screen" for a shared screen. */
  description?: string
  simulcast: boolean
  /** The publisher stopped sending it (an inactive m-line). */
  disabled: boolean
}

/** A publisher as the room announces it. */
export interface PublisherInfo {
  id: FeedId
  display: string
  streams: FeedStream[]
  talking?: boolean
}

/** What the room tells a publisher handle (its own join, and everyone else's news). */
export type RoomEvent =
  | { type: 'joined'; id: FeedId; privateId?: number; publishers: PublisherInfo[] }
  /** New or renegotiated publishers: an upsert (Janus repeats them after an ICE restart). */
  | { type: 'publishers'; publishers: PublisherInfo[] }
  | { type: 'unpublished'; id: FeedId }
  | { type: 'leaving'; id: FeedId }
  | { type: 'kicked'; id: FeedId }
  /** Someone joined without publishing (rooms with notify_joining). */
  | { type: 'joining'; id: FeedId; display: string }
  | { type: 'talking'; id: FeedId; talking: boolean }
  | { type: 'destroyed' }
  | { type: 'configured' }
  | { type: 'error'; code: number; message: string }

/** One m-line of a multistream subscription. */
export interface SubscribedStream {
  mid: string
  type: 'audio' | 'video' | 'data'
  feedId?: FeedId
  feedMid?: string
  feedDisplay?: string
  feedDescription?: string
  active: boolean
}

/** What the room tells a subscriber handle. */
export type SubscriberEvent =
  /** `attached` (after join) or `updated` (after subscribe, unsubscribe or a feed going away). */
  | { type: 'streams'; streams: SubscribedStream[] }
  /** An earlier offer is still unanswered; one combined offer follows. */
  | { type: 'updating' }
  | { type: 'error'; code: number; message: string }

type Json = Record<string, unknown>

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const isId = (value: unknown): value is FeedId =>
  (typeof value === 'number' && Number.isSafeInteger(value)) ||
  (typeof value === 'string' && value !== '')
const text = (value: unknown): string => (typeof value === 'string' ? value : '')
const kinds = new Set(['audio', 'video', 'data'])

function readFeedStream(value: unknown): FeedStream | undefined {
  if (!isRecord(value) || typeof value.mid !== 'string' || !kinds.has(String(value.type)))
    return undefined
  return {
    mid: value.mid,
    type: value.type as FeedStream['type'],
    ...(typeof value.codec === 'string' ? { codec: value.codec } : {}),
    ...(typeof value.description === 'string' ? { description: value.description } : {}),
    simulcast: value.simulcast === true,
    disabled: value.disabled === true,
  }
}

function readPublisher(value: unknown): PublisherInfo | undefined {
  if (!isRecord(value) || !isId(value.id)) return undefined
  const streams = Array.isArray(value.streams)
    ? value.streams.map(readFeedStream).filter((s): s is FeedStream => s !== undefined)
    : []
  return {
    id: value.id,
    display: text(value.display),
    streams,
    ...(typeof value.talking === 'boolean' ? { talking: value.talking } : {}),
  }
}

function readPublishers(value: unknown): PublisherInfo[] {
  return Array.isArray(value)
    ? value.map(readPublisher).filter((p): p is PublisherInfo => p !== undefined)
    : []
}

function readError(data: Json): { type: 'error'; code: number; message: string } | undefined {
  if (typeof data.error_code !== 'number' && typeof data.error !== 'string') return undefined
  const code = typeof data.error_code === 'number' ? data.error_code : 0
  // Janus's own words are kept, except its "Unauthorized (wrong pin)", which says less to a
  // person than ours.
  const message =
    code === 433 ? describeRoomError(code) : text(data.error) || describeRoomError(code)
  return { type: 'error', code, message }
}

/** The room event in a publisher handle's `plugindata.data`, if any. */
export function readRoomEvent(data: unknown): RoomEvent | undefined {
  if (!isRecord(data)) return undefined
  const error = readError(data)
  if (error) return error
  switch (data.videoroom) {
    case 'joined':
      if (!isId(data.id)) return undefined
      return {
        type: 'joined',
        id: data.id,
        ...(typeof data.private_id === 'number' ? { privateId: data.private_id } : {}),
        publishers: readPublishers(data.publishers),
      }
    case 'destroyed':
      return { type: 'destroyed' }
    case 'talking':
    case 'stopped-talking':
      return isId(data.id)
        ? { type: 'talking', id: data.id, talking: data.videoroom === 'talking' }
        : undefined
    case 'event':
      break
    default:
      return undefined
  }
  if (Array.isArray(data.publishers))
    return { type: 'publishers', publishers: readPublishers(data.publishers) }
  if (isId(data.unpublished)) return { type: 'unpublished', id: data.unpublished }
  if (isId(data.leaving)) return { type: 'leaving', id: data.leaving }
  if (isId(data.kicked)) return { type: 'kicked', id: data.kicked }
  if (isRecord(data.joining) && isId(data.joining.id))
    return { type: 'joining', id: data.joining.id, display: text(data.joining.display) }
  if (data.configured === 'ok') return { type: 'configured' }
  return undefined
}

function readSubscribedStream(value: unknown): SubscribedStream | undefined {
  if (!isRecord(value) || typeof value.mid !== 'string' || !kinds.has(String(value.type)))
    return undefined
  return {
    mid: value.mid,
    type: value.type as SubscribedStream['type'],
    ...(isId(value.feed_id) ? { feedId: value.feed_id } : {}),
    ...(typeof value.feed_mid === 'string' ? { feedMid: value.feed_mid } : {}),
    ...(typeof value.feed_display === 'string' ? { feedDisplay: value.feed_display } : {}),
    ...(typeof value.feed_description === 'string'
      ? { feedDescription: value.feed_description }
      : {}),
    active: value.active !== false,
  }
}

/** The subscriber event in a subscriber handle's `plugindata.data`, if any. */
export function readSubscriberEvent(data: unknown): SubscriberEvent | undefined {
  if (!isRecord(data)) return undefined
  const error = readError(data)
  if (error) return error
  if (data.videoroom === 'attached' || data.videoroom === 'updated') {
    if (!Array.isArray(data.streams)) return undefined
    const streams = data.streams
      .map(readSubscribedStream)
      .filter((s): s is SubscribedStream => s !== undefined)
    return { type: 'streams', streams }
  }
  if (data.videoroom === 'updating') return { type: 'updating' }
  return undefined
}

/** The answer to `listparticipants` (untrusted): who is in the room, and who publishes. */
export function readParticipantList(
  answer: unknown,
): { id: FeedId; display: string; publisher: boolean }[] {
  const listed = isRecord(answer) && Array.isArray(answer.participants) ? answer.participants : []
  return listed
    .filter((p): p is Json => isRecord(p) && isId(p.id))
    .map((p) => ({ id: p.id as FeedId, display: text(p.display), publisher: p.publisher === true }))
}

/** The VideoRoom's error codes (1.1.x), in words a person can act on. */
export function describeRoomError(code: number): string {
  switch (code) {
    case 424:
      return 'Join the room first'
    case 425:
      return 'Already in the room'
    case 426:
      return 'No such room'
    case 427:
      return 'The room already exists'
    case 428:
      return 'That participant is no longer publishing'
    case 429:
      return 'Missing information in the request'
    case 430:
      return 'Invalid information in the request'
    case 432:
      return 'The room is full: no more people can publish'
    case 433:
      return 'Not allowed in this room (wrong PIN?)'
    case 434:
      return 'Already publishing'
    case 435:
      return 'Not publishing'
    case 436:
      return 'That participant ID is already in the room'
    default:
      return `The room answered with error ${code}`
  }
}
