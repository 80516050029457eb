/**
 * Several calls on one account (issue 15, call waiting): each call lives on a line of its own
 * (the registered handle, or a helper handle Janus hands a second call to). This reducer says
 * which call the person is talking in, what answering or switching must put on hold, and how
 * a new call is to ring. Pure: the phone carries it out.
 */
import { isLiveCall, type CallState } from './sip-state'

/** One line of the account, as the reducer sees it. */
export interface CallLine {
  readonly id: number
  readonly call: CallState
}

/** One line's call as the UI lists it. */
export interface LineSummary {
  id: number
  call: CallState
  /** The call in front: the call screen shows it and the keys act on it. */
  focused: boolean
  /** A second call ringing while another is under way. */
  waiting: boolean
  /** Merged into the three-way call. */
  merged: boolean
}

/** The lines of the account, and the one whose call is in front. */
export interface LinesState {
  readonly lines: readonly CallLine[]
  /** The line whose call the call screen shows and the keys act on. */
  readonly focus: number | undefined
}

const ringingIn = (call: CallState): boolean =>
  call.kind === 'ringing' && call.direction === 'incoming'

/** Lines with a call under way, in line order. */
export function liveLines(state: LinesState): CallLine[] {
  return state.lines.filter((line) => isLiveCall(line.call))
}

/** Whether `id`'s call is a second call ringing while another call is under way. */
export function isWaitingCall(state: LinesState, id: number): boolean {
  const line = state.lines.find((l) => l.id === id)
  if (!line || !ringingIn(line.call)) return false
  return state.lines.some((l) => l.id !== id && isLiveCall(l.call) && !ringingIn(l.call))
}

/**
 * How the phone sounds now: the full ringtone only when nothing else is under way; a call
 * waiting gets the soft cue (the person is talking to someone else).
 */
export function ringKind(state: LinesState): 'ring' | 'waiting' | undefined {
  const ringing = state.lines.filter((l) => ringingIn(l.call))
  if (ringing.length === 0) return undefined
  return ringing.some((l) => isWaitingCall(state, l.id)) ? 'waiting' : 'ring'
}

/**
 * The lines to put on hold before `id` is answered or brought to the front: every other
 * answered call that is not on hold already (and is not being transferred away).
 */
export function linesToHold(state: LinesState, id: number): number[] {
  return state.lines
    .filter(
      (l) =>
        l.id !== id &&
        l.call.kind === 'active' &&
        !l.call.onHold &&
        l.call.transferTo === undefined,
    )
    .map((l) => l.id)
}

/**
 * Where the front moves when the lines change: it stays while its call is under way (or
 * just ended, so the end is read); a call ringing in takes it only when nothing else is up.
 * When the front's call is over and another is under way, that one comes to the front
 * (on hold, as it was: it is resumed by the person, never by itself).
 */
export function nextFocus(state: LinesState): number | undefined {
  const focused = state.lines.find((l) => l.id === state.focus)
  const live = liveLines(state)
  if (focused && isLiveCall(focused.call)) return focused.id
  const answered = live.find((l) => !ringingIn(l.call))
  if (answered) return answered.id
  if (live[0]) return live[0].id
  // Nothing under way: the last call's end stays in front to be read.
  if (focused) return focused.id
  return state.lines[0]?.id
}

/** A line free for a new call (no call under way), the registered one first. */
export function freeLine(state: LinesState): number | undefined {
  return state.lines.find((l) => !isLiveCall(l.call))?.id
}

/**
 * Whether one more line should be made ready: Janus answers a caller busy when every line is
 * taken, so one free line is kept while the account is registered, up to `max` lines.
 */
export function wantsSpareLine(state: LinesState, max: number): boolean {
  return freeLine(state) === undefined && state.lines.length < max
}

/**
 * The two calls a three-way call merges: exactly two answered calls, neither being
 * transferred; undefined otherwise (a third call, one still ringing).
 */
export function mergeable(state: LinesState): [number, number] | undefined {
  const live = liveLines(state)
  const answered = live.filter((l) => l.call.kind === 'active' && l.call.transferTo === undefined)
  if (live.length !== 2 || answered.length !== 2) return undefined
  return [answered[0]!.id, answered[1]!.id]
}

/**
 * The two calls of an attended transfer: exactly two answered calls, one in front; the held
 * party is put through to the one in front. Undefined otherwise.
 */
export function attendedTransferPair(
  state: LinesState,
): { held: number; front: number } | undefined {
  const answered = liveLines(state).filter((l) => l.call.kind === 'active')
  const front = answered.find((l) => l.id === state.focus)
  const held = answered.find((l) => l.id !== state.focus)
  if (answered.length !== 2 || !front || !held) return undefined
  return { held: held.id, front: front.id }
}
