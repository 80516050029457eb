/**
 * Janus's word that it receives nothing of what we send, turned into a stall only once it has
 * lasted (issue 13): where nothing arrives to watch (a room's publisher), it is how a path that
 * died upstream is told. Not at once, because after a sleep the socket delivers what Janus said
 * meanwhile, "not receiving" followed a moment later by "receiving" again, and a restart for
 * that would cost the call seconds. Pure: fed Janus's reports and the time.
 */

/** How long Janus must keep saying it receives nothing before that counts as a stall. */
export const serverSilenceMs = 500

/** Whether Janus has been saying long enough that it receives nothing. */
export class ServerSilence {
  private since: number | undefined
  private medium = 'media'

  constructor(private readonly holdMs = serverSilenceMs) {}

  /** Janus said whether it receives `medium` (Janus's `media` event). */
  report(medium: string, receiving: boolean, now: number): void {
    this.since = receiving ? undefined : now
    this.medium = medium
  }

  /**
   * A silence acted on without a restart (senders found paused and sent again): told once more
   * if Janus still says nothing of receiving it `extraMs` past the usual hold.
   */
  watchAgain(medium: string, now: number, extraMs: number): void {
    this.since = now + extraMs
    this.medium = medium
  }

  /** The medium Janus has said for `holdMs` it receives nothing of: told once, then forgotten. */
  lasting(now: number): string | undefined {
    if (this.since === undefined || now - this.since < this.holdMs) return undefined
    this.since = undefined
    return this.medium
  }
}
