/** The connection settings a person types, and their validation with messages to show. */

/** What the connection needs. */
export interface ConnectionSettings {
  serverUrl: string
  apiSecret: string
  token: string
  /** ICE server URLs, one per line in the form (default none: no public STUN on a closed network). */
  iceServers: string
  /** Refuse ws:// to any host but this computer (credentials would cross the network in clear). */
  refuseCleartext?: boolean
  /**
   * More Janus servers, one per line (issue 14): a new session goes to the next one when the
   * server holding the session is gone for good.
   */
  moreServers?: string
  /**
   * Where a fresh token is fetched when Janus refuses one (issue 14): an http(s) URL, or a
   * path on the page's own origin (`/token`). Empty: the token above is used as it is.
   */
  tokenUrl?: string
}

/** An RTCIceServer without depending on DOM types. */
export interface IceServerConfig {
  urls: string[]
}

export type Validated<T> = { ok: true; value: T } | { ok: false; error: string }

/**
 * Whether a server URL carries credentials in clear text over a network (issue 12): `ws://`
 * to anything but this computer (localhost, 127.0.0.0/8, ::1). `wss://` and loopback are not.
 */
export function isCleartextRemote(text: string): boolean {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return false
  }
  if (url.protocol !== 'ws:') return false
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const loopback =
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127(\.\d{1,3}){3}$/.test(host)
  return !loopback
}

/** Words for the warning shown wherever credentials would go to such a server. */
export const cleartextWarning =
  'This server is reached without encryption (ws://): the API secret, the token and SIP passwords would cross the network in clear text. Use wss:// if the server offers it.'

/** Checks a Janus WebSocket URL (and, when asked, refuses clear text to another computer). */
export function validateServerUrl(
  text: string,
  options: { refuseCleartext?: boolean } = {},
): Validated<string> {
  const trimmed = text.trim()
  if (trimmed === '')
    return { ok: false, error: 'Enter the server URL, for example ws://127.0.0.1:8188.' }
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    return { ok: false, error: `"${trimmed}" is not a URL. Use ws://host:port or wss://host/path.` }
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return {
      ok: false,
      error: `Holdfast talks to Janus over WebSockets: use ws:// or wss://, not ${url.protocol}//.`,
    }
  }
  if (url.hostname === '') return { ok: false, error: 'The server URL has no host.' }
  if (options.refuseCleartext && isCleartextRemote(trimmed))
    return {
      ok: false,
      error: `Unencrypted connections to other computers are refused (Settings → Server): use wss://${url.host}${url.pathname === '/' ? '' : url.pathname}.`,
    }
  return { ok: true, value: trimmed }
}

/** Checks the extra servers, one per line (blanks ignored, the main server and repeats dropped). */
export function parseMoreServers(
  text: string,
  main: string,
  options: { refuseCleartext?: boolean } = {},
): Validated<string[]> {
  const servers: string[] = []
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '') continue
    const checked = validateServerUrl(raw, options)
    if (!checked.ok) return { ok: false, error: `More servers: ${checked.error}` }
    if (checked.value !== main && !servers.includes(checked.value)) servers.push(checked.value)
  }
  if (servers.length > 8) return { ok: false, error: 'More servers: eight at most.' }
  return { ok: true, value: servers }
}

/** Parses ICE server lines (stun:, turn:, turns:), ignoring blanks. */
export function parseIceServers(text: string): Validated<IceServerConfig[]> {
  const servers: IceServerConfig[] = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '') continue
    if (!/^(stun|turn|turns):[^\s]+$/.test(line)) {
      return { ok: false, error: `"${line}" is not an ICE server URL (stun:, turn: or turns:).` }
    }
    servers.push({ urls: [line] })
  }
  return { ok: true, value: servers }
}

/**
 * Checks the token service URL: empty (none), a path on the app's own origin, or an http(s)
 * URL without credentials in it. `http://` to another computer is refused when clear text is.
 */
export function validateTokenUrl(
  text: string,
  options: { refuseCleartext?: boolean } = {},
): Validated<string | undefined> {
  const trimmed = text.trim()
  if (trimmed === '') return { ok: true, value: undefined }
  if (trimmed.startsWith('/') && !trimmed.startsWith('//')) return { ok: true, value: trimmed }
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    return {
      ok: false,
      error: `Token service: "${trimmed}" is not a URL. Use https://host/path or a path such as /token.`,
    }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, error: `Token service: use https://, not ${url.protocol}//.` }
  if (url.username !== '' || url.password !== '')
    return { ok: false, error: 'Token service: put no user name or password in the URL.' }
  if (options.refuseCleartext && url.protocol === 'http:' && isCleartextRemote(`ws://${url.host}`))
    return {
      ok: false,
      error: `Unencrypted connections to other computers are refused (Settings → Server): use https://${url.host}${url.pathname}.`,
    }
  return { ok: true, value: trimmed }
}
