import { describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => ({ ipcMain: { handle: vi.fn() } }))

const { checkInvoke } = await import('../../../main/ipc-guard')
const { createIpc } = await import('../../../main/ipc')

const app = 'app://holdfast'
const page = {
  frameUrl: 'app://holdfast/index.html',
  isMainFrame: true,
}
const record = {
  version: 1,
  serverUrl: 'ws://x',
  sessionId: 1,
  handles: [],
  lastRequestAt: 1,
  sessionTimeoutS: 60,
  reclaimSessionTimeoutS: 15,
}

describe('IPC validation', () => {
  it('accepts a known channel from the app main frame with valid arguments', () => {
    expect(checkInvoke('session:save', page, [record], app)).toEqual({ ok: true, args: [record] })
    expect(checkInvoke('settings:set', page, [{ updateChannel: 'beta' }], app)).toMatchObject({
      ok: true,
    })
    expect(checkInvoke('logs:export', page, [{ renderer: '## Incidents' }], app)).toEqual({
      ok: true,
      args: [{ renderer: '## Incidents' }],
    })
  })

  it('rejects another origin, a subframe, an unknown channel and malformed arguments', () => {
    expect(
      checkInvoke(
        'session:load',
        { frameUrl: 'https://evil.example/', isMainFrame: true },
        [],
        app,
      ),
    ).toEqual({ ok: false, reason: 'untrusted sender' })
    expect(checkInvoke('session:load', { ...page, isMainFrame: false }, [], app)).toEqual({
      ok: false,
      reason: 'untrusted sender',
    })
    expect(
      checkInvoke('session:load', { frameUrl: undefined, isMainFrame: true }, [], app),
    ).toEqual({ ok: false, reason: 'untrusted sender' })
    expect(checkInvoke('shell:exec', page, ['rm -rf /'], app)).toEqual({
      ok: false,
      reason: 'unknown channel',
    })
    expect(checkInvoke('__proto__', page, [], app)).toEqual({
      ok: false,
      reason: 'unknown channel',
    })
    for (const [channel, args] of [
      ['session:save', [{ ...record, sessionId: 'x' }]],
      ['session:save', []],
      ['session:load', ['extra']],
      ['secrets:get', ['password']],
      ['secrets:set', ['token', 42]],
      ['settings:set', [{ updateChannel: 'nightly' }]],
      ['settings:set', [{ evil: true }]],
      ['app:report', [{ connection: 'connected' }]],
      ['app:report', [{ connection: 'connected', inCall: false, doNotDisturb: 'yes' }]],
      ['logs:export', []],
      ['logs:export', [{ renderer: 42 }]],
      ['logs:export', [{ renderer: 'x'.repeat(2_000_001) }]],
    ] as const) {
      expect(checkInvoke(channel, page, [...args], app)).toEqual({
        ok: false,
        reason: 'malformed arguments',
      })
    }
  })

  it('accepts the SIP password as a secret name', () => {
    expect(checkInvoke('secrets:set', page, ['sipPasswords', 'pw'], app)).toEqual({
      ok: true,
      args: ['sipPasswords', 'pw'],
    })
    expect(checkInvoke('secrets:get', page, ['sipPasswords'], app)).toEqual({
      ok: true,
      args: ['sipPasswords'],
    })
  })

  it('the dev server origin is its own origin, not file://', () => {
    const dev = 'http://localhost:5173'
    expect(
      checkInvoke(
        'session:load',
        { frameUrl: 'http://localhost:5173/index.html', isMainFrame: true },
        [],
        dev,
      ),
    ).toMatchObject({ ok: true })
    expect(
      checkInvoke(
        'session:load',
        { frameUrl: 'http://localhost:5174/', isMainFrame: true },
        [],
        dev,
      ),
    ).toMatchObject({ ok: false })
  })

  it('the wrapper refuses before the handler runs, and logs it', async () => {
    const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>()
    const target = {
      handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) =>
        void handlers.set(channel, fn),
    }
    const warnings: string[] = []
    const log = {
      info: vi.fn(),
      warn: (m: string) => warnings.push(m),
      error: vi.fn(),
      file: '',
      exportTo: vi.fn(),
    }
    const ipc = createIpc(() => app, log, target as never)
    const handler = vi.fn(() => 'ok')
    ipc.handle('session:load', handler)
    const mainFrame = { url: page.frameUrl }
    const event = (frame: { url: string }, main = mainFrame) => ({
      senderFrame: frame,
      sender: { mainFrame: main },
    })
    expect(handlers.get('session:load')!(event(mainFrame))).toBe('ok')
    expect(() => handlers.get('session:load')!(event({ url: page.frameUrl }))).toThrow(
      'untrusted sender',
    )
    expect(() => handlers.get('session:load')!(event(mainFrame), 'junk')).toThrow(
      'malformed arguments',
    )
    expect(handler).toHaveBeenCalledTimes(1)
    expect(warnings).toHaveLength(2)
  })
})
