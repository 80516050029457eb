/**
 * The host inside the desktop app: the session store and system events come from the main
 * process through the preload's bridge (window.holdfast), never raw IPC.
 */
import type { Host, SystemEvent } from '../core/host'
import type { SessionRecord } from '../core/session-record'

/** What the preload exposes; mirrors preload/index.ts. */
export interface HoldfastBridge {
  loadSession(): Promise<unknown>
  saveSession(record: SessionRecord): Promise<void>
  clearSession(): Promise<void>
  onSystemEvent(listener: (event: SystemEvent) => void): () => void
  appVersion(): string
}

export function createElectronHost(bridge: HoldfastBridge): Host {
  return {
    sessionStore: {
      load: () => bridge.loadSession(),
      save: (record) => bridge.saveSession(record),
      clear: () => bridge.clearSession(),
    },
    onSystemEvent: (listener) => bridge.onSystemEvent(listener),
    appInfo: () => ({ name: 'Holdfast', version: bridge.appVersion(), host: 'electron' }),
  }
}
