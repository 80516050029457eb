/**
 * The Janus servers a session may be created on (issue 14). A session lives on one server:
 * claims always go to the server that holds it. Only a new session (none yet, or the old one
 * surely gone) picks a server here: the last one used first, then the configured order,
 * skipping any that refused lately (unreachable, draining with 472, a proxy's 5xx), each
 * resting longer after each refusal in a row. Pure: it is told what happened and the time.
 */

export interface ServerPoolOptions {
  /** How long a server rests after its first refusal in a row; doubled per refusal. */
  restBaseMs: number
  restMaxMs: number
}

export const defaultServerPool: ServerPoolOptions = { restBaseMs: 5000, restMaxMs: 120_000 }

interface Health {
  refusals: number
  restingUntil: number
  why?: string
}

/** The configured servers with their health and the last one used. */
export class ServerPool {
  private readonly health = new Map<string, Health>()
  private lastUsed: string | undefined

  constructor(
    readonly servers: readonly string[],
    private readonly now: () => number,
    private readonly options: ServerPoolOptions = defaultServerPool,
  ) {
    if (servers.length === 0) throw new Error('a server pool needs at least one server')
  }

  /** Whether `url` is one of the pool's servers. */
  has(url: string): boolean {
    return this.servers.includes(url)
  }

  /**
   * Where a new session goes: the last server used, then the configured order, leaving out
   * those resting; when all rest, the one whose rest ends first.
   */
  pick(): string {
    const order = this.lastUsed
      ? [this.lastUsed, ...this.servers.filter((s) => s !== this.lastUsed)]
      : [...this.servers]
    const now = this.now()
    const awake = order.find((s) => (this.health.get(s)?.restingUntil ?? 0) <= now)
    if (awake) return awake
    return order.reduce((best, s) =>
      this.health.get(s)!.restingUntil < this.health.get(best)!.restingUntil ? s : best,
    )
  }

  /** A session was established on `url`: it is healthy and the first choice from now on. */
  used(url: string): void {
    this.health.delete(url)
    this.lastUsed = url
  }

  /** `url` could not be reached or refused: it rests, longer after each refusal in a row. */
  refused(url: string, why: string): void {
    const refusals = (this.health.get(url)?.refusals ?? 0) + 1
    const rest = Math.min(this.options.restBaseMs * 2 ** (refusals - 1), this.options.restMaxMs)
    this.health.set(url, { refusals, restingUntil: this.now() + rest, why })
  }

  /** Why `url` is resting, if it is. */
  resting(url: string): { until: number; why: string } | undefined {
    const h = this.health.get(url)
    if (!h || h.restingUntil <= this.now()) return undefined
    return { until: h.restingUntil, why: h.why ?? 'refused' }
  }
}
