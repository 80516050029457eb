/** A session core with a pool of servers (issue 14), against two fake Janus servers. */
import { describe, expect, it } from 'vitest'
import type { SocketFactory } from '../../renderer/core/socket'
import { FakeJanus, MemoryStore } from './support/fake-janus'
import { connected, makeHarness } from './support/harness'

const A = 'ws://janus-a.test:8188'
const B = 'ws://janus-b.test:8188'

function twoServers(store = new MemoryStore()) {
  const a = new FakeJanus()
  const b = new FakeJanus()
  const tried: string[] = []
  const openSocket: SocketFactory = (url, protocol, handlers) => {
    tried.push(url)
    return (url === A ? a : b).factory(url, protocol, handlers)
  }
  const h = makeHarness(
    { serverUrl: A, moreServers: [B], socketRace: false },
    { openSocket, store },
  )
  const moves: unknown[] = []
  h.session.events.on('serverChanged', (move) => moves.push(move))
  return { h, a, b, tried, moves }
}

describe('JanusSession: a pool of servers', () => {
  it('claims only where the session lives while it may be claimed, then moves to the next server', async () => {
    const t = twoServers()
    const id = await connected(t.h)
    expect(t.h.session.serverUrl).toBe(A)
    // A dies for good.
    t.a.refuse = true
    t.a.last.drop()
    // Within A's reclaim window (5 s, and 5 s of slack) every attempt goes to A.
    await t.h.clock.advance(9000)
    expect(t.tried.slice(1).every((url) => url === A)).toBe(true)
    expect(t.b.sockets).toHaveLength(0)
    // Past it the session surely expired on A: the next attempt makes a new one on B.
    await t.h.clock.advance(20_000)
    expect(t.h.session.state.kind).toBe('connected')
    expect(t.h.session.serverUrl).toBe(B)
    expect(t.b.sessions.has(t.h.session.id!)).toBe(true)
    expect(t.b.sockets[0]!.verbs().slice(0, 2)).toEqual(['info', 'create'])
    expect(t.moves).toEqual([
      { from: A, to: B, why: expect.stringMatching(/cannot reach|refused/) },
    ])
    expect(t.h.eventsOf('sessionLost')).toEqual([{ sessionId: id, reason: 'expired' }])
    expect(t.h.store.value).toMatchObject({ serverUrl: B })
  })

  it('moves the moment the session surely expired, not at the next backoff step', async () => {
    const t = twoServers()
    await connected(t.h)
    t.a.refuse = true
    const lostAt = t.h.clock.now()
    t.a.last.drop()
    let movedAt: number | undefined
    t.h.session.events.on('serverChanged', () => (movedAt = t.h.clock.now()))
    await t.h.clock.advance(30_000)
    // A's window (5 s) and the slack (5 s): the move goes right after 10 s (the backoff's
    // attempts at 1, 3 and 7 s would next try at 15 s).
    expect(movedAt! - lostAt).toBeGreaterThan(10_000)
    expect(movedAt! - lostAt).toBeLessThan(11_000)
    // Once moved, nothing spins: a handful of attempts in all.
    expect(t.tried.length).toBeLessThan(10)
  })

  it('a server that refuses new sessions (472, draining) is left for the next', async () => {
    const t = twoServers()
    t.a.refuseVerb('create', 472, 'Not accepting new sessions')
    t.h.session.connect()
    await t.h.clock.advance(10_000)
    expect(t.h.session.state.kind).toBe('connected')
    expect(t.h.session.serverUrl).toBe(B)
  })

  it('the first server back is used again only for new sessions: the session stays where it is', async () => {
    const t = twoServers()
    t.a.refuse = true
    t.h.session.connect()
    await t.h.clock.advance(10_000)
    expect(t.h.session.serverUrl).toBe(B)
    const id = t.h.session.id
    t.a.refuse = false
    t.b.last.drop()
    await t.h.clock.advance(0)
    expect(t.h.session.serverUrl).toBe(B)
    expect(t.h.session.id).toBe(id)
    expect(t.b.last.verbs()[0]).toBe('claim')
  })

  it('a stored session is claimed on the server that holds it, not the first configured', async () => {
    const store = new MemoryStore()
    const first = twoServers(store)
    first.a.refuse = true
    first.h.session.connect()
    await first.h.clock.advance(10_000)
    const id = first.h.session.id
    expect(store.value).toMatchObject({ serverUrl: B, sessionId: id })
    // The app starts again (same store, same servers behind), A reachable again.
    const b = first.b
    const a = new FakeJanus()
    const tried: string[] = []
    const again = makeHarness(
      { serverUrl: A, moreServers: [B], socketRace: false },
      {
        store,
        clock: first.h.clock,
        openSocket: (url, protocol, handlers) => {
          tried.push(url)
          return (url === A ? a : b).factory(url, protocol, handlers)
        },
      },
    )
    again.session.connect()
    await first.h.clock.advance(2000)
    expect(again.session.state.kind).toBe('connected')
    expect(again.session.id).toBe(id)
    expect(again.session.serverUrl).toBe(B)
    expect(a.sockets.every((s) => !s.verbs().includes('claim'))).toBe(true)
  })
})
