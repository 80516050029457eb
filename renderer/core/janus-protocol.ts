/**
 * The subset of the Janus JSON API that the session core speaks, typed, and a parser that
 * turns untrusted socket text into a message or a reason to drop it.
 * See https://janus.conf.meetecho.com/docs/rest.html for the message shapes.
 */

/** Janus error codes the core reacts to (janus/apierror.h). */
export const JanusErrorCode = {
  unauthorized: 403,
  unauthorizedPlugin: 405,
  sessionNotFound: 458,
  handleNotFound: 459,
  invalidRequestPath: 457,
} as const

/** Any message Janus sends us. Only the fields the core reads are typed. */
export interface JanusMessage {
  janus: string
  transaction?: string
  session_id?: number
  sender?: number
  data?: Record<string, unknown>
  error?: { code: number; reason: string }
  plugindata?: { plugin: string; data: Record<string, unknown> }
  jsep?: { type: string; sdp: string }
  [key: string]: unknown
}

/** A request we send; `janus` is the verb. */
export interface JanusRequest {
  janus: string
  transaction?: string
  session_id?: number
  handle_id?: number
  token?: string
  apisecret?: string
  [key: string]: unknown
}

/** What `{"janus":"info"}` tells a client about the server's windows and auth. */
export interface ServerInfo {
  version: string
  /** Seconds without a request before Janus destroys a session; 0 means never. */
  sessionTimeoutS: number
  /** Seconds a session outlives its transport (Janus 1.1.x: counted from the last request). */
  reclaimSessionTimeoutS: number
  apiSecretRequired: boolean
  tokenRequired: boolean
}

export type ParseResult = { ok: true; message: JanusMessage } | { ok: false; reason: string }

/** Parses one WebSocket frame from Janus; never throws. */
export function parseJanusMessage(text: unknown): ParseResult {
  if (typeof text !== 'string') return { ok: false, reason: 'frame is not text' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false, reason: 'frame is not valid JSON' }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'frame is not a JSON object' }
  }
  const record = value as Record<string, unknown>
  if (typeof record.janus !== 'string') return { ok: false, reason: 'frame has no "janus" verb' }
  if ('transaction' in record && typeof record.transaction !== 'string') {
    return { ok: false, reason: 'frame has a non-string transaction' }
  }
  for (const key of ['session_id', 'sender'] as const) {
    if (key in record && typeof record[key] !== 'number') {
      return { ok: false, reason: `frame has a non-numeric ${key}` }
    }
  }
  if (record.janus === 'error') {
    const error = record.error as Record<string, unknown> | undefined
    if (typeof error !== 'object' || error === null || typeof error.code !== 'number') {
      return { ok: false, reason: 'error frame without an error code' }
    }
  }
  return { ok: true, message: record as JanusMessage }
}

/** Reads the fields of an `info` reply that size the keepalive and reclaim strategy. */
export function readServerInfo(message: JanusMessage): ServerInfo {
  const num = (key: string, fallback: number): number => {
    const value = message[key]
    return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback
  }
  return {
    version: typeof message.version_string === 'string' ? message.version_string : 'unknown',
    sessionTimeoutS: num('session-timeout', 60),
    reclaimSessionTimeoutS: num('reclaim-session-timeout', 0),
    apiSecretRequired: message.api_secret === true,
    tokenRequired: message.auth_token === true,
  }
}

/** A Janus error reply, or a failure of ours that we report in the same shape. */
export class JanusRequestError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`Janus error ${code}: ${reason}`)
    this.name = 'JanusRequestError'
  }
}

/**
 * Codes of our own for failures that never reached Janus. They sit outside Janus's
 * 4xx range so that callers can tell them apart.
 */
export const LocalErrorCode = {
  /** The request timed out waiting for a reply. */
  timeout: 1001,
  /** The connection was down and the request opted out of queueing. */
  notConnected: 1002,
  /** The connection was lost after sending; Janus may or may not have processed it. */
  outcomeUnknown: 1003,
  /** The session was lost; requests for the old session cannot be delivered. */
  sessionLost: 1004,
  /** The client was disconnected deliberately. */
  closed: 1005,
} as const
