/**
 * The sandboxed preload: a few verb-named functions on window.holdfast, never raw IPC, and
 * no Electron event object ever reaches the page.
 */
import { contextBridge, ipcRenderer } from 'electron'
import type { SystemEvent } from '../renderer/core/host'
import type { SessionRecord } from '../renderer/core/session-record'
import type { EventChannels, InvokeChannel, InvokeChannels } from './ipc-contract'

function invoke<K extends InvokeChannel>(
  channel: K,
  ...args: InvokeChannels[K]['args']
): Promise<InvokeChannels[K]['result']> {
  return ipcRenderer.invoke(channel, ...args) as Promise<InvokeChannels[K]['result']>
}

contextBridge.exposeInMainWorld('holdfast', {
  loadSession: () => invoke('session:load'),
  saveSession: (record: SessionRecord) => invoke('session:save', record),
  clearSession: () => invoke('session:clear'),
  onSystemEvent: (listener: (event: SystemEvent) => void) => {
    const handler = (_event: unknown, payload: EventChannels['system:event']): void =>
      listener(payload)
    ipcRenderer.on('system:event', handler)
    return () => ipcRenderer.removeListener('system:event', handler)
  },
  appVersion: () => process.env.npm_package_version ?? '0.0.0',
})
