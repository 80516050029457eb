import { describe, expect, it } from 'vitest'
import { FeedActivity } from '../../renderer/core/room/feed-activity'
import { FrozenFeeds } from '../../renderer/core/room/frozen-feeds'
import { layerFor, layerRequests } from '../../renderer/core/room/layers'
import {
  expectedMedia,
  midMap,
  missingFeeds,
  staleStreams,
  streamsLearnt,
} from '../../renderer/core/room/mid-map'
import { ChangeBuffer, roomChanges } from '../../renderer/core/room/room-changes'
import {
  describeRoom,
  emptyRoom,
  inRoom,
  nextRoom,
  type RoomAction,
  type RoomState,
} from '../../renderer/core/room/room-state'
import {
  cameraOf,
  describeMicrophone,
  microphoneOf,
  sdpMids,
  streamDescription,
} from '../../renderer/core/room/stream-labels'
import {
  describeRoomError,
  readParticipantList,
  readRoomEvent,
  readSubscriberEvent,
  type PublisherInfo,
} from '../../renderer/core/room/videoroom-events'

const camera = (id: number, display = `p${id}`): PublisherInfo => ({
  id,
  display,
  streams: [
    { mid: '0', type: 'audio', simulcast: false, disabled: false },
    { mid: '1', type: 'video', simulcast: true, disabled: false },
  ],
})

const run = (actions: RoomAction[], from: RoomState = emptyRoom): RoomState =>
  actions.reduce(nextRoom, from)

const joined = (publishers: PublisherInfo[] = [camera(2), camera(3)]) =>
  run([{ type: 'join' }, { type: 'joined', id: 1, publishers }])

describe('reading the VideoRoom plugin', () => {
  it('reads a join with the publishers already there', () => {
    expect(
      readRoomEvent({
        videoroom: 'joined',
        id: 1,
        private_id: 9,
        publishers: [
          {
            id: 2,
            display: 'Bob',
            streams: [{ type: 'video', mid: '1', codec: 'vp8', simulcast: true }],
          },
          { id: 'bad id?', streams: 'nope' },
          { display: 'no id' },
        ],
      }),
    ).toEqual({
      type: 'joined',
      id: 1,
      privateId: 9,
      publishers: [
        {
          id: 2,
          display: 'Bob',
          streams: [{ mid: '1', type: 'video', codec: 'vp8', simulcast: true, disabled: false }],
        },
        { id: 'bad id?', display: '', streams: [] },
      ],
    })
  })

  it('reads the room news a publisher handle gets', () => {
    expect(readRoomEvent({ videoroom: 'event', unpublished: 2 })).toEqual({
      type: 'unpublished',
      id: 2,
    })
    expect(readRoomEvent({ videoroom: 'event', leaving: 3 })).toEqual({ type: 'leaving', id: 3 })
    expect(readRoomEvent({ videoroom: 'event', kicked: 3 })).toEqual({ type: 'kicked', id: 3 })
    expect(readRoomEvent({ videoroom: 'event', joining: { id: 4, display: 'Dee' } })).toEqual({
      type: 'joining',
      id: 4,
      display: 'Dee',
    })
    expect(readRoomEvent({ videoroom: 'talking', id: 2 })).toEqual({
      type: 'talking',
      id: 2,
      talking: true,
    })
    expect(readRoomEvent({ videoroom: 'stopped-talking', id: 2 })).toMatchObject({ talking: false })
    expect(readRoomEvent({ videoroom: 'destroyed', room: 1234 })).toEqual({ type: 'destroyed' })
    expect(
      readRoomEvent({ videoroom: 'event', error_code: 426, error: 'No such room (1)' }),
    ).toEqual({
      type: 'error',
      code: 426,
      message: 'No such room (1)',
    })
  })

  it('ignores junk without throwing', () => {
    for (const junk of [
      null,
      1,
      'x',
      [],
      {},
      { videoroom: 'joined' },
      { videoroom: 'event', leaving: {} },
    ])
      expect(readRoomEvent(junk)).toBeUndefined()
    for (const junk of [null, {}, { videoroom: 'attached' }, { videoroom: 'updated', streams: 7 }])
      expect(readSubscriberEvent(junk)).toBeUndefined()
  })

  it('reads a subscriber update, inactive streams included', () => {
    expect(
      readSubscriberEvent({
        videoroom: 'updated',
        streams: [
          { mid: '0', type: 'audio', feed_id: 2, feed_mid: '0', feed_display: 'Bob', active: true },
          { mid: '1', type: 'video', active: false },
        ],
      }),
    ).toEqual({
      type: 'streams',
      streams: [
        { mid: '0', type: 'audio', feedId: 2, feedMid: '0', feedDisplay: 'Bob', active: true },
        { mid: '1', type: 'video', active: false },
      ],
    })
    expect(readSubscriberEvent({ videoroom: 'updating' })).toEqual({ type: 'updating' })
  })

  it('reads the room’s participant list, skipping junk', () => {
    expect(
      readParticipantList({
        participants: [
          { id: 2, display: 'Ben', publisher: true },
          { id: 3 },
          { display: 'no id' },
          'junk',
        ],
      }),
    ).toEqual([
      { id: 2, display: 'Ben', publisher: true },
      { id: 3, display: '', publisher: false },
    ])
    expect(readParticipantList(undefined)).toEqual([])
  })

  it('words the error codes a user can meet', () => {
    expect(describeRoomError(426)).toBe('No such room')
    expect(
      readRoomEvent({ videoroom: 'event', error_code: 433, error: 'Unauthorized (wrong pin)' }),
    ).toEqual({
      type: 'error',
      code: 433,
      message: 'Not allowed in this room (wrong PIN?)',
    })
    expect(describeRoomError(432)).toBe('The room is full: no more people can publish')
    expect(describeRoomError(433)).toBe('Not allowed in this room (wrong PIN?)')
    expect(describeRoomError(999)).toBe('The room answered with error 999')
  })
})

describe('the room machine', () => {
  it('joins and takes the publishers already there, their tiles stalled until media is seen', () => {
    const state = joined()
    expect(state.connection).toEqual({ kind: 'joined', myId: 1 })
    expect([...state.roster.keys()]).toEqual([2, 3])
    expect(state.roster.get(2)?.tile).toBe('stalled')
    expect(describeRoom(state.connection)).toBe('In the room')
  })

  it('a tile is live while its media flows, stalled when it stops, gone when unpublished', () => {
    let state = joined()
    state = nextRoom(state, { type: 'feed-media', id: 2, flowing: true })
    expect(state.roster.get(2)?.tile).toBe('live')
    state = nextRoom(state, { type: 'feed-media', id: 2, flowing: false })
    expect(state.roster.get(2)?.tile).toBe('stalled')
    state = nextRoom(state, { type: 'unpublished', id: 2 })
    expect(state.roster.get(2)).toMatchObject({ tile: 'gone', streams: [] })
    // Media news about a feed that is gone cannot bring it back to life.
    expect(nextRoom(state, { type: 'feed-media', id: 2, flowing: true })).toBe(state)
  })

  it('a re-announced publisher (after its ICE restart) keeps its live tile', () => {
    let state = nextRoom(joined(), { type: 'feed-media', id: 2, flowing: true })
    state = nextRoom(state, { type: 'publishers', publishers: [camera(2)] })
    expect(state.roster.get(2)?.tile).toBe('live')
  })

  it('leaving and kicks remove others; a kick of us ends the room for us', () => {
    let state = nextRoom(joined(), { type: 'leaving', id: 3 })
    expect([...state.roster.keys()]).toEqual([2])
    state = nextRoom(state, { type: 'kicked', id: 1 })
    expect(state.connection).toEqual({ kind: 'disconnected', reason: 'kicked' })
    expect(state.roster.size).toBe(0)
    expect(inRoom(state)).toBe(false)
  })

  it('a refused join ends with the reason; errors once in the room do not', () => {
    const refused = run([{ type: 'join' }, { type: 'error', code: 433, message: 'Unauthorized' }])
    expect(refused.connection).toMatchObject({ kind: 'disconnected', reason: 'serverError' })
    expect(describeRoom(refused.connection)).toBe(
      'Left the room: the server refused (Unauthorized)',
    )
    const inside = joined()
    expect(nextRoom(inside, { type: 'error', code: 434, message: 'x' })).toBe(inside)
  })

  it('reconnecting keeps the roster; the roster read after the gap replaces its membership', () => {
    let state = nextRoom(joined(), { type: 'reconnecting', reason: 'network changed' })
    expect(state.connection).toMatchObject({ kind: 'reconnecting', myId: 1 })
    expect(describeRoom(state.connection)).toBe('Reconnecting to the room…')
    state = nextRoom(state, {
      type: 'roster',
      participants: [
        { id: 1, display: 'me' },
        { id: 3, display: 'p3' },
        { id: 4, display: 'Dee' },
      ],
    })
    expect([...state.roster.keys()]).toEqual([3, 4])
    state = nextRoom(state, { type: 'reconnected' })
    expect(state.connection).toEqual({ kind: 'joined', myId: 1 })
  })

  it('a destroyed room ends it for everyone in it', () => {
    expect(nextRoom(joined(), { type: 'destroyed' }).connection).toEqual({
      kind: 'disconnected',
      reason: 'roomDestroyed',
    })
  })

  it('passive participants announced by joining are in the roster without a tile', () => {
    const state = nextRoom(joined([]), { type: 'joining', id: 5, display: 'Eve' })
    expect(state.roster.get(5)).toMatchObject({ display: 'Eve', tile: 'gone', streams: [] })
  })
})

describe('a microphone muted, as others see it', () => {
  const withMic = (id: number, description?: string): PublisherInfo => ({
    id,
    display: `p${id}`,
    streams: [
      {
        mid: '0',
        type: 'audio',
        ...(description !== undefined ? { description } : {}),
        simulcast: false,
        disabled: false,
      },
      { mid: '1', type: 'video', description: 'Camera', simulcast: false, disabled: false },
    ],
  })

  it('is said in the audio stream’s description and read back from it', () => {
    expect(streamDescription('microphone')).toBe('Microphone')
    expect(streamDescription('microphone', true)).toBe('Microphone (muted)')
    expect(microphoneOf(withMic(2, 'Microphone (muted)').streams)).toBe('muted')
    expect(microphoneOf(withMic(2, 'Microphone').streams)).toBe('on')
    // Another client that labels nothing: its microphone is on as far as anyone can tell.
    expect(microphoneOf(withMic(2).streams)).toBe('on')
    expect(microphoneOf(withMic(2).streams.filter((s) => s.type === 'video'))).toBe('none')
    expect(describeMicrophone('muted')).toBe('microphone off')
    expect(cameraOf(withMic(2).streams)).toBe('on')
    expect(
      cameraOf([
        { mid: '1', type: 'video', description: 'Camera (off)', simulcast: false, disabled: false },
        { mid: '2', type: 'video', description: 'Screen', simulcast: false, disabled: false },
      ]),
    ).toBe('off')
    expect(
      cameraOf([
        { mid: '2', type: 'video', description: 'Screen', simulcast: false, disabled: false },
      ]),
    ).toBe('none')
    expect(describeMicrophone('on')).toBeUndefined()
  })

  it('follows a publisher that mutes and unmutes (its re-announcements), keeping its tile', () => {
    let state = joined([withMic(2, 'Microphone')])
    state = nextRoom(state, { type: 'feed-media', id: 2, flowing: true })
    expect(state.roster.get(2)).toMatchObject({ microphone: 'on', tile: 'live' })
    state = nextRoom(state, { type: 'publishers', publishers: [withMic(2, 'Microphone (muted)')] })
    expect(state.roster.get(2)).toMatchObject({ microphone: 'muted', tile: 'live' })
    state = nextRoom(state, { type: 'publishers', publishers: [withMic(2, 'Microphone')] })
    expect(state.roster.get(2)?.microphone).toBe('on')
    state = nextRoom(state, { type: 'unpublished', id: 2 })
    expect(state.roster.get(2)?.microphone).toBe('none')
  })

  it('reads the mids of an offer, m-line by m-line', () => {
    const sdp = [
      'v=0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=mid:0',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=sendonly',
      'a=mid:v1',
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      'a=mid:2',
      '',
    ].join('\r\n')
    expect(sdpMids(sdp)).toEqual([
      { mid: '0', type: 'audio' },
      { mid: 'v1', type: 'video' },
      { mid: '2', type: 'data' },
    ])
    expect(sdpMids('not an sdp')).toEqual([])
  })
})

describe('room changes', () => {
  it('tells joins, leaves with their reason, drops, resumes and ends', () => {
    const before = nextRoom(joined(), { type: 'feed-media', id: 2, flowing: true })
    let after = nextRoom(before, { type: 'feed-media', id: 2, flowing: false })
    expect(roomChanges(before, after)).toEqual([
      { type: 'streamDropped', id: 2, reason: 'mediaStopped' },
    ])
    expect(
      roomChanges(after, nextRoom(after, { type: 'feed-media', id: 2, flowing: true })),
    ).toEqual([{ type: 'streamResumed', id: 2 }])
    after = run(
      [
        { type: 'leaving', id: 3 },
        { type: 'publishers', publishers: [camera(4, 'Dee')] },
      ],
      before,
    )
    expect(roomChanges(before, after, 'networkDisconnected')).toEqual([
      { type: 'participantLeft', id: 3, display: 'p3', reason: 'networkDisconnected' },
      { type: 'participantJoined', id: 4, display: 'Dee' },
    ])
  })

  it('holds changes while reconnecting and delivers them once, in order', () => {
    const heard: string[] = []
    const buffer = new ChangeBuffer<string>((c) => heard.push(c))
    buffer.push('a')
    buffer.hold()
    buffer.push('b')
    buffer.push('c')
    expect(heard).toEqual(['a'])
    buffer.release()
    buffer.release()
    buffer.push('d')
    expect(heard).toEqual(['a', 'b', 'c', 'd'])
  })
})

describe('the mid map', () => {
  it('is rebuilt from the latest streams: reused mids follow their new feed', () => {
    const first = midMap([
      { mid: '0', type: 'video', feedId: 2, feedMid: '1', feedDisplay: 'Bob', active: true },
      { mid: '1', type: 'video', feedId: 3, feedMid: '1', feedDisplay: 'Cy', active: true },
    ])
    expect(first.get('0')?.feedId).toBe(2)
    const second = midMap([
      { mid: '0', type: 'video', feedId: 4, feedMid: '1', feedDisplay: 'Dee', active: true },
      { mid: '1', type: 'video', feedId: 3, active: false },
    ])
    expect([...second.entries()]).toEqual([
      ['0', { feedId: 4, feedMid: '1', display: 'Dee', type: 'video' }],
    ])
  })

  it('asks only for the feeds not already subscribed', () => {
    const subscribed = midMap([{ mid: '0', type: 'audio', feedId: 2, feedMid: '0', active: true }])
    expect(missingFeeds([camera(2), camera(3)], subscribed)).toEqual([
      { feed: 2, mid: '1' },
      { feed: 3, mid: '0' },
      { feed: 3, mid: '1' },
    ])
  })
})

describe('what the subscription expects and learns', () => {
  const mids = midMap([
    { mid: '0', type: 'audio', feedId: 2, feedMid: '0', feedDisplay: 'Ben', active: true },
    { mid: '1', type: 'video', feedId: 2, feedMid: '1', feedDisplay: 'Ben', active: true },
    { mid: '2', type: 'audio', feedId: 3, feedMid: '0', feedDisplay: 'Cy', active: true },
    { mid: '3', type: 'video', feedId: 3, feedMid: '1', feedDisplay: 'Cy', active: true },
  ])

  it('expects no video from a camera turned off nor audio from a muted microphone', () => {
    const roster = new Map([
      [2, { camera: 'off', microphone: 'on' }],
      [3, { camera: 'off', microphone: 'muted' }],
    ] as const)
    const { judged, silent } = expectedMedia(mids, roster)
    expect([...judged.keys()]).toEqual(['0'])
    // Cy sends nothing at all: present, not stalled.
    expect(silent).toEqual([3])
  })

  it('learns the streams of feeds subscribed whole from what they now carry', () => {
    expect(streamsLearnt(mids, new Set([3]))).toEqual([
      {
        id: 3,
        display: 'Cy',
        streams: [
          { mid: '0', type: 'audio', simulcast: false, disabled: false },
          { mid: '1', type: 'video', simulcast: false, disabled: false },
        ],
      },
    ])
    expect(streamsLearnt(mids, new Set())).toEqual([])
  })
})

describe('streams a publisher stopped sending', () => {
  it('are the subscribed mids of a known publisher that no longer lists them', () => {
    const subscribed = midMap([
      { mid: '0', type: 'video', feedId: 2, feedMid: '1', active: true },
      { mid: '1', type: 'video', feedId: 2, feedMid: '2', active: true },
      { mid: '2', type: 'video', feedId: 3, feedMid: '1', active: true },
    ])
    const ben = { id: 2, streams: [{ mid: '1' }] }
    // Publisher 3's streams are not known yet (subscribed whole): nothing of it is stale.
    expect(staleStreams([ben, { id: 3, streams: [] }], subscribed)).toEqual([{ feed: 2, mid: '2' }])
    expect(staleStreams([{ id: 2, streams: [{ mid: '1' }, { mid: '2' }] }], subscribed)).toEqual([])
  })
})

describe('feed activity', () => {
  const mids = midMap([
    { mid: '0', type: 'audio', feedId: 2, active: true },
    { mid: '1', type: 'video', feedId: 2, active: true },
    { mid: '2', type: 'audio', feedId: 3, active: true },
  ])

  it('a feed flows while its video rises, and stops after a while without', () => {
    const activity = new FeedActivity(1500)
    expect(activity.observe({ '0': 10, '1': 5, '2': 7 }, mids, 0)).toEqual(
      new Map([
        [2, false],
        [3, false],
      ]),
    )
    expect(activity.observe({ '0': 20, '1': 9, '2': 9 }, mids, 250).get(2)).toBe(true)
    // Audio still rises but video froze: the tile is judged by its video.
    expect(activity.observe({ '0': 90, '1': 9, '2': 11 }, mids, 1800)).toEqual(
      new Map([
        [2, false],
        [3, true],
      ]),
    )
    expect(activity.observe({ '0': 95, '1': 12, '2': 11 }, mids, 2000).get(2)).toBe(true)
  })
})

describe('joining again after the session was lost', () => {
  it('takes the new id and the publishers there now, and stays reconnecting until told', () => {
    let state = nextRoom(joined(), { type: 'feed-media', id: 2, flowing: true })
    state = nextRoom(state, { type: 'reconnecting', reason: 'session lost' })
    state = nextRoom(state, { type: 'joined', id: 9, publishers: [camera(2)] })
    expect(state.connection).toEqual({ kind: 'reconnecting', myId: 9, reason: 'session lost' })
    expect([...state.roster.keys()]).toEqual([2])
    state = nextRoom(state, { type: 'reconnected' })
    expect(state.connection).toEqual({ kind: 'joined', myId: 9 })
  })
})

describe('simulcast layers per tile', () => {
  const mids = midMap([
    { mid: '0', type: 'audio', feedId: 2, feedMid: '0', active: true },
    { mid: '1', type: 'video', feedId: 2, feedMid: '1', active: true },
    { mid: '2', type: 'video', feedId: 3, feedMid: '1', active: true },
    { mid: '3', type: 'video', feedId: 4, feedMid: '1', active: true },
  ])
  const simulcast = (f: { feedId: number | string }) => f.feedId !== 4

  it('the grid gets the middle layer; in focus the highest, the thumbnails the lowest', () => {
    expect(layerFor(2, undefined)).toBe(1)
    expect(layerFor(2, 2)).toBe(2)
    expect(layerFor(3, 2)).toBe(0)
  })

  it('asks only for simulcast video whose layer changed', () => {
    const asked = (one: number, two: number) =>
      new Map([
        ['1', one as 0 | 1 | 2],
        ['2', two as 0 | 1 | 2],
      ])
    expect(layerRequests(mids, simulcast, undefined, new Map())).toEqual([
      { mid: '1', substream: 1 },
      { mid: '2', substream: 1 },
    ])
    expect(layerRequests(mids, simulcast, 3, asked(1, 1))).toEqual([
      { mid: '1', substream: 0 },
      { mid: '2', substream: 2 },
    ])
    expect(layerRequests(mids, simulcast, 3, asked(0, 2))).toEqual([])
  })
})

describe('frozen feeds', () => {
  const flows = (entries: [number, boolean][]) => new Map(entries)

  it('a feed showing nothing under a healthy connection is renegotiated after the wait, then again after another', () => {
    const frozen = new FrozenFeeds(7000)
    const sample = (ms: number) =>
      frozen.observe(
        new Map([
          [2, false],
          [3, true],
        ]),
        true,
        ms,
      )
    expect([0, 6999, 7000, 8000, 14000].map(sample)).toEqual([[], [], [2], [], [2]])
  })

  it('leaves alone a stall that ends, a connection that is down, and a feed that went', () => {
    const frozen = new FrozenFeeds(7000)
    frozen.observe(flows([[2, false]]), true, 0)
    frozen.observe(flows([[2, true]]), true, 3000)
    expect(frozen.observe(flows([[2, false]]), true, 8000)).toEqual([])
    // The connection itself is down: ICE repairs it; the wait starts over once it is healthy.
    expect(frozen.observe(flows([[2, false]]), false, 16000)).toEqual([])
    expect(frozen.observe(flows([[2, false]]), true, 17000)).toEqual([])
    expect(frozen.observe(flows([]), true, 30000)).toEqual([])
    expect(frozen.observe(flows([[2, false]]), true, 31000)).toEqual([])
  })
})
