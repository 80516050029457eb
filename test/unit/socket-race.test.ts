import { describe, expect, it } from 'vitest'
import type { SocketHandlers } from '../../renderer/core/socket'
import { racingSockets } from '../../renderer/core/socket-race'
import { FakeClock } from './support/fake-clock'

/** Sockets the test opens, fails and talks through by hand. */
function world() {
  const clock = new FakeClock()
  const sockets: { handlers: SocketHandlers; closed: boolean; sent: string[] }[] = []
  const factory = (_url: string, _protocol: string, handlers: SocketHandlers) => {
    const s = { handlers, closed: false, sent: [] as string[] }
    sockets.push(s)
    return { send: (text: string) => void s.sent.push(text), close: () => void (s.closed = true) }
  }
  const seen: string[] = []
  const handlers: SocketHandlers = {
    onOpen: () => void seen.push('open'),
    onMessage: (text) => void seen.push(`message ${text}`),
    onClose: ({ reason }) => void seen.push(`close ${reason}`),
  }
  const open = () =>
    racingSockets(factory, clock, { raceAfterMs: 400, maxSockets: 3 })('wss://j/', 'p', handlers)
  return { clock, sockets, seen, open }
}

describe('racing a slow socket', () => {
  it('one socket that opens quickly is all there is', async () => {
    const w = world()
    const conn = w.open()
    w.sockets[0]!.handlers.onOpen()
    await w.clock.advance(5000)
    expect(w.sockets).toHaveLength(1)
    conn.send('x')
    expect(w.sockets[0]!.sent).toEqual(['x'])
    expect(w.seen).toEqual(['open'])
  })

  it('a slow first socket gets company; the first to open wins and the other is closed', async () => {
    const w = world()
    const conn = w.open()
    await w.clock.advance(399)
    expect(w.sockets).toHaveLength(1)
    await w.clock.advance(1)
    expect(w.sockets).toHaveLength(2)
    w.sockets[1]!.handlers.onOpen()
    expect(w.sockets[0]!.closed).toBe(true)
    // The loser's late words are not heard; the winner's are.
    w.sockets[0]!.handlers.onOpen()
    w.sockets[0]!.handlers.onMessage('stale')
    w.sockets[1]!.handlers.onMessage('hello')
    conn.send('ping')
    expect(w.sockets[1]!.sent).toEqual(['ping'])
    expect(w.seen).toEqual(['open', 'message hello'])
    await w.clock.advance(5000)
    expect(w.sockets).toHaveLength(2)
  })

  it('the first socket may still win on a slow network', async () => {
    const w = world()
    w.open()
    await w.clock.advance(500)
    w.sockets[0]!.handlers.onOpen()
    expect(w.sockets[1]!.closed).toBe(true)
    expect(w.seen).toEqual(['open'])
  })

  it('at most three sockets, later ones joining further apart', async () => {
    const w = world()
    w.open()
    await w.clock.advance(400)
    expect(w.sockets).toHaveLength(2)
    await w.clock.advance(799)
    expect(w.sockets).toHaveLength(2)
    await w.clock.advance(1)
    expect(w.sockets).toHaveLength(3)
    await w.clock.advance(10_000)
    expect(w.sockets).toHaveLength(3)
  })

  it('fails only when every socket in the race failed, with the last reason', async () => {
    const w = world()
    w.open()
    await w.clock.advance(400)
    w.sockets[0]!.handlers.onClose({ code: 1006, reason: 'first', wasError: true })
    expect(w.seen).toEqual([])
    w.sockets[1]!.handlers.onClose({ code: 1006, reason: 'second', wasError: true })
    expect(w.seen).toEqual(['close second'])
    await w.clock.advance(10_000)
    expect(w.sockets).toHaveLength(2)
  })

  it('closing it closes every socket and reports nothing', async () => {
    const w = world()
    const conn = w.open()
    await w.clock.advance(400)
    conn.close()
    expect(w.sockets.every((s) => s.closed)).toBe(true)
    w.sockets[0]!.handlers.onClose({ code: 1006, reason: 'late', wasError: true })
    await w.clock.advance(10_000)
    expect(w.sockets).toHaveLength(2)
    expect(w.seen).toEqual([])
  })

  it('the winner closing is the connection closing', async () => {
    const w = world()
    w.open()
    w.sockets[0]!.handlers.onOpen()
    w.sockets[0]!.handlers.onClose({ code: 1001, reason: 'gone', wasError: false })
    expect(w.seen).toEqual(['open', 'close gone'])
  })
})
