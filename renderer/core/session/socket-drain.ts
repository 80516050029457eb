/**
 * Make-before-break for replies: a socket given up on a network change may still work (the
 * old interface is often up for a moment after the OS says the network changed), and a reply
 * already on its way on it says whether Janus carried out a request. Without it an `attach`
 * Janus did carry out left a handle nobody could name or detach (a zombie until the session
 * ends). The socket stays open for a short grace, for replies only, while the new one claims.
 */
import type { Clock, TimerId } from '../clock'
import type { LossReason } from '../connection-state'
import type { Channel } from './request-ledger'

/** How long a replaced socket may still bring replies. */
export const drainGraceMs = 1500

/**
 * Whether a socket given up for `reason` is kept for replies. On a network change the old path
 * often still works for a moment: replies already on their way are read from it while the new
 * socket claims (make-before-break). Going offline, the link may be back within a moment (a
 * flap) with the old connection intact: an attach's reply is worth that wait, since an attach
 * carried out with its reply lost leaves a handle nobody can name or detach (the soak's zombie,
 * seed 224487688). With no attach in flight, going offline keeps nothing: the new socket
 * takes every request at once.
 */
export function drainsOn(reason: LossReason, inFlight: { all: number; attaches: number }): boolean {
  if (reason === 'networkChanged') return inFlight.all > 0
  return reason === 'offline' && inFlight.attaches > 0
}

export interface SocketDrainDeps {
  clock: Clock
  graceMs?: number
  /** The drain of `epoch` is over: what it still waited for is settled as unknown. */
  onOver(epoch: number): void
}

/** The replaced sockets still open for the replies to their requests, by epoch. */
export class SocketDrain {
  private readonly open = new Map<number, { channel: Channel; timer: TimerId }>()

  constructor(private readonly deps: SocketDrainDeps) {}

  /** Keeps `channel` (of the ended `epoch`) open for replies until the grace is over. */
  hold(epoch: number, channel: Channel): void {
    const timer = this.deps.clock.setTimeout(
      () => this.end(epoch),
      this.deps.graceMs ?? drainGraceMs,
    )
    this.open.set(epoch, { channel, timer })
  }

  holds(epoch: number): boolean {
    return this.open.has(epoch)
  }

  /** Closes the drained socket of `epoch` now: its replies are in, it closed, or time is up. */
  end(epoch: number): void {
    const entry = this.open.get(epoch)
    if (!entry) return
    this.open.delete(epoch)
    this.deps.clock.clearTimeout(entry.timer)
    entry.channel.socket.close(1000, 'replaced')
    this.deps.onOver(epoch)
  }

  /** Ends every drain (the session ends or fails). */
  endAll(): void {
    for (const epoch of [...this.open.keys()]) this.end(epoch)
  }
}
