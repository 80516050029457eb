/**
 * What the renderer needs from its container. The browser host (sessionStorage, window
 * events) and the Electron host (IPC to the main process) both implement it.
 */
import type { SessionStore } from './session-record'

/** Something the machine or the network did. */
export type SystemEvent =
  | { type: 'suspend' }
  | { type: 'resume'; sleptMs?: number }
  | { type: 'online' }
  | { type: 'offline' }
  | { type: 'network-changed'; addresses: string[] }

/** Gives the session core a fresh token when Janus answers 403. */
export interface TokenProvider {
  /** A new token, or undefined if none can be had. */
  refreshToken(): Promise<string | undefined>
}

/** Fetches a token service URL: its status and body (see core/session/token-service). */
export type FetchText = (url: string) => Promise<{ status: number; body: string }>

/** What the container tells the app about itself. */
export interface AppInfo {
  name: string
  version: string
  host: 'browser' | 'electron'
}

/** The renderer's view of its container. */
export interface Host {
  readonly sessionStore: SessionStore
  readonly tokenProvider?: TokenProvider
  /** Fetches the token service's URL, where the host can (Settings → Server → Token service). */
  readonly fetchToken?: FetchText
  /** Subscribes to system events; returns the unsubscribe function. */
  onSystemEvent(listener: (event: SystemEvent) => void): () => void
  appInfo(): AppInfo
  /**
   * Lets the app's sockets reach this server, where the host polices connections (the
   * desktop app's main refuses every other socket); false if it refused.
   */
  allowServer?(url: string): Promise<boolean>
}
