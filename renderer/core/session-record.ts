/**
 * What the core persists through the host's session store so that a page reload or an
 * app restart can claim the same Janus session, and the validation of what comes back.
 */

/** A plugin handle attached to the stored session. */
export interface StoredHandle {
  plugin: string
  id: number
}

/** The persisted session, written whenever any field changes. */
export interface SessionRecord {
  version: 1
  serverUrl: string
  sessionId: number
  handles: StoredHandle[]
  /** Epoch ms of the last request that carried the session id. */
  lastRequestAt: number
  /** Epoch ms when the page or app let go of the transport, if it did so cleanly. */
  detachedAt?: number
  /** The server's windows as learnt from `info`, in seconds. */
  sessionTimeoutS: number
  reclaimSessionTimeoutS: number
}

/** Where the record lives: sessionStorage in a browser, electron-store in the desktop app. */
export interface SessionStore {
  load(): Promise<unknown>
  save(record: SessionRecord): Promise<void>
  clear(): Promise<void>
}

/**
 * The record's size limits (issue 12): a server URL is a URL, not megabytes; a session has a
 * few handles, not thousands. The IPC validator, the parser and the store's schema all take
 * them from here.
 */
export const sessionRecordLimits = { serverUrlChars: 2048, handles: 64, pluginChars: 128 } as const

const count = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const

/**
 * The record as a JSON Schema: electron-store compiles it for the file on disk, and a
 * property test proves it accepts exactly what `parseSessionRecord` accepts.
 */
export const sessionRecordSchema = {
  type: 'object',
  required: [
    'version',
    'serverUrl',
    'sessionId',
    'handles',
    'lastRequestAt',
    'sessionTimeoutS',
    'reclaimSessionTimeoutS',
  ],
  properties: {
    version: { const: 1 },
    serverUrl: { type: 'string', maxLength: sessionRecordLimits.serverUrlChars },
    sessionId: count,
    handles: {
      type: 'array',
      maxItems: sessionRecordLimits.handles,
      items: {
        type: 'object',
        required: ['plugin', 'id'],
        properties: {
          plugin: { type: 'string', maxLength: sessionRecordLimits.pluginChars },
          id: count,
        },
      },
    },
    lastRequestAt: count,
    detachedAt: count,
    sessionTimeoutS: count,
    reclaimSessionTimeoutS: count,
  },
} as const

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0

/**
 * Validates an unknown value read from storage or sent over IPC; anything malformed or past
 * the limits is `undefined`.
 */
export function parseSessionRecord(value: unknown): SessionRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const r = value as Record<string, unknown>
  if (r.version !== 1 || typeof r.serverUrl !== 'string' || !isCount(r.sessionId)) return undefined
  if (r.serverUrl.length > sessionRecordLimits.serverUrlChars) return undefined
  if (
    !isCount(r.lastRequestAt) ||
    !isCount(r.sessionTimeoutS) ||
    !isCount(r.reclaimSessionTimeoutS)
  ) {
    return undefined
  }
  if (r.detachedAt !== undefined && !isCount(r.detachedAt)) return undefined
  if (!Array.isArray(r.handles) || r.handles.length > sessionRecordLimits.handles) return undefined
  const handles: StoredHandle[] = []
  for (const h of r.handles as unknown[]) {
    if (typeof h !== 'object' || h === null) return undefined
    const { plugin, id } = h as Record<string, unknown>
    if (typeof plugin !== 'string' || plugin.length > sessionRecordLimits.pluginChars)
      return undefined
    if (!isCount(id)) return undefined
    handles.push({ plugin, id })
  }
  return {
    version: 1,
    serverUrl: r.serverUrl,
    sessionId: r.sessionId,
    handles,
    lastRequestAt: r.lastRequestAt,
    ...(r.detachedAt !== undefined ? { detachedAt: r.detachedAt as number } : {}),
    sessionTimeoutS: r.sessionTimeoutS,
    reclaimSessionTimeoutS: r.reclaimSessionTimeoutS,
  }
}
