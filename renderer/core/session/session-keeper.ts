/**
 * Keeps the session's record in the host's store so a reload or an app restart can claim
 * the same session: reads it once per life of the session, writes it when it changes
 * (request times coalesced into one write), and forgets it when the session is gone.
 */
import type { Clock, Logger, TimerId } from '../clock'
import { sessionSurelyExpired } from '../reclaim-window'
import {
  parseSessionRecord,
  type SessionRecord,
  type SessionStore,
  type StoredHandle,
} from '../session-record'
import type { SessionFacts } from './handshake'

export interface SessionKeeperDeps {
  clock: Clock
  store: SessionStore
  logger: Logger
  /** The servers a stored session may live on (the pool); the first is the default. */
  servers: readonly string[]
  /** The session as it stands (no record is kept while it has no id). */
  facts: SessionFacts
  handles(): StoredHandle[]
}

/** The persisted side of the session. */
export class SessionKeeper {
  private loaded = false
  private timer: TimerId | undefined

  constructor(private readonly deps: SessionKeeperDeps) {}

  /**
   * The stored session, the first time it is asked, if it is for one of the servers and may
   * still live there; a record that surely expired is cleared.
   */
  async loadOnce(): Promise<SessionRecord | undefined> {
    if (this.loaded) return undefined
    this.loaded = true
    let record: SessionRecord | undefined
    try {
      record = parseSessionRecord(await this.deps.store.load())
    } catch (error) {
      this.deps.logger.warn('could not read the stored session', error)
    }
    if (!record) return undefined
    const expired = sessionSurelyExpired(
      {
        lastRequestAt: record.lastRequestAt,
        ...(record.detachedAt !== undefined ? { detachedAt: record.detachedAt } : {}),
      },
      record,
      this.deps.clock.now(),
    )
    if (!this.deps.servers.includes(record.serverUrl) || expired) {
      await this.clear()
      return undefined
    }
    return record
  }

  /** Writes the record now. */
  saveNow(): Promise<void> {
    this.cancel()
    const record = this.record()
    if (!record) return Promise.resolve()
    return this.deps.store
      .save(record)
      .catch((error: unknown) => this.deps.logger.warn('could not store the session', error))
  }

  /** Request times change often; coalesce them into one write. */
  saveSoon(): void {
    if (this.timer !== undefined) return
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined
      void this.saveNow()
    }, 0)
  }

  private record(): SessionRecord | undefined {
    const { facts } = this.deps
    if (facts.sessionId === undefined) return undefined
    return {
      version: 1,
      serverUrl: facts.serverUrl ?? this.deps.servers[0]!,
      sessionId: facts.sessionId,
      handles: this.deps.handles(),
      lastRequestAt: facts.lastRequestAt,
      ...(facts.detachedAt !== undefined ? { detachedAt: facts.detachedAt } : {}),
      sessionTimeoutS: facts.serverInfo?.sessionTimeoutS ?? 60,
      reclaimSessionTimeoutS: facts.serverInfo?.reclaimSessionTimeoutS ?? 0,
    }
  }

  /** Forgets the stored session. */
  clear(): Promise<void> {
    this.cancel()
    return this.deps.store.clear()
  }

  private cancel(): void {
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer)
    this.timer = undefined
  }
}
