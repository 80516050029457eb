/**
 * Which WebSockets the desktop app's pages may open (issue 12). A CSP cannot list the
 * configured servers here: it is fixed when the page loads, while setup tests an address
 * before it is saved and Settings can change it in a running app. So the CSP keeps `ws:` and
 * `wss:`, and main decides every socket against the servers the page said it would use,
 * before any byte leaves (`session.webRequest`), for every web contents of the session.
 */

/** The exact origin (`wss://host:port`) of a ws:/wss: URL, or undefined for anything else. */
export function socketOrigin(url: string): string | undefined {
  try {
    const parsed = new URL(url)
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return undefined
    if (parsed.username !== '' || parsed.password !== '') return undefined
    return parsed.origin
  } catch {
    return undefined
  }
}

/** The WebSocket origin of an http(s) page origin (the dev server's hot reload), if any. */
function socketOriginOfPage(pageOrigin: string): string | undefined {
  if (pageOrigin.startsWith('http://')) return `ws://${pageOrigin.slice('http://'.length)}`
  if (pageOrigin.startsWith('https://')) return `wss://${pageOrigin.slice('https://'.length)}`
  return undefined
}

/** The servers the app said it connects to, most recent first, bounded. */
export class ServerAllowlist {
  private readonly origins: string[] = []

  constructor(private readonly capacity = 16) {}

  /** Lets sockets to this server through; false (and nothing allowed) if it is not ws/wss. */
  allow(url: string): boolean {
    const origin = socketOrigin(url)
    if (!origin) return false
    const at = this.origins.indexOf(origin)
    if (at >= 0) this.origins.splice(at, 1)
    this.origins.unshift(origin)
    this.origins.length = Math.min(this.origins.length, this.capacity)
    return true
  }

  /** The origins allowed now. */
  list(): readonly string[] {
    return this.origins
  }
}

/**
 * Whether a socket to `url` may open: to an allowed server, or to the page's own dev server
 * (its hot reload). Everything else is refused.
 */
export function isAllowedSocket(
  url: string,
  allowed: readonly string[],
  pageOrigin: string,
): boolean {
  const origin = socketOrigin(url)
  if (!origin) return false
  return allowed.includes(origin) || origin === socketOriginOfPage(pageOrigin)
}
