/**
 * The subset of the Janus JSON API that the session core speaks, typed, and a parser that
 * turns untrusted socket text into a message or a reason to drop it.
 * See https://janus.conf.meetecho.com/docs/rest.html for the message shapes.
 */

/** Janus error codes the core reacts to (janus/apierror.h). */
export const JanusErrorCode = {
  unauthorized: 403,
  unauthorizedPlugin: 405,
  invalidRequestPath: 457,
  sessionNotFound: 458,
  handleNotFound: 459,
  /** The server is draining: an operator told it to refuse new sessions for now. */
  notAcceptingSessions: 472,
  unknown: 490,
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

/**
 * Bounds on a frame (issue 12). Janus's largest frames are SDPs and room lists of tens of
 * kilobytes, nested a handful of levels; anything far past that is refused unread, so a broken
 * or hostile server cannot make the page parse megabytes or recurse without end.
 */
export const frameLimits = { maxChars: 4_000_000, maxDepth: 64 } as const

/** Whether JSON text nests deeper than `limit` (strings skipped; one pass, no recursion). */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92 /* \\ */) i++
      else if (c === 34 /* " */) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91 /* { [ */) {
      if (++depth > limit) return true
    } else if (c === 125 || c === 93 /* } ] */) depth--
  }
  return false
}

/** Parses one WebSocket frame from Janus; never throws. */
export function parseJanusMessage(text: unknown): ParseResult {
  if (typeof text !== 'string') return { ok: false, reason: 'frame is not text' }
  if (text.length > frameLimits.maxChars)
    return { ok: false, reason: `frame is larger than ${frameLimits.maxChars} characters` }
  if (nestsDeeperThan(text, frameLimits.maxDepth))
    return { ok: false, reason: `frame nests deeper than ${frameLimits.maxDepth} levels` }
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

/** No server window is taken as longer than a day: a larger one is a misconfiguration. */
const maxWindowS = 86_400

/**
 * Reads the fields of an `info` reply that size the keepalive and reclaim strategy. Windows
 * that make no sense (negative, not finite) fall back to Janus's defaults; fractions are
 * rounded down and absurdly long ones capped, so no timer is ever armed with garbage.
 */
export function readServerInfo(message: JanusMessage): ServerInfo {
  const seconds = (key: string, fallback: number): number => {
    const value = message[key]
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return fallback
    return Math.min(maxWindowS, Math.floor(value))
  }
  return {
    version: typeof message.version_string === 'string' ? message.version_string : 'unknown',
    sessionTimeoutS: seconds('session-timeout', 60),
    reclaimSessionTimeoutS: seconds('reclaim-session-timeout', 0),
    apiSecretRequired: message.api_secret === true,
    tokenRequired: message.auth_token === true,
  }
}

/**
 * Reads a session or handle id from a `create` / `attach` reply. Janus ids are positive
 * integers that fit a double exactly; anything else means the server cannot be talked to.
 */
export function readCreatedId(reply: JanusMessage): number {
  const id = reply.data?.id
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0)
    throw new ProtocolError(`The server answered ${reply.janus} without a usable id`)
  return id
}

/** Janus answered a request with an error. */
export class ServerError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`Janus error ${code}: ${reason}`)
    this.name = 'ServerError'
  }

  /** The credentials were refused (a bad API secret, an expired token, a plugin not allowed). */
  get unauthorized(): boolean {
    return (
      this.code === JanusErrorCode.unauthorized || this.code === JanusErrorCode.unauthorizedPlugin
    )
  }

  /** A refusal for now that may pass: worth trying again after a backoff. */
  get transient(): boolean {
    return this.code === JanusErrorCode.notAcceptingSessions || this.code === JanusErrorCode.unknown
  }
}

/** Why a request failed on our side without an answer from Janus. */
export type ClientErrorKind =
  /** No reply within the request's bound. */
  | 'timeout'
  /** The connection was down and the request opted out of waiting for it. */
  | 'notConnected'
  /** The connection was lost after sending; Janus may or may not have acted on it. */
  | 'outcomeUnknown'
  /** The session was lost; requests for the old session cannot be delivered. */
  | 'sessionLost'
  /** The client was disconnected deliberately. */
  | 'closed'

/** A request that failed on our side: the server never answered it. */
export class ClientError extends Error {
  constructor(
    readonly kind: ClientErrorKind,
    message: string,
  ) {
    super(message)
    this.name = 'ClientError'
  }
}

/** The server said something that breaks the protocol (a `create` reply without an id). */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ProtocolError'
  }
}
