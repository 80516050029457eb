/**
 * What a SIP line makes of the gap after a claim. Janus keeps no events for a session without
 * a connection, so anything the plugin said about the line's call meanwhile is lost: the line
 * asks the plugin (sip-line-probes.ts) and ends, keeps or hangs up the call it thought it had.
 */
import type { Clock } from '../core/clock'
import { isLiveCall, type CallState, type SipEvent } from '../core/sip/sip-state'
import { SipLineProbes } from './sip-line-probes'

/** What the check needs from its line. */
export interface LineAfterClaimDeps {
  /** The line's id, which names its probes' tags. */
  readonly id: number
  readonly clock: Clock
  /** Sends a request on the line's handle. */
  send(message: Record<string, unknown>): Promise<void>
  /** The line's call as the UI has it. */
  call(): CallState
  apply(event: SipEvent): void
  /** The call's media is gone on the server: close ours. */
  closeMedia(): void
  /** Hangs the call up on the server. */
  hangUp(): Promise<void>
  /** Says in the incident timeline what the check found. */
  incident(detail: string): void
  /** A call that rang while we were away was found and declined (History keeps it). */
  missedWhileAway(): void
}

/** The line's check after every claim, by what its call was. */
export class LineAfterClaim {
  private readonly probes: SipLineProbes
  /** Until the idle line's probe has answered (see findUnseenCall). */
  private checkingAway = false

  constructor(private readonly deps: LineAfterClaimDeps) {
    this.probes = new SipLineProbes(deps)
  }

  /** Runs the check that fits the call; it goes alongside the media's own recovery. */
  check(): void {
    const call = this.deps.call()
    if (call.kind === 'active') void this.reconcileCall()
    else if (isLiveCall(call)) void this.reconcileSetup()
    else void this.findUnseenCall()
  }

  /** Takes `message` if it answers a probe under way; true when it did. */
  take(message: Parameters<SipLineProbes['take']>[0]): boolean {
    return this.probes.take(message)
  }

  /** The session is gone: nothing left to check. */
  sessionLost(): void {
    this.probes.cancel()
    this.checkingAway = false
  }

  /**
   * A hang-up heard on an idle line while looking for a call that rang unseen: the end of
   * that call (its caller gave up: 487), which settles the look.
   */
  hangupHeard(code: number): void {
    if (!this.checkingAway || isLiveCall(this.deps.call())) return
    this.checkingAway = false
    if (code === 487) this.deps.missedWhileAway()
  }

  /**
   * The plugin's hang-up event is lost when the other side hung up while we were detached,
   * and our PeerConnection may still look connected: asked once after every claim whether
   * the call is still on the server, a call that is gone ends.
   */
  private async reconcileCall(): Promise<void> {
    const { there, words } = await this.probes.callOnServer()
    if (there !== true)
      this.deps.incident(
        `the call is ${there === false ? 'gone' : 'of unknown state'} on the server (${words})`,
      )
    if (there === false && this.deps.call().kind === 'active') {
      this.deps.closeMedia()
      this.deps.apply({ type: 'gone-while-away' })
    }
  }

  /**
   * A call being set up over a claim: its own status is asked. Gone (the far end declined, or
   * the caller gave up): it ends, an incoming one as missed, instead of ringing or calling on
   * forever. Answered while we were away: after early media the call is simply up; otherwise
   * the answer is lost with the event and the call could never carry sound, so it is hung up
   * (the far end hears the end, not silence) and says why. Anything heard from the call
   * meanwhile settles it instead.
   */
  private async reconcileSetup(): Promise<void> {
    const before = this.deps.call()
    const status = await this.probes.callStatus()
    if (status === undefined || this.deps.call() !== before || !isLiveCall(before)) return
    const answered = /^incall/.test(status)
    if (status !== 'idle' && status !== 'closing' && !answered) return
    this.deps.incident(
      `the call was ${answered ? 'answered' : 'gone'} on the server after a claim (${status})`,
    )
    if (!answered) {
      this.deps.closeMedia()
      this.deps.apply({ type: 'gone-while-away' })
    } else if (before.kind === 'early-media') this.deps.apply({ type: 'accepted' })
    else if ('direction' in before && before.direction === 'outgoing') {
      this.deps.apply({ type: 'answered-while-away' })
      void this.deps.hangUp()
    }
  }

  /**
   * A call that rang on this line while we were detached waits on the server with its
   * `incomingcall` lost, and its offer with it: it cannot be answered, and it holds the
   * line. One found after the claim is declined (480, Temporarily Unavailable: the caller's
   * server may take it to voicemail) rather than left ringing into nothing, and reported as
   * missed.
   */
  private async findUnseenCall(): Promise<void> {
    this.checkingAway = true
    const ringing = await this.probes.callRinging()
    const checked = this.checkingAway
    this.checkingAway = false
    // An incoming call seen since (or a lost session) settles it otherwise.
    if (!checked || ringing !== true || isLiveCall(this.deps.call())) return
    this.deps.incident('a call rang while away (its offer was lost); declined as unavailable')
    void this.deps.send({ request: 'decline', code: 480 }).catch(() => undefined)
    this.deps.missedWhileAway()
  }
}
