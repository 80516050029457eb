/**
 * The desktop trust boundary (issue 12): the app's own origin, exact everywhere; every web
 * contents under one policy; bounded crash reloads; an update feed the environment cannot swap.
 */
import { describe, expect, it, vi } from 'vitest'
import {
  appEntryUrl,
  appOrigin,
  appSchemePrivileges,
  resolveAppRequest,
} from '../../../main/app-protocol'
import { hardenContents, type ContentsLike } from '../../../main/contents-policy'
import { ServerAllowlist, isAllowedSocket, socketOrigin } from '../../../main/connect-policy'
import { CrashBudget } from '../../../main/crash-budget'
import { checkInvoke, originOf } from '../../../main/ipc-guard'
import { isPermissionGranted } from '../../../main/security-policy'
import { publishedFeed, updateFeedUrl } from '../../../main/update-feed'
import { appOriginFor } from '../../../main/window'
import { validators } from '../../../preload/ipc-contract'
import { gateSockets, type SocketHandlers } from '../../../renderer/core/socket'

vi.mock('electron', () => ({}))

const root = '/opt/holdfast/resources/app.asar/out/renderer'

describe('the app origin', () => {
  it('is app://holdfast, and no file:// page shares it', () => {
    expect(originOf(appEntryUrl)).toBe(appOrigin)
    expect(originOf('app://holdfast/assets/index.js?x#y')).toBe(appOrigin)
    expect(originOf('app://elsewhere/index.html')).toBe('app://elsewhere')
    expect(originOf('file:///home/me/Downloads/evil.html')).toBeUndefined()
    expect(originOf('file:///opt/holdfast/out/renderer/index.html')).toBeUndefined()
    expect(originOf('http://localhost:5173/index.html')).toBe('http://localhost:5173')
    expect(originOf('not a url')).toBeUndefined()
    expect(appOriginFor(undefined)).toBe(appOrigin)
    expect(appOriginFor('http://localhost:5173/')).toBe('http://localhost:5173')
  })

  it('a dropped or opened file:// page reaches neither IPC nor media', () => {
    const evil = { frameUrl: 'file:///home/me/Downloads/evil.html', isMainFrame: true }
    expect(checkInvoke('secrets:get', evil, ['apiSecret'], appOrigin)).toEqual({
      ok: false,
      reason: 'untrusted sender',
    })
    // Not even when main (wrongly) thought the app was on file:// itself.
    expect(checkInvoke('secrets:get', evil, ['apiSecret'], 'file://')).toMatchObject({ ok: false })
    expect(
      isPermissionGranted(
        { permission: 'media', requestingUrl: evil.frameUrl, isMainFrame: true, mediaTypes: [] },
        appOrigin,
      ),
    ).toBe(false)
    const own = { frameUrl: appEntryUrl, isMainFrame: true }
    expect(checkInvoke('secrets:get', own, ['apiSecret'], appOrigin)).toMatchObject({ ok: true })
  })

  it('is a standard, secure scheme (a real origin and a secure context for the camera)', () => {
    expect(appSchemePrivileges).toMatchObject({
      scheme: 'app',
      privileges: { standard: true, secure: true },
    })
  })

  it('serves files under the renderer folder only', () => {
    expect(resolveAppRequest('app://holdfast/', root)).toBe(`${root}/index.html`)
    expect(resolveAppRequest('app://holdfast/index.html', root)).toBe(`${root}/index.html`)
    expect(resolveAppRequest('app://holdfast/assets/a%20b.js', root)).toBe(`${root}/assets/a b.js`)
    // Dot segments the URL parser folds away stay under the root ...
    expect(resolveAppRequest('app://holdfast/../main/index.js', root)).toBe(`${root}/main/index.js`)
    expect(resolveAppRequest('app://holdfast/%2e%2e/x.js', root)).toBe(`${root}/x.js`)
    // ... and the ones that survive parsing (encoded slashes) are refused.
    for (const outside of [
      'app://holdfast/assets/..%2f..%2fpackage.json',
      'app://holdfast/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd',
      'app://holdfast/%00',
      'app://holdfast/%E0%A4%A',
      'app://other/index.html',
      'file:///etc/passwd',
      'not a url',
    ])
      expect(resolveAppRequest(outside, root), outside).toBeUndefined()
  })
})

/** A web contents stand-in that records the handlers the policy installs. */
function fakeContents() {
  const handlers = new Map<string, (...args: never[]) => unknown>()
  let open: ((d: { url: string }) => { action: 'deny' }) | undefined
  const contents = {
    on: (event: string, listener: (...args: never[]) => unknown) =>
      void handlers.set(event, listener),
    setWindowOpenHandler: (handler: typeof open) => void (open = handler),
  } as unknown as ContentsLike
  const fire = (event: string, ...args: unknown[]) =>
    (handlers.get(event) as (...a: unknown[]) => unknown)(...args)
  return { contents, handlers, fire, open: (url: string) => open!({ url }) }
}

describe('every web contents', () => {
  const deps = () => ({
    appOrigin: () => appOrigin,
    openExternal: vi.fn(),
    warn: vi.fn(),
  })

  it('refuses webviews', () => {
    const c = fakeContents()
    const d = deps()
    hardenContents(c.contents, d)
    const event = { preventDefault: vi.fn() }
    c.fire('will-attach-webview', event)
    expect(event.preventDefault).toHaveBeenCalled()
    expect(d.warn).toHaveBeenCalledWith('contents: blocked a webview')
  })

  it('keeps the page and every frame on the app: a dropped file, a redirect, a frame elsewhere', () => {
    const c = fakeContents()
    hardenContents(c.contents, deps())
    const check = (event: string, url: string, frame = false) => {
      const e = { preventDefault: vi.fn(), url }
      if (frame) c.fire(event, e)
      else c.fire(event, e, url)
      return e.preventDefault.mock.calls.length > 0
    }
    expect(check('will-navigate', 'file:///home/me/Downloads/evil.html')).toBe(true)
    expect(check('will-navigate', 'app://holdfast/index.html#/history')).toBe(false)
    expect(check('will-redirect', 'https://evil.example/')).toBe(true)
    expect(check('will-frame-navigate', 'https://evil.example/frame', true)).toBe(true)
    expect(check('will-frame-navigate', 'app://holdfast/index.html', true)).toBe(false)
  })

  it('opens no window; allowlisted https links go to the system browser', () => {
    const c = fakeContents()
    const d = deps()
    hardenContents(c.contents, d)
    expect(c.open('https://github.com/meetecho/janus-gateway')).toEqual({ action: 'deny' })
    expect(c.open('app://holdfast/index.html')).toEqual({ action: 'deny' })
    expect(c.open('file:///etc/passwd')).toEqual({ action: 'deny' })
    expect(d.openExternal).toHaveBeenCalledTimes(1)
  })

  it('is applied once per contents, however often it is asked', () => {
    const c = fakeContents()
    let installed = 0
    const counting = {
      ...c.contents,
      on: (...a: Parameters<ContentsLike['on']>) => (installed++, c.contents.on(...a)),
    } as ContentsLike
    hardenContents(counting, deps())
    const once = installed
    hardenContents(counting, deps())
    expect(installed).toBe(once)
  })
})

describe('where sockets may go', () => {
  it('the exact origin of a ws/wss address; nothing for other schemes or credentials in the URL', () => {
    expect(socketOrigin('wss://Janus.Example.org:8989/janus?x=1')).toBe(
      'wss://janus.example.org:8989',
    )
    expect(socketOrigin('ws://127.0.0.1:8188')).toBe('ws://127.0.0.1:8188')
    expect(socketOrigin('https://janus.example.org/')).toBeUndefined()
    expect(socketOrigin('wss://user:pw@janus.example.org/')).toBeUndefined()
    expect(socketOrigin('not a url')).toBeUndefined()
  })

  it('only the servers the app said it uses, and its own dev server', () => {
    const servers = new ServerAllowlist()
    expect(servers.allow('wss://janus.example.org:8989/')).toBe(true)
    expect(servers.allow('file:///etc/passwd')).toBe(false)
    const ok = (url: string, page = appOrigin) => isAllowedSocket(url, servers.list(), page)
    expect(ok('wss://janus.example.org:8989/other-path')).toBe(true)
    expect(ok('wss://janus.example.org/')).toBe(false) // another port is another server
    expect(ok('ws://janus.example.org:8989/')).toBe(false) // and another scheme
    expect(ok('wss://evil.example.net/')).toBe(false)
    expect(ok('ws://localhost:5173/', 'http://localhost:5173')).toBe(true)
    expect(ok('ws://localhost:5173/')).toBe(false)
  })

  it('keeps a bounded list, the most recent first', () => {
    const servers = new ServerAllowlist(2)
    servers.allow('wss://a.example/')
    servers.allow('wss://b.example/')
    servers.allow('wss://a.example/')
    servers.allow('wss://c.example/')
    expect(servers.list()).toEqual(['wss://c.example', 'wss://a.example'])
  })

  it('the IPC verb takes one ws/wss address of bounded length and nothing else', () => {
    const check = validators['servers:allow']
    expect(check(['wss://janus.example.org/'])).toEqual(['wss://janus.example.org/'])
    expect(check(['https://janus.example.org/'])).toBeUndefined()
    expect(check([`wss://${'a'.repeat(5000)}.org/`])).toBeUndefined()
    expect(check(['wss://a/', 'wss://b/'])).toBeUndefined()
    expect(check([42])).toBeUndefined()
  })

  it('the page opens a socket only after the host allowed it, and says why when refused', async () => {
    const opened: string[] = []
    const closes: string[] = []
    const handlers: SocketHandlers = {
      onOpen: () => undefined,
      onMessage: () => undefined,
      onClose: ({ reason }) => void closes.push(reason),
    }
    const factory = (url: string) => {
      opened.push(url)
      return { send: () => undefined, close: () => undefined }
    }
    const allowed = new Set(['wss://ok.example/'])
    const gated = gateSockets(factory, async (url) => allowed.has(url))
    gated('wss://ok.example/', 'janus-protocol', handlers)
    gated('wss://evil.example/', 'janus-protocol', handlers)
    expect(opened).toEqual([]) // nothing before the answer
    await Promise.resolve()
    await Promise.resolve()
    expect(opened).toEqual(['wss://ok.example/'])
    expect(closes).toEqual(['The desktop app refused a connection to this address'])
    // Closed while the answer is pending: nothing opens, nothing is reported.
    gated('wss://ok.example/', 'janus-protocol', handlers).close()
    await Promise.resolve()
    await Promise.resolve()
    expect(opened).toHaveLength(1)
    expect(closes).toHaveLength(1)
  })
})

describe('crash reloads', () => {
  it('allow three a minute; the fourth within the minute stops, and a calm minute resets it', () => {
    let now = 0
    const budget = new CrashBudget(() => now)
    expect([budget.allowReload(), budget.allowReload(), budget.allowReload()]).toEqual([
      true,
      true,
      true,
    ])
    now = 30_000
    expect(budget.allowReload()).toBe(false)
    expect(budget.recent).toBe(4)
    now = 100_000
    expect(budget.allowReload()).toBe(true)
    expect(budget.recent).toBe(1)
  })
})

describe('the update feed', () => {
  it('takes HOLDFAST_UPDATE_FEED only in a development build', () => {
    const env = { HOLDFAST_UPDATE_FEED: 'http://127.0.0.1:9999/feed' }
    expect(updateFeedUrl(false, env)).toBe('http://127.0.0.1:9999/feed')
    expect(updateFeedUrl(true, env)).toBe(publishedFeed)
    expect(updateFeedUrl(false, {})).toBe(publishedFeed)
  })
})
