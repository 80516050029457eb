/**
 * The app window, built to Electron's security checklist: context isolation, sandbox, no
 * Node, a CSP header, navigation and new windows denied (allowlisted https links go to the
 * system browser), media permission only for the app's own main frame, and a renderer that
 * crashed is reloaded (the stored session is then reclaimed).
 */
import { join } from 'node:path'
import { BrowserWindow, session, shell, type Rectangle } from 'electron'
import type { MainLogger } from './file-log'
import { originOf } from './ipc-guard'
import {
  contentSecurityPolicy,
  isAllowedExternalLink,
  isAllowedNavigation,
  isPermissionGranted,
} from './security-policy'

export interface WindowOptions {
  preloadPath: string
  rendererUrl: string | undefined
  rendererFile: string
  bounds: Rectangle | undefined
  log: MainLogger
  /** Whether closing should hide the window instead (close to tray). */
  hideOnClose(): boolean
  onBoundsChanged(bounds: Rectangle): void
}

/** The origin the app's pages load from. */
export function appOriginFor(rendererUrl: string | undefined, rendererFile: string): string {
  return originOf(rendererUrl ?? `file://${rendererFile}`) ?? 'file://'
}

export function createMainWindow(options: WindowOptions): BrowserWindow {
  const appOrigin = appOriginFor(options.rendererUrl, options.rendererFile)
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
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, appOrigin)) {
      event.preventDefault()
      options.log.warn(`window: blocked navigation to ${url}`)
    }
  })
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, appOrigin)) event.preventDefault()
  })
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalLink(url)) void shell.openExternal(url)
    else options.log.warn(`window: blocked window.open(${url})`)
    return { action: 'deny' }
  })
  contents.on('render-process-gone', (_event, details) => {
    options.log.error(
      `renderer gone (${details.reason}); reloading, the stored session will be reclaimed`,
    )
    if (!window.isDestroyed()) contents.reload()
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
      appOrigin,
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
      appOrigin,
    ),
  )
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
  if (options.rendererUrl) void window.loadURL(options.rendererUrl)
  else void window.loadFile(options.rendererFile)
  return window
}

/** Paths of the built preload and renderer, relative to the built main. */
export function builtPaths(mainDir: string): { preloadPath: string; rendererFile: string } {
  return {
    preloadPath: join(mainDir, '../preload/index.cjs'),
    rendererFile: join(mainDir, '../renderer/index.html'),
  }
}
