/**
 * Which server each attempt goes to (issue 14): the one holding the session while it may
 * still be claimed there, the pool's pick for a new session otherwise; when to try so that a
 * move happens as soon as the session surely expired; and whether an established socket moved
 * the session to another server.
 */
import type { Clock } from '../clock'
import { sessionSurelyExpiresAt } from '../reclaim-window'
import { ServerPool } from '../server-pool'
import type { SessionFacts } from './handshake'

/** A move to another server, with the reason the old one was left. */
export interface ServerMove {
  from: string
  to: string
  why: string
}

/** The session's servers: where to attempt, and what each attempt's outcome means. */
export class ServerChoice {
  readonly pool: ServerPool
  /** The server of the last socket that held the session. */
  private establishedOn: string | undefined

  constructor(
    servers: readonly string[],
    private readonly facts: SessionFacts,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.pool = new ServerPool([...new Set(servers)], () => clock.now())
  }

  /** Where the next attempt goes. */
  forAttempt(): string {
    const { facts } = this
    if (facts.sessionId !== undefined && facts.serverUrl !== undefined) {
      const at = this.expiresAt()
      if (at === undefined || this.clock.now() <= at) return facts.serverUrl
    }
    return this.pool.pick()
  }

  /**
   * With another server to go to, the attempt that may move goes the moment the session
   * surely expired where it lives, not at the next backoff step (up to 16 s later); once
   * past that moment the backoff paces the other servers.
   */
  delayBefore(nextAttempt: number): number {
    const at = this.pool.servers.length > 1 ? this.expiresAt() : undefined
    const now = this.clock.now()
    return at !== undefined && at > now ? Math.min(nextAttempt, at - now + 1) : nextAttempt
  }

  /** An attempt at `url` failed: with other servers to go to, it rests for a while. */
  failed(url: string, why: string): void {
    if (this.pool.servers.length > 1) this.pool.refused(url, why)
  }

  /** A socket to `url` holds the session: the move it made, if it moved. */
  established(url: string): ServerMove | undefined {
    const from = this.establishedOn
    this.establishedOn = url
    this.pool.used(url)
    if (from === undefined || from === url) return undefined
    return { from, to: url, why: this.pool.resting(from)?.why ?? 'it could not be reached' }
  }

  /** When the session held surely expired on its server (undefined: none, or unknowable). */
  private expiresAt(): number | undefined {
    const { facts } = this
    if (facts.sessionId === undefined) return undefined
    return sessionSurelyExpiresAt(
      {
        lastRequestAt: facts.lastRequestAt,
        ...(facts.detachedAt !== undefined ? { detachedAt: facts.detachedAt } : {}),
      },
      facts.serverInfo,
    )
  }
}
