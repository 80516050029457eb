import { describe, expect, it } from 'vitest'
import {
  attendedTransferPair,
  freeLine,
  isWaitingCall,
  linesToHold,
  nextFocus,
  ringKind,
  wantsSpareLine,
  type LinesState,
} from '../../renderer/core/sip/call-lines'
import type { CallState } from '../../renderer/core/sip/sip-state'

const idle: CallState = { kind: 'idle' }
const active = (peer: string, onHold = false): CallState => ({
  kind: 'active',
  direction: 'outgoing',
  peer,
  since: 0,
  onHold,
})
const ringingIn = (peer: string): CallState => ({ kind: 'ringing', direction: 'incoming', peer })
const ended = (peer: string): CallState => ({
  kind: 'ended',
  direction: 'outgoing',
  peer,
  reason: 'remote-hangup',
  at: 1,
  duration: 1,
})
const lines = (focus: number | undefined, ...calls: CallState[]): LinesState => ({
  lines: calls.map((call, id) => ({ id, call })),
  focus,
})

describe('several calls on one account (call waiting)', () => {
  it('a call ringing while another is answered is a waiting call, and sounds the soft cue', () => {
    const state = lines(0, active('bob'), ringingIn('carol'))
    expect(isWaitingCall(state, 1)).toBe(true)
    expect(isWaitingCall(state, 0)).toBe(false)
    expect(ringKind(state)).toBe('waiting')
  })

  it('a call ringing alone rings in full; nothing ringing is silent', () => {
    expect(ringKind(lines(0, ringingIn('carol'), idle))).toBe('ring')
    expect(isWaitingCall(lines(0, ringingIn('carol'), idle), 0)).toBe(false)
    expect(ringKind(lines(0, active('bob'), idle))).toBeUndefined()
  })

  it('answering or switching holds every other answered call not on hold or being transferred', () => {
    const state = lines(0, active('bob'), ringingIn('carol'), active('dave', true), {
      ...active('erin'),
      transferTo: 'sip:x@lab',
    } as CallState)
    expect(linesToHold(state, 1)).toEqual([0])
    expect(linesToHold(state, 0)).toEqual([])
  })

  it('the front stays with its call while it is under way, even when a call rings', () => {
    expect(nextFocus(lines(0, active('bob'), ringingIn('carol')))).toBe(0)
  })

  it('the front moves to an answered call when its own ends, and to a ringing one only when nothing else is up', () => {
    expect(nextFocus(lines(1, active('bob', true), ended('carol')))).toBe(0)
    expect(nextFocus(lines(0, ended('bob'), ringingIn('carol')))).toBe(1)
    expect(nextFocus(lines(0, ended('bob'), idle))).toBe(0)
  })

  it('a new call takes the first free line, and one more line is wanted only when none is free', () => {
    expect(freeLine(lines(0, active('bob'), idle))).toBe(1)
    expect(freeLine(lines(0, ended('bob'), active('carol')))).toBe(0)
    expect(wantsSpareLine(lines(0, active('bob')), 4)).toBe(true)
    expect(wantsSpareLine(lines(0, active('bob'), idle), 4)).toBe(false)
    expect(wantsSpareLine(lines(0, active('a'), active('b')), 2)).toBe(false)
  })

  it('an attended transfer pairs the held answered call with the one in front, and only two', () => {
    expect(attendedTransferPair(lines(1, active('bob', true), active('dave')))).toEqual({
      held: 0,
      front: 1,
    })
    expect(attendedTransferPair(lines(0, active('bob'), ringingIn('carol')))).toBeUndefined()
    expect(
      attendedTransferPair(lines(0, active('a'), active('b', true), active('c', true))),
    ).toBeUndefined()
  })
})
