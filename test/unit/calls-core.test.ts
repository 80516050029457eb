import { describe, expect, it } from 'vitest'
import { CallRegistry, type AppEndCause, type Call } from '../../renderer/core/call'
import {
  describeEcho,
  isLiveEcho,
  nextEcho,
  type EchoCallState,
} from '../../renderer/core/echo/echo-state'
import {
  callEffects,
  missedWhileBusy,
  remember,
  unseenMissed,
} from '../../renderer/core/sip/call-effects'
import { describeCall, nextCall, type CallState } from '../../renderer/core/sip/sip-state'

describe('the echo call machine', () => {
  const run = (events: Parameters<typeof nextEcho>[1][]): EchoCallState =>
    events.reduce<EchoCallState>((s, e) => nextEcho(s, e, 1000), { kind: 'idle' })

  it('starts, goes active on media, recovers and comes back', () => {
    expect(run([{ type: 'start' }])).toEqual({ kind: 'starting' })
    expect(run([{ type: 'start' }, { type: 'media-up' }])).toEqual({ kind: 'active', since: 1000 })
    const recovering = run([
      { type: 'start' },
      { type: 'media-up' },
      { type: 'recovering', reason: 'ICE restart' },
    ])
    expect(describeEcho(recovering)).toBe('Recovering media (ICE restart)')
    expect(nextEcho(recovering, { type: 'media-up' }, 2000)).toEqual({
      kind: 'active',
      since: 2000,
    })
  })

  it('ends with the reason the app gives, and stays ended', () => {
    const ended = run([{ type: 'start' }, { type: 'media-up' }, { type: 'app-end', cause: 'quit' }])
    expect(describeEcho(ended)).toBe('Call ended: Holdfast is closing')
    expect(isLiveEcho(ended)).toBe(false)
    for (const event of [
      { type: 'media-up' },
      { type: 'recovering', reason: 'x' },
      { type: 'failed', message: 'x' },
    ] as const)
      expect(nextEcho(ended, event, 5)).toBe(ended)
  })

  it('an idle call cannot end or recover', () => {
    const idle: EchoCallState = { kind: 'idle' }
    expect(nextEcho(idle, { type: 'hangup', reason: 'x' }, 1)).toBe(idle)
    expect(nextEcho(idle, { type: 'recovering', reason: 'x' }, 1)).toBe(idle)
  })
})

describe('a SIP call ended by the app', () => {
  const active: CallState = {
    kind: 'active',
    direction: 'outgoing',
    peer: 'sip:bob@lab',
    since: 0,
    onHold: false,
  }
  it.each([
    ['disconnected', 'Call ended: you disconnected'],
    ['quit', 'Call ended: Holdfast closed'],
    ['sessionFailed', 'Call dropped: the connection was lost for too long'],
  ] as [AppEndCause, string][])('%s reads "%s"', (cause, words) => {
    expect(describeCall(nextCall(active, { type: 'app-end', cause }, 10))).toBe(words)
  })

  it('a disconnect during a transfer is not reported as transferred', () => {
    const transferring: CallState = { ...active, transferTo: 'sip:carol@lab' }
    expect(nextCall(transferring, { type: 'app-end', cause: 'disconnected' }, 10)).toMatchObject({
      reason: 'disconnected',
    })
  })
})

describe('what a call does around it', () => {
  const ringing: CallState = { kind: 'ringing', direction: 'incoming', peer: 'sip:bob@lab' }
  const active: CallState = {
    kind: 'active',
    direction: 'incoming',
    peer: 'sip:bob@lab',
    since: 1000,
    onHold: false,
  }

  it('rings and notifies once when a call comes in, and dismisses when answered', () => {
    expect(callEffects({ kind: 'idle' }, ringing)).toEqual({
      sound: 'ring',
      notify: 'sip:bob@lab',
      dismiss: false,
    })
    expect(callEffects(ringing, ringing)).toEqual({ sound: 'ring', dismiss: false })
    expect(callEffects(ringing, active)).toEqual({ sound: 'stop-ringing', dismiss: true })
  })

  it('sounds the dropped cue and writes the history when the connection dropped the call', () => {
    const dropped: CallState = {
      kind: 'ended',
      direction: 'incoming',
      peer: 'sip:bob@lab',
      reason: 'connection-lost',
      at: 61_000,
      duration: 60_000,
    }
    expect(callEffects(active, dropped)).toEqual({
      sound: 'dropped',
      dismiss: false,
      history: {
        peer: 'sip:bob@lab',
        direction: 'incoming',
        start: 1000,
        durationMs: 60_000,
        outcome: 'Call dropped: the connection was lost for too long',
      },
    })
  })

  it('a call the server lost (it restarted) sounds the same cue and says so in the history', () => {
    const lost: CallState = {
      kind: 'ended',
      direction: 'outgoing',
      peer: 'sip:bob@lab',
      reason: 'server-lost',
      at: 61_000,
      duration: 60_000,
    }
    expect(callEffects(active, lost)).toMatchObject({
      sound: 'dropped',
      history: {
        outcome: 'Call dropped: the server no longer had the call (it may have restarted)',
      },
    })
  })

  it('marks a call that rang unanswered as missed, and counts the missed calls not yet seen', () => {
    const missed: CallState = {
      kind: 'ended',
      direction: 'incoming',
      peer: 'sip:bob@lab',
      reason: 'missed',
      at: 5000,
      duration: 0,
    }
    const entry = callEffects(ringing, missed).history!
    expect(entry).toMatchObject({ missed: true, outcome: 'Missed call' })
    // Declined by us is not missed; a caller answered busy while we talked is.
    const declined = callEffects(ringing, { ...missed, reason: 'declined' }).history!
    expect(declined.missed).toBeUndefined()
    const busy = missedWhileBusy('sip:carol@lab', 7000)
    expect(busy.missed).toBe(true)
    const history = [busy, declined, entry]
    expect(unseenMissed(history, 0)).toBe(2)
    expect(unseenMissed(history, 6000)).toBe(1)
    expect(unseenMissed(history, 7000)).toBe(0)
  })

  it('keeps the newest hundred calls, newest first', () => {
    let history = remember([], {
      peer: 'a',
      direction: 'outgoing',
      start: 0,
      durationMs: 0,
      outcome: '',
    })
    for (let i = 0; i < 120; i++)
      history = remember(history, {
        peer: `p${i}`,
        direction: 'outgoing',
        start: i,
        durationMs: 0,
        outcome: '',
      })
    expect(history).toHaveLength(100)
    expect(history[0]?.peer).toBe('p119')
  })
})

describe('the call registry', () => {
  class StubCall implements Call {
    live = true
    ended: AppEndCause[] = []
    readonly muted = false
    private listeners: (() => void)[] = []
    constructor(readonly kind: Call['kind']) {}
    isLive = () => this.live
    setMuted = () => undefined
    hangup = async () => undefined
    end = async (cause: AppEndCause) => {
      this.ended.push(cause)
      this.live = false
      this.listeners.forEach((l) => l())
    }
    onChange = (l: () => void) => (this.listeners.push(l), () => undefined)
  }

  it('answers whether anything is live, and ends every call with the cause', async () => {
    const registry = new CallRegistry()
    const changes: number[] = []
    registry.events.on('change', () => changes.push(1))
    const echo = new StubCall('echo')
    const sip = new StubCall('sip')
    sip.live = false
    registry.add(echo)
    registry.add(sip)
    expect(registry.anyLive()).toBe(true)
    await registry.endAll('disconnected')
    expect(echo.ended).toEqual(['disconnected'])
    // A phone with no call is told too: it lets go of its registration.
    expect(sip.ended).toEqual(['disconnected'])
    expect(registry.anyLive()).toBe(false)
    expect(changes.length).toBeGreaterThanOrEqual(3)
  })

  it('a new call of a kind replaces the old one', async () => {
    const registry = new CallRegistry()
    const old = new StubCall('echo')
    registry.add(old)
    registry.add(new StubCall('echo'))
    old.live = true
    await registry.endAll('quit')
    expect(old.ended).toEqual([])
  })
})
