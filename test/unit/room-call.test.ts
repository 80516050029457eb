import { describe, expect, it } from 'vitest'
import type { RoomChange } from '../../renderer/core/room/room-changes'
import { RoomCall, type RoomOptions } from '../../renderer/janus/room-call'
import { FakeGateway, playMedia, type FakeHandle } from './support/fake-gateway'
import { connected, makeHarness } from './support/harness'

type Harness = ReturnType<typeof makeHarness>

const feed = (id: number, display: string) => ({
  id,
  display,
  streams: [
    { type: 'audio', mid: '0' },
    { type: 'video', mid: '1' },
  ],
})

const offer = { type: 'offer', sdp: 'v=0\r\n' } as const

/** The subscriber handle is told it now carries `display`'s (feed `id`) audio and video. */
const attachedTo = (handle: FakeHandle, id: number, display: string) =>
  handle.event(
    {
      videoroom: 'attached',
      streams: [
        { mid: '0', type: 'audio', feed_id: id, feed_mid: '0', feed_display: display },
        { mid: '1', type: 'video', feed_id: id, feed_mid: '1', feed_display: display },
      ],
    },
    offer,
  )

/** The room read again after a claim is the room before it: Ann and Ben, both publishing. */
const sameRoom = (publisher: FakeHandle) =>
  publisher.answers.set('listparticipants', {
    participants: [
      { id: 1, display: 'Ann', publisher: true },
      { id: 2, display: 'Ben', publisher: true },
    ],
  })

/** A connected session and a room call on a fake gateway, not joined yet. */
async function newRoom(options: Partial<RoomOptions> = {}) {
  const h = makeHarness()
  await connected(h)
  const janus = new FakeGateway()
  const room = new RoomCall(h.session, janus.gateway, h.clock, {
    room: 1234,
    display: 'Ann',
    audio: true,
    video: true,
    ...options,
  })
  return { h, janus, room }
}

/** Joins with Ben in the room: the subscriber has asked for him, the plugin not answered yet. */
async function joinWithBen({ h, janus, room }: Awaited<ReturnType<typeof newRoom>>) {
  const joining = room.join()
  await h.clock.settle()
  const publisher = janus.last
  publisher.event({ videoroom: 'joined', id: 1, private_id: 77, publishers: [feed(2, 'Ben')] })
  await joining
  await h.clock.settle()
  return { publisher, subscriber: janus.last }
}

async function inRoom() {
  const { h, janus, room } = await newRoom()
  const changes: RoomChange[] = []
  room.events.on('change', (c) => changes.push(c))
  const { publisher, subscriber } = await joinWithBen({ h, janus, room })
  attachedTo(subscriber, 2, 'Ben')
  await h.clock.settle()
  return { h, janus, room, publisher, subscriber, changes }
}

const requests = (handle: FakeHandle) => handle.requests()

/** The room announces Ben (feed 2) with these streams, as after a change of his. */
const benAnnounced = (publisher: FakeHandle, streams: Record<string, unknown>[]) =>
  publisher.event({ videoroom: 'event', publishers: [{ id: 2, display: 'Ben', streams }] })

describe('a video room on a fake gateway', () => {
  it('joins as a publisher, publishes, and receives everyone on one subscriber', async () => {
    const { room, publisher, subscriber } = await inRoom()
    expect(room.state.connection).toEqual({ kind: 'joined', myId: 1 })
    expect(publisher.sent[0]?.message).toMatchObject({
      request: 'join',
      ptype: 'publisher',
      room: 1234,
      display: 'Ann',
    })
    expect(publisher.sent.find((s) => s.message.request === 'publish')?.jsep).toBeDefined()
    expect(subscriber).not.toBe(publisher)
    expect(subscriber.sent[0]?.message).toEqual({
      request: 'join',
      ptype: 'subscriber',
      room: 1234,
      streams: [
        { feed: 2, mid: '0' },
        { feed: 2, mid: '1' },
      ],
      private_id: 77,
    })
    // The room's offer is answered with start.
    expect(subscriber.sent.at(-1)?.message).toEqual({ request: 'start' })
    expect(subscriber.sent.at(-1)?.jsep).toMatchObject({ type: 'answer' })
    expect(room.state.roster.get(2)).toMatchObject({ display: 'Ben', tile: 'stalled' })
  })

  it('subscribes to a newcomer and lets go of one who left', async () => {
    const { h, publisher, subscriber, changes } = await inRoom()
    publisher.event({ videoroom: 'event', publishers: [feed(3, 'Cy')] })
    await h.clock.settle()
    expect(subscriber.sent.at(-1)?.message).toEqual({
      request: 'subscribe',
      streams: [
        { feed: 3, mid: '0' },
        { feed: 3, mid: '1' },
      ],
    })
    subscriber.event(
      {
        videoroom: 'updated',
        streams: [
          { mid: '0', type: 'audio', feed_id: 2, feed_mid: '0' },
          { mid: '1', type: 'video', feed_id: 2, feed_mid: '1' },
          { mid: '2', type: 'audio', feed_id: 3, feed_mid: '0' },
          { mid: '3', type: 'video', feed_id: 3, feed_mid: '1' },
        ],
      },
      offer,
    )
    await h.clock.settle()
    // Leaving while publishing comes without 'unpublished': unsubscribe ourselves.
    publisher.event({ videoroom: 'event', leaving: 2 })
    await h.clock.settle()
    expect(subscriber.sent.map((s) => s.message)).toContainEqual({
      request: 'unsubscribe',
      streams: [{ feed: 2 }],
    })
    expect(changes).toEqual([
      { type: 'participantJoined', id: 3, display: 'Cy' },
      { type: 'participantLeft', id: 2, display: 'Ben', reason: 'left' },
    ])
  })

  it('after a claim re-reads the room, tells what changed once back, and subscribes afresh', async () => {
    const { h, janus, room, publisher, subscriber, changes } = await inRoom()
    h.session.events.emit('reconnecting', { attempt: 1, reason: 'networkChanged' })
    expect(room.state.connection.kind).toBe('reconnecting')
    // News that reaches us while reconnecting waits until we are back.
    publisher.event({ videoroom: 'event', joining: { id: 3, display: 'Cy' } })
    await h.clock.settle()
    expect(changes).toEqual([])
    publisher.answers.set('listparticipants', {
      participants: [
        { id: 1, display: 'Ann' },
        { id: 3, display: 'Cy' },
      ],
    })
    await room.resync({ sessionId: 1, reason: 'networkChanged', networkChanged: true })
    expect(room.state.connection).toEqual({ kind: 'joined', myId: 1 })
    expect([...room.state.roster.keys()]).toEqual([3])
    expect(changes).toEqual([
      { type: 'participantJoined', id: 3, display: 'Cy' },
      { type: 'participantLeft', id: 2, display: 'Ben', reason: 'left' },
    ])
    expect(subscriber.detached).toBe(true)
    expect(requests(publisher)).toContain('listparticipants')
    // Those watching us decode again from a keyframe asked at once.
    expect(publisher.sent.map((s) => s.message)).toContainEqual({
      request: 'configure',
      keyframe: true,
    })
    // Cy does not publish: nothing to subscribe to, so no new subscriber yet.
    expect(janus.handles).toHaveLength(2)
  })

  it('after a claim with nobody come or gone, keeps a subscription still in step (its offer answered, nothing built again)', async () => {
    const { h, janus, room, publisher, subscriber } = await inRoom()
    h.session.events.emit('reconnecting', { attempt: 1, reason: 'networkChanged' })
    sameRoom(publisher)
    const resync = room.resync({ sessionId: 1, reason: 'networkChanged', networkChanged: true })
    await h.clock.settle()
    // Asked to offer the subscription again, then a plain configure answered in order after it.
    expect(subscriber.sent.slice(-2).map((s) => s.message)).toEqual([
      { request: 'configure', update: true },
      { request: 'configure' },
    ])
    subscriber.event({ videoroom: 'event', configured: 'ok' }, offer)
    subscriber.event({ videoroom: 'event', configured: 'ok' })
    await resync
    await h.clock.settle()
    expect(subscriber.detached).toBe(false)
    expect(janus.handles).toHaveLength(2)
    expect(subscriber.sent.map((s) => s.message)).toContainEqual({ request: 'start' })
    expect(h.session.incidents.list().map((i) => i.detail)).toContain(
      'videoroom-subscriber: still in step after the claim, kept',
    )
  })

  it('a subscription whose answer was lost while its ICE failed restarts once the claim has it answered again (soak seed 14289)', async () => {
    const { h, room, ...rest } = await newRoom()
    const { publisher, subscriber } = await joinWithBen({ h, room, ...rest })
    const errors: string[] = []
    room.events.on('error', (e) => errors.push(e))
    // The network goes as the answer is sent: its ack is lost, and ICE fails before any
    // restart policy runs (Janus did get the answer, so the handle is still in step).
    subscriber.lose.add('start')
    attachedTo(subscriber, 2, 'Ben')
    await h.clock.settle()
    const pc = subscriber.api.webrtcStuff.pc as { iceConnectionState: string }
    pc.iceConnectionState = 'failed'
    subscriber.options.iceState?.('failed')
    subscriber.lose.delete('start')
    expect(subscriber.sent.map((s) => s.message)).not.toContainEqual({
      request: 'configure',
      restart: true,
    })
    h.session.events.emit('reconnecting', { attempt: 1, reason: 'networkChanged' })
    sameRoom(publisher)
    const resync = room.resync({ sessionId: 1, reason: 'networkChanged', networkChanged: true })
    await h.clock.settle()
    subscriber.event({ videoroom: 'event', configured: 'ok' }, offer)
    subscriber.event({ videoroom: 'event', configured: 'ok' })
    await resync
    await h.clock.settle()
    expect(subscriber.detached).toBe(false)
    expect(subscriber.sent.map((s) => s.message)).toContainEqual({
      request: 'configure',
      restart: true,
    })
    expect(h.session.incidents.list().map((i) => i.detail)).toContainEqual(
      expect.stringContaining("videoroom-subscriber: answering the server's offer"),
    )
    // Made again after the claim: no error for the person to read.
    expect(errors).toEqual([])
  })

  it("two claims in a row: the second claim's check decides, and a subscription in step is kept (soak seed 4204)", async () => {
    const { h, janus, room, publisher, subscriber } = await inRoom()
    h.session.events.emit('reconnecting', { attempt: 1, reason: 'networkChanged' })
    sameRoom(publisher)
    const context = { sessionId: 1, reason: 'networkChanged', networkChanged: true } as const
    const first = room.resync(context)
    await h.clock.settle()
    // The socket goes again before the first check is answered; the second claim checks too.
    const second = room.resync(context)
    await h.clock.settle()
    expect(subscriber.sent.filter((s) => s.message.update === true)).toHaveLength(2)
    subscriber.event({ videoroom: 'event', configured: 'ok' }, offer)
    subscriber.event({ videoroom: 'event', configured: 'ok' })
    await h.clock.advance(6000)
    // Before, the first check lost its ear to the second's and, 5 s on, rebuilt it anyway.
    expect(subscriber.detached).toBe(false)
    expect(janus.handles).toHaveLength(2)
    expect(h.session.incidents.list().map((i) => i.detail)).not.toContainEqual(
      expect.stringContaining('receiving the others afresh'),
    )
    await Promise.all([first, second])
  })

  it('an offer still being answered when the subscription is built again is no error for the person', async () => {
    const { h, janus, room, publisher, subscriber } = await inRoom()
    const errors: string[] = []
    room.events.on('error', (e) => errors.push(e))
    let answer: (() => void) | undefined
    subscriber.api.createAnswer = (params: { success: (jsep: unknown) => void }) => {
      answer = () => params.success({ type: 'answer', sdp: 'v=0\r\n' })
    }
    h.session.events.emit('reconnecting', { attempt: 1, reason: 'networkChanged' })
    sameRoom(publisher)
    const resync = room.resync({ sessionId: 1, reason: 'networkChanged', networkChanged: true })
    await h.clock.settle()
    // An offer Janus had postponed comes as the check finds the handle out of step.
    subscriber.event(
      {
        videoroom: 'updated',
        streams: [
          { mid: '0', type: 'audio', feed_id: 2, feed_mid: '0' },
          { mid: '1', type: 'video', feed_id: 2, feed_mid: '1' },
        ],
      },
      offer,
    )
    subscriber.event({ videoroom: 'event', configured: 'ok' })
    await h.clock.settle()
    expect(subscriber.detached).toBe(true)
    // The handle is let go: the answer cannot go (Janus would refuse it, 462, had it gone).
    subscriber.refuse.add('start')
    answer?.()
    attachedTo(janus.last, 2, 'Ben')
    await resync
    await h.clock.settle()
    expect(h.session.incidents.list().map((i) => i.detail)).toContainEqual(
      expect.stringContaining("videoroom-subscriber: answering the server's offer"),
    )
    expect(errors).toEqual([])
  })

  it('after a claim, a subscription whose offer was lost in the gap (no offer comes) is built again', async () => {
    const { h, janus, room, publisher, subscriber } = await inRoom()
    h.session.events.emit('reconnecting', { attempt: 1, reason: 'networkChanged' })
    sameRoom(publisher)
    const resync = room.resync({ sessionId: 1, reason: 'networkChanged', networkChanged: true })
    await h.clock.settle()
    // Janus postponed the offer (an earlier one waits for its answer): only the plain one is told.
    subscriber.event({ videoroom: 'event', configured: 'ok' })
    await h.clock.settle()
    expect(subscriber.detached).toBe(true)
    const fresh = janus.last
    expect(fresh).not.toBe(subscriber)
    expect(fresh.sent[0]?.message).toMatchObject({ request: 'join', ptype: 'subscriber' })
    attachedTo(fresh, 2, 'Ben')
    await resync
    expect(h.session.incidents.list().map((i) => i.detail)).toContain(
      "videoroom-subscriber: the server's offer was lost while we were away; receiving the others afresh",
    )
  })

  it('after a claim on the network as it was (a dead path), the subscription is built again without asking', async () => {
    const { h, janus, room, publisher, subscriber } = await inRoom()
    h.session.events.emit('reconnecting', { attempt: 1, reason: 'keepaliveTimeout' })
    sameRoom(publisher)
    const resync = room.resync({ sessionId: 1, reason: 'keepaliveTimeout', networkChanged: false })
    await h.clock.settle()
    expect(subscriber.sent.map((s) => s.message)).not.toContainEqual({
      request: 'configure',
      update: true,
    })
    expect(subscriber.detached).toBe(true)
    attachedTo(janus.last, 2, 'Ben')
    await resync
    expect(h.session.incidents.list().map((i) => i.detail)).toContain(
      'videoroom-subscriber: the connection died under it; receiving the others afresh',
    )
  })

  it('a publisher who came during the gap is subscribed whole, and its streams learnt', async () => {
    const { h, janus, room, publisher } = await inRoom()
    h.session.events.emit('reconnecting', { attempt: 1, reason: 'keepaliveTimeout' })
    publisher.answers.set('listparticipants', {
      participants: [
        { id: 1, display: 'Ann', publisher: true },
        { id: 3, display: 'Cy', publisher: true },
      ],
    })
    const resync = room.resync({ sessionId: 1, reason: 'keepaliveTimeout', networkChanged: false })
    await h.clock.settle()
    const fresh = janus.last
    expect(fresh.sent[0]?.message).toMatchObject({
      request: 'join',
      ptype: 'subscriber',
      streams: [{ feed: 3 }],
    })
    attachedTo(fresh, 3, 'Cy')
    await resync
    expect(room.state.roster.get(3)).toMatchObject({
      display: 'Cy',
      tile: 'stalled',
      streams: [
        { mid: '0', type: 'audio' },
        { mid: '1', type: 'video' },
      ],
    })
    expect(room.state.roster.has(2)).toBe(false)
  })

  it('after a new session joins again as the same person', async () => {
    const { h, janus, room } = await inRoom()
    h.session.events.emit('reconnecting', { attempt: 1, reason: 'sessionTimeout' })
    const restoring = room.restore()
    await h.clock.settle()
    const again = janus.handles[2]!
    expect(again.sent[0]?.message).toMatchObject({ request: 'join', display: 'Ann', room: 1234 })
    again.event({ videoroom: 'joined', id: 9, publishers: [] })
    await restoring
    expect(room.state.connection).toEqual({ kind: 'joined', myId: 9 })
    expect(room.state.roster.size).toBe(0)
  })

  it('a join whose attach was lost with the connection joins once the session is back', async () => {
    const { h, janus, room } = await newRoom()
    const told: unknown[] = []
    room.events.on('reconnected', (r) => told.push(r))
    janus.loseNextAttach = () => h.server.openSockets()[0]!.drop()
    await room.join()
    expect(room.state.connection.kind).toBe('joining')
    expect(janus.handles).toHaveLength(0)
    await h.clock.advance(2000)
    expect(janus.handles).toHaveLength(1)
    expect(janus.last.sent[0]?.message).toMatchObject({ request: 'join', ptype: 'publisher' })
    janus.last.event({ videoroom: 'joined', id: 5, private_id: 7, publishers: [] })
    await h.clock.settle()
    expect(room.state.connection).toEqual({ kind: 'joined', myId: 5 })
    expect(h.session.state.kind).toBe('connected')
    // Never in the room before: no “rejoined” to tell.
    expect(told).toEqual([])
  })

  it('a join whose answer the gap dropped is let go on the server and made again after the claim', async () => {
    const { h, janus, room } = await newRoom()
    const joining = room.join()
    await h.clock.settle()
    const first = janus.last
    expect(first.requests()).toEqual(['join'])
    h.server.openSockets()[0]!.drop()
    await h.clock.advance(2000)
    await joining
    expect(first.detached).toBe(true)
    const again = janus.last
    expect(again).not.toBe(first)
    expect(again.requests()).toEqual(['join'])
    again.event({ videoroom: 'joined', id: 6, private_id: 8, publishers: [] })
    await h.clock.settle()
    expect(room.state.connection).toEqual({ kind: 'joined', myId: 6 })
  })

  it('a rejoin on a new session whose join was lost with the connection is made again after the next claim, never shown as in the room meanwhile', async () => {
    const { h, janus, room } = await inRoom()
    h.session.events.emit('reconnecting', { attempt: 1, reason: 'sessionTimeout' })
    // As in soak seed 2412: a long sleep, then a flap as the new session's join went out.
    janus.loseOnNext = ['join']
    await room.restore()
    expect(room.state.connection.kind).not.toBe('joined')
    const lost = janus.last
    const resyncing = room.resync({ sessionId: 2, reason: 'socketClosed', networkChanged: true })
    await h.clock.settle()
    expect(room.state.connection.kind).not.toBe('joined')
    expect(lost.detached).toBe(true)
    const again = janus.last
    expect(again).not.toBe(lost)
    expect(again.requests()).toEqual(['join'])
    again.event({ videoroom: 'joined', id: 9, publishers: [] })
    await resyncing
    expect(room.state.connection).toEqual({ kind: 'joined', myId: 9 })
  })

  it('a rejoin that got through while the subscriber’s attach was lost is resynced after the claim: the others are received again', async () => {
    const { h, janus, room } = await inRoom()
    h.session.events.emit('reconnecting', { attempt: 1, reason: 'sessionTimeout' })
    const restoring = room.restore()
    await h.clock.settle()
    const publisher = janus.last
    // As in soak seed 2412: the subscriber's attach is lost while the publish is under way,
    // and the claim comes before the publish is done.
    janus.loseNextAttach = () => undefined
    publisher.answers.set('listparticipants', {
      participants: [
        { id: 9, display: 'Ann', publisher: true },
        { id: 2, display: 'Ben', publisher: true },
      ],
    })
    publisher.event({ videoroom: 'joined', id: 9, private_id: 3, publishers: [feed(2, 'Ben')] })
    const resyncing = room.resync({ sessionId: 2, reason: 'socketClosed', networkChanged: true })
    await h.clock.settle()
    await restoring
    const subscriber = janus.last
    expect(subscriber).not.toBe(publisher)
    expect(subscriber.sent[0]?.message).toMatchObject({ request: 'join', ptype: 'subscriber' })
    attachedTo(subscriber, 2, 'Ben')
    await resyncing
    await h.clock.settle()
    expect(room.state.connection).toEqual({ kind: 'joined', myId: 9 })
    expect(publisher.detached).toBe(false)
  })

  it('a change cut short by the connection is made again on a new subscriber at once, not after its 10 s (soak seed 777)', async () => {
    const { h, janus, room, publisher, subscriber } = await inRoom()
    const errors: string[] = []
    room.events.on('error', (e) => errors.push(e))
    // Cy comes: Ann asks to receive her too, and the answer is lost with the connection.
    publisher.event({ videoroom: 'event', publishers: [feed(3, 'Cy')] })
    await h.clock.settle()
    expect(requests(subscriber)).toContain('subscribe')
    publisher.answers.set('listparticipants', {
      participants: [
        { id: 1, display: 'Ann', publisher: true },
        { id: 2, display: 'Ben', publisher: true },
        { id: 3, display: 'Cy', publisher: true },
      ],
    })
    void room.resync({ sessionId: 1, reason: 'socketClosed', networkChanged: true })
    await h.clock.settle()
    // No time passed: the new subscriber joins for Ben and Cy now.
    const fresh = janus.last
    expect(fresh).not.toBe(subscriber)
    expect(subscriber.detached).toBe(true)
    expect(fresh.sent[0]?.message).toMatchObject({ request: 'join', ptype: 'subscriber' })
    expect(h.session.incidents.list().map((i) => i.detail)).toContainEqual(
      expect.stringContaining('a change to what we receive was cut short'),
    )
    expect(errors).toEqual([])
  })

  it('a subscriber whose attach was lost is not kept half-made: the next newcomer is received on a fresh handle', async () => {
    const { h, janus, room } = await newRoom()
    const joining = room.join()
    await h.clock.settle()
    const publisher = janus.last
    // Told once the session is usable again (a drained socket): no claim follows to rebuild.
    janus.loseNextAttach = () => undefined
    publisher.event({ videoroom: 'joined', id: 1, private_id: 77, publishers: [feed(2, 'Ben')] })
    await joining
    await h.clock.settle()
    expect(janus.handles).toHaveLength(1)
    publisher.event({ videoroom: 'event', publishers: [feed(3, 'Cy')] })
    await h.clock.settle()
    const subscriber = janus.last
    expect(subscriber).not.toBe(publisher)
    expect(subscriber.sent[0]?.message).toMatchObject({ request: 'join', ptype: 'subscriber' })
  })

  it('a refused join ends with the room’s words, leaving no handle behind', async () => {
    const { h, janus, room } = await newRoom({ room: 999 })
    const joining = room.join()
    await h.clock.settle()
    janus.last.event({ videoroom: 'event', error_code: 426, error: 'No such room (999)' })
    await joining
    expect(room.state.connection).toEqual({
      kind: 'disconnected',
      reason: 'serverError',
      message: 'No such room (999)',
    })
    expect(janus.last.detached).toBe(true)
    expect(room.isLive()).toBe(false)
  })

  it('a subscriber whose join fails is let go, and the next change attaches a new one', async () => {
    const { h, janus, room } = await newRoom()
    const joining = room.join()
    await h.clock.settle()
    const publisher = janus.last
    janus.refuseOnNext = ['join']
    publisher.event({ videoroom: 'joined', id: 1, private_id: 77, publishers: [feed(2, 'Ben')] })
    await joining
    await h.clock.settle()
    const failed = janus.last
    expect(failed).not.toBe(publisher)
    expect(failed.requests()).toEqual(['join'])
    expect(failed.detached).toBe(true)
    // Cy comes: a fresh subscriber joins for everyone.
    publisher.event({ videoroom: 'event', publishers: [feed(3, 'Cy')] })
    await h.clock.settle()
    expect(janus.last).not.toBe(failed)
    expect(janus.last.sent[0]?.message).toMatchObject({ request: 'join', ptype: 'subscriber' })
    expect(room.state.connection).toEqual({ kind: 'joined', myId: 1 })
  })

  it('leaving tells the room and detaches both handles', async () => {
    const { room, publisher, subscriber } = await inRoom()
    await room.hangup()
    expect(requests(publisher)).toContain('leave')
    expect(publisher.detached && subscriber.detached).toBe(true)
    expect(room.state.connection).toEqual({ kind: 'disconnected', reason: 'clientDisconnected' })
  })
})

describe('the microphone in a room', () => {
  it('publishes labelled streams, and a mute stops the relay and is announced', async () => {
    const { room, publisher } = await inRoom()
    expect(publisher.sent.find((s) => s.message.request === 'publish')?.message).toMatchObject({
      descriptions: [
        { mid: '0', description: 'Microphone' },
        { mid: '1', description: 'Camera' },
      ],
    })
    room.setMuted(true)
    expect(publisher.sent.at(-1)?.message).toEqual({
      request: 'configure',
      streams: [{ mid: '0', send: false }],
      descriptions: [{ mid: '0', description: 'Microphone (muted)' }],
    })
    room.setMuted(false)
    expect(publisher.sent.at(-1)?.message).toMatchObject({
      streams: [{ mid: '0', send: true }],
      descriptions: [{ mid: '0', description: 'Microphone' }],
    })
  })

  it('joining muted publishes the microphone as muted and asks the room not to relay it', async () => {
    const { h, janus, room } = await newRoom({ muted: true })
    const joining = room.join()
    await h.clock.settle()
    janus.last.event({ videoroom: 'joined', id: 1, publishers: [] })
    await joining
    const publisher = janus.handles[0]!
    expect(room.muted).toBe(true)
    const publish = publisher.sent.findIndex((s) => s.message.request === 'publish')
    expect(publisher.sent[publish]?.message).toMatchObject({
      descriptions: [{ mid: '0', description: 'Microphone (muted)' }, { mid: '1' }],
    })
    expect(publisher.sent.slice(publish + 1).map((s) => s.message)).toContainEqual(
      expect.objectContaining({ request: 'configure', streams: [{ mid: '0', send: false }] }),
    )
  })

  it('shows who muted on their tile', async () => {
    const { room, publisher } = await inRoom()
    const tiles: { display: string; microphone: string }[][] = []
    room.events.on('tiles', (t) => tiles.push(t))
    benAnnounced(publisher, [
      { type: 'audio', mid: '0', description: 'Microphone (muted)' },
      { type: 'video', mid: '1', description: 'Camera' },
    ])
    expect(tiles.at(-1)).toEqual([expect.objectContaining({ display: 'Ben', microphone: 'muted' })])
  })
})

describe('frozen media', () => {
  it('a feed whose video stops while the connection stays healthy is received afresh', async () => {
    const { h, room, subscriber } = await inRoom()
    subscriber.received['0'] = { kind: 'audio', count: 0 }
    subscriber.received['1'] = { kind: 'video', count: 0 }
    const flow = async (ms: number, video: boolean) => {
      for (let t = 0; t < ms; t += 250) {
        subscriber.received['0']!.count += 10
        if (video) subscriber.received['1']!.count += 5
        await h.clock.advance(250)
      }
    }
    await flow(2000, true)
    expect(room.state.roster.get(2)?.tile).toBe('live')
    // Ben's video freezes; his audio and the connection carry on.
    await flow(5000, false)
    expect(room.state.roster.get(2)?.tile).toBe('stalled')
    expect(subscriber.requests()).not.toContain('unsubscribe')
    await flow(5000, false)
    expect(subscriber.sent.at(-1)?.message).toEqual({
      request: 'unsubscribe',
      streams: [{ feed: 2 }],
    })
    subscriber.event({ videoroom: 'updated', streams: [] }, offer)
    await h.clock.settle()
    expect(subscriber.sent.map((s) => s.message)).toContainEqual({
      request: 'subscribe',
      streams: [
        { feed: 2, mid: '0' },
        { feed: 2, mid: '1' },
      ],
    })
    expect(h.session.incidents.list().map((i) => i.detail)).toContainEqual(
      expect.stringContaining('Ben’s video stopped while connected'),
    )
  })
})

describe('the others’ media after a stall', () => {
  it('once it flows again after a restart, every video received is asked for a keyframe, without a gap', async () => {
    const { h, subscriber } = await inRoom()
    const flow = (ms: number, on: boolean) => playMedia(h.clock, subscriber, ms, on)
    const keyframes = () =>
      subscriber.sent.filter((s) => s.message.request === 'configure' && 'streams' in s.message)
    await flow(1000, true)
    // The path dies under a connected ICE: nothing arrives; the server is asked to restart.
    await flow(1000, false)
    expect(subscriber.sent.map((s) => s.message)).toContainEqual({
      request: 'configure',
      restart: true,
    })
    expect(keyframes()).toEqual([])
    await flow(1000, true)
    expect(h.session.incidents.list().map((i) => i.kind)).toContain('media-back')
    // `send: true` on a video already sent: Janus asks Ben for a keyframe, nothing stops.
    expect(keyframes().map((s) => s.message)).toEqual([
      { request: 'configure', streams: [{ mid: '1', send: true }] },
    ])
  })
})

describe('one path under both of our connections', () => {
  it('when the others’ media stops over the address we publish from too, the publisher restarts at once, not after the server’s reports stop', async () => {
    const { h, publisher, subscriber } = await inRoom()
    publisher.localAddress = '10.210.2.2:5000'
    subscriber.localAddress = '10.210.2.2:5002'
    subscriber.received['0'] = { kind: 'audio', count: 0 }
    const restarts = (handle: FakeHandle) => handle.offers.filter((o) => o.iceRestart).length
    for (let t = 0; t < 1000; t += 100) {
      subscriber.received['0'].count += 5
      publisher.reports += 1
      await h.clock.advance(100)
    }
    // Nothing arrives any more; the server's reports on what we send would take 2.5 s to tell.
    await h.clock.advance(900)
    expect(subscriber.sent.map((s) => s.message)).toContainEqual({
      request: 'configure',
      restart: true,
    })
    expect(restarts(publisher)).toBe(1)
    expect(h.session.incidents.list().map((i) => i.detail)).toContainEqual(
      expect.stringContaining('the others’ media stopped arriving over the same address'),
    )
  })

  it('when Janus stops receiving what we publish, the publisher and the subscription on the same address restart', async () => {
    const { h, publisher, subscriber } = await inRoom()
    publisher.localAddress = '10.210.2.2:5000'
    subscriber.localAddress = '10.210.2.2:5002'
    await h.clock.advance(300)
    publisher.options.mediaState?.('video', false)
    await h.clock.advance(700)
    expect(publisher.offers.filter((o) => o.iceRestart)).toHaveLength(1)
    expect(subscriber.sent.map((s) => s.message)).toContainEqual({
      request: 'configure',
      restart: true,
    })
    expect(h.session.incidents.list().map((i) => i.detail)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('the server stopped receiving our video'),
        expect.stringContaining('the server stopped receiving ours over the same address'),
      ]),
    )
  })

  it('when Janus stops receiving our video because a sender was left off after an offline spell, it is sent again, not restarted (soak seed 777)', async () => {
    const { h, publisher } = await inRoom()
    publisher.localAddress = '10.210.2.2:5000'
    const sending = () => publisher.senders.flatMap((sender) => sender.active)
    h.session.handleSystemEvent({ type: 'offline' })
    await h.clock.advance(1)
    h.session.handleSystemEvent({ type: 'online' })
    // The server's reports on what we send go on: whatever the claim restarted is over.
    for (let t = 0; t < 3000; t += 100) {
      publisher.reports += 1
      await h.clock.advance(100)
    }
    expect(sending().every(Boolean)).toBe(true)
    const restarts = () => publisher.offers.filter((o) => o.iceRestart).length
    const before = restarts()
    // The resume did not take (read back off by another change): the others lose our camera.
    for (const sender of publisher.senders) sender.active = sender.active.map(() => false)
    publisher.options.mediaState?.('video', false)
    await h.clock.advance(700)
    expect(sending().every(Boolean)).toBe(true)
    expect(restarts()).toBe(before)
    expect(h.session.incidents.list().map((i) => i.detail)).toContainEqual(
      expect.stringContaining('sending again what was left paused'),
    )
    // Janus still receives nothing a second and a half later: then it is the path.
    await h.clock.advance(1500)
    expect(restarts()).toBe(before + 1)
  })

  it('a stall on another address leaves the publisher alone', async () => {
    const { h, publisher, subscriber } = await inRoom()
    publisher.localAddress = '10.210.1.2:5000'
    subscriber.localAddress = '10.210.2.2:5002'
    subscriber.received['0'] = { kind: 'audio', count: 0 }
    for (let t = 0; t < 1000; t += 100) {
      subscriber.received['0'].count += 5
      publisher.reports += 1
      await h.clock.advance(100)
    }
    for (let t = 0; t < 900; t += 100) {
      publisher.reports += 1
      await h.clock.advance(100)
    }
    expect(subscriber.sent.map((s) => s.message)).toContainEqual({
      request: 'configure',
      restart: true,
    })
    expect(publisher.offers.filter((o) => o.iceRestart)).toEqual([])
  })
})

describe('our own camera and microphone in a room (the publisher)', () => {
  /** The server's reports on what Ann sends keep coming (one a second per stream). */
  const reported = async (h: Harness, publisher: FakeHandle, ms: number) => {
    for (let t = 0; t < ms; t += 250) {
      publisher.reports += 1
      await h.clock.advance(250)
    }
  }
  const restarts = (publisher: FakeHandle) => publisher.offers.filter((o) => o.iceRestart).length

  it('the server’s reports stopping under a connected ICE restart it, though Janus never said it stopped receiving', async () => {
    const { h, publisher } = await inRoom()
    await reported(h, publisher, 2000)
    expect(restarts(publisher)).toBe(0)
    // The path died both ways: no report arrives, and Janus's "not receiving" cannot reach us.
    await h.clock.advance(3000)
    expect(restarts(publisher)).toBe(1)
    expect(h.session.incidents.list().map((i) => i.detail)).toContainEqual(
      expect.stringContaining('while ICE was connected'),
    )
  })

  it('a restart is over when the reports come again, not while they stay away', async () => {
    const { h, publisher } = await inRoom()
    await reported(h, publisher, 2000)
    await h.clock.advance(3000)
    expect(restarts(publisher)).toBe(1)
    await h.clock.advance(1000)
    expect(h.session.incidents.list().map((i) => i.kind)).not.toContain('media-back')
    await reported(h, publisher, 1000)
    expect(h.session.incidents.list().map((i) => i.kind)).toContain('media-back')
  })
})

describe('the camera in a room', () => {
  it('turning it off stops the relay and is announced; others show “camera off”, not a stalled tile', async () => {
    const { h, room, publisher, subscriber } = await inRoom()
    room.setCameraOff(true)
    expect(publisher.sent.at(-1)?.message).toEqual({
      request: 'configure',
      streams: [{ mid: '1', send: false }],
      descriptions: [{ mid: '1', description: 'Camera (off)' }],
    })
    expect(room.cameraOff).toBe(true)
    expect(publisher.videoOff).toBe(true)

    // Ben turns his camera off: his video stops, his audio carries on.
    benAnnounced(publisher, [
      { type: 'audio', mid: '0', description: 'Microphone' },
      { type: 'video', mid: '1', description: 'Camera (off)' },
    ])
    subscriber.received['0'] = { kind: 'audio', count: 0 }
    subscriber.received['1'] = { kind: 'video', count: 0 }
    for (let t = 0; t < 12_000; t += 250) {
      subscriber.received['0']!.count += 10
      await h.clock.advance(250)
    }
    expect(room.state.roster.get(2)).toMatchObject({ camera: 'off', tile: 'live' })
    // Nothing to repair: no renegotiation of a camera that is off.
    expect(subscriber.requests()).not.toContain('unsubscribe')
    // He mutes too: nothing arrives at all, and he is still present, not stalled.
    benAnnounced(publisher, [
      { type: 'audio', mid: '0', description: 'Microphone (muted)' },
      { type: 'video', mid: '1', description: 'Camera (off)' },
    ])
    await h.clock.advance(5000)
    expect(room.state.roster.get(2)).toMatchObject({ microphone: 'muted', tile: 'live' })
    // Nothing arriving from someone who sends nothing is no dead path: no ICE restart.
    expect(subscriber.sent.map((s) => s.message)).not.toContainEqual({
      request: 'configure',
      restart: true,
    })
  })
})

describe('sharing the screen', () => {
  it('adds the screen as a new video labelled Screen, and removes it when stopped', async () => {
    const { h, room, publisher } = await inRoom()
    const errors: string[] = []
    const shown: unknown[] = []
    room.events.on('error', (e) => errors.push(e))
    room.events.on('localScreen', (s) => shown.push(s))
    await room.shareScreen(true)
    const share = publisher.sent.at(-1)!
    expect(share.message).toEqual({
      request: 'configure',
      descriptions: [{ mid: '2', description: 'Screen' }],
    })
    expect((share.jsep as { sdp: string }).sdp).toContain('a=mid:2')
    expect(room.sharingScreen).toBe(true)
    await room.shareScreen(false)
    expect(publisher.sent.at(-1)?.message).toEqual({ request: 'configure' })
    expect(publisher.sent.at(-1)?.jsep).toBeDefined()
    expect(room.sharingScreen).toBe(false)
    // Shown to us while shared (its one track), then gone; nothing went wrong on the way.
    expect(shown).toHaveLength(2)
    expect(shown[1]).toBeUndefined()
    expect(errors).toEqual([])
    await h.clock.settle()
  })

  it('after a lost session the screen is shared again on the new publisher, and we are told we rejoined', async () => {
    const { h, janus, room } = await inRoom()
    const errors: string[] = []
    const notices: string[] = []
    const back: { rejoined: boolean }[] = []
    room.events.on('error', (e) => errors.push(e))
    room.events.on('notice', (n) => notices.push(n))
    room.events.on('reconnected', (r) => back.push(r))
    await room.shareScreen(true)
    h.session.events.emit('reconnecting', { attempt: 1, reason: 'sessionTimeout' })
    const restoring = room.restore()
    await h.clock.settle()
    const again = janus.last
    again.event({ videoroom: 'joined', id: 9, publishers: [] })
    await restoring
    expect(back).toEqual([{ rejoined: true }])
    expect(again.sent.map((s) => s.message)).toContainEqual({
      request: 'configure',
      descriptions: [{ mid: '2', description: 'Screen' }],
    })
    expect(room.sharingScreen).toBe(true)
    expect(notices).toEqual([])
    expect(errors).toEqual([])
  })

  it('is refused before joining, with words', async () => {
    const { room } = await newRoom()
    const errors: string[] = []
    room.events.on('error', (e) => errors.push(e))
    await room.shareScreen(true)
    expect(errors).toEqual(['Join the room before sharing your screen.'])
  })

  it('shows another participant’s screen as a tile of its own', async () => {
    const { h, room, publisher, subscriber } = await inRoom()
    const tiles: { key: string; source: string; display: string }[][] = []
    room.events.on('tiles', (t) => tiles.push(t))
    benAnnounced(publisher, [
      { type: 'audio', mid: '0', description: 'Microphone' },
      { type: 'video', mid: '1', description: 'Camera' },
      { type: 'video', mid: '2', description: 'Screen' },
    ])
    await Promise.resolve()
    // Only the new stream is asked for.
    expect(subscriber.sent.at(-1)?.message).toEqual({
      request: 'subscribe',
      streams: [{ feed: 2, mid: '2' }],
    })
    expect(tiles.at(-1)?.map((t) => [t.key, t.source, t.display])).toEqual([
      ['2', 'camera', 'Ben'],
      ['2:screen', 'screen', 'Ben'],
    ])
    subscriber.event(
      {
        videoroom: 'updated',
        streams: [
          { mid: '0', type: 'audio', feed_id: 2, feed_mid: '0' },
          { mid: '1', type: 'video', feed_id: 2, feed_mid: '1' },
          { mid: '2', type: 'video', feed_id: 2, feed_mid: '2', feed_description: 'Screen' },
        ],
      },
      offer,
    )
    await h.clock.settle()
    // Ben stops sharing: the stream is announced disabled, and its tile goes.
    benAnnounced(publisher, [
      { type: 'audio', mid: '0' },
      { type: 'video', mid: '1' },
      { type: 'video', mid: '2', disabled: true },
    ])
    expect(tiles.at(-1)?.map((t) => t.key)).toEqual(['2'])
    await h.clock.settle()
    // Janus tells subscribers nothing of a stopped stream: we let go of it ourselves.
    expect(subscriber.sent.map((s) => s.message)).toContainEqual({
      request: 'unsubscribe',
      streams: [{ feed: 2, mid: '2' }],
    })
  })
})

describe('simulcast layers', () => {
  it('publishes the camera in layers, and asks each tile’s layer: the large one high, thumbnails low', async () => {
    const { h, room, publisher, subscriber } = await inRoom()
    expect(publisher.offers[0]?.tracks).toContainEqual(
      expect.objectContaining({ type: 'video', simulcast: true }),
    )
    benAnnounced(publisher, [
      { type: 'audio', mid: '0' },
      { type: 'video', mid: '1', simulcast: true },
    ])
    await h.clock.settle()
    // In the grid: the middle layer.
    expect(subscriber.sent.at(-1)?.message).toEqual({
      request: 'configure',
      streams: [{ mid: '1', substream: 1 }],
    })
    const tiles: { layer?: number; focused: boolean }[][] = []
    room.events.on('tiles', (t) => tiles.push(t))
    room.focus(2)
    await h.clock.settle()
    expect(subscriber.sent.at(-1)?.message).toEqual({
      request: 'configure',
      streams: [{ mid: '1', substream: 2 }],
    })
    expect(tiles.at(-1)).toEqual([expect.objectContaining({ focused: true, layer: 2 })])
    const sent = subscriber.sent.length
    room.focus(2)
    await h.clock.settle()
    expect(subscriber.sent).toHaveLength(sent)
    // Ben leaves while large: back to the grid, nothing left to ask.
    publisher.event({ videoroom: 'event', leaving: 2 })
    await h.clock.settle()
    expect(tiles.at(-1)).toEqual([])
  })
})

describe('a room on a server without a reclaim window', () => {
  it('says so before joining', async () => {
    const h = makeHarness()
    h.server.reclaimTimeoutS = 0
    await connected(h)
    const room = new RoomCall(h.session, new FakeGateway().gateway, h.clock, {
      room: 1234,
      display: 'Ann',
      audio: false,
      video: false,
    })
    const notices: string[] = []
    room.events.on('notice', (n) => notices.push(n))
    void room.join()
    expect(notices).toEqual([expect.stringContaining('reclaim window is 0')])
  })
})
