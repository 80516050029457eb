/** Options for exponential reconnect backoff. */
export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs: number
  /** No delay is ever longer than this, jitter included. */
  maxMs: number
  /** Fraction of the delay added or removed at random (0.2 = ±20%). */
  jitter: number
}

/** The defaults the issue asks for: 1, 2, 4 ... seconds, capped at 30 s, ±20% jitter. */
export const defaultBackoff: BackoffOptions = { initialMs: 1000, maxMs: 30_000, jitter: 0.2 }

/**
 * Delay before reconnect attempt `attempt` (1-based: the first retry waits about initialMs).
 * `random` returns a number in [0, 1); it is injected so tests can pin the jitter.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number,
): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30))
  const base = Math.min(options.maxMs, options.initialMs * 2 ** exponent)
  const spread = base * options.jitter
  const jittered = base - spread + 2 * spread * random()
  return Math.round(Math.max(0, Math.min(options.maxMs, jittered)))
}
