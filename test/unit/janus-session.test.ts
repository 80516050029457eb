import { describe, expect, it, vi } from 'vitest'
import { ClientError } from '../../renderer/core/janus-protocol'
import { drainGraceMs } from '../../renderer/core/session/socket-drain'
import { connected, makeHarness } from './support/harness'

describe('JanusSession: connecting', () => {
  it('goes idle -> connecting -> connected, learning the windows before creating', async () => {
    const h = makeHarness()
    expect(h.session.state).toEqual({ kind: 'idle' })
    const id = await connected(h)
    expect(h.states()).toEqual(['connecting', 'connected'])
    expect(h.server.last.verbs()).toEqual(['info', 'create'])
    expect(h.eventsOf('connected')).toEqual([{ sessionId: id, resumedFromStore: false }])
    expect(h.session.info?.reclaimSessionTimeoutS).toBe(5)
    expect(h.store.value).toMatchObject({
      sessionId: id,
      serverUrl: 'ws://janus.test:8188',
      handles: [],
    })
  })

  it('retries an unreachable server with backoff and connects once it is up', async () => {
    const h = makeHarness()
    h.server.refuse = true
    h.session.connect()
    await h.clock.advance(0)
    expect(h.session.state).toMatchObject({
      kind: 'reconnecting',
      attempt: 2,
      reason: 'serverUnreachable',
    })
    expect(h.clock.pendingDelays()).toEqual([1000])
    await h.clock.advance(1000)
    expect(h.session.state).toMatchObject({ kind: 'reconnecting', attempt: 3 })
    expect(h.clock.pendingDelays()).toEqual([2000])
    h.server.refuse = false
    await h.clock.advance(2000)
    expect(h.session.state.kind).toBe('connected')
  })

  it('fails with serverError for a URL the socket factory rejects', async () => {
    const bad = makeHarness(
      {},
      {
        openSocket: () => {
          throw new SyntaxError('not a websocket URL')
        },
      },
    )
    bad.session.connect()
    await bad.clock.advance(0)
    expect(bad.session.state).toMatchObject({ kind: 'failed', reason: 'serverError' })
  })

  it('gives up after maxReconnectAttempts and starts over on connect()', async () => {
    const h = makeHarness({ maxReconnectAttempts: 3 })
    h.server.refuse = true
    h.session.connect()
    await h.clock.advance(10_000)
    expect(h.session.state).toMatchObject({ kind: 'failed', reason: 'networkDisconnected' })
    expect(h.server.sockets).toHaveLength(3)
    expect(h.eventsOf('disconnected')[0]?.reason).toBe('networkDisconnected')
    h.server.refuse = false
    h.session.connect()
    await h.clock.advance(0)
    expect(h.session.state.kind).toBe('connected')
  })

  it('a network signal after giving up on the network starts over by itself', async () => {
    const h = makeHarness({ maxReconnectAttempts: 1 })
    h.server.refuse = true
    h.session.connect()
    await h.clock.advance(0)
    expect(h.session.state.kind).toBe('failed')
    h.server.refuse = false
    h.session.handleSystemEvent({ type: 'online' })
    await h.clock.advance(0)
    expect(h.session.state.kind).toBe('connected')
  })
})

describe('JanusSession: losing and reclaiming', () => {
  it('claims the same session first after the socket drops, then resyncs plugins', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const resync = vi.fn()
    h.session.addParticipant({ name: 'echo', resync })
    h.server.last.drop()
    expect(h.session.state).toMatchObject({
      kind: 'reconnecting',
      attempt: 1,
      reason: 'socketClosed',
    })
    await h.clock.advance(0)
    expect(h.server.last.sent[0]).toMatchObject({ janus: 'claim', session_id: id })
    expect(h.states()).toEqual([
      'connecting',
      'connected',
      'reconnecting',
      'recovering',
      'connected',
    ])
    expect(resync).toHaveBeenCalledWith({
      sessionId: id,
      reason: 'socketClosed',
      networkChanged: false,
      lostAt: expect.any(Number),
    })
    expect(h.eventsOf('reconnected')).toEqual([
      expect.objectContaining({ sessionId: id, reclaimed: true }),
    ])
    expect(h.session.id).toBe(id)
  })

  it('detects a dead connection by the keepalive ack bound and closes the dead socket', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const plan = h.session.keepalive
    expect(plan.intervalMs).toBe(1250) // a quarter of the 5 s reclaim window
    const dead = h.server.last
    dead.blackholed = true
    await h.clock.advance(plan.intervalMs + plan.ackTimeoutMs - 1)
    expect(h.session.state.kind).toBe('connected')
    dead.blackholed = true
    h.server.autoOpen = false
    await h.clock.advance(1)
    expect(h.session.state).toMatchObject({ kind: 'reconnecting', reason: 'keepaliveTimeout' })
    expect(dead.closedByClient).toBe(true)
    h.server.last.open()
    await h.clock.advance(0)
    expect(h.session.state).toEqual({ kind: 'connected', sessionId: id })
  })

  /** A session with a call up for 5 s, and the keepalives its socket has seen. */
  async function inCall() {
    const h = makeHarness()
    await connected(h)
    h.session.setMediaActive('echo', true)
    await h.clock.advance(5000)
    const socket = h.server.last
    const keepalives = () => socket.sent.filter((m) => m.janus === 'keepalive').length
    /** The path dies: nothing reaches the server, and no new socket opens. */
    const blackhole = () => {
      socket.blackholed = true
      h.server.autoOpen = false
    }
    return { h, socket, keepalives, blackhole }
  }

  it('while a call is up a dead connection is found within 3 s', async () => {
    const { h, blackhole } = await inCall()
    blackhole()
    let detectedAfter = 0
    while (h.session.state.kind === 'connected' && detectedAfter < 10_000) {
      await h.clock.advance(100)
      detectedAfter += 100
    }
    expect(h.session.state).toMatchObject({ kind: 'reconnecting', reason: 'keepaliveTimeout' })
    expect(detectedAfter).toBeLessThanOrEqual(3000)
  })

  it('when a call’s media stalls, checks the connection at once and finds it dead in 300 ms', async () => {
    const { h, keepalives, blackhole } = await inCall()
    blackhole()
    const before = keepalives()
    let alive: boolean | undefined
    void h.session.mediaStalled('echo').then((a) => (alive = a))
    expect(keepalives()).toBe(before + 1)
    await h.clock.advance(299)
    expect(h.session.state.kind).toBe('connected')
    expect(alive).toBeUndefined()
    await h.clock.advance(1)
    expect(h.session.state).toMatchObject({ kind: 'reconnecting', reason: 'keepaliveTimeout' })
    // The call is told the connection is dead: its restart waits for the claim.
    expect(alive).toBe(false)
    expect(await h.session.mediaStalled('echo')).toBe(false)
    expect(h.session.incidents.list().map((i) => i.detail)).toContainEqual(
      'echo: media stalled, checking the connection',
    )
  })

  it('a stall told while another call still restores itself after a claim checks the connection too (soak seed 777)', async () => {
    const h = makeHarness()
    await connected(h)
    // The room's resync waits on an answer that does not come: the session stays recovering.
    h.session.addParticipant({ name: 'room', resync: () => new Promise<void>(() => undefined) })
    h.server.last.drop()
    await h.clock.advance(0)
    expect(h.session.state.kind).toBe('recovering')
    const socket = h.server.last
    const before = socket.sent.filter((m) => m.janus === 'keepalive').length
    const alive = h.session.mediaStalled('videoroom-publisher')
    expect(socket.sent.filter((m) => m.janus === 'keepalive').length).toBe(before + 1)
    // Answered: the publisher restarts now rather than holding its restart for a claim that
    // will not come (its camera was lost to the others for good).
    expect(await alive).toBe(true)
  })

  it('on a slow link the check waits four of the last keepalive’s round trips', async () => {
    const { h, socket, keepalives, blackhole } = await inCall()
    socket.held = []
    const sent = keepalives()
    while (keepalives() === sent) await h.clock.advance(10)
    await h.clock.advance(200)
    socket.releaseHeld() // acknowledged 200 ms after it went
    await h.clock.advance(0)
    blackhole()
    h.session.mediaStalled('echo')
    await h.clock.advance(799)
    expect(h.session.state.kind).toBe('connected')
    await h.clock.advance(100)
    expect(h.session.state).toMatchObject({ kind: 'reconnecting', reason: 'keepaliveTimeout' })
  })

  it('a connection that answers the check stays, and the keepalives go on as before', async () => {
    const { h, keepalives } = await inCall()
    const before = keepalives()
    const first = h.session.mediaStalled('echo')
    const second = h.session.mediaStalled('echo') // a second leg telling the same stall: one check
    await h.clock.advance(3000)
    expect(h.session.state.kind).toBe('connected')
    expect([await first, await second]).toEqual([true, true])
    expect(keepalives() - before).toBe(4) // the check, then one a second
  })

  it('replaces the socket at once on a network change and never keeps two', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const old = h.server.last
    const resync = vi.fn()
    h.session.addParticipant({ name: 'echo', resync })
    h.session.handleSystemEvent({ type: 'network-changed', addresses: ['10.1.0.2'] })
    await h.clock.advance(0)
    expect(old.closedByClient).toBe(true)
    expect(h.server.openSockets()).toHaveLength(1)
    expect(h.server.last.sent[0]).toMatchObject({ janus: 'claim', session_id: id })
    expect(resync).toHaveBeenCalledWith(
      expect.objectContaining({ networkChanged: true, reason: 'networkChanged' }),
    )
  })

  it('a network change while the first claim waits for its reply claims again at once on a new socket', async () => {
    const first = makeHarness()
    const id = await connected(first)
    first.session.releaseForUnload()
    await first.clock.advance(0)
    const second = makeHarness({}, { store: first.store, clock: first.clock, server: first.server })
    second.session.connect()
    // The path died under the claim: it gets no reply and the socket never closes.
    first.server.blackholeOnVerb = 'claim'
    await second.clock.advance(0)
    expect(second.session.state.kind).toBe('connecting')
    second.session.handleSystemEvent({ type: 'network-changed', addresses: ['10.2.0.2'] })
    await second.clock.advance(0)
    expect(second.session.state.kind).toBe('connected')
    expect(second.session.id).toBe(id)
  })

  it('a network-back signal during the backoff attempts at once and resets the backoff', async () => {
    const h = makeHarness()
    await connected(h)
    h.server.refuse = true
    h.server.last.drop()
    await h.clock.advance(1000 + 2000)
    // The first attempt goes at once, then 1 s, 2 s, 4 s ...
    expect(h.session.state).toMatchObject({ kind: 'reconnecting', attempt: 4 })
    expect(h.retryDelays).toEqual([1000, 2000, 4000])
    h.session.handleSystemEvent({ type: 'online' })
    await h.clock.advance(0)
    expect(h.session.state).toMatchObject({ kind: 'reconnecting', attempt: 2 })
    // Right after the signal the route may not be ready yet: fast retries, then the backoff from 1 s.
    await h.clock.advance(5 + 10 + 20 + 50 + 100 + 200 + 400 + 800)
    expect(h.retryDelays.slice(-9)).toEqual([5, 10, 20, 50, 100, 200, 400, 800, 1000])
    h.server.refuse = false
    h.session.handleSystemEvent({ type: 'resume' })
    await h.clock.advance(0)
    expect(h.session.state.kind).toBe('connected')
  })

  it('a network change while connected retries fast if the new route is not ready yet', async () => {
    const h = makeHarness()
    const id = await connected(h)
    h.server.refuse = true
    h.session.handleSystemEvent({ type: 'network-changed', addresses: ['10.0.2.2'] })
    await h.clock.advance(0)
    expect(h.retryDelays).toEqual([5])
    await h.clock.advance(5)
    h.server.refuse = false
    await h.clock.advance(10)
    expect(h.session.state).toEqual({ kind: 'connected', sessionId: id })
    expect(h.retryDelays).toEqual([5, 10])
  })

  it('media flowing again during the backoff attempts at once, and says why', async () => {
    const h = makeHarness()
    const id = await connected(h)
    h.server.refuse = true
    h.server.last.drop()
    await h.clock.advance(0)
    expect(h.retryDelays).toEqual([1000])
    h.server.refuse = false
    h.session.mediaFlowsAgain('echotest')
    await h.clock.advance(0)
    expect(h.session.state).toEqual({ kind: 'connected', sessionId: id })
    expect(h.session.incidents.list().map((i) => i.detail)).toContain('echotest: media flows again')
    // Connected: nothing more to do.
    const sockets = h.server.sockets.length
    h.session.mediaFlowsAgain('echotest')
    await h.clock.advance(0)
    expect(h.server.sockets.length).toBe(sockets)
  })

  it('media flowing again replaces an attempt whose socket is stuck opening, not one talking to the server', async () => {
    const h = makeHarness()
    await connected(h)
    h.server.autoOpen = false
    h.server.last.drop()
    await h.clock.advance(0)
    const stuck = h.server.sockets.length
    expect(h.server.last.state).toBe('connecting')
    // Too soon: the attempt may still connect by itself.
    await h.clock.advance(100)
    h.session.mediaFlowsAgain('sip')
    expect(h.server.sockets.length).toBe(stuck)
    await h.clock.advance(200)
    h.session.mediaFlowsAgain('sip')
    await h.clock.advance(0)
    expect(h.server.sockets.length).toBe(stuck + 1)
    expect(h.server.sockets[stuck - 1]!.closedByClient).toBe(true)
    // The new socket opens and is claiming: media flowing again leaves it alone.
    h.server.autoOpen = true
    h.server.last.open()
    h.session.mediaFlowsAgain('sip')
    await h.clock.advance(0)
    expect(h.server.sockets.length).toBe(stuck + 1)
    expect(h.session.state.kind).toBe('connected')
  })

  it('media flowing again at every sample replaces an opening socket less and less often, so a slow one gets to open (soak seed 224487688)', async () => {
    const h = makeHarness()
    const id = await connected(h)
    h.server.autoOpen = false
    h.server.last.drop()
    await h.clock.advance(0)
    const attempts = () => h.session.incidents.list().filter((i) => i.kind === 'attempt').length
    const before = attempts()
    // The media's samples say it flows every 100 ms while no socket opens for 2 s.
    for (let t = 0; t < 2000; t += 100) {
      h.session.mediaFlowsAgain('echotest')
      await h.clock.advance(100)
    }
    // Replaced after 0.25 s, then 0.5 s, then 1 s of opening: three, not one every 0.3 s.
    expect(attempts() - before).toBe(3)
    // The socket under way is left to open, and holds the session.
    h.server.autoOpen = true
    h.server.last.open()
    await h.clock.advance(0)
    expect(h.session.state).toEqual({ kind: 'connected', sessionId: id })
  })

  it('a plain socket drop does not retry fast', async () => {
    const h = makeHarness()
    await connected(h)
    h.server.refuse = true
    h.server.last.drop()
    await h.clock.advance(0)
    expect(h.retryDelays).toEqual([1000])
  })

  it('caps the backoff at 30 s', async () => {
    const h = makeHarness()
    await connected(h)
    h.server.refuse = true
    h.server.last.drop()
    await h.clock.advance(200_000)
    expect(h.retryDelays.slice(0, 6)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000])
    expect(Math.max(...h.retryDelays)).toBe(30_000)
  })

  it('offline drops the socket and waits for the network instead of hammering it', async () => {
    const h = makeHarness()
    await connected(h)
    h.server.refuse = true
    h.session.handleSystemEvent({ type: 'offline' })
    await h.clock.advance(0)
    expect(h.session.state).toMatchObject({ kind: 'reconnecting', reason: 'offline' })
    h.server.refuse = false
    h.session.handleSystemEvent({ type: 'online' })
    await h.clock.advance(0)
    expect(h.session.state.kind).toBe('connected')
  })
})

describe('JanusSession: losing the session', () => {
  it('on 458 creates a new session, lets plugins restore and fails what was queued', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const handle = await h.session.attach('janus.plugin.echotest')
    const restore = vi.fn()
    h.session.addParticipant({ name: 'echo', restore })
    h.server.autoOpen = false
    h.server.last.drop()
    const queued = handle.message({ audio: true })
    const queuedOutcome = expect(queued).rejects.toMatchObject({ kind: 'sessionLost' })
    h.server.killSession(id)
    h.server.last.open()
    await h.clock.advance(0)
    await queuedOutcome
    const newId = h.session.id!
    expect(newId).not.toBe(id)
    expect(h.eventsOf('sessionLost')).toEqual([{ sessionId: id, reason: 'notFound' }])
    expect(restore).toHaveBeenCalledWith(
      expect.objectContaining({ sessionId: newId, lostSession: 'notFound' }),
    )
    expect(h.eventsOf('reconnected')).toEqual([
      expect.objectContaining({ sessionId: newId, reclaimed: false }),
    ])
    expect(h.store.value).toMatchObject({ sessionId: newId, handles: [] })
  })

  it('skips the claim once the window has surely passed', async () => {
    const h = makeHarness()
    await connected(h)
    h.server.refuse = true
    h.server.last.drop()
    await h.clock.advance(25_000) // reclaim 5 s + slack has long passed since the close
    h.server.refuse = false
    await h.clock.advance(30_000)
    expect(h.session.state.kind).toBe('connected')
    expect(h.server.last.verbs().slice(0, 2)).toEqual(['info', 'create'])
    expect(h.eventsOf('sessionLost')[0]?.reason).toBe('expired')
  })

  it('a session timeout announced by Janus is replaced on the same socket', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const socket = h.server.last
    h.server.killSession(id)
    socket.push({ janus: 'timeout', session_id: id })
    await h.clock.advance(0)
    expect(h.session.state.kind).toBe('connected')
    expect(h.session.id).not.toBe(id)
    expect(h.server.sockets).toHaveLength(1)
  })
})

describe('JanusSession: requests', () => {
  it('queues requests while reconnecting and delivers each exactly once after the claim', async () => {
    const h = makeHarness()
    await connected(h)
    const handle = await h.session.attach('janus.plugin.echotest')
    h.server.autoOpen = false
    h.server.last.drop()
    const replies = [handle.message({ n: 1 }), handle.message({ n: 2 }), handle.message({ n: 3 })]
    expect(h.session.queuedCount).toBe(3)
    h.server.last.open()
    await h.clock.advance(0)
    await expect(Promise.all(replies)).resolves.toHaveLength(3)
    const sentNs = h.server.sockets.flatMap((s) => s.sent).filter((m) => m.janus === 'message')
    expect(sentNs.map((m) => (m.body as { n: number }).n)).toEqual([1, 2, 3])
    expect(new Set(h.server.delivered).size).toBe(3)
    expect(h.server.delivered).toHaveLength(3)
  })

  it('a request that opts out of queueing fails fast with a clear error', async () => {
    const h = makeHarness()
    await connected(h)
    const handle = await h.session.attach('janus.plugin.echotest')
    h.server.autoOpen = false
    h.server.last.drop()
    await expect(
      handle.message({}, undefined, { retryAfterReconnect: false }),
    ).rejects.toMatchObject({
      kind: 'notConnected',
    })
  })

  it('a request lost in flight fails as outcome unknown; an idempotent one is sent again', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const handle = await h.session.attach('janus.plugin.echotest')
    h.server.last.blackholed = true
    const message = handle.message({ n: 1 })
    const trickle = h.session.request({
      janus: 'trickle',
      session_id: id,
      handle_id: handle.id,
      candidate: { completed: true },
    })
    const messageOutcome = expect(message).rejects.toMatchObject({
      kind: 'outcomeUnknown',
    })
    h.session.handleSystemEvent({ type: 'network-changed', addresses: [] })
    // The old socket is read for replies a moment longer (socket-drain.ts), then given up.
    await h.clock.advance(drainGraceMs)
    await messageOutcome
    await expect(trickle).resolves.toMatchObject({ janus: 'ack' })
    const trickles = h.server.sockets.flatMap((s) => s.sent).filter((m) => m.janus === 'trickle')
    expect(trickles).toHaveLength(2)
    // The timeline says which request's outcome is unknown (an attach may leave a handle).
    expect(h.session.incidents.list()).toContainEqual(
      expect.objectContaining({ kind: 'error', detail: 'lost before Janus answered: message' }),
    )
  })

  it('a detach lost with its socket goes out again after the claim: no zombie handle', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const handle = await h.session.attach('janus.plugin.echotest')
    h.server.last.blackholed = true
    const detached = h.session.request({ janus: 'detach', session_id: id, handle_id: handle.id })
    h.session.handleSystemEvent({ type: 'network-changed', addresses: [] })
    await h.clock.advance(drainGraceMs)
    await expect(detached).resolves.toMatchObject({ janus: 'success' })
    const detaches = h.server.sockets.flatMap((s) => s.sent).filter((m) => m.janus === 'detach')
    expect(detaches).toHaveLength(2)
  })

  /** Connected (with a call's handle when `withCall`), an attach written, its reply held. */
  async function attachInFlight({ withCall = false } = {}) {
    const h = makeHarness()
    const id = await connected(h)
    if (withCall) await h.session.attach('janus.plugin.echotest')
    const old = h.server.last
    old.held = []
    const attached = h.session.request({
      janus: 'attach',
      session_id: id,
      plugin: 'janus.plugin.sip',
    })
    return { h, old, attached }
  }

  it('on a network change a reply already on its way on the old socket is still read: no zombie handle', async () => {
    const { h, old, attached } = await attachInFlight()
    h.session.handleSystemEvent({ type: 'network-changed', addresses: ['10.2.0.2'] })
    await h.clock.advance(0)
    // The new socket holds the session already; the old one still brings the attach's reply.
    expect(h.session.state.kind).toBe('connected')
    expect(old.closedByClient).toBe(false)
    old.releaseHeld()
    await h.clock.advance(0)
    const reply = await attached
    expect(reply).toMatchObject({ janus: 'success' })
    expect(old.closedByClient).toBe(true)
    expect(h.session.incidents.list().map((i) => i.detail)).not.toContainEqual(
      expect.stringMatching(/lost before Janus answered/),
    )
  })

  it('going offline with an attach in flight still reads its reply if the link comes back: no zombie handle', async () => {
    const { h, old, attached } = await attachInFlight()
    // A flap: offline, and the link back a moment later with the old connection intact.
    h.session.handleSystemEvent({ type: 'offline' })
    await h.clock.advance(0)
    expect(old.closedByClient).toBe(false)
    h.session.handleSystemEvent({ type: 'online' })
    await h.clock.advance(0)
    expect(h.session.state.kind).toBe('connected')
    old.releaseHeld()
    await h.clock.advance(0)
    await expect(attached).resolves.toMatchObject({ janus: 'success' })
    expect(old.closedByClient).toBe(true)
    expect(h.session.incidents.list().map((i) => i.detail)).not.toContainEqual(
      expect.stringMatching(/lost before Janus answered/),
    )
  })

  it('an attach whose reply was lost, on a session holding nothing else: a new session, and the handle Janus made goes with the old', async () => {
    const { h, attached } = await attachInFlight()
    const first = h.session.id!
    const outcome = expect(attached).rejects.toMatchObject({ kind: 'outcomeUnknown' })
    h.session.handleSystemEvent({ type: 'network-changed', addresses: ['10.2.0.2'] })
    await h.clock.advance(0)
    expect(h.session.state.kind).toBe('connected')
    // Janus made the handle, but its reply never comes: the old path is gone.
    expect([...h.server.sessions.get(first)!.handles.values()]).toEqual(['janus.plugin.sip'])
    await h.clock.advance(drainGraceMs)
    await outcome
    await h.clock.advance(0)
    expect(h.server.sessions.has(first)).toBe(false)
    const second = h.session.id
    expect(second).toBeDefined()
    expect(second).not.toBe(first)
    expect(h.server.sessions.get(second!)?.handles.size).toBe(0)
    expect(h.session.state.kind).toBe('connected')
    expect(h.session.incidents.list().map((i) => i.detail)).toContain(
      `session ${first}: an attach lost its reply; starting afresh`,
    )
  })

  it('an attach lost with a socket that closed is found at the claim: the session is replaced there', async () => {
    const { h, old, attached } = await attachInFlight()
    const first = h.session.id!
    const outcome = expect(attached).rejects.toMatchObject({ kind: 'outcomeUnknown' })
    old.drop()
    await outcome
    await h.clock.advance(0)
    expect(h.server.sessions.has(first)).toBe(false)
    expect(h.session.id).not.toBe(first)
    expect(h.session.state.kind).toBe('connected')
    // Claimed first (the session was still there), then let go for a new one.
    const verbs = h.server.sockets.flatMap((s) => s.verbs())
    expect(verbs.slice(verbs.indexOf('claim'))).toEqual(['claim', 'destroy', 'info', 'create'])
  })

  it('a session let go while the plugins resync waits for their restore on the new one before it says connected', async () => {
    const { h, attached } = await attachInFlight()
    const outcome = expect(attached).rejects.toMatchObject({ kind: 'outcomeUnknown' })
    let resynced: () => void = () => undefined
    let restored: () => void = () => undefined
    h.session.addParticipant({
      name: 'room',
      resync: () => new Promise<void>((resolve) => (resynced = resolve)),
      restore: () => new Promise<void>((resolve) => (restored = resolve)),
    })
    h.session.handleSystemEvent({ type: 'network-changed', addresses: ['10.2.0.2'] })
    await h.clock.advance(0)
    expect(h.session.state).toMatchObject({ kind: 'recovering', reclaimed: true })
    await h.clock.advance(drainGraceMs)
    await outcome
    await h.clock.advance(0)
    expect(h.session.state).toMatchObject({ kind: 'recovering', reclaimed: false })
    // The claim's resync ends late: the new session's restore is still under way.
    resynced()
    await h.clock.advance(0)
    expect(h.session.state).toMatchObject({ kind: 'recovering', reclaimed: false })
    restored()
    await h.clock.advance(0)
    expect(h.session.state.kind).toBe('connected')
  })

  it('an attach lost while the session holds a call keeps the session (the unknown handle stays until it ends)', async () => {
    const { h, attached } = await attachInFlight({ withCall: true })
    const id = h.session.id!
    const outcome = expect(attached).rejects.toMatchObject({ kind: 'outcomeUnknown' })
    h.session.handleSystemEvent({ type: 'network-changed', addresses: ['10.2.0.2'] })
    await h.clock.advance(drainGraceMs)
    await outcome
    expect(h.session.id).toBe(id)
    expect(h.server.sessions.get(id)?.handles.size).toBe(2)
    expect(h.session.state.kind).toBe('connected')
  })

  it('going offline with no attach in flight gives up the old socket at once', async () => {
    const h = makeHarness()
    await connected(h)
    const handle = await h.session.attach('janus.plugin.echotest')
    const old = h.server.last
    old.held = []
    const message = handle.message({ n: 1 })
    const outcome = expect(message).rejects.toMatchObject({ kind: 'outcomeUnknown' })
    h.session.handleSystemEvent({ type: 'offline' })
    await h.clock.advance(0)
    expect(old.closedByClient).toBe(true)
    await outcome
  })

  it('times out a request that gets no reply', async () => {
    const h = makeHarness({ requestTimeoutMs: 2000 })
    const id = await connected(h)
    const handle = await h.session.attach('janus.plugin.echotest')
    h.server.last.blackholed = true
    const pending = h.session.request({
      janus: 'message',
      session_id: id,
      handle_id: handle.id,
      body: {},
    })
    const settled = pending.catch((error: unknown) => error)
    await h.clock.advance(2000)
    const error = await settled
    expect(error).toBeInstanceOf(ClientError)
    expect(error).toMatchObject({ kind: 'timeout' })
  })

  it('survives malformed and unexpected frames without crashing or leaking', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const unhandled = vi.fn()
    h.session.events.on('message', unhandled)
    const socket = h.server.last
    socket.push('not json')
    socket.push('[1,2,3]')
    socket.push({ janus: 42 })
    socket.push({ janus: 'success', transaction: 'nobody-asked' })
    socket.push({ janus: 'error', transaction: 'x' })
    socket.push({
      janus: 'event',
      session_id: id,
      sender: 999,
      plugindata: { plugin: 'x', data: {} },
    })
    socket.push({ janus: 'mystery', session_id: id })
    await h.clock.advance(10_000)
    expect(h.session.state.kind).toBe('connected')
    expect(unhandled).toHaveBeenCalledTimes(3)
    const handle = await h.session.attach('janus.plugin.echotest')
    await expect(handle.message({})).resolves.toMatchObject({ janus: 'ack' })
    expect((h.session as unknown as { ledger: { openCount: number } }).ledger.openCount).toBe(0)
  })
})

describe('JanusSession: auth', () => {
  it('refreshes an expired token on 403 and goes on', async () => {
    const refreshToken = vi.fn(async () => 'fresh')
    const h = makeHarness({ token: 'stale' }, { tokenProvider: { refreshToken } })
    h.server.validTokens = new Set(['fresh'])
    await connected(h)
    expect(refreshToken).toHaveBeenCalledTimes(1)
    expect(h.server.last.sent.at(-1)).toMatchObject({ janus: 'create', token: 'fresh' })
  })

  it('with a token service and no token yet, the first 403 fetches one', async () => {
    const refreshToken = vi.fn(async () => 'fresh')
    const h = makeHarness({}, { tokenProvider: { refreshToken } })
    h.server.validTokens = new Set(['fresh'])
    await connected(h)
    expect(refreshToken).toHaveBeenCalledTimes(1)
    expect(h.server.last.sent.at(-1)).toMatchObject({ janus: 'create', token: 'fresh' })
  })

  it('a request refused for a token already replaced goes again with the new one, without another fetch', async () => {
    const refreshToken = vi.fn(async () => 'second')
    const h = makeHarness({ token: 'first' }, { tokenProvider: { refreshToken } })
    h.server.validTokens = new Set(['first'])
    await connected(h)
    h.server.validTokens = new Set(['second'])
    const socket = h.server.last
    socket.blackholed = true
    const a = h.session.attach('janus.plugin.echotest')
    const b = h.session.attach('janus.plugin.echotest')
    await h.clock.advance(0)
    const [ta, tb] = socket.sent.filter((m) => m.janus === 'attach').map((m) => m.transaction)
    socket.blackholed = false
    const refused = { janus: 'error', error: { code: 403, reason: 'Unauthorized request' } }
    socket.push({ ...refused, transaction: ta as string })
    await h.clock.advance(0)
    socket.push({ ...refused, transaction: tb as string })
    await h.clock.advance(0)
    await expect(a).resolves.toBeDefined()
    await expect(b).resolves.toBeDefined()
    expect(refreshToken).toHaveBeenCalledTimes(1)
  })

  it('a token that cannot be refreshed ends in failed{unauthorized}', async () => {
    const h = makeHarness(
      { token: 'stale' },
      { tokenProvider: { refreshToken: async () => undefined } },
    )
    h.server.validTokens = new Set(['fresh'])
    h.session.connect()
    await h.clock.advance(0)
    expect(h.session.state).toMatchObject({ kind: 'failed', reason: 'unauthorized' })
    expect(h.eventsOf('disconnected')[0]?.reason).toBe('unauthorized')
  })

  it('a token expiring mid-session is refreshed on the keepalive', async () => {
    let next = 'second'
    const h = makeHarness({ token: 'first' }, { tokenProvider: { refreshToken: async () => next } })
    h.server.validTokens = new Set(['first'])
    await connected(h)
    h.server.validTokens = new Set(['second'])
    await h.clock.advance(3000)
    expect(h.session.state.kind).toBe('connected')
    expect(h.server.last.sent.at(-1)).toMatchObject({ janus: 'keepalive', token: 'second' })
    next = 'second'
  })

  it('stamps the API secret on every request', async () => {
    const h = makeHarness({ apiSecret: 's3cret' })
    await connected(h)
    await h.clock.advance(2000)
    const sent = h.server.last.sent.filter((m) => m.janus !== 'info')
    expect(sent.length).toBeGreaterThan(1)
    expect(sent.every((m) => m.apisecret === 's3cret')).toBe(true)
  })
})

/** A page that attached a SIP handle and went away, and the next page on the same store. */
async function pageLeftSipHandleBehind() {
  const first = makeHarness()
  const id = await connected(first)
  await first.session.attach('janus.plugin.sip')
  first.session.releaseForUnload()
  await first.clock.advance(0)
  const second = makeHarness({}, { store: first.store, clock: first.clock, server: first.server })
  return { first, id, second }
}

describe('JanusSession: persistence', () => {
  it('a new page claims the stored session, detaches orphaned handles and says so', async () => {
    const first = makeHarness()
    const id = await connected(first)
    await first.session.attach('janus.plugin.echotest')
    first.session.releaseForUnload()
    await first.clock.advance(0)
    const stored = first.store.value as { handles: { id: number }[] }
    expect(stored.handles).toHaveLength(1)

    const second = makeHarness({}, { store: first.store, clock: first.clock, server: first.server })
    await connected(second)
    expect(second.session.id).toBe(id)
    expect(first.server.last.verbs()).toEqual(['info', 'claim', 'detach'])
    expect(first.server.sessions.get(id)?.handles.size).toBe(0)
    expect(second.eventsOf('connected')).toEqual([{ sessionId: id, resumedFromStore: true }])
    expect(second.store.value).toMatchObject({ sessionId: id, handles: [] })
  })

  it('an orphan whose detach was lost with the connection is detached after the next claim', async () => {
    const { first, id, second } = await pageLeftSipHandleBehind()
    first.server.dropOnVerb = 'detach'
    second.session.connect()
    await second.clock.advance(3000)
    expect(second.session.state.kind).toBe('connected')
    expect(second.session.id).toBe(id)
    // Detached on the second claim: a SIP handle left behind would stay registered.
    expect(first.server.last.verbs().slice(0, 2)).toEqual(['claim', 'detach'])
    expect(first.server.sessions.get(id)?.handles.size).toBe(0)
    expect(second.session.listHandles()).toEqual([])
  })

  it('orphans are detached even when the first claim of the new page was lost', async () => {
    const { first, id, second } = await pageLeftSipHandleBehind()
    first.server.dropOnVerb = 'claim'
    second.session.connect()
    await second.clock.advance(5000)
    expect(second.session.state.kind).toBe('connected')
    expect(second.session.id).toBe(id)
    expect(first.server.sessions.get(id)?.handles.size).toBe(0)
    expect(second.session.listHandles()).toEqual([])
  })

  it('a stored session older than its windows is discarded without a claim', async () => {
    const first = makeHarness()
    await connected(first)
    first.session.releaseForUnload()
    await first.clock.advance(0)
    first.clock.jump(60_000)
    const second = makeHarness({}, { store: first.store, clock: first.clock, server: first.server })
    await connected(second)
    expect(first.server.last.verbs()).toEqual(['info', 'create'])
  })

  it('a stored session for another server or a malformed record is ignored', async () => {
    const first = makeHarness()
    await connected(first)
    const other = makeHarness(
      { serverUrl: 'ws://elsewhere:8188' },
      { store: first.store, clock: first.clock, server: first.server },
    )
    await connected(other)
    expect(first.server.last.verbs()).toEqual(['info', 'create'])
    first.store.value = { version: 1, sessionId: 'nope' }
    const third = makeHarness({}, { store: first.store, clock: first.clock, server: first.server })
    await connected(third)
    expect(first.server.last.verbs()).toEqual(['info', 'create'])
  })

  it('disconnect destroys the session, clears the store and closes', async () => {
    const h = makeHarness()
    const id = await connected(h)
    await h.session.disconnect()
    expect(h.server.sessions.has(id)).toBe(false)
    expect(h.store.value).toBeUndefined()
    expect(h.session.state).toEqual({ kind: 'closed' })
    expect(h.eventsOf('disconnected')).toEqual([
      { reason: 'clientDisconnected', message: 'Disconnected' },
    ])
    expect(h.server.openSockets()).toHaveLength(0)
    h.session.connect()
    await h.clock.advance(0)
    expect(h.session.state.kind).toBe('connected')
  })
})
