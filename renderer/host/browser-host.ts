/**
 * The host when Holdfast runs as a web page: the session lives in sessionStorage (a reload
 * of the tab keeps it, closing the tab forgets it), and system events come from the
 * browser: online/offline, Network Information changes, page lifecycle freeze/resume, and
 * a timer-drift detector for sleeps the browser does not report.
 */
import { startDriftDetector } from '../core/drift-detector'
import type { Host, SystemEvent } from '../core/host'
import type { SessionRecord, SessionStore } from '../core/session-record'
import { browserClock } from './browser-clock'
import { pageNetworkSignals } from './page-signals'

const SESSION_KEY = 'holdfast.session'

/** sessionStorage-backed store; a broken entry reads as nothing. */
export function sessionStorageStore(storage: Storage = window.sessionStorage): SessionStore {
  return {
    load: async () => {
      const text = storage.getItem(SESSION_KEY)
      if (text === null) return undefined
      try {
        return JSON.parse(text) as unknown
      } catch {
        storage.removeItem(SESSION_KEY)
        return undefined
      }
    },
    save: async (record: SessionRecord) => storage.setItem(SESSION_KEY, JSON.stringify(record)),
    clear: async () => storage.removeItem(SESSION_KEY),
  }
}

/** Creates the browser host. */
export function createBrowserHost(): Host {
  const listeners = new Set<(event: SystemEvent) => void>()
  const emit = (event: SystemEvent): void => {
    for (const listener of [...listeners]) listener(event)
  }
  pageNetworkSignals(emit)
  document.addEventListener('freeze', () => emit({ type: 'suspend' }))
  document.addEventListener('resume', () => emit({ type: 'resume' }))
  startDriftDetector({
    clock: browserClock,
    intervalMs: 1000,
    // Background tabs throttle timers to about once a second (or a minute when hidden for
    // long); only a gap well past that means the machine slept.
    thresholdMs: 5000,
    onWake: (sleptMs) => emit({ type: 'resume', sleptMs }),
  })
  return {
    sessionStore: sessionStorageStore(),
    onSystemEvent(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    appInfo: () => ({ name: 'Holdfast', version: __APP_VERSION__, host: 'browser' }),
    // The page's own cookies go along (a same-origin token service knows who asks); nothing cached.
    fetchToken: async (url) => {
      const response = await fetch(url, { cache: 'no-store', credentials: 'same-origin' })
      return { status: response.status, body: await response.text() }
    },
  }
}
