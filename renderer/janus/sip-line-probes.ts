/**
 * What a SIP line asks the plugin after a claim, when every event of the gap may have been
 * dropped. Janus's SIP plugin (1.1.2) has no state query, so each probe is a request that
 * does nothing in the states it tells apart and is refused with words that name the state.
 * Each is tagged: only its own answer counts (an ICE restart's update refused as "Wrong
 * state" at the same moment once ended a call that was still up).
 */
import type { JanusJS } from 'janus-gateway'
import { requestTagField } from '../core/bridge-socket'
import type { Clock } from '../core/clock'

/** What the probes need from their line. */
export interface SipLineProbeDeps {
  /** The line's id, which names its probes' tags. */
  readonly id: number
  readonly clock: Clock
  /** Sends a request on the line's handle. */
  send(message: Record<string, unknown>): Promise<void>
}

/** The state of the call a line had answered, as the server tells it. */
export interface CallOnServer {
  /** Still there (true), gone (false), or unknown (no answer in time). */
  there: boolean | undefined
  /** What the server answered, for the incident timeline. */
  words: string
}

export class SipLineProbes {
  private pending: { tag: string; settle(answer: JanusJS.Message | undefined): void } | undefined
  private count = 0

  constructor(private readonly deps: SipLineProbeDeps) {}

  /** Takes `message` if it answers the probe under way; true when it did. */
  take(message: JanusJS.Message): boolean {
    const pending = this.pending
    if (!pending || message[requestTagField] !== pending.tag) return false
    pending.settle(message)
    return true
  }

  /** The session is gone: a probe under way answers "unknown" at once. */
  cancel(): void {
    this.pending?.settle(undefined)
  }

  /**
   * Whether the answered call is still on the server: a `recording` stop is refused "Wrong
   * state" outside a call and does nothing inside one (any other answer means it is there).
   */
  async callOnServer(): Promise<CallOnServer> {
    const answer = await this.ask({
      request: 'recording',
      action: 'stop',
      audio: false,
      video: false,
      peer_audio: false,
      peer_video: false,
    })
    if (!answer) return { there: undefined, words: 'no answer' }
    if (typeof answer.error !== 'string') return { there: true, words: 'in a call' }
    return { there: !/wrong state/i.test(answer.error), words: answer.error }
  }

  /**
   * Whether a call is ringing on an idle line (its `incomingcall` lost with the connection):
   * an `accept` with a parameter of the wrong type is refused "Wrong state" unless a call
   * is ringing, and "Invalid element type" only then (janus_sip.c checks the state first,
   * 1.1.2 and later), so it can answer nothing. Undefined when no answer came in time.
   */
  async callRinging(): Promise<boolean | undefined> {
    const answer = await this.ask({ request: 'accept', autoaccept_reinvites: 'state probe' })
    if (!answer) return undefined
    return typeof answer.error === 'string' && /invalid element/i.test(answer.error)
  }

  /**
   * The plugin's own status of this line's call ("inviting", "progress", "incall", "idle"...):
   * a `call` whose `uri` is not a string is refused with the status named ("Wrong state
   * (already in a call? status=…)") while a call is under way, and for the bad `uri` only
   * when idle (janus_sip.c checks the state first, 1.1.2 and later), so it calls no one.
   * Undefined when no answer came in time or the plugin answered otherwise (not registered).
   */
  async callStatus(): Promise<string | undefined> {
    const answer = await this.ask({ request: 'call', uri: 0 })
    if (!answer || typeof answer.error !== 'string') return undefined
    const status = /status=([a-z_]+)/i.exec(answer.error)?.[1]
    if (status) return status
    return /invalid element|missing mandatory/i.test(answer.error) ? 'idle' : undefined
  }

  /** Sends a tagged request; resolves with its own answer, or undefined after 3 s. */
  private ask(request: Record<string, unknown>): Promise<JanusJS.Message | undefined> {
    const { clock } = this.deps
    const tag = `probe-${this.deps.id}-${++this.count}`
    return new Promise((resolve) => {
      const settle = (answer: JanusJS.Message | undefined): void => {
        clock.clearTimeout(timer)
        if (this.pending?.tag === tag) this.pending = undefined
        resolve(answer)
      }
      const timer = clock.setTimeout(() => settle(undefined), 3000)
      this.pending = { tag, settle }
      this.deps.send({ ...request, [requestTagField]: tag }).catch(() => settle(undefined))
    })
  }
}
