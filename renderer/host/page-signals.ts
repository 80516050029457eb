/**
 * The page's own network signals, from Chromium's network notifier (the one WebRTC gathers by):
 * `online`, `offline` and Network Information changes, told within milliseconds.
 */
import type { SignalSource } from '../core/signal-merge'

interface NetworkInformationLike extends EventTarget {
  type?: string
  effectiveType?: string
}

/** Subscribes to the window's network events; returns the unsubscribe function. */
export const pageNetworkSignals: SignalSource = (listener) => {
  const online = (): void => listener({ type: 'online' })
  const offline = (): void => listener({ type: 'offline' })
  const changed = (): void => listener({ type: 'network-changed', addresses: [] })
  const connection = (navigator as Navigator & { connection?: NetworkInformationLike }).connection
  window.addEventListener('online', online)
  window.addEventListener('offline', offline)
  connection?.addEventListener('change', changed)
  return () => {
    window.removeEventListener('online', online)
    window.removeEventListener('offline', offline)
    connection?.removeEventListener('change', changed)
  }
}
