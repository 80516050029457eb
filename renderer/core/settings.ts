/** The connection settings a person types, and their validation with messages to show. */

/** What the connection needs. */
export interface ConnectionSettings {
  serverUrl: string
  apiSecret: string
  token: string
  /** ICE server URLs, one per line in the form (default none: no public STUN on a closed network). */
  iceServers: string
}

/** An RTCIceServer without depending on DOM types. */
export interface IceServerConfig {
  urls: string[]
}

export type Validated<T> = { ok: true; value: T } | { ok: false; error: string }

/** Checks a Janus WebSocket URL. */
export function validateServerUrl(text: string): Validated<string> {
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
  return { ok: true, value: trimmed }
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
