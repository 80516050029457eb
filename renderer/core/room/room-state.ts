/**
 * A video room as the user sees it, as a tagged union and a pure reducer: whether we are in
 * the room, who else is (the roster), and what each remote tile shows. A tile is **live**
 * while its media flows, **stalled** while its media stopped ("Reconnecting…" on the tile),
 * **gone** once its publisher left. Nothing looks alive when it is not.
 */
import { assertNever } from '../connection-state'
import { cameraOf, microphoneOf, type CameraState, type MicrophoneState } from './stream-labels'
import type { FeedId, FeedStream, PublisherInfo, RoomEvent } from './videoroom-events'

/** Why we are out of the room. */
export type RoomEndReason =
  'networkDisconnected' | 'kicked' | 'roomDestroyed' | 'clientDisconnected' | 'serverError'

/** Where we are with the room. */
export type RoomConnection =
  | { kind: 'idle' }
  | { kind: 'joining' }
  | { kind: 'joined'; myId: FeedId }
  | { kind: 'reconnecting'; myId: FeedId; reason: string }
  | { kind: 'disconnected'; reason: RoomEndReason; message?: string }

/** What a remote tile shows. */
export type TileState = 'live' | 'stalled' | 'gone'

/** Why a participant is no longer in the room. */
export type LeftReason = 'left' | 'kicked' | 'networkDisconnected'

/** Someone else in the room. */
export interface Participant {
  id: FeedId
  display: string
  /** The streams they publish (none: in the room without publishing). */
  streams: readonly FeedStream[]
  /** Their microphone as they announce it (muted is said in the stream's description). */
  microphone: MicrophoneState
  /** Their camera as they announce it (off: their tile shows no video, and is not stalled). */
  camera: CameraState
  talking: boolean
  tile: TileState
}

export interface RoomState {
  connection: RoomConnection
  /** Everyone else, by id, in the order they were first seen. */
  roster: ReadonlyMap<FeedId, Participant>
}

/** What moves the room. */
export type RoomAction =
  | { type: 'join' }
  | RoomEvent
  /** Media of a remote feed flows (or stopped flowing) as our subscriber sees it. */
  | { type: 'feed-media'; id: FeedId; flowing: boolean }
  /** Our connection to the room is being recovered. */
  | { type: 'reconnecting'; reason: string }
  /** We are back in the room (the same session, or rejoined after a new one). */
  | { type: 'reconnected' }
  /**
   * The room as listed after a gap (`listparticipants`): replaces the roster's membership. A
   * newcomer who publishes is expected to show media (stalled until it does).
   */
  | {
      type: 'roster'
      participants: readonly { id: FeedId; display: string; publisher?: boolean }[]
    }
  | { type: 'left'; reason: RoomEndReason; message?: string }

export const emptyRoom: RoomState = { connection: { kind: 'idle' }, roster: new Map() }

/** Under way: joining, in the room, or getting back into it. */
export function inRoom(state: RoomState): boolean {
  const kind = state.connection.kind
  return kind === 'joining' || kind === 'joined' || kind === 'reconnecting'
}

/** Reduces one action. */
export function nextRoom(state: RoomState, action: RoomAction): RoomState {
  const { connection } = state
  const withRoster = (roster: Map<FeedId, Participant>): RoomState => ({ ...state, roster })
  switch (action.type) {
    case 'join':
      return inRoom(state) ? state : { connection: { kind: 'joining' }, roster: new Map() }
    case 'joined':
      // A first join, or joining again as the same person after the session was lost.
      if (connection.kind === 'joining')
        return {
          connection: { kind: 'joined', myId: action.id },
          roster: upsertPublishers(new Map(), action.publishers),
        }
      if (connection.kind === 'reconnecting')
        return {
          connection: { ...connection, myId: action.id },
          roster: upsertPublishers(new Map(), action.publishers),
        }
      return state
    case 'publishers':
      return withRoster(upsertPublishers(new Map(state.roster), action.publishers))
    case 'unpublished': {
      const who = state.roster.get(action.id)
      if (!who || isMe(connection, action.id)) return state
      return withRoster(
        new Map(state.roster).set(action.id, {
          ...who,
          streams: [],
          microphone: 'none',
          camera: 'none',
          tile: 'gone',
        }),
      )
    }
    case 'leaving':
    case 'kicked': {
      if (isMe(connection, action.id))
        return action.type === 'kicked'
          ? { connection: { kind: 'disconnected', reason: 'kicked' }, roster: new Map() }
          : state
      if (!state.roster.has(action.id)) return state
      const roster = new Map(state.roster)
      roster.delete(action.id)
      return withRoster(roster)
    }
    case 'joining':
      if (state.roster.has(action.id) || isMe(connection, action.id)) return state
      return withRoster(
        new Map(state.roster).set(action.id, {
          id: action.id,
          display: action.display,
          streams: [],
          microphone: 'none',
          camera: 'none',
          talking: false,
          tile: 'gone',
        }),
      )
    case 'talking': {
      const who = state.roster.get(action.id)
      if (!who || who.talking === action.talking) return state
      return withRoster(new Map(state.roster).set(action.id, { ...who, talking: action.talking }))
    }
    case 'feed-media': {
      const who = state.roster.get(action.id)
      if (!who || who.streams.length === 0) return state
      const tile: TileState = action.flowing ? 'live' : 'stalled'
      if (who.tile === tile) return state
      return withRoster(new Map(state.roster).set(action.id, { ...who, tile }))
    }
    case 'destroyed':
      return inRoom(state)
        ? { connection: { kind: 'disconnected', reason: 'roomDestroyed' }, roster: new Map() }
        : state
    case 'configured':
      return state
    case 'error':
      // A refused join ends the attempt; errors in the room (a refused configure) do not.
      return connection.kind === 'joining'
        ? {
            connection: { kind: 'disconnected', reason: 'serverError', message: action.message },
            roster: new Map(),
          }
        : state
    case 'reconnecting':
      if (connection.kind !== 'joined' && connection.kind !== 'reconnecting') return state
      return {
        ...state,
        connection: { kind: 'reconnecting', myId: connection.myId, reason: action.reason },
      }
    case 'reconnected':
      return connection.kind === 'reconnecting'
        ? { ...state, connection: { kind: 'joined', myId: connection.myId } }
        : state
    case 'roster': {
      const listed = new Map(action.participants.map((p) => [p.id, p]))
      const roster = new Map<FeedId, Participant>()
      for (const [id, who] of state.roster) if (listed.has(id)) roster.set(id, who)
      for (const p of action.participants)
        if (!roster.has(p.id) && !isMe(connection, p.id))
          roster.set(p.id, {
            id: p.id,
            display: p.display,
            streams: [],
            microphone: 'none',
            camera: 'none',
            talking: false,
            tile: p.publisher === true ? 'stalled' : 'gone',
          })
      return withRoster(roster)
    }
    case 'left':
      return {
        connection: {
          kind: 'disconnected',
          reason: action.reason,
          ...(action.message ? { message: action.message } : {}),
        },
        roster: new Map(),
      }
    default:
      return assertNever(action)
  }
}

function isMe(connection: RoomConnection, id: FeedId): boolean {
  return (
    (connection.kind === 'joined' || connection.kind === 'reconnecting') && connection.myId === id
  )
}

/** Publishers announced (again): an upsert that keeps what we know of their tiles. */
function upsertPublishers(
  roster: Map<FeedId, Participant>,
  publishers: readonly PublisherInfo[],
): Map<FeedId, Participant> {
  for (const p of publishers) {
    const known = roster.get(p.id)
    const streams = p.streams.filter((s) => !s.disabled)
    roster.set(p.id, {
      id: p.id,
      display: p.display || known?.display || '',
      streams,
      microphone: microphoneOf(streams),
      camera: cameraOf(streams),
      talking: p.talking ?? known?.talking ?? false,
      // A feed we already watch keeps its tile; a new one is stalled until media is seen.
      tile: streams.length === 0 ? 'gone' : known && known.tile !== 'gone' ? known.tile : 'stalled',
    })
  }
  return roster
}

/** Words for where we are with the room. */
export function describeRoom(connection: RoomConnection): string {
  switch (connection.kind) {
    case 'idle':
      return 'Not in a room'
    case 'joining':
      return 'Joining…'
    case 'joined':
      return 'In the room'
    case 'reconnecting':
      return 'Reconnecting to the room…'
    case 'disconnected':
      return `Left the room: ${describeRoomEnd(connection.reason)}${connection.message ? ` (${connection.message})` : ''}`
    default:
      return assertNever(connection)
  }
}

/** Words for why we are out of the room. */
export function describeRoomEnd(reason: RoomEndReason): string {
  switch (reason) {
    case 'networkDisconnected':
      return 'the connection was lost for too long'
    case 'kicked':
      return 'a moderator removed you'
    case 'roomDestroyed':
      return 'the room was closed'
    case 'clientDisconnected':
      return 'you left'
    case 'serverError':
      return 'the server refused'
    default:
      return assertNever(reason)
  }
}
