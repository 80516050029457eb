/**
 * Window arithmetic: how often to talk to Janus so a disconnect at any moment still leaves
 * most of the reclaim window, and when a lost session is surely gone so a claim is pointless.
 *
 * Janus 1.1.x counts the reclaim window from the session's last request, not from the
 * transport loss (janus.c's session watchdog), so the request cadence itself decides how much of
 * the window a client has left after a drop. Newer Janus counts from the transport loss.
 */
import type { ServerInfo } from './janus-protocol'

/** How often to send a keepalive and how long to wait for its ack. */
export interface KeepalivePlan {
  intervalMs: number
  ackTimeoutMs: number
}

/**
 * While a call is up a dead connection must be noticed within 3 s: a keepalive every second
 * with a 1.5 s ack bound finds it in at most 2.5 s after the last good exchange.
 */
export const inCallKeepalive: KeepalivePlan = { intervalMs: 1000, ackTimeoutMs: 1500 }

/** janus.js's own cadence, used when the server's windows are unknown. */
const defaultIntervalMs = 25_000
const minIntervalMs = 1000
const maxAckTimeoutMs = 5000

/** The Janus watchdog ticks every 2 s and 1.1.2 needs two ticks; one more second of margin. */
export const expirySlackMs = 5000

/** The idle keepalive plan derived from the server's windows. */
export function planKeepalive(info: ServerInfo | undefined, inCall: boolean): KeepalivePlan {
  if (inCall) return inCallKeepalive
  const candidates = [defaultIntervalMs]
  if (info && info.reclaimSessionTimeoutS > 0) {
    // A quarter of the window between requests: a drop at any moment leaves >= 75% of it.
    candidates.push((info.reclaimSessionTimeoutS * 1000) / 4)
  }
  if (info && info.sessionTimeoutS > 0) candidates.push((info.sessionTimeoutS * 1000) / 3)
  const intervalMs = Math.max(minIntervalMs, Math.floor(Math.min(...candidates)))
  const ackTimeoutMs = Math.min(
    maxAckTimeoutMs,
    Math.max(inCallKeepalive.ackTimeoutMs, intervalMs / 2),
  )
  return { intervalMs, ackTimeoutMs }
}

/** What the client knows about when its session last showed life. */
export interface SessionActivity {
  /** When the last request carrying the session id was sent (epoch ms). */
  lastRequestAt: number
  /**
   * When the transport surely closed on the server too (a clean close, a page unload),
   * if known. A dead path that never closed leaves this undefined.
   */
  detachedAt?: number
}

/**
 * True once the session has surely been destroyed by Janus, under both the 1.1.x rule
 * (window from the last request) and the newer one (window from the transport loss), so
 * that claiming it would only earn a 458. When in doubt it answers false: a claim costs
 * one round trip, a wrongly abandoned session costs the call.
 */
export function sessionSurelyExpired(
  activity: SessionActivity,
  info: Pick<ServerInfo, 'sessionTimeoutS' | 'reclaimSessionTimeoutS'> | undefined,
  now: number,
): boolean {
  const at = sessionSurelyExpiresAt(activity, info)
  return at !== undefined && now > at
}

/** When `sessionSurelyExpired` turns true (undefined: not knowable without the windows). */
export function sessionSurelyExpiresAt(
  activity: SessionActivity,
  info: Pick<ServerInfo, 'sessionTimeoutS' | 'reclaimSessionTimeoutS'> | undefined,
): number | undefined {
  if (!info) return undefined
  const limits: number[] = []
  if (activity.detachedAt !== undefined) {
    const since = Math.max(activity.detachedAt, activity.lastRequestAt)
    limits.push(since + info.reclaimSessionTimeoutS * 1000 + expirySlackMs)
  }
  // Whatever the transport did, no request for a whole session timeout kills the session.
  if (info.sessionTimeoutS > 0)
    limits.push(activity.lastRequestAt + info.sessionTimeoutS * 1000 + expirySlackMs)
  return limits.length ? Math.min(...limits) : undefined
}
