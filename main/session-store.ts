/**
 * The persistent Janus session record in main, on electron-store (a thin subclass of `conf`,
 * so tests run the same options on `conf` in plain Node). Writes are atomic (conf writes a
 * temporary file and renames it); a corrupted file is moved aside with a warning instead
 * of crashing; a record whose session has surely expired is dropped on load.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs'
import { sessionSurelyExpired } from '../renderer/core/reclaim-window'
import {
  parseSessionRecord,
  sessionRecordSchema,
  type SessionRecord,
} from '../renderer/core/session-record'
import type { MainLogger } from './file-log'

/** The shape on disk. */
export interface SessionFile {
  session?: SessionRecord
}

/** The store's options; shared by electron-store in the app and conf in tests. */
export const sessionStoreOptions = {
  configName: 'holdfast-session',
  clearInvalidConfig: true,
  // The one definition of the record (renderer/core/session-record.ts), as the IPC validator
  // and the parser read it.
  schema: { session: sessionRecordSchema },
} as const

/** The part of electron-store / conf the session store uses. */
export interface KeyValueStore<T> {
  readonly path: string
  get<K extends keyof T>(key: K): T[K] | undefined
  set<K extends keyof T>(key: K, value: T[K]): void
  delete<K extends keyof T>(key: K): void
}

/**
 * Moves a file that is not valid JSON aside (`<file>.corrupt`) so the store starts empty,
 * and says so in the log. Call before constructing the store.
 */
export function quarantineCorruptFile(path: string, log: Pick<MainLogger, 'warn'>): boolean {
  if (!existsSync(path)) return false
  try {
    JSON.parse(readFileSync(path, 'utf8'))
    return false
  } catch {
    const aside = `${path}.corrupt`
    renameSync(path, aside)
    log.warn(`session store: ${path} was not valid JSON; moved to ${aside} and started empty`)
    return true
  }
}

/** Session load/save/clear over a key-value store. */
export class SessionStoreService {
  constructor(
    private readonly store: KeyValueStore<SessionFile>,
    private readonly now: () => number,
    private readonly log: Pick<MainLogger, 'warn'>,
  ) {}

  /** The stored record, if valid and young enough; anything else is dropped. */
  load(): SessionRecord | undefined {
    const record = parseSessionRecord(this.store.get('session'))
    if (!record) {
      if (this.store.get('session') !== undefined) {
        this.log.warn('session store: dropped a malformed record')
        this.store.delete('session')
      }
      return undefined
    }
    const activity = {
      lastRequestAt: record.lastRequestAt,
      ...(record.detachedAt !== undefined ? { detachedAt: record.detachedAt } : {}),
    }
    if (sessionSurelyExpired(activity, record, this.now())) {
      this.store.delete('session')
      return undefined
    }
    return record
  }

  save(record: SessionRecord): void {
    this.store.set('session', record)
  }

  clear(): void {
    this.store.delete('session')
  }
}
