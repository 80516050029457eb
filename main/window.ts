/**
 * The app window, built to Electron's security checklist: context isolation, sandbox, no
 * Node, the page from the app's own scheme with a CSP header, navigation and new windows
 * denied (allowlisted https links go to the system browser), media permission only for the
 * app's own main frame, and a renderer that crashed is reloaded (the stored session is then
 * reclaimed) a few times a minute at most.
 */
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BrowserWindow, net, protocol, session, shell, type Rectangle } from 'electron'
import { appEntryUrl, appOrigin, appScheme, resolveAppRequest } from './app-protocol'
import { hardenContents } from './contents-policy'
import { isAllowedSocket } from './connect-policy'
import type { CrashBudget } from './crash-budget'
import type { MainLogger } from './file-log'
import { originOf } from './ipc-guard'
import { contentSecurityPolicy, isPermissionGranted } from './security-policy'

export interface WindowOptions {
  preloadPath: string
  rendererUrl: string | undefined
  rendererFile: string
  bounds: Rectangle | undefined
  log: MainLogger
  /** Whether closing should hide the window instead (close to tray). */
  hideOnClose(): boolean
  onBoundsChanged(bounds: Rectangle): void
  /** Bounds the reloads after renderer crashes. */
  crashes: CrashBudget
  /** The renderer crashed too often: tell the user and let them choose. */
  onCrashLoop(reason: string, times: number): void
  /** The servers the page said it connects to: the only ones its sockets may reach. */
  allowedServers(): readonly string[]
}

/** The origin the app's pages load from: the dev server's, or the app's own scheme. */
export function appOriginFor(rendererUrl: string | undefined): string {
  return (rendererUrl && originOf(rendererUrl)) || appOrigin
}

/** Serves the built renderer under `app://holdfast/` (call once the app is ready). */
export function serveAppScheme(rendererFile: string): void {
  const root = dirname(rendererFile)
  protocol.handle(appScheme, async (request) => {
    const file = resolveAppRequest(request.url, root)
    if (!file) return new Response('Not found', { status: 404 })
    const response = await net.fetch(pathToFileURL(file).toString())
    const headers = new Headers(response.headers)
    headers.set('Content-Security-Policy', contentSecurityPolicy)
    return new Response(response.body, { status: response.status, headers })
  })
}

export function createMainWindow(options: WindowOptions): BrowserWindow {
  const origin = appOriginFor(options.rendererUrl)
  const window = new BrowserWindow({
    width: 1100,
    height: 820,
    ...(options.bounds ?? {}),
    title: 'Holdfast',
    show: false,
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      // Calls keep their timers running when the window is hidden in the tray.
      backgroundThrottling: false,
      // A call must ring even when nobody has clicked since the app started (it registers
      // by itself from the vault).
      autoplayPolicy: 'no-user-gesture-required',
    },
  })
  const contents = window.webContents
  hardenContents(contents, {
    appOrigin: () => origin,
    openExternal: (url) => void shell.openExternal(url),
    warn: (message) => options.log.warn(message),
  })
  contents.on('render-process-gone', (_event, details) => {
    if (window.isDestroyed()) return
    if (!options.crashes.allowReload()) {
      options.log.error(`renderer gone (${details.reason}) again: not reloading, asking the user`)
      options.onCrashLoop(details.reason, options.crashes.recent)
      return
    }
    options.log.error(
      `renderer gone (${details.reason}); reloading, the stored session will be reclaimed`,
    )
    contents.reload()
  })
  const ses = session.defaultSession
  ses.setPermissionRequestHandler((wc, permission, callback, details) => {
    const granted = isPermissionGranted(
      {
        permission,
        requestingUrl: details.requestingUrl ?? wc.getURL(),
        isMainFrame: details.isMainFrame ?? false,
        mediaTypes: 'mediaTypes' in details ? (details.mediaTypes ?? []) : [],
      },
      origin,
    )
    if (!granted)
      options.log.warn(`permission: denied ${permission} to ${details.requestingUrl ?? 'unknown'}`)
    callback(granted)
  })
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin, details) =>
    isPermissionGranted(
      {
        permission,
        requestingUrl: requestingOrigin,
        isMainFrame: details.isMainFrame ?? true,
        mediaTypes: details.mediaType ? [details.mediaType] : [],
      },
      origin,
    ),
  )
  // Sockets go only to the servers the app uses (connect-policy.ts says why not the CSP).
  ses.webRequest.onBeforeRequest({ urls: ['ws://*/*', 'wss://*/*'] }, (details, callback) => {
    const allowed = isAllowedSocket(details.url, options.allowedServers(), origin)
    if (!allowed) options.log.warn(`socket refused: ${details.url.slice(0, 200)}`)
    callback({ cancel: !allowed })
  })
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [contentSecurityPolicy],
      },
    })
  })
  window.on('close', (event) => {
    if (options.hideOnClose()) {
      event.preventDefault()
      window.hide()
    }
  })
  const saveBounds = (): void => {
    if (!window.isDestroyed() && !window.isMinimized() && !window.isMaximized())
      options.onBoundsChanged(window.getBounds())
  }
  window.on('resized', saveBounds)
  window.on('moved', saveBounds)
  window.once('ready-to-show', () => window.show())
  void window.loadURL(options.rendererUrl ?? appEntryUrl)
  return window
}

/** Paths of the built preload and renderer, relative to the built main. */
export function builtPaths(mainDir: string): { preloadPath: string; rendererFile: string } {
  return {
    preloadPath: join(mainDir, '../preload/index.cjs'),
    rendererFile: join(mainDir, '../renderer/index.html'),
  }
}
