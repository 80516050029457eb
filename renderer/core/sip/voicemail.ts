/**
 * Voicemail waiting (RFC 3842): the phone subscribes to `message-summary` at the account's
 * voicemail number and the server's NOTIFYs say how many messages wait. Pure: the body of a
 * NOTIFY is read here, the state is what the Phone screen shows.
 */

/** What is known of the voicemail box. */
export type VoicemailState =
  /** No voicemail number on the account. */
  | { kind: 'off' }
  /** Subscribed (or subscribing); no NOTIFY yet. */
  | { kind: 'waiting-for-server' }
  /** The server refused or never answered the subscription. */
  | { kind: 'failed'; reason: string }
  | { kind: 'known'; waiting: boolean; newCount: number; oldCount: number }

/** The message counts in a `application/simple-message-summary` body. */
export interface MessageSummary {
  waiting: boolean
  newCount: number
  oldCount: number
}

/**
 * Reads a message-summary body (untrusted text): `Messages-Waiting: yes|no` is required; the
 * voice counts come from `Voice-Message: new/old (urgent-new/urgent-old)`, missing meaning 0.
 */
export function readMessageSummary(body: string): MessageSummary | undefined {
  const waiting = /^\s*Messages-Waiting\s*:\s*(yes|no)\s*$/im.exec(body)?.[1]
  if (!waiting) return undefined
  const counts = /^\s*Voice-Message\s*:\s*(\d{1,6})\s*\/\s*(\d{1,6})/im.exec(body)
  return {
    waiting: waiting.toLowerCase() === 'yes',
    newCount: counts ? Number(counts[1]) : 0,
    oldCount: counts ? Number(counts[2]) : 0,
  }
}

/** What the Phone screen says about the box. */
export function describeVoicemail(state: VoicemailState): string | undefined {
  switch (state.kind) {
    case 'off':
      return undefined
    case 'waiting-for-server':
      return 'Voicemail: asking the server…'
    case 'failed':
      return `Voicemail: not available (${state.reason})`
    case 'known':
      if (state.newCount > 0)
        return `Voicemail: ${state.newCount} new message${state.newCount === 1 ? '' : 's'}`
      // A server may say messages wait without counting them.
      return state.waiting ? 'Voicemail: new messages' : 'Voicemail: no new messages'
  }
}

/** The subscription's events, as the plugin tells them (untrusted JSON). */
export type VoicemailEvent =
  | { type: 'subscribed' }
  | { type: 'subscribe-failed'; code: number; reason: string }
  | { type: 'summary'; summary: MessageSummary }

/** Reads a SIP plugin event about the message-summary subscription, if it is one. */
export function readVoicemailEvent(data: unknown): VoicemailEvent | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const result = (data as Record<string, unknown>).result as Record<string, unknown> | undefined
  if (typeof result !== 'object' || result === null) return undefined
  const isSummary =
    typeof result.notify === 'string' && result.notify.toLowerCase() === 'message-summary'
  switch (result.event) {
    case 'subscribe_succeeded':
      return { type: 'subscribed' }
    case 'subscribe_failed':
      return {
        type: 'subscribe-failed',
        code: typeof result.code === 'number' ? result.code : 0,
        reason: typeof result.reason === 'string' ? result.reason : 'refused',
      }
    case 'notify': {
      if (!isSummary || typeof result.content !== 'string') return undefined
      const summary = readMessageSummary(result.content)
      return summary ? { type: 'summary', summary } : undefined
    }
    default:
      return undefined
  }
}

/** The next state after an event. */
export function nextVoicemail(state: VoicemailState, event: VoicemailEvent): VoicemailState {
  if (state.kind === 'off') return state
  switch (event.type) {
    case 'subscribed':
      return state.kind === 'known' ? state : { kind: 'waiting-for-server' }
    case 'subscribe-failed':
      return {
        kind: 'failed',
        reason: event.code ? `${event.reason}, ${event.code}` : event.reason,
      }
    case 'summary':
      return { kind: 'known', ...event.summary }
  }
}
