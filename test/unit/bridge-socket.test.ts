import { describe, expect, it } from 'vitest'
import { createBridgeSocketClass, requestTagField } from '../../renderer/core/bridge-socket'
import { drainGraceMs } from '../../renderer/core/session/socket-drain'
import { connected, makeHarness } from './support/harness'

/** Drives a bridge socket the way janus.js does and records what it receives. */
async function openBridge(h: ReturnType<typeof makeHarness>) {
  const Bridge = createBridgeSocketClass(h.session)
  const socket = new Bridge('ws://janus.test:8188', 'janus-protocol')
  const received: Record<string, unknown>[] = []
  const closes: unknown[] = []
  socket.addEventListener('message', (e) => received.push(JSON.parse((e as { data: string }).data)))
  socket.addEventListener('close', (e) => closes.push(e))
  await h.clock.settle()
  expect(socket.readyState).toBe(1)
  return { socket, received, closes }
}

/** What janus.js is told, in order: each message as "verb transaction", and "close". */
function toldInOrder(socket: {
  addEventListener(type: string, listener: (e: unknown) => void): void
}) {
  const told: string[] = []
  socket.addEventListener('message', (e) => {
    const m = JSON.parse((e as { data: string }).data) as { janus: string; transaction?: string }
    told.push(`${m.janus} ${m.transaction ?? ''}`.trim())
  })
  socket.addEventListener('close', () => told.push('close'))
  return told
}

describe('bridge socket (the janus.js seam)', () => {
  it('answers create with the core session and passes attach through, recording the handle', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const { socket, received } = await openBridge(h)
    socket.send(JSON.stringify({ janus: 'create', transaction: 'a' }))
    await h.clock.settle()
    expect(received.at(-1)).toEqual({ janus: 'success', transaction: 'a', data: { id } })
    socket.send(
      JSON.stringify({
        janus: 'attach',
        plugin: 'janus.plugin.echotest',
        session_id: id,
        transaction: 'b',
      }),
    )
    await h.clock.settle()
    expect(received.at(-1)).toMatchObject({ janus: 'success', transaction: 'b' })
    expect(h.session.listHandles()).toEqual([
      { id: (received.at(-1)!.data as { id: number }).id, plugin: 'janus.plugin.echotest' },
    ])
    expect(h.store.value).toMatchObject({ handles: [{ plugin: 'janus.plugin.echotest' }] })
  })

  it('answers janus.js keepalives locally and routes plugin events to janus.js', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const { socket, received } = await openBridge(h)
    socket.send(JSON.stringify({ janus: 'create', transaction: 'a' }))
    socket.send(JSON.stringify({ janus: 'keepalive', session_id: id, transaction: 'k' }))
    await h.clock.settle()
    expect(received.at(-1)).toEqual({ janus: 'ack', session_id: id, transaction: 'k' })
    expect(h.server.last.verbs()).not.toContain('keepalive')
    socket.send(
      JSON.stringify({
        janus: 'attach',
        plugin: 'janus.plugin.echotest',
        session_id: id,
        transaction: 'b',
      }),
    )
    await h.clock.settle()
    const handleId = (received.at(-1)!.data as { id: number }).id
    socket.send(
      JSON.stringify({
        janus: 'message',
        session_id: id,
        handle_id: handleId,
        body: {},
        transaction: 'm',
      }),
    )
    await h.clock.settle()
    expect(received.slice(-2).map((m) => m.janus)).toEqual(['ack', 'event'])
  })

  it('a tagged plugin request: Janus never sees the tag, its own event carries it, others do not', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const { socket, received } = await openBridge(h)
    socket.send(JSON.stringify({ janus: 'create', transaction: 'a' }))
    socket.send(
      JSON.stringify({
        janus: 'attach',
        plugin: 'janus.plugin.sip',
        session_id: id,
        transaction: 'b',
      }),
    )
    await h.clock.settle()
    const handleId = (received.at(-1)!.data as { id: number }).id
    const message = (transaction: string, body: Record<string, unknown>) =>
      socket.send(
        JSON.stringify({
          janus: 'message',
          session_id: id,
          handle_id: handleId,
          body,
          transaction,
        }),
      )
    message('probe', { request: 'recording', [requestTagField]: 'probe-1' })
    message('other', { request: 'update' })
    await h.clock.settle()
    const sent = h.server.last.sent.find((m) => m.transaction === 'probe')
    expect(sent?.body).toEqual({ request: 'recording' })
    const eventOf = (transaction: string) =>
      received.find((m) => m.janus === 'event' && m.transaction === transaction) as
        { plugindata: { data: Record<string, unknown> } } | undefined
    expect(eventOf('probe')?.plugindata.data[requestTagField]).toBe('probe-1')
    expect(eventOf('other')?.plugindata.data[requestTagField]).toBeUndefined()
  })

  it('stays open across a reclaim, delivering what was sent meanwhile', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const { socket, received, closes } = await openBridge(h)
    socket.send(JSON.stringify({ janus: 'create', transaction: 'a' }))
    socket.send(
      JSON.stringify({
        janus: 'attach',
        plugin: 'janus.plugin.echotest',
        session_id: id,
        transaction: 'b',
      }),
    )
    await h.clock.settle()
    const handleId = (received.at(-1)!.data as { id: number }).id
    h.server.autoOpen = false
    h.server.last.drop()
    socket.send(
      JSON.stringify({
        janus: 'message',
        session_id: id,
        handle_id: handleId,
        body: {},
        transaction: 'm',
      }),
    )
    h.server.last.open()
    await h.clock.advance(0)
    expect(closes).toHaveLength(0)
    expect(received.filter((m) => m.transaction === 'm').map((m) => m.janus)).toEqual([
      'ack',
      'event',
    ])
  })

  it('closes when the session is lost, so janus.js reports it; a stale instance gets 458', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const { socket, received, closes } = await openBridge(h)
    socket.send(JSON.stringify({ janus: 'create', transaction: 'a' }))
    await h.clock.settle()
    h.server.killSession(id)
    h.server.last.drop()
    await h.clock.advance(0)
    expect(closes).toHaveLength(1)
    expect(socket.readyState).toBe(3)
    const Bridge = createBridgeSocketClass(h.session)
    const stale = new Bridge('ws://x')
    const got: Record<string, unknown>[] = []
    stale.addEventListener('message', (e) => got.push(JSON.parse((e as { data: string }).data)))
    await h.clock.settle()
    stale.send(JSON.stringify({ janus: 'attach', plugin: 'p', session_id: id, transaction: 'z' }))
    await h.clock.settle()
    expect(got.at(-1)).toMatchObject({ janus: 'error', error: { code: 458 } })
    expect(received).toHaveLength(1)
  })

  it('an attach lost with the session: janus.js hears its failure before the close, not never', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const { socket } = await openBridge(h)
    const told = toldInOrder(socket)
    socket.send(JSON.stringify({ janus: 'create', transaction: 'a' }))
    await h.clock.settle()
    // The attach reaches Janus; its reply is lost with the path.
    h.server.last.held = []
    socket.send(
      JSON.stringify({
        janus: 'attach',
        plugin: 'janus.plugin.sip',
        session_id: id,
        transaction: 'b',
      }),
    )
    await h.clock.settle()
    h.session.handleSystemEvent({ type: 'network-changed', addresses: ['10.2.0.2'] })
    // The drain gives up on the reply; the session, holding nothing else, is let go.
    await h.clock.advance(drainGraceMs)
    expect(h.session.id).not.toBe(id)
    expect(told).toEqual(['success a', 'error b', 'close'])
  })

  it('a request waiting while the session is found lost is told it failed, before the close', async () => {
    const h = makeHarness()
    const id = await connected(h)
    const { socket } = await openBridge(h)
    const told = toldInOrder(socket)
    socket.send(JSON.stringify({ janus: 'create', transaction: 'a' }))
    await h.clock.settle()
    // Janus restarted: the socket drops, and the claim will be answered 458.
    h.server.killSession(id)
    h.server.last.drop()
    socket.send(
      JSON.stringify({
        janus: 'attach',
        plugin: 'janus.plugin.sip',
        session_id: id,
        transaction: 'b',
      }),
    )
    await h.clock.advance(0)
    expect(h.session.id).not.toBe(id)
    expect(told).toEqual(['success a', 'error b', 'close'])
  })
})
