/**
 * The main process's composition root: one secure window, the session store, and the OS
 * signals forwarded to the renderer. Logic lives in small modules and the renderer's core.
 */
import { join } from 'node:path'
import { app, BrowserWindow, powerMonitor, session as electronSession, shell } from 'electron'
import Store from 'electron-store'
import { handle } from './ipc'
import { originOf } from './ipc-guard'
import { isMediaPermission } from './permissions'

const store = new Store<{ session?: unknown }>({
  name: 'holdfast-session',
  clearInvalidConfig: true,
})

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 800,
    title: 'Holdfast',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  })
  const devUrl = process.env.ELECTRON_RENDERER_URL
  const appUrl = devUrl ?? `file://${join(import.meta.dirname, '../renderer/index.html')}`
  const appOrigin = originOf(appUrl) ?? 'file://'
  window.webContents.on('will-navigate', (event, url) => {
    if (originOf(url) !== appOrigin) event.preventDefault()
  })
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  electronSession.defaultSession.setPermissionRequestHandler(
    (webContents, permission, callback, details) => {
      callback(isMediaPermission(permission, details.requestingUrl, appOrigin))
    },
  )
  electronSession.defaultSession.setPermissionCheckHandler((_wc, permission, requestingOrigin) =>
    isMediaPermission(permission, requestingOrigin, appOrigin),
  )
  handle('session:load', appOrigin, () => store.get('session'))
  handle('session:save', appOrigin, (record) => store.set('session', record))
  handle('session:clear', appOrigin, () => store.delete('session'))
  powerMonitor.on('suspend', () => window.webContents.send('system:event', { type: 'suspend' }))
  powerMonitor.on('resume', () => window.webContents.send('system:event', { type: 'resume' }))
  if (devUrl) void window.loadURL(devUrl)
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'))
  return window
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  void app.whenReady().then(() => {
    let window = createWindow()
    app.on('second-instance', () => {
      if (window.isMinimized()) window.restore()
      window.focus()
    })
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) window = createWindow()
    })
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
}
