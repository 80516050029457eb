/** The window module with `electron` mocked: its settings and every handler it installs. */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach, describe, expect, it, vi } from 'vitest'

type Handler = (...args: never[]) => unknown

interface FakeContents {
  handlers: Map<string, Handler>
  on(event: string, fn: Handler): void
  reload: ReturnType<typeof vi.fn>
  getURL(): string
  setWindowOpenHandler(fn: Handler): void
}

const state = vi.hoisted(() => ({
  windows: [] as {
    options: Record<string, unknown>
    handlers: Map<string, Handler>
    contents: FakeContents
    loaded: string[]
  }[],
  permissionRequest: undefined as Handler | undefined,
  headers: undefined as Handler | undefined,
  beforeRequest: undefined as { filter: unknown; fn: Handler } | undefined,
  openExternal: vi.fn(async () => undefined),
}))

vi.mock('electron', () => {
  class BrowserWindow {
    readonly handlers = new Map<string, Handler>()
    readonly webContents: FakeContents
    constructor(options: Record<string, unknown>) {
      const handlers = new Map<string, Handler>()
      this.webContents = {
        handlers,
        on: (event, fn) => void handlers.set(event, fn),
        reload: vi.fn(),
        getURL: () => 'app://holdfast/index.html',
        setWindowOpenHandler: (fn) => void handlers.set('window-open', fn),
      }
      state.windows.push({
        options,
        handlers: this.handlers,
        contents: this.webContents,
        loaded: [],
      })
    }
    on(event: string, fn: Handler) {
      this.handlers.set(event, fn)
    }
    once(event: string, fn: Handler) {
      this.handlers.set(event, fn)
    }
    hide = vi.fn()
    show = vi.fn()
    isDestroyed = () => false
    isMinimized = () => false
    isMaximized = () => false
    getBounds = () => ({ x: 1, y: 2, width: 900, height: 700 })
    loadURL = vi.fn(async (url: string) => void state.windows.at(-1)?.loaded.push(url))
    loadFile = vi.fn(async () => undefined)
  }
  return {
    BrowserWindow,
    shell: { openExternal: state.openExternal },
    net: { fetch: vi.fn() },
    protocol: { handle: vi.fn() },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Handler) => void (state.permissionRequest = fn),
        setPermissionCheckHandler: () => undefined,
        webRequest: {
          onHeadersReceived: (fn: Handler) => void (state.headers = fn),
          onBeforeRequest: (filter: unknown, fn: Handler) =>
            void (state.beforeRequest = { filter, fn }),
        },
      },
    },
  }
})

const { createMainWindow } = await import('../../../main/window')
const { CrashBudget } = await import('../../../main/crash-budget')
const { createFileLogger } = await import('../../../main/file-log')

function make(hide = false) {
  const log = createFileLogger(join(mkdtempSync(join(tmpdir(), 'hf-log-')), 'main.log'))
  const bounds: unknown[] = []
  const crashLoops: [string, number][] = []
  let now = 0
  createMainWindow({
    crashes: new CrashBudget(() => (now += 1000)),
    onCrashLoop: (reason, times) => crashLoops.push([reason, times]),
    preloadPath: '/app/out/preload/index.cjs',
    rendererUrl: undefined,
    rendererFile: '/app/out/renderer/index.html',
    bounds: { x: 10, y: 20, width: 1000, height: 700 },
    log,
    hideOnClose: () => hide,
    onBoundsChanged: (b) => bounds.push(b),
    allowedServers: () => ['wss://janus.example.org:8989'],
  })
  return { window: state.windows.at(-1)!, log, bounds, crashLoops }
}

beforeEach(() => {
  state.windows.length = 0
  state.openExternal.mockClear()
})

describe('main window (electron mocked)', () => {
  it('is isolated, sandboxed, without Node, with the CommonJS preload, at the remembered bounds', () => {
    const { window } = make()
    expect(window.options).toMatchObject({ x: 10, y: 20, width: 1000, height: 700 })
    expect(window.options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      autoplayPolicy: 'no-user-gesture-required',
      nodeIntegration: false,
      webSecurity: true,
    })
  })

  it('blocks navigation away from the app and logs it', () => {
    const { window, log } = make()
    const nav = window.contents.handlers.get('will-navigate')!
    const away = { preventDefault: vi.fn() }
    ;(nav as (e: unknown, url: string) => void)(away, 'https://evil.example/')
    expect(away.preventDefault).toHaveBeenCalled()
    const inside = { preventDefault: vi.fn() }
    ;(nav as (e: unknown, url: string) => void)(inside, 'app://holdfast/index.html#/phone')
    expect(inside.preventDefault).not.toHaveBeenCalled()
    // A file dropped on the window (or any local page) is not the app.
    const dropped = { preventDefault: vi.fn() }
    ;(nav as (e: unknown, url: string) => void)(dropped, 'file:///home/me/Downloads/evil.html')
    expect(dropped.preventDefault).toHaveBeenCalled()
    expect(readFileSync(log.file, 'utf8')).toContain('blocked navigation to https://evil.example/')
  })

  it('denies every new window; allowlisted https links go to the system browser', () => {
    const { window } = make()
    const open = window.contents.handlers.get('window-open') as (d: { url: string }) => {
      action: string
    }
    expect(open({ url: 'https://janus.conf.meetecho.com/docs/' })).toEqual({ action: 'deny' })
    expect(state.openExternal).toHaveBeenCalledWith('https://janus.conf.meetecho.com/docs/')
    expect(open({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
    expect(open({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(state.openExternal).toHaveBeenCalledTimes(1)
  })

  it('grants media only to the app main frame and denies other permissions', () => {
    make()
    const ask = (permission: string, details: Record<string, unknown>) => {
      let granted: boolean | undefined
      ;(
        state.permissionRequest as (
          wc: unknown,
          p: string,
          cb: (g: boolean) => void,
          d: unknown,
        ) => void
      )({ getURL: () => '' }, permission, (g) => (granted = g), details)
      return granted
    }
    const app = { requestingUrl: 'app://holdfast/index.html', isMainFrame: true }
    expect(ask('media', { ...app, mediaTypes: ['audio', 'video'] })).toBe(true)
    expect(
      ask('media', {
        requestingUrl: 'file:///home/me/Downloads/evil.html',
        isMainFrame: true,
        mediaTypes: ['audio'],
      }),
    ).toBe(false)
    expect(ask('media', { ...app, isMainFrame: false, mediaTypes: ['audio'] })).toBe(false)
    expect(
      ask('media', {
        requestingUrl: 'https://evil.example/',
        isMainFrame: true,
        mediaTypes: ['audio'],
      }),
    ).toBe(false)
    expect(ask('geolocation', app)).toBe(false)
    expect(ask('notifications', app)).toBe(false)
  })

  it('sets the CSP header on every response', () => {
    make()
    let headers: Record<string, string[]> | undefined
    ;(
      state.headers as (
        d: unknown,
        cb: (r: { responseHeaders: Record<string, string[]> }) => void,
      ) => void
    )({ responseHeaders: {} }, (r) => (headers = r.responseHeaders))
    expect(headers?.['Content-Security-Policy']?.[0]).toContain("script-src 'self'")
  })

  it('lets sockets reach only the servers the app said it uses, and logs the refusals', () => {
    const { log } = make()
    const ask = (url: string) => {
      let cancel: boolean | undefined
      ;(state.beforeRequest?.fn as (d: unknown, cb: (r: { cancel: boolean }) => void) => void)(
        { url },
        (r) => (cancel = r.cancel),
      )
      return cancel
    }
    expect(state.beforeRequest?.filter).toEqual({ urls: ['ws://*/*', 'wss://*/*'] })
    expect(ask('wss://janus.example.org:8989/')).toBe(false)
    expect(ask('wss://evil.example.net/steal')).toBe(true)
    expect(ask('ws://janus.example.org:8989/')).toBe(true)
    expect(readFileSync(log.file, 'utf8')).toContain('socket refused: wss://evil.example.net/steal')
  })

  it('reloads a crashed renderer (the stored session is then reclaimed) a few times a minute, then asks', () => {
    const { window, crashLoops } = make()
    const gone = window.contents.handlers.get('render-process-gone') as (
      e: unknown,
      d: { reason: string },
    ) => void
    gone({}, { reason: 'crashed' })
    expect(window.contents.reload).toHaveBeenCalledTimes(1)
    gone({}, { reason: 'crashed' })
    gone({}, { reason: 'oom' })
    expect(window.contents.reload).toHaveBeenCalledTimes(3)
    expect(crashLoops).toEqual([])
    gone({}, { reason: 'oom' })
    expect(window.contents.reload).toHaveBeenCalledTimes(3)
    expect(crashLoops).toEqual([['oom', 4]])
  })

  it('loads the app from its own scheme', () => {
    make()
    const created = state.windows.at(-1)!
    expect(created.loaded).toEqual(['app://holdfast/index.html'])
  })

  it('closing hides to the tray when asked to, and bounds are remembered', () => {
    const hiding = make(true)
    const event = { preventDefault: vi.fn() }
    ;(hiding.window.handlers.get('close') as (e: unknown) => void)(event)
    expect(event.preventDefault).toHaveBeenCalled()
    const closing = make(false)
    const second = { preventDefault: vi.fn() }
    ;(closing.window.handlers.get('close') as (e: unknown) => void)(second)
    expect(second.preventDefault).not.toHaveBeenCalled()
    ;(closing.window.handlers.get('moved') as () => void)()
    expect(closing.bounds).toEqual([{ x: 1, y: 2, width: 900, height: 700 }])
  })
})

describe('file log', () => {
  it('rotates past its size bound and exports both files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-log-'))
    const log = createFileLogger(join(dir, 'holdfast.log'), { maxBytes: 200 })
    for (let i = 0; i < 10; i++) log.info(`line ${i} ${'x'.repeat(20)}`)
    expect(existsSync(join(dir, 'holdfast.log.1'))).toBe(true)
    log.exportTo(join(dir, 'export.log'))
    expect(readFileSync(join(dir, 'export.log'), 'utf8')).toContain('line 9')
    expect(existsSync(join(dir, 'export.log.1'))).toBe(true)
  })

  it("appends the renderer's report to the exported log", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-log-'))
    const log = createFileLogger(join(dir, 'holdfast.log'))
    log.info('main says hello')
    log.exportTo(join(dir, 'export.log'), '## Incidents (1)\nclaimed: session 7')
    const text = readFileSync(join(dir, 'export.log'), 'utf8')
    expect(text).toContain('main says hello')
    expect(text.indexOf('# Renderer')).toBeGreaterThan(text.indexOf('main says hello'))
    expect(text).toContain('claimed: session 7')
  })
})
