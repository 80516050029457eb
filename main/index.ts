/**
 * The main process's composition root: it builds the small modules and wires them. No
 * decision is made here that a module (or the renderer's core) could make.
 */
import { readFileSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import {
  app,
  BrowserWindow,
  shell,
  desktopCapturer,
  dialog,
  Menu,
  nativeImage,
  net,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  Tray,
} from 'electron'
import { autoUpdater } from 'electron-updater'
import Store from 'electron-store'
import type { RendererReport } from '../preload/ipc-contract'
import type { Clock } from '../renderer/core/clock'
import { dialLinkFromArgv, readDialLink, type DialLink } from '../renderer/core/sip/dial-link'
import { appSchemePrivileges } from './app-protocol'
import { CallNotifier } from './call-notifier'
import { hardenContents } from './contents-policy'
import { CrashBudget } from './crash-budget'
import { createFileLogger } from './file-log'
import { createIpc } from './ipc'
import { parseDefaultRoute, startNetworkMonitor } from './network-monitor'
import { wirePowerSignals } from './power-signals'
import { QuitCoordinator } from './quit-coordinator'
import { ScreenPicker, type DisplayMediaCallback } from './screen-picker'
import { SecretVault } from './secret-vault'
import {
  quarantineCorruptFile,
  SessionStoreService,
  sessionStoreOptions,
  type SessionFile,
} from './session-store'
import {
  defaultSettings,
  restoreBounds,
  settingsStoreOptions,
  type SettingsFile,
} from './settings-store'
import { shouldHideOnClose, trayIconPath, trayPresentation } from './tray-state'
import { UpdateService, type UpdaterLike } from './updates/update-service'
import { updateFeedUrl } from './update-feed'
import { ServerAllowlist } from './connect-policy'
import { fetchTokenText } from './token-fetch'
import { appOriginFor, builtPaths, createMainWindow, serveAppScheme } from './window'

const clock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
}
const log = createFileLogger(join(app.getPath('logs'), 'holdfast.log'), { echo: !app.isPackaged })
const feedUrl = updateFeedUrl(app.isPackaged, process.env)
// The app's own scheme must be known before the app is ready (issue 12).
protocol.registerSchemesAsPrivileged([appSchemePrivileges])

function start(): void {
  const sessionFile = join(app.getPath('userData'), `${sessionStoreOptions.configName}.json`)
  quarantineCorruptFile(sessionFile, log)
  const sessionStore = new SessionStoreService(
    new Store<SessionFile>({
      ...sessionStoreOptions,
      name: sessionStoreOptions.configName,
    } as never),
    clock.now,
    log,
  )
  const settingsStore = new Store<SettingsFile>({
    ...settingsStoreOptions,
    name: settingsStoreOptions.configName,
  } as never)
  const vault = new SecretVault(
    safeStorage,
    {
      get: (name) => settingsStore.get('secrets')[name],
      set: (name, cipher) =>
        settingsStore.set('secrets', { ...settingsStore.get('secrets'), [name]: cipher }),
      delete: (name) => {
        const { [name]: _dropped, ...rest } = settingsStore.get('secrets')
        settingsStore.set('secrets', rest)
      },
    },
    process.platform,
  )
  const settings = () => ({ ...defaultSettings, ...settingsStore.get('settings') })
  const { preloadPath, rendererFile } = builtPaths(import.meta.dirname)
  const rendererUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL
  const appOrigin = appOriginFor(rendererUrl)
  serveAppScheme(rendererFile)
  // Every web contents, now and later, under one policy: no webviews, no navigation away, no
  // new windows.
  app.on('web-contents-created', (_event, contents) =>
    hardenContents(contents, {
      appOrigin: () => appOrigin,
      openExternal: (url) => void shell.openExternal(url),
      warn: (message) => log.warn(message),
    }),
  )
  const crashes = new CrashBudget(clock.now)
  let report: RendererReport | undefined
  let window: BrowserWindow | undefined
  const ipc = createIpc(() => appOrigin, log)
  const toRenderer = <K extends Parameters<typeof ipc.send>[1]>(
    channel: K,
    payload: Parameters<typeof ipc.send<K>>[2],
  ): boolean => {
    if (!window || window.isDestroyed()) return false
    ipc.send(window.webContents, channel, payload)
    return true
  }

  const quit = new QuitCoordinator({
    clock,
    askRenderer: (reason) => toRenderer('app:prepare-quit', { reason }),
    quit: () => app.quit(),
    log: (m) => log.info(m),
  })
  app.on('before-quit', (event) => {
    if (quit.request('quit')) event.preventDefault()
  })

  const updater = new UpdateService(autoUpdater as unknown as UpdaterLike, {
    clock,
    random: Math.random,
    currentVersion: app.getVersion(),
    feedUrl,
    channel: settings().updateChannel,
    isInCall: () => report?.inCall ?? false,
    onStatus: (status) => toRenderer('updates:status', status),
    log: (m) => log.info(m),
  })

  ipc.handle('session:load', () => sessionStore.load())
  ipc.handle('session:save', (record) => sessionStore.save(record))
  ipc.handle('session:clear', () => sessionStore.clear())
  ipc.handle('secrets:status', () => vault.availability())
  ipc.handle('secrets:get', (name) => vault.get(name))
  ipc.handle('secrets:set', (name, value) => vault.set(name, value))
  ipc.handle('settings:get', () => settings())
  ipc.handle('settings:set', async (patch) => {
    const next = { ...settings(), ...patch }
    settingsStore.set('settings', next)
    if (patch.startAtLogin !== undefined)
      app.setLoginItemSettings({ openAtLogin: patch.startAtLogin })
    if (patch.updateChannel !== undefined) void updater.setChannel(patch.updateChannel)
    return next
  })
  ipc.handle('app:report', (next) => {
    const wasInCall = report?.inCall ?? false
    report = next
    refreshTray()
    if (wasInCall !== next.inCall) void updater.onCallStateChanged(next.inCall)
  })
  ipc.handle('app:quit-ready', () => quit.rendererReady())
  ipc.handle('logs:export', async ({ renderer }) => {
    const target = await dialog.showSaveDialog({
      defaultPath: `holdfast-logs-${new Date().toISOString().slice(0, 10)}.log`,
    })
    if (target.canceled || !target.filePath) return undefined
    log.exportTo(target.filePath, renderer)
    return target.filePath
  })
  ipc.handle('updates:check', () => updater.check())
  ipc.handle('updates:restart', () => updater.restartToUpdate())
  const calls = new CallNotifier({
    supported: () => Notification.isSupported(),
    create: (options) => new Notification(options),
    showWindow: () => {
      if (!window || window.isDestroyed()) return
      if (window.isMinimized()) window.restore()
      window.show()
      window.focus()
    },
    act: (action) => toRenderer('call:action', { action }),
  })
  ipc.handle('call:incoming', ({ peer }) => calls.incoming(peer))
  ipc.handle('call:dismiss', () => calls.dismiss())

  // getDisplayMedia in the app: main lists what can be shared, the page's picker chooses.
  const picker = new ScreenPicker({
    clock,
    appOrigin: () => appOrigin,
    getSources: () =>
      desktopCapturer.getSources({
        types: ['screen', 'window'],
        thumbnailSize: { width: 320, height: 180 },
      }),
    ask: (choice) => toRenderer('screen:choose', choice),
    log: (m) => log.info(m),
  })
  session.defaultSession.setDisplayMediaRequestHandler((request, callback) => {
    void picker.onRequest(
      { frameUrl: request.frame?.url ?? '', isMainFrame: request.frame?.parent === null },
      callback as DisplayMediaCallback,
    )
  })
  ipc.handle('screen:chosen', (choice) => picker.choose(choice))
  const servers = new ServerAllowlist()
  ipc.handle('servers:allow', (url) => servers.allow(url))
  ipc.handle('tokens:fetch', (url) => fetchTokenText(url, (u, init) => net.fetch(u, init)))

  wirePowerSignals(powerMonitor, {
    clock,
    emit: (signal) => {
      log.info(`power: ${signal.type}${signal.type === 'resume' ? ` (${signal.source})` : ''}`)
      // Locking the screen never touches the call; only sleep, wake and shutdown matter.
      if (signal.type === 'suspend') toRenderer('system:event', { type: 'suspend' })
      else if (signal.type === 'resume')
        toRenderer('system:event', {
          type: 'resume',
          ...(signal.sleptMs !== undefined ? { sleptMs: signal.sleptMs } : {}),
        })
      else if (signal.type === 'shutdown') quit.request('shutdown')
    },
  })
  startNetworkMonitor({
    clock,
    readInterfaces: networkInterfaces,
    isOnline: () => net.isOnline(),
    defaultRouteInterface: () => {
      try {
        return parseDefaultRoute(readFileSync('/proc/net/route', 'utf8'))
      } catch {
        return undefined
      }
    },
    intervalMs: Number(process.env.HOLDFAST_NETWORK_POLL_MS ?? 2000),
    onEvent: (event) => {
      log.info(`network: ${event.type}`)
      toRenderer('system:event', event)
    },
  })

  const trayIcon = nativeImage.createFromPath(
    trayIconPath(app.isPackaged, process.resourcesPath, app.getAppPath()),
  )
  const tray = new Tray(
    trayIcon.isEmpty() ? nativeImage.createEmpty() : trayIcon.resize({ width: 16, height: 16 }),
  )
  const refreshTray = (): void => {
    const view = trayPresentation(report)
    tray.setToolTip(view.tooltip)
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: view.tooltip, enabled: false },
        { label: 'Show Holdfast', click: () => window?.show() },
        { label: 'Quit', click: () => app.quit() },
      ]),
    )
  }
  refreshTray()

  const open = (): void => {
    window = createMainWindow({
      preloadPath,
      rendererUrl,
      rendererFile,
      bounds: restoreBounds(
        settingsStore.get('windowBounds'),
        screen.getAllDisplays().map((d) => d.workArea),
      ),
      log,
      hideOnClose: () =>
        shouldHideOnClose({ closeToTray: settings().closeToTray, quitting: quit.quitting, report }),
      onBoundsChanged: (bounds) => settingsStore.set('windowBounds', bounds),
      crashes,
      allowedServers: () => servers.list(),
      onCrashLoop: (reason, times) => {
        const choice = dialog.showMessageBoxSync({
          type: 'error',
          title: 'Holdfast stopped working',
          message: `Holdfast's window stopped ${times} times in a minute (${reason}).`,
          detail:
            'Calls in progress have ended. Restart Holdfast to try again, or quit and export the logs from Settings → Advanced after the next start.',
          buttons: ['Restart Holdfast', 'Quit'],
          defaultId: 0,
          cancelId: 1,
        })
        if (choice === 0) app.relaunch()
        app.exit(0)
      },
    })
  }
  open()
  // tel:/sip: links arrive as an argument (Windows, Linux), to a second instance, or as open-url (macOS).
  // A malformed link is refused with a message for the user, never an exception here.
  const dial = (link: DialLink | undefined): void => {
    if (link) toRenderer('app:dial', link.ok ? { target: link.target } : { refused: link.reason })
  }
  if (app.isPackaged)
    for (const scheme of ['tel', 'sip', 'sips']) app.setAsDefaultProtocolClient(scheme)
  app.on('open-url', (event, url) => {
    event.preventDefault()
    dial(readDialLink(url))
  })
  window?.webContents.once('did-finish-load', () => dial(dialLinkFromArgv(process.argv.slice(1))))
  app.on('second-instance', (_event, argv) => {
    dial(dialLinkFromArgv(argv))
    if (!window || window.isDestroyed()) open()
    else {
      if (window.isMinimized()) window.restore()
      window.show()
      window.focus()
    }
  })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open()
    else window?.show()
  })
  updater.start()
  log.info(`started ${app.getName()} ${app.getVersion()} (origin ${appOrigin})`)
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  void app.whenReady().then(start)
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
}
