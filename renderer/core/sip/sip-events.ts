/** Reads the Janus SIP plugin's event payloads (untrusted JSON) into normalised SipEvents. */
import type { SipEvent } from './sip-state'

const text = (value: unknown, fallback = ''): string =>
  typeof value === 'string' ? value : fallback
const num = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : 0

/** The SIP Call-ID a plugin event names (on the event or in its result), if any. */
export function readCallId(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const record = data as Record<string, unknown>
  const result = record.result as Record<string, unknown> | undefined
  const id = record.call_id ?? (typeof result === 'object' && result ? result.call_id : undefined)
  return typeof id === 'string' && id ? id : undefined
}

/** The SipEvent in a plugin `data` object (`{sip: 'event', result: {event, ...}}`), if any. */
export function readSipEvent(data: unknown): SipEvent | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const record = data as Record<string, unknown>
  const result = record.result as Record<string, unknown> | undefined
  if (typeof result !== 'object' || result === null) return undefined
  switch (result.event) {
    case 'registering':
      return { type: 'register-sent' }
    case 'registered':
      return { type: 'registered', username: text(result.username) }
    case 'registration_failed':
      return {
        type: 'registration_failed',
        code: num(result.code),
        reason: text(result.reason, 'unknown'),
      }
    case 'unregistered':
      return { type: 'unregistered' }
    case 'calling':
    case 'ringing':
    case 'proceeding':
    case 'progress':
    case 'accepted':
    case 'holding':
    case 'resuming':
      return { type: result.event }
    case 'incomingcall': {
      // An INVITE with Replaces (RFC 3891): the caller takes the place of our call with this
      // Call-ID, as an attended transfer's last step.
      const replaces = text(result.replaces)
      return {
        type: 'incomingcall',
        peer: text(result.username),
        ...(replaces ? { replaces } : {}),
      }
    }
    case 'hangup':
      return { type: 'hangup', code: num(result.code), reason: text(result.reason) }
    case 'missed_call':
      return { type: 'missed_call', peer: text(result.caller) }
    case 'transfer': {
      const replaces = text(result.replaces)
      return {
        type: 'transfer',
        referId: num(result.refer_id),
        referTo: text(result.refer_to),
        referredBy: text(result.referred_by),
        ...(replaces ? { replaces } : {}),
      }
    }
    case 'notify': {
      // A REFER's progress arrives as NOTIFY "refer" with a sipfrag: "SIP/2.0 200 OK".
      if (text(result.notify).toLowerCase() !== 'refer') return undefined
      const code = /^SIP\/2\.0\s+(\d{3})/.exec(text(result.content))?.[1]
      return code ? { type: 'transfer-progress', code: Number(code) } : undefined
    }
    case 'info': {
      // Tones sent as SIP INFO arrive as application/dtmf-relay: "Signal=5\r\nDuration=160".
      if (text(result.type).toLowerCase() !== 'application/dtmf-relay') return undefined
      const digit = /Signal=\s*([0-9A-D*#])/i.exec(text(result.content))?.[1]
      return digit ? { type: 'dtmf', digit: digit.toUpperCase() } : undefined
    }
    default:
      return undefined
  }
}
