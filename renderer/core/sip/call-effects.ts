/**
 * What a phone does around a call as it moves: ring, stop ringing, sound the dropped-call
 * cue, show or remove the desktop notification, and write the call to the history. Pure:
 * the phone store only carries these out.
 */
import { describeEnd, type CallDirection, type CallState } from './sip-state'

/** One line of call history. */
export interface HistoryEntry {
  peer: string
  direction: CallDirection
  start: number
  durationMs: number
  outcome: string
  /** An incoming call nobody answered (the History screen's "Missed" list and badge). */
  missed?: boolean
}

/** What to do when the call moves from one state to the next. */
export interface CallEffects {
  /** The sound to start or stop: the ringtone, the dropped-call cue, or silence for a ringtone. */
  sound?: 'ring' | 'dropped' | 'stop-ringing'
  /** Show the incoming-call notification for this caller. */
  notify?: string
  /** Remove the incoming-call notification. */
  dismiss: boolean
  /** The call ended: keep it in the history. */
  history?: HistoryEntry
}

const ringingIn = (state: CallState): state is Extract<CallState, { kind: 'ringing' }> =>
  state.kind === 'ringing' && state.direction === 'incoming'

/** The effects of the call moving from `previous` to `next`. */
export function callEffects(previous: CallState, next: CallState): CallEffects {
  const ringing = ringingIn(next)
  const wasRinging = ringingIn(previous)
  const dropped =
    next.kind === 'ended' && (next.reason === 'connection-lost' || next.reason === 'server-lost')
  return {
    sound: ringing ? 'ring' : dropped ? 'dropped' : 'stop-ringing',
    ...(ringingIn(next) && !wasRinging ? { notify: next.peer } : {}),
    dismiss: wasRinging && !ringing,
    ...(next.kind === 'ended'
      ? {
          history: {
            peer: next.peer,
            direction: next.direction,
            start: next.at - next.duration,
            durationMs: next.duration,
            outcome: describeEnd(next.reason),
            ...(next.direction === 'incoming' && next.reason === 'missed' ? { missed: true } : {}),
          },
        }
      : {}),
  }
}

/** The history line for a caller Janus answered busy while we were in a call. */
export function missedWhileBusy(peer: string, now: number): HistoryEntry {
  return {
    peer,
    direction: 'incoming',
    start: now,
    durationMs: 0,
    outcome: 'Missed call (you were in a call)',
    missed: true,
  }
}

/** The history line for a caller answered busy because do not disturb was on. */
export function missedWhileDoNotDisturb(peer: string, now: number): HistoryEntry {
  return { ...missedWhileBusy(peer, now), outcome: 'Missed call (do not disturb was on)' }
}

/**
 * The history line for a call that rang while we were offline: its offer, and who called,
 * were lost with the connection.
 */
export function missedWhileAway(now: number): HistoryEntry {
  return {
    ...missedWhileBusy('', now),
    outcome: 'Missed call (it rang while you were offline; who called is not known)',
  }
}

/** Adds an entry to the history, newest first, keeping at most `limit`. */
export function remember(
  history: readonly HistoryEntry[],
  entry: HistoryEntry,
  limit = 100,
): HistoryEntry[] {
  return [entry, ...history].slice(0, limit)
}

/** How many missed calls came after `seenAt` (the badge on History). */
export function unseenMissed(history: readonly HistoryEntry[], seenAt: number): number {
  return history.filter((e) => e.missed === true && e.start > seenAt).length
}
