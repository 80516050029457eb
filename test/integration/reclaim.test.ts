/**
 * The session core against a real Janus (Debian's package) through a relay the test controls,
 * with the Admin API as the server-side truth.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  JanusSession,
  type JanusSessionOptions,
  type SessionEvents,
} from '../../renderer/core/janus-session'
import type { TokenProvider } from '../../renderer/core/host'
import type { JanusMessage } from '../../renderer/core/janus-protocol'
import { listHandles, listSessions } from '../lab/admin'
import { janusAvailable, startJanus, type RunningJanus } from '../lab/janus-process'
import { realClock, waitFor, wsSocketFactory } from '../lab/node-runtime'
import { startRelay, type Relay } from '../lab/relay'
import { signToken } from '../lab/tokens'
import { MemoryStore } from '../unit/support/fake-janus'

if (!janusAvailable())
  throw new Error(
    'janus is not on PATH: install it (apt-get install -y janus) or run the test command as root',
  )

const ECHO = 'janus.plugin.echotest'
const live: { session: JanusSession }[] = []

function makeSession(
  url: string,
  options: Partial<JanusSessionOptions> = {},
  tokenProvider?: TokenProvider,
) {
  const store = new MemoryStore()
  const session = new JanusSession(
    { serverUrl: url, ...options },
    {
      clock: realClock,
      random: Math.random,
      openSocket: wsSocketFactory,
      store,
      ...(tokenProvider ? { tokenProvider } : {}),
    },
  )
  const seen: { name: keyof SessionEvents; payload: unknown }[] = []
  for (const name of [
    'reconnecting',
    'reconnected',
    'sessionLost',
    'connected',
    'disconnected',
  ] as const) {
    session.events.on(name, (payload) => seen.push({ name, payload }))
  }
  live.push({ session })
  return { session, store, seen }
}

async function connectAndWait(session: JanusSession): Promise<number> {
  session.connect()
  await waitFor('connected', () => session.state.kind === 'connected')
  return session.id!
}

/** Sends an echotest message and resolves with the plugin event for it. */
function echoRoundTrip(
  handle: Awaited<ReturnType<JanusSession['attach']>>,
  body: Record<string, unknown> = { audio: true },
): Promise<JanusMessage> {
  return new Promise((resolve, reject) => {
    let transaction: string | undefined
    const early: JanusMessage[] = []
    const off = handle.onEvent((m) => {
      if (m.janus !== 'event') return
      if (transaction === undefined) early.push(m)
      else if (m.transaction === transaction) {
        off()
        resolve(m)
      }
    })
    handle.message(body).then((ack) => {
      transaction = ack.transaction
      const found = early.find((m) => m.transaction === transaction)
      if (found) {
        off()
        resolve(found)
      }
    }, reject)
  })
}

afterEach(async () => {
  for (const { session } of live.splice(0)) await session.disconnect().catch(() => undefined)
})

describe('against a real Janus (reclaim 5 s, session 15 s)', () => {
  let janus: RunningJanus
  let relay: Relay
  const admin = () => [janus.adminUrl, janus.config.adminSecret] as const

  beforeAll(async () => {
    janus = await startJanus({
      reclaimSessionTimeoutS: 5,
      sessionTimeoutS: 15,
      plugins: ['echotest'],
    })
    relay = await startRelay({ host: '127.0.0.1', port: janus.config.wsPort })
  })
  afterAll(async () => {
    await relay?.close()
    await janus?.stop()
  })
  afterEach(() => relay.heal())

  it('claims the same session after the socket drops; the old handle still answers', async () => {
    const { session, seen } = makeSession(relay.url)
    const id = await connectAndWait(session)
    const handle = await session.attach(ECHO)
    relay.cut()
    await waitFor('reconnected', () => seen.some((e) => e.name === 'reconnected'))
    // An abrupt cut reaches the client as a clean close or as a reset (an error first).
    const reason = (seen.find((e) => e.name === 'reconnecting')?.payload as { reason: string })
      .reason
    expect(['socketClosed', 'socketError']).toContain(reason)
    expect(seen.find((e) => e.name === 'reconnected')?.payload).toMatchObject({
      sessionId: id,
      reclaimed: true,
    })
    expect(session.id).toBe(id)
    await expect(echoRoundTrip(handle)).resolves.toMatchObject({
      sender: handle.id,
      plugindata: { plugin: ECHO },
    })
    expect(await listSessions(...admin())).toContain(id)
    expect(await listHandles(...admin(), id)).toEqual([handle.id])
  })

  it('after the window: 458, a new session, handles re-attached, the old one gone from the server', async () => {
    const { session, seen } = makeSession(relay.url)
    const oldId = await connectAndWait(session)
    let handle = await session.attach(ECHO)
    session.addParticipant({
      name: 'echo',
      restore: async () => {
        handle = await session.attach(ECHO)
      },
    })
    relay.refuse()
    relay.cut()
    await waitFor(
      'the old session to expire on the server',
      async () => !(await listSessions(...admin())).includes(oldId),
      30_000,
    )
    relay.heal()
    await waitFor('reconnected', () => seen.some((e) => e.name === 'reconnected'), 40_000)
    const newId = session.id!
    expect(newId).not.toBe(oldId)
    expect(seen.some((e) => e.name === 'sessionLost')).toBe(true)
    expect(seen.find((e) => e.name === 'reconnected')?.payload).toMatchObject({
      sessionId: newId,
      reclaimed: false,
    })
    const sessions = await listSessions(...admin())
    expect(sessions).toContain(newId)
    expect(sessions).not.toContain(oldId)
    expect(await listHandles(...admin(), newId)).toEqual([handle.id])
    await expect(echoRoundTrip(handle)).resolves.toMatchObject({ sender: handle.id })
  })

  it('twenty drops within ten seconds leave exactly one live session', async () => {
    const before = new Set(await listSessions(...admin()))
    const { session } = makeSession(relay.url)
    const id = await connectAndWait(session)
    const handle = await session.attach(ECHO)
    for (let i = 0; i < 20; i++) {
      relay.cut()
      await waitFor(`reconnect ${i}`, () => session.state.kind === 'connected' && relay.open === 1)
    }
    const after = (await listSessions(...admin())).filter((s) => !before.has(s))
    expect(after).toEqual([id])
    expect(relay.open).toBe(1)
    await expect(echoRoundTrip(handle)).resolves.toMatchObject({ sender: handle.id })
  })

  it('an attach Janus carried out whose reply was lost, on a session holding nothing else: a new session, and no handle left behind', async () => {
    const { session, seen } = makeSession(relay.url)
    const id = await connectAndWait(session)
    relay.deafen()
    const attached = session.request({ janus: 'attach', session_id: id, plugin: ECHO })
    const outcome = attached.catch((error: unknown) => error)
    // Janus made the handle; its reply went nowhere.
    await waitFor(
      'the handle on the server',
      async () => (await listHandles(...admin(), id)).length === 1,
    )
    session.handleSystemEvent({ type: 'network-changed', addresses: [] })
    expect(await outcome).toMatchObject({ kind: 'outcomeUnknown' })
    await waitFor('a new session', () => session.state.kind === 'connected' && session.id !== id)
    await waitFor(
      'the old session gone',
      async () => !(await listSessions(...admin())).includes(id),
    )
    expect(await listHandles(...admin(), session.id!)).toEqual([])
    expect(seen.find((e) => e.name === 'sessionLost')?.payload).toMatchObject({
      sessionId: id,
      reason: 'replaced',
    })
  })

  it('a dead connection that never closes is found by the keepalive bound and recovered', async () => {
    const { session, seen } = makeSession(relay.url)
    const id = await connectAndWait(session)
    const handle = await session.attach(ECHO)
    session.setMediaActive('call', true)
    await waitFor('the in-call cadence', () => session.keepalive.intervalMs === 1000)
    const cutAt = Date.now()
    relay.blackhole()
    await waitFor('loss detection', () => seen.some((e) => e.name === 'reconnecting'))
    const detectedMs = Date.now() - cutAt
    expect(seen.find((e) => e.name === 'reconnecting')?.payload).toMatchObject({
      reason: 'keepaliveTimeout',
    })
    await waitFor('reconnected', () => session.state.kind === 'connected')
    expect(session.id).toBe(id)
    expect(relay.open).toBe(1) // the dead socket was closed by the client
    await expect(echoRoundTrip(handle)).resolves.toMatchObject({ sender: handle.id })
    console.log(
      `dead path detected after ${detectedMs} ms (bound ${session.keepalive.intervalMs + session.keepalive.ackTimeoutMs} ms)`,
    )
  })

  it('requests made while disconnected are delivered exactly once after the reclaim', async () => {
    const { session } = makeSession(relay.url)
    await connectAndWait(session)
    const handle = await session.attach(ECHO)
    const events: JanusMessage[] = []
    handle.onEvent((m) => m.janus === 'event' && events.push(m))
    relay.refuse()
    relay.cut()
    await waitFor('reconnecting', () => session.state.kind === 'reconnecting')
    const acks = Promise.all([1, 2, 3].map((n) => handle.message({ audio: n !== 2 })))
    expect(session.queuedCount).toBe(3)
    relay.heal()
    session.handleSystemEvent({ type: 'online' })
    const replies = await acks
    await waitFor('three plugin events', () => events.length >= 3)
    const transactions = replies.map((r) => r.transaction)
    expect(new Set(transactions).size).toBe(3)
    for (const t of transactions) expect(events.filter((e) => e.transaction === t)).toHaveLength(1)
  })

  it('a server that is down is retried until it comes back', async () => {
    relay.refuse()
    const { session, seen } = makeSession(relay.url)
    session.connect()
    await waitFor('reconnecting', () => session.state.kind === 'reconnecting')
    expect(session.state).toMatchObject({ reason: 'serverUnreachable' })
    relay.heal()
    session.handleSystemEvent({ type: 'online' })
    await waitFor('connected', () => session.state.kind === 'connected')
    expect(seen.some((e) => e.name === 'connected')).toBe(true)
  })
})

describe('against a real Janus that restarts', () => {
  it('a restarted server gets a new session and the plugins restore', async () => {
    const janus = await startJanus({ plugins: ['echotest'] })
    try {
      const { session, seen } = makeSession(janus.url)
      const oldId = await connectAndWait(session)
      let handle = await session.attach(ECHO)
      session.addParticipant({
        name: 'echo',
        restore: async () => void (handle = await session.attach(ECHO)),
      })
      await janus.restart()
      session.handleSystemEvent({ type: 'online' })
      await waitFor('reconnected', () => seen.some((e) => e.name === 'reconnected'), 30_000)
      expect(session.id).not.toBe(oldId)
      expect(seen.find((e) => e.name === 'sessionLost')?.payload).toMatchObject({
        sessionId: oldId,
        reason: 'notFound',
      })
      expect(await listSessions(janus.adminUrl, janus.config.adminSecret)).toEqual([session.id])
      await expect(echoRoundTrip(handle)).resolves.toMatchObject({ sender: handle.id })
    } finally {
      for (const { session } of live.splice(0)) await session.disconnect().catch(() => undefined)
      await janus.stop()
    }
  })
})

describe('against a real Janus with token auth', () => {
  const secret = 'holdfast-token-secret'
  let janus: RunningJanus
  beforeAll(async () => {
    janus = await startJanus({ tokenAuthSecret: secret, plugins: ['echotest'] })
  })
  afterAll(async () => janus?.stop())

  it('an expired token is refreshed through the host and the session goes on', async () => {
    const now = Math.floor(Date.now() / 1000)
    let refreshes = 0
    const provider: TokenProvider = {
      refreshToken: async () => {
        refreshes++
        return signToken(secret, Math.floor(Date.now() / 1000) + 3600, [ECHO])
      },
    }
    const { session } = makeSession(
      janus.url,
      { token: signToken(secret, now + 2, [ECHO]) },
      provider,
    )
    const id = await connectAndWait(session)
    await waitFor('the token to expire and be refreshed', () => refreshes > 0, 15_000)
    const handle = await session.attach(ECHO)
    await expect(echoRoundTrip(handle)).resolves.toMatchObject({ sender: handle.id })
    expect(session.state).toEqual({ kind: 'connected', sessionId: id })
    expect(await listSessions(janus.adminUrl, janus.config.adminSecret)).toContain(id)
  })

  it('a token that cannot be refreshed ends in failed{unauthorized}', async () => {
    const { session, seen } = makeSession(
      janus.url,
      { token: 'garbage' },
      { refreshToken: async () => undefined },
    )
    session.connect()
    await waitFor('failed', () => session.state.kind === 'failed')
    expect(session.state).toMatchObject({ kind: 'failed', reason: 'unauthorized' })
    expect(seen.find((e) => e.name === 'disconnected')?.payload).toMatchObject({
      reason: 'unauthorized',
    })
  })
})

describe('against a real Janus with an API secret', () => {
  let janus: RunningJanus
  beforeAll(async () => {
    janus = await startJanus({ apiSecret: 'holdfast-api-secret', plugins: ['echotest'] })
  })
  afterAll(async () => janus?.stop())

  it('the right secret connects and its requests pass; a claim after a drop carries it too', async () => {
    const relay = await startRelay({ host: '127.0.0.1', port: janus.config.wsPort })
    try {
      const { session, seen } = makeSession(relay.url, { apiSecret: 'holdfast-api-secret' })
      const id = await connectAndWait(session)
      const handle = await session.attach(ECHO)
      relay.cut()
      await waitFor('reconnected', () => seen.some((e) => e.name === 'reconnected'))
      expect(session.id).toBe(id)
      await expect(echoRoundTrip(handle)).resolves.toMatchObject({ sender: handle.id })
    } finally {
      await relay.close()
    }
  })

  it('a wrong secret ends in failed{unauthorized} without retrying forever', async () => {
    const before = await listSessions(janus.adminUrl, janus.config.adminSecret)
    const { session } = makeSession(janus.url, { apiSecret: 'wrong' })
    session.connect()
    await waitFor('failed', () => session.state.kind === 'failed')
    expect(session.state).toMatchObject({ kind: 'failed', reason: 'unauthorized' })
    const after = await listSessions(janus.adminUrl, janus.config.adminSecret)
    expect(after.filter((id) => !before.includes(id))).toEqual([])
  })
})
