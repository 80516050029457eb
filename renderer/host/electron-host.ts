/**
 * The host inside the desktop app: the session store, secrets and system events come from
 * the main process through the preload's bridge (window.holdfast), never raw IPC.
 */
import type { Host } from '../core/host'
import type { HoldfastBridge } from '../../preload/index'

/** The Electron host: the common Host plus the desktop-only bridge. */
export interface ElectronHost extends Host {
  readonly desktop: HoldfastBridge
}

export type { HoldfastBridge }

export function createElectronHost(bridge: HoldfastBridge): ElectronHost {
  return {
    desktop: bridge,
    sessionStore: {
      load: () => bridge.loadSession(),
      save: (record) => bridge.saveSession(record),
      clear: () => bridge.clearSession(),
    },
    onSystemEvent: (listener) => bridge.onSystemEvent(listener),
    allowServer: (url) => bridge.allowServer(url),
    fetchToken: (url) => bridge.fetchToken(url),
    appInfo: () => ({ name: 'Holdfast', version: __APP_VERSION__, host: 'electron' }),
  }
}

/** Narrows a host to the Electron one. */
export function isElectronHost(host: Host): host is ElectronHost {
  return 'desktop' in host
}
