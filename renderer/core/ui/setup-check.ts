/**
 * First-run setup's "Test connection" (issue 11): what the connection attempt showed, in words
 * that say what to fix: the address, the server's reachability, or its reclaim window. Pure.
 */
import type { ConnectionState } from '../connection-state'
import type { ServerInfo } from '../janus-protocol'

export type ServerCheck =
  { verdict: 'waiting' } | { verdict: 'ok' | 'warning' | 'failed'; text: string }

/** Judges a connection attempt from its state (and the server's info once connected). */
export function checkServer(
  url: string,
  state: ConnectionState,
  info: ServerInfo | undefined,
  settingsError: string | undefined,
): ServerCheck {
  if (settingsError)
    return { verdict: 'failed', text: `The address is not usable: ${settingsError}` }
  switch (state.kind) {
    case 'connected': {
      if (!info) return { verdict: 'waiting' }
      if (info.reclaimSessionTimeoutS <= 0)
        return {
          verdict: 'warning',
          text: `Connected to Janus ${info.version}, but it keeps no reclaim window: a call cannot survive a dropped connection. Ask the server's administrator to set reclaim_session_timeout in janus.jcfg.`,
        }
      return {
        verdict: 'ok',
        text: `Connected to Janus ${info.version}. Calls survive up to ${info.reclaimSessionTimeoutS} s without a connection.`,
      }
    }
    case 'reconnecting':
      return state.reason === 'serverUnreachable' || state.attempt > 1
        ? {
            verdict: 'failed',
            text: `Could not reach a Janus server at ${url}: check the address and port, and that the server is running.`,
          }
        : { verdict: 'waiting' }
    case 'failed':
      return state.reason === 'unauthorized'
        ? { verdict: 'failed', text: `The server refused the credentials: ${state.message}` }
        : { verdict: 'failed', text: `Could not connect to ${url}: ${state.message}` }
    case 'idle':
    case 'connecting':
    case 'recovering':
    case 'closed':
      return { verdict: 'waiting' }
  }
}
