import { describe, expect, it, vi } from 'vitest'
import { defaultBackoff } from '../../renderer/core/backoff'
import { Emitter } from '../../renderer/core/emitter'
import { readServerInfo } from '../../renderer/core/janus-protocol'
import { RetrySchedule, fastRetryDelays } from '../../renderer/core/session/retry-schedule'
import { connected, makeHarness } from './support/harness'

describe('JanusSession: servers that refuse or misbehave', () => {
  it('a 403 while re-creating a lost session asks for a token once, then ends as unauthorized', async () => {
    const refreshToken = vi.fn(async () => 'also-expired')
    const h = makeHarness({ token: 'first' }, { tokenProvider: { refreshToken } })
    h.server.validTokens = new Set(['first'])
    const id = await connected(h)
    // The token expires, then Janus times the session out on the same socket.
    h.server.validTokens = new Set(['only-the-operator-knows'])
    h.server.killSession(id)
    h.server.last.push({ janus: 'timeout', session_id: id })
    await h.clock.advance(0)
    expect(refreshToken).toHaveBeenCalledTimes(1)
    expect(h.session.state).toMatchObject({ kind: 'failed', reason: 'unauthorized' })
    expect(h.eventsOf('disconnected')).toEqual([
      { reason: 'unauthorized', message: 'The server refused the API secret or token' },
    ])
    // Nothing is retried afterwards.
    const sent = h.server.sockets.flatMap((s) => s.sent).length
    await h.clock.advance(120_000)
    expect(h.server.sockets.flatMap((s) => s.sent)).toHaveLength(sent)
  })

  it('a draining server (472) is retried with backoff until it takes new sessions', async () => {
    const h = makeHarness()
    h.server.refuseVerb('create', 472, 'Not accepting new sessions', 2)
    h.session.connect()
    await h.clock.advance(0)
    expect(h.session.state).toMatchObject({ kind: 'reconnecting', attempt: 2 })
    await h.clock.advance(1000)
    expect(h.session.state).toMatchObject({ kind: 'reconnecting', attempt: 3 })
    await h.clock.advance(2000)
    expect(h.session.state.kind).toBe('connected')
    expect(h.retryDelays).toEqual([1000, 2000])
  })

  it('a claim refused for another reason than 458 starts a new session and says so', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const restore = vi.fn()
    h.session.addParticipant({ name: 'plugin', restore })
    h.server.refuseVerb('claim', 468, 'Session conflict', 1)
    h.server.last.drop()
    await h.clock.advance(0)
    expect(h.session.state.kind).toBe('connected')
    expect(h.session.id).not.toBe(id)
    expect(h.eventsOf('sessionLost')).toEqual([{ sessionId: id, reason: 'claimRefused' }])
    expect(restore).toHaveBeenCalledTimes(1)
  })

  it('a claim refused for the credentials is not answered by creating a session', async () => {
    const h = makeHarness()
    await connected(h)
    h.server.refuseVerb('claim', 403, 'Unauthorized request', 1)
    h.server.last.drop()
    await h.clock.advance(0)
    expect(h.session.state).toMatchObject({ kind: 'failed', reason: 'unauthorized' })
    expect(h.server.last.verbs()).not.toContain('create')
  })

  it.each([
    ['no data', { janus: 'success' }],
    ['no id', { janus: 'success', data: {} }],
    ['a text id', { janus: 'success', data: { id: '42' } }],
    ['a fraction', { janus: 'success', data: { id: 4.5 } }],
    ['a negative id', { janus: 'success', data: { id: -7 } }],
    ['an unsafe integer', { janus: 'success', data: { id: 2 ** 60 } }],
  ])(
    'a create answered with %s fails as serverError after one try, leaking no sessions',
    async (_, reply) => {
      const h = makeHarness()
      h.server.answer('create', reply)
      h.session.connect()
      await h.clock.advance(60_000)
      expect(h.session.state).toMatchObject({ kind: 'failed', reason: 'serverError' })
      const creates = h.server.sockets.flatMap((s) => s.verbs()).filter((v) => v === 'create')
      expect(creates).toHaveLength(1)
    },
  )

  it.each([
    [0, 0],
    [-5, 60],
    [12.7, 12],
    [1e20, 86_400],
    [Number.NaN, 60],
  ])('an info session-timeout of %s is read as %s', (given, read) => {
    expect(readServerInfo({ janus: 'server_info', 'session-timeout': given }).sessionTimeoutS).toBe(
      read,
    )
  })

  it('absurd windows in info still give a sane keepalive and a working session', async () => {
    const h = makeHarness()
    h.server.answer('info', {
      janus: 'server_info',
      'session-timeout': 1e20,
      'reclaim-session-timeout': -3,
    })
    await connected(h)
    expect(h.session.info).toMatchObject({ sessionTimeoutS: 86_400, reclaimSessionTimeoutS: 0 })
    expect(h.session.keepalive.intervalMs).toBeGreaterThanOrEqual(1000)
    expect(h.session.keepalive.intervalMs).toBeLessThanOrEqual(25_000)
  })
})

describe('JanusSession: a session Janus drops under a live socket', () => {
  it('is replaced as recreated: plugins restore and requests for the old one fail', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const handle = await h.session.attach('janus.plugin.echotest')
    const restore = vi.fn()
    const resync = vi.fn()
    h.session.addParticipant({ name: 'plugin', restore, resync })
    const kinds = () => h.session.incidents.list().map((i) => i.kind)
    h.server.killSession(id)
    h.server.last.push({ janus: 'timeout', session_id: id })
    // Made while the new session is being created: it was meant for the old one.
    const queued = handle.message({ n: 1 }).catch((error: unknown) => error)
    await h.clock.advance(10_000)
    expect(h.session.state.kind).toBe('connected')
    expect(h.session.id).not.toBe(id)
    expect(kinds().filter((k) => k === 'created' || k === 'recreated')).toEqual([
      'created',
      'recreated',
    ])
    expect(restore).toHaveBeenCalledTimes(1)
    expect(resync).not.toHaveBeenCalled()
    expect(await queued).toMatchObject({ kind: 'sessionLost' })
    expect(h.eventsOf('reconnected')).toMatchObject([{ reclaimed: false }])
  })
})

describe('RetrySchedule', () => {
  it('counts attempts and backs off 1, 2, 4 s with the jitter pinned', () => {
    const schedule = new RetrySchedule(defaultBackoff, () => 0.5)
    schedule.begin(false)
    expect(schedule.attempt).toBe(1)
    expect([schedule.next(), schedule.next(), schedule.next()]).toEqual([1000, 2000, 4000])
    expect(schedule.attempt).toBe(4)
  })

  it('after a network signal retries fast first, then backs off from the start', () => {
    const schedule = new RetrySchedule(defaultBackoff, () => 0.5)
    schedule.begin(true)
    const delays = fastRetryDelays.map(() => schedule.next())
    expect(delays).toEqual([...fastRetryDelays])
    expect(schedule.next()).toBe(1000)
  })

  it('a new run starts the backoff over', () => {
    const schedule = new RetrySchedule(defaultBackoff, () => 0.5)
    schedule.begin(false)
    schedule.next()
    schedule.next()
    schedule.begin(false)
    expect(schedule.next()).toBe(1000)
    schedule.end()
    expect(schedule.attempt).toBe(0)
  })
})

describe('Emitter', () => {
  it('reports a listener that throws with the event name, and still calls the others', () => {
    const reported: [string, unknown][] = []
    const emitter = new Emitter<{ ping: number }>((event, error) => reported.push([event, error]))
    const seen: number[] = []
    emitter.on('ping', () => {
      throw new Error('boom')
    })
    emitter.on('ping', (n) => seen.push(n))
    emitter.emit('ping', 7)
    expect(seen).toEqual([7])
    expect(reported).toHaveLength(1)
    expect(reported[0]?.[0]).toBe('ping')
    expect(String(reported[0]?.[1])).toContain('boom')
  })

  it('the session logs a throwing listener with the event it was handling', async () => {
    const warn = vi.fn()
    const h = makeHarness({}, {})
    ;(h.session as unknown as { log: { warn: typeof warn; info: () => void } }).log = {
      warn,
      info: () => undefined,
    }
    h.session.events.on('connected', () => {
      throw new Error('listener bug')
    })
    await connected(h)
    expect(warn).toHaveBeenCalledWith('a listener of "connected" threw', expect.any(Error))
  })
})
