/**
 * Whether a kept VideoRoom subscriber handle is still in step with the server after a claim
 * (issue 13): an offer Janus made it during the gap was lost, and the VideoRoom then postpones
 * every later offer until that one is answered, so such a handle would never change again.
 */
import type { Clock } from '../core/clock'
import type { MediaLeg } from './media-leg'

/** How long the server has to answer the check before the handle counts as out of step. */
const answerWithinMs = 5000

/** Asks the server and reads its next `configured` event. */
export class SubscriberInStep {
  /**
   * Every check under way hears the next `configured`: a second claim right after a first
   * starts its own check while the first still waits (one slot, the first's end cleared the
   * second's listener, which then waited out its 5 s and rebuilt a subscription in step: soak
   * seed 4204, fault 11, the picture blinking 4 s after everything had recovered).
   */
  private readonly listeners = new Set<(withOffer: boolean) => void>()

  constructor(private readonly clock: Clock) {}

  /** The subscriber said `configured`, with an offer or without: what a check waits for. */
  configured(withOffer: boolean): void {
    for (const listener of [...this.listeners]) listener(withOffer)
  }

  /**
   * Whether the server would offer this handle something now. `configure` with `update` makes
   * the VideoRoom offer the subscription again at once, or postpone the offer, saying nothing,
   * while an earlier one waits for its answer (janus_videoroom.c, 1.1.x); a plain `configure`
   * sent right after it is answered either way, in order. So the first `configured` event tells:
   * with an offer, the handle is in step (the offer is answered as any other, no ICE restart);
   * without one, the earlier offer was lost. A `configured` of a request sent just before (a
   * layer, a keyframe) reads as "not in step": a rebuild, the safe side.
   */
  async check(leg: MediaLeg): Promise<boolean> {
    let listener: ((withOffer: boolean) => void) | undefined
    const told = new Promise<boolean>((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(false), answerWithinMs)
      listener = (withOffer) => {
        this.clock.clearTimeout(timer)
        resolve(withOffer)
      }
      this.listeners.add(listener)
    })
    try {
      await leg.send({ request: 'configure', update: true })
      await leg.send({ request: 'configure' })
      return await told
    } catch {
      return false
    } finally {
      if (listener) this.listeners.delete(listener)
    }
  }
}
