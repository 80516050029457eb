import { describe, expect, it } from 'vitest'
import { ServerPool } from '../../renderer/core/server-pool'
import { parseMoreServers } from '../../renderer/core/settings'

describe('server pool', () => {
  const a = 'wss://a.example/janus'
  const b = 'wss://b.example/janus'
  const c = 'wss://c.example/janus'
  const make = () => {
    let now = 0
    const pool = new ServerPool([a, b, c], () => now, { restBaseMs: 5000, restMaxMs: 20_000 })
    return { pool, advance: (ms: number) => (now += ms) }
  }

  it('starts with the configured order', () => {
    expect(make().pool.pick()).toBe(a)
  })

  it('skips a server that refused while it rests, then takes it back', () => {
    const t = make()
    t.pool.refused(a, 'unreachable')
    expect(t.pool.pick()).toBe(b)
    expect(t.pool.resting(a)).toEqual({ until: 5000, why: 'unreachable' })
    t.advance(5000)
    expect(t.pool.pick()).toBe(a)
  })

  it('rests longer after each refusal in a row, up to the bound', () => {
    const t = make()
    t.pool.refused(a, 'x')
    t.pool.refused(a, 'x')
    t.pool.refused(a, 'x')
    expect(t.pool.resting(a)?.until).toBe(20_000)
    t.pool.refused(a, 'x')
    expect(t.pool.resting(a)?.until).toBe(20_000)
  })

  it('the last server used comes first, even before the configured first', () => {
    const t = make()
    t.pool.used(b)
    expect(t.pool.pick()).toBe(b)
    t.pool.refused(b, 'draining (472)')
    expect(t.pool.pick()).toBe(a)
  })

  it('a server used again is healthy again', () => {
    const t = make()
    t.pool.refused(a, 'x')
    t.pool.used(a)
    expect(t.pool.resting(a)).toBeUndefined()
    expect(t.pool.pick()).toBe(a)
  })

  it('when every server rests, the one whose rest ends first', () => {
    const t = make()
    t.pool.refused(a, 'x')
    t.pool.refused(a, 'x')
    t.advance(1000)
    t.pool.refused(b, 'x')
    t.advance(1000)
    t.pool.refused(c, 'x')
    expect(t.pool.pick()).toBe(b)
  })

  it('needs a server', () => {
    expect(() => new ServerPool([], () => 0)).toThrow(/at least one/)
  })
})

describe('more servers in the settings', () => {
  const main = 'wss://a.example/janus'
  it('one per line, blanks, repeats and the main server left out', () => {
    expect(
      parseMoreServers(
        `\n wss://b.example/janus \n${main}\nwss://b.example/janus\nws://127.0.0.1:8188\n`,
        main,
      ),
    ).toEqual({ ok: true, value: ['wss://b.example/janus', 'ws://127.0.0.1:8188'] })
  })

  it('a bad line is named; clear text to another computer refused when asked', () => {
    expect(parseMoreServers('https://b.example/', main)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^More servers: .*ws:\/\/ or wss:\/\//),
    })
    expect(parseMoreServers('ws://b.example:8188', main, { refuseCleartext: true })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^More servers: Unencrypted/),
    })
  })

  it('eight at most', () => {
    const lines = Array.from({ length: 9 }, (_, i) => `wss://s${i}.example/`).join('\n')
    expect(parseMoreServers(lines, main)).toMatchObject({ ok: false, error: /eight at most/ })
  })
})
