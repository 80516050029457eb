/**
 * The host inside the desktop app: the session store, secrets and system events come from
 * the main process through the preload's bridge (window.holdfast), never raw IPC; the page's
 * own network signals come first, the main process's poll after them (core/signal-merge.ts).
 */
import type { Host } from '../core/host'
import { mergeSignals } from '../core/signal-merge'
import type { HoldfastBridge } from '../../preload/index'
import { browserClock } from './browser-clock'
import { pageNetworkSignals } from './page-signals'

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
    onSystemEvent: mergeSignals(browserClock, pageNetworkSignals, (listener) =>
      bridge.onSystemEvent(listener),
    ),
    allowServer: (url) => bridge.allowServer(url),
    fetchToken: (url) => bridge.fetchToken(url),
    appInfo: () => ({ name: 'Holdfast', version: __APP_VERSION__, host: 'electron' }),
  }
}

/** Narrows a host to the Electron one. */
export function isElectronHost(host: Host): host is ElectronHost {
  return 'desktop' in host
}
