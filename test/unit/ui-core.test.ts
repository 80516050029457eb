/** The screens' pure parts: the connection banner, the call-quality judge and the shortcuts. */
import { describe, expect, it } from 'vitest'
import { connectionBanner } from '../../renderer/core/ui/connection-banner'
import { judgeQuality } from '../../renderer/core/ui/call-quality'
import { isCleartextRemote, validateServerUrl } from '../../renderer/core/settings'
import { checkServer } from '../../renderer/core/ui/setup-check'
import { isDialKey, shortcutFor, shortcutLabel, shortcuts } from '../../renderer/core/ui/shortcuts'

const calm = { inCall: false, justReconnected: false }
const calling = { inCall: true, justReconnected: false }
const text = (b: ReturnType<typeof connectionBanner>): string => ('text' in b ? b.text : '')

describe('connection banner', () => {
  it('says nothing while connected, and "Reconnected" just after a recovery', () => {
    expect(connectionBanner({ kind: 'connected', sessionId: 1 }, calm)).toEqual({ tone: 'none' })
    expect(
      text(
        connectionBanner({ kind: 'connected', sessionId: 1 }, { ...calm, justReconnected: true }),
      ),
    ).toBe('Reconnected')
  })

  it('promises the call continues while reconnecting with a call up', () => {
    const state = { kind: 'reconnecting', attempt: 1, reason: 'networkChanged' } as const
    expect(text(connectionBanner(state, calling))).toBe('Reconnecting… your call will continue')
    expect(text(connectionBanner(state, calm))).toBe('Reconnecting…')
    expect(
      text(connectionBanner({ kind: 'recovering', sessionId: 1, reclaimed: true }, calling)),
    ).toBe('Reconnecting… your call will continue')
  })

  it('says offline when the network is gone', () => {
    const state = { kind: 'reconnecting', attempt: 2, reason: 'offline' } as const
    expect(text(connectionBanner(state, calling))).toBe(
      'Offline: calls will resume when the network is back',
    )
  })

  it('points at Settings when the server cannot be reached', () => {
    const unreachable = connectionBanner(
      { kind: 'reconnecting', attempt: 3, reason: 'serverUnreachable' },
      calm,
    )
    expect(unreachable).toMatchObject({
      tone: 'error',
      text: 'Could not reach the server: check the address in Settings',
      action: 'settings',
    })
    const failed = connectionBanner(
      { kind: 'failed', reason: 'networkDisconnected', message: 'x' },
      calm,
    )
    expect(text(failed)).toBe('Could not reach the server: check the address in Settings')
    expect(
      text(
        connectionBanner({ kind: 'failed', reason: 'unauthorized', message: 'Bad token' }, calm),
      ),
    ).toBe('Disconnected: Bad token')
  })
})

describe('call quality', () => {
  it('is unknown until there is an interval to judge', () => {
    expect(judgeQuality(undefined, { packetsReceived: 50, packetsLost: 0 }).level).toBe('unknown')
    const same = { packetsReceived: 50, packetsLost: 0 }
    expect(judgeQuality(same, same).level).toBe('unknown')
  })

  it('judges loss over the interval, not since the call began', () => {
    const before = { packetsReceived: 1000, packetsLost: 300 }
    const after = { packetsReceived: 1100, packetsLost: 300, jitterMs: 5, roundTripMs: 40 }
    const q = judgeQuality(before, after)
    expect(q.level).toBe('good')
    expect(q.lossPercent).toBe(0)
    expect(q.summary).toBe('Call quality: good (0% packets lost, jitter 5 ms, round trip 40 ms)')
  })

  it('marks audible loss, jitter or delay as fair or poor', () => {
    const base = { packetsReceived: 0, packetsLost: 0 }
    expect(judgeQuality(base, { packetsReceived: 96, packetsLost: 4 }).level).toBe('fair')
    expect(judgeQuality(base, { packetsReceived: 80, packetsLost: 20 }).level).toBe('poor')
    expect(judgeQuality(base, { packetsReceived: 100, packetsLost: 0, jitterMs: 70 }).level).toBe(
      'poor',
    )
    expect(
      judgeQuality(base, { packetsReceived: 100, packetsLost: 0, roundTripMs: 350 }).level,
    ).toBe('fair')
  })
})

describe('shortcuts', () => {
  const press = (
    key: string,
    mods: Partial<Record<'ctrl' | 'meta' | 'shift' | 'alt', boolean>> = {},
  ) => ({
    key,
    ctrlKey: mods.ctrl ?? false,
    metaKey: mods.meta ?? false,
    shiftKey: mods.shift ?? false,
    altKey: mods.alt ?? false,
  })

  it('maps the listed keys to their actions, with Command standing for Control', () => {
    expect(shortcutFor(press('A', { ctrl: true, shift: true }), false)).toBe('answer')
    expect(shortcutFor(press('m', { meta: true, shift: true }), true)).toBe('mute')
    expect(shortcutFor(press('e', { ctrl: true, shift: true }), false)).toBe('hangup')
    expect(shortcutFor(press(',', { ctrl: true }), false)).toBe('settings')
    expect(shortcutFor(press('4', { meta: true }), true)).toBe('contacts')
  })

  it('leaves plain typing alone, and "?" opens help only outside a field', () => {
    expect(shortcutFor(press('a'), false)).toBeUndefined()
    expect(shortcutFor(press('m', { ctrl: true }), false)).toBeUndefined()
    expect(shortcutFor(press('?', { shift: true }), false)).toBe('help')
    expect(shortcutFor(press('?', { shift: true }), true)).toBeUndefined()
  })

  it('labels every shortcut for the help sheet, each one distinct', () => {
    const labels = shortcuts.map((s) => shortcutLabel(s, false))
    expect(new Set(labels).size).toBe(labels.length)
    expect(labels).toContain('Ctrl+Shift+A')
    expect(shortcutLabel(shortcuts[0]!, true)).toBe('⌘⇧A')
  })

  it('dials digits, star, hash and plus', () => {
    expect(['1', '0', '*', '#', '+'].every(isDialKey)).toBe(true)
    expect(isDialKey('a')).toBe(false)
  })
})

describe('setup: Test connection', () => {
  const info = {
    version: '1.1.2',
    sessionTimeoutS: 60,
    reclaimSessionTimeoutS: 10,
    apiSecretRequired: false,
    tokenRequired: false,
  }
  const url = 'ws://example.org:8188'

  it('says the address is unusable when the settings refuse it', () => {
    expect(checkServer(url, { kind: 'idle' }, undefined, 'use ws:// or wss://')).toEqual({
      verdict: 'failed',
      text: 'The address is not usable: use ws:// or wss://',
    })
  })

  it('names the server and its reclaim window once connected', () => {
    expect(checkServer(url, { kind: 'connected', sessionId: 1 }, info, undefined)).toMatchObject({
      verdict: 'ok',
      text: 'Connected to Janus 1.1.2. Calls survive up to 10 s without a connection.',
    })
    expect(checkServer(url, { kind: 'connected', sessionId: 1 }, undefined, undefined)).toEqual({
      verdict: 'waiting',
    })
  })

  it('warns when the server keeps no reclaim window', () => {
    const check = checkServer(
      url,
      { kind: 'connected', sessionId: 1 },
      { ...info, reclaimSessionTimeoutS: 0 },
      undefined,
    )
    expect(check).toMatchObject({ verdict: 'warning' })
    expect('text' in check && check.text).toContain('reclaim_session_timeout')
  })

  it('says the server cannot be reached, naming the address', () => {
    const check = checkServer(
      url,
      { kind: 'reconnecting', attempt: 1, reason: 'serverUnreachable' },
      undefined,
      undefined,
    )
    expect(check).toMatchObject({ verdict: 'failed' })
    expect('text' in check && check.text).toContain(url)
    expect(
      checkServer(
        url,
        { kind: 'reconnecting', attempt: 1, reason: 'socketClosed' },
        undefined,
        undefined,
      ),
    ).toEqual({ verdict: 'waiting' })
  })
})

describe('credentials in clear text', () => {
  it('is ws:// to another computer; wss:// and this computer are fine', () => {
    for (const url of [
      'ws://janus.example.org:8188',
      'ws://10.0.0.5:8188/janus',
      'ws://[2001:db8::1]:8188',
    ])
      expect(isCleartextRemote(url), url).toBe(true)
    for (const url of [
      'wss://janus.example.org/ws',
      'ws://127.0.0.1:8188',
      'ws://127.12.0.9:8188',
      'ws://localhost:8188',
      'ws://[::1]:8188',
      'not a url',
    ])
      expect(isCleartextRemote(url), url).toBe(false)
  })

  it('is refused when the setting says so, with the wss:// address to use instead', () => {
    expect(validateServerUrl('ws://janus.example.org:8188/janus')).toMatchObject({ ok: true })
    expect(
      validateServerUrl('ws://janus.example.org:8188/janus', { refuseCleartext: true }),
    ).toEqual({
      ok: false,
      error:
        'Unencrypted connections to other computers are refused (Settings → Server): use wss://janus.example.org:8188/janus.',
    })
    expect(validateServerUrl('ws://127.0.0.1:8188', { refuseCleartext: true })).toMatchObject({
      ok: true,
    })
  })
})
