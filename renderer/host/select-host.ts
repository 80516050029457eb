/** Picks the Electron host when the preload's bridge is there, the browser host otherwise. */
import type { Host } from '../core/host'
import { createBrowserHost } from './browser-host'
import { createElectronHost, type HoldfastBridge } from './electron-host'

export function selectHost(): Host {
  const bridge = (window as Window & { holdfast?: HoldfastBridge }).holdfast
  return bridge ? createElectronHost(bridge) : createBrowserHost()
}
