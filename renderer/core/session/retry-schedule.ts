/**
 * When the next attempt at getting the session back goes, as one small object (the shape of
 * LiveKit's `ReconnectPolicy` and Signal's `BackOff`): a run of attempts starts, each failure
 * asks for the next delay, and a network-back signal starts a fast run.
 */
import { backoffDelay, type BackoffOptions } from '../backoff'

/**
 * Retry delays after a network-back signal, before the normal backoff resumes. A route that
 * is not ready yet fails at once (unreachable), so early retries are cheap. In the lab the
 * first attempt after Wi-Fi to cellular sometimes failed this way ~10 ms after the signal,
 * and a 150 ms first retry made the claim take ~250 ms. The first retries are a few ms apart
 * because the first packet through a new route decides how long the route takes (issue 13):
 * when the call's media, still sent from the old address, gets there first, Linux asks for the
 * new gateway's address from the old one, a strict gateway does not answer, and every packet
 * through it (our connect included) waits for the next ask a second later.
 */
export const fastRetryDelays: readonly number[] = [5, 10, 20, 50, 100, 200, 400, 800]

/** Counts the attempts of one run and spaces them out. */
export class RetrySchedule {
  private attemptValue = 0
  /** Position in the backoff sequence (1 s, 2 s, 4 s ...); fast retries do not advance it. */
  private backoffStep = 0
  private fastDelaysLeft: number[] = []

  constructor(
    private readonly backoff: BackoffOptions,
    private readonly random: () => number,
  ) {}

  /** The number of the attempt under way (1 for the first of a run; 0 when none is). */
  get attempt(): number {
    return this.attemptValue
  }

  /**
   * A new run whose first attempt goes at once. `fast` after a network-back signal: the new
   * route may need a moment, so the first retries come quickly before the backoff.
   */
  begin(fast: boolean): void {
    this.attemptValue = 1
    this.backoffStep = 0
    this.fastDelaysLeft = fast ? [...fastRetryDelays] : []
  }

  /** The attempt under way failed: how long to wait before the next one (which it counts). */
  next(): number {
    const fast = this.fastDelaysLeft.shift()
    if (fast === undefined) this.backoffStep += 1
    this.attemptValue += 1
    return fast ?? backoffDelay(this.backoffStep, this.backoff, this.random)
  }

  /** The run is over (connected, or given up). */
  end(): void {
    this.attemptValue = 0
    this.fastDelaysLeft = []
  }
}
