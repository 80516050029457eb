/**
 * The sandboxed preload: a few verb-named functions on window.holdfast. Nothing raw: no
 * ipcRenderer, no channel names, and no Electron event object ever reaches the page.
 */
import { contextBridge, ipcRenderer } from 'electron'
import type { SystemEvent } from '../renderer/core/host'
import type { SessionRecord } from '../renderer/core/session-record'
import type {
  DesktopSettings,
  DialOutcome,
  EventChannel,
  EventChannels,
  InvokeChannel,
  InvokeChannels,
  RendererReport,
  ScreenChoice,
  SecretName,
  UpdateStatus,
} from './ipc-contract'

function invoke<K extends InvokeChannel>(
  channel: K,
  ...args: InvokeChannels[K]['args']
): Promise<InvokeChannels[K]['result']> {
  return ipcRenderer.invoke(channel, ...args) as Promise<InvokeChannels[K]['result']>
}

function subscribe<K extends EventChannel>(
  channel: K,
  listener: (payload: EventChannels[K]) => void,
): () => void {
  const handler = (_event: unknown, payload: EventChannels[K]): void => listener(payload)
  ipcRenderer.on(channel, handler)
  return () => {
    ipcRenderer.removeListener(channel, handler)
  }
}

const bridge = {
  loadSession: () => invoke('session:load'),
  saveSession: (record: SessionRecord) => invoke('session:save', record),
  clearSession: () => invoke('session:clear'),
  secretsStatus: () => invoke('secrets:status'),
  getSecret: (name: SecretName) => invoke('secrets:get', name),
  setSecret: (name: SecretName, value: string) => invoke('secrets:set', name, value),
  getSettings: () => invoke('settings:get'),
  setSettings: (patch: Partial<DesktopSettings>) => invoke('settings:set', patch),
  report: (state: RendererReport) => invoke('app:report', state),
  exportLogs: (rendererReport: string) => invoke('logs:export', { renderer: rendererReport }),
  checkForUpdates: () => invoke('updates:check'),
  restartToUpdate: () => invoke('updates:restart'),
  onSystemEvent: (listener: (event: SystemEvent) => void) => subscribe('system:event', listener),
  onUpdateStatus: (listener: (status: UpdateStatus) => void) =>
    subscribe('updates:status', listener),
  onDial: (listener: (outcome: DialOutcome) => void) =>
    subscribe('app:dial', (outcome) => listener(outcome)),
  notifyIncomingCall: (peer: string) => invoke('call:incoming', { peer }),
  dismissIncomingCall: () => invoke('call:dismiss'),
  onCallAction: (listener: (action: 'answer' | 'decline') => void) =>
    subscribe('call:action', ({ action }) => listener(action)),
  /** Something asked to share the screen: show the choice, answer with chooseScreen. */
  onScreenChoice: (listener: (choice: ScreenChoice) => void) =>
    subscribe('screen:choose', listener),
  /** The screen or window to share (null: cancel). */
  chooseScreen: (requestId: number, sourceId: string | null) =>
    invoke('screen:chosen', { requestId, sourceId }),
  /** Lets the app's sockets reach this Janus server (main refuses every other socket). */
  allowServer: (url: string) => invoke('servers:allow', url),
  /** A fresh token from the token service (main fetches it; the page may not). */
  fetchToken: (url: string) => invoke('tokens:fetch', url),
  /** Main is quitting: `prepare` ends calls and the session; main is told when it is done. */
  onPrepareQuit: (prepare: () => Promise<void>) =>
    subscribe('app:prepare-quit', () => {
      void prepare()
        .catch(() => undefined)
        .finally(() => void invoke('app:quit-ready'))
    }),
}

/** The shape of window.holdfast, for the renderer's Electron host. */
export type HoldfastBridge = typeof bridge

contextBridge.exposeInMainWorld('holdfast', bridge)
