import { describe, expect, it, vi } from 'vitest'
import { backoffDelay, defaultBackoff } from '../../renderer/core/backoff'
import {
  canTransition,
  describeConnection,
  describeState,
  type StateKind,
} from '../../renderer/core/connection-state'
import { startDriftDetector } from '../../renderer/core/drift-detector'
import { parseJanusMessage, readServerInfo } from '../../renderer/core/janus-protocol'
import {
  expirySlackMs,
  inCallKeepalive,
  planKeepalive,
  sessionSurelyExpired,
} from '../../renderer/core/reclaim-window'
import { parseSessionRecord } from '../../renderer/core/session-record'
import { FakeClock } from './support/fake-clock'

describe('backoff', () => {
  it('doubles from 1 s and caps at 30 s without jitter in the middle of the range', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelay(n, defaultBackoff, () => 0.5))
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000])
  })

  it('keeps jitter within ±20% and never above the cap', () => {
    for (const attempt of [1, 3, 5, 6, 12]) {
      const base = Math.min(30_000, 1000 * 2 ** (attempt - 1))
      const low = backoffDelay(attempt, defaultBackoff, () => 0)
      const high = backoffDelay(attempt, defaultBackoff, () => 0.999_999)
      expect(low).toBe(Math.round(base * 0.8))
      expect(high).toBeLessThanOrEqual(Math.min(30_000, base * 1.2))
      expect(high).toBeGreaterThan(low)
    }
  })
})

describe('window arithmetic', () => {
  const info = {
    sessionTimeoutS: 60,
    reclaimSessionTimeoutS: 15,
    version: '1.1.2',
    apiSecretRequired: false,
    tokenRequired: false,
  }

  it('keeps the idle cadence at a quarter of the reclaim window', () => {
    expect(planKeepalive(info, false)).toEqual({ intervalMs: 3750, ackTimeoutMs: 1875 })
  })

  it('uses janus.js cadence when the server is unknown, bounded by the session timeout', () => {
    expect(planKeepalive(undefined, false).intervalMs).toBe(25_000)
    expect(
      planKeepalive({ ...info, reclaimSessionTimeoutS: 0, sessionTimeoutS: 30 }, false).intervalMs,
    ).toBe(10_000)
    expect(
      planKeepalive({ ...info, reclaimSessionTimeoutS: 0, sessionTimeoutS: 0 }, false),
    ).toEqual({ intervalMs: 25_000, ackTimeoutMs: 5000 })
  })

  it('never goes below one second, and detects a dead call within 3 s', () => {
    expect(planKeepalive({ ...info, reclaimSessionTimeoutS: 1 }, false).intervalMs).toBe(1000)
    const plan = planKeepalive(info, true)
    expect(plan).toBe(inCallKeepalive)
    expect(plan.intervalMs + plan.ackTimeoutMs).toBeLessThanOrEqual(3000)
  })

  it('a session is surely expired only past the session timeout, or past the window after a clean close', () => {
    const t0 = 1_000_000
    expect(sessionSurelyExpired({ lastRequestAt: t0 }, info, t0 + 30_000)).toBe(false)
    expect(sessionSurelyExpired({ lastRequestAt: t0 }, info, t0 + 60_000 + expirySlackMs + 1)).toBe(
      true,
    )
    expect(
      sessionSurelyExpired(
        { lastRequestAt: t0, detachedAt: t0 + 5000 },
        info,
        t0 + 5000 + 15_000 + expirySlackMs,
      ),
    ).toBe(false)
    expect(
      sessionSurelyExpired(
        { lastRequestAt: t0, detachedAt: t0 + 5000 },
        info,
        t0 + 5000 + 15_000 + expirySlackMs + 1,
      ),
    ).toBe(true)
    expect(
      sessionSurelyExpired({ lastRequestAt: t0 }, { ...info, sessionTimeoutS: 0 }, t0 + 1e9),
    ).toBe(false)
    expect(sessionSurelyExpired({ lastRequestAt: t0 }, undefined, t0 + 1e9)).toBe(false)
  })
})

describe('protocol parsing', () => {
  it('accepts Janus frames and rejects what is not one, with a reason', () => {
    expect(parseJanusMessage('{"janus":"ack","transaction":"t"}')).toEqual({
      ok: true,
      message: { janus: 'ack', transaction: 't' },
    })
    for (const bad of [
      'nope',
      '[]',
      'null',
      '{"x":1}',
      '{"janus":"ack","transaction":5}',
      '{"janus":"event","sender":"1"}',
      '{"janus":"error"}',
      42,
    ]) {
      const result = parseJanusMessage(bad)
      expect(result.ok).toBe(false)
    }
  })

  it('reads the server windows from info, with safe fallbacks', () => {
    expect(
      readServerInfo({
        janus: 'server_info',
        'session-timeout': 15,
        'reclaim-session-timeout': 5,
        version_string: '1.1.2',
        auth_token: true,
      }),
    ).toEqual({
      version: '1.1.2',
      sessionTimeoutS: 15,
      reclaimSessionTimeoutS: 5,
      apiSecretRequired: false,
      tokenRequired: true,
    })
    expect(
      readServerInfo({
        janus: 'server_info',
        'session-timeout': -1,
        'reclaim-session-timeout': 'x',
      }),
    ).toMatchObject({ sessionTimeoutS: 60, reclaimSessionTimeoutS: 0 })
  })
})

describe('session record', () => {
  const good = {
    version: 1,
    serverUrl: 'ws://x',
    sessionId: 5,
    handles: [{ plugin: 'p', id: 6 }],
    lastRequestAt: 1,
    sessionTimeoutS: 60,
    reclaimSessionTimeoutS: 15,
  }
  it('round-trips a valid record and rejects malformed ones', () => {
    expect(parseSessionRecord(good)).toEqual(good)
    expect(parseSessionRecord({ ...good, detachedAt: 9 })).toEqual({ ...good, detachedAt: 9 })
    for (const bad of [
      null,
      'x',
      { ...good, version: 2 },
      { ...good, sessionId: -1 },
      { ...good, handles: [{ plugin: 1, id: 2 }] },
      { ...good, handles: 'x' },
      { ...good, detachedAt: 'y' },
    ]) {
      expect(parseSessionRecord(bad)).toBeUndefined()
    }
  })
})

describe('connection states', () => {
  it('allows only the transitions of the lifecycle', () => {
    const legal: [StateKind, StateKind][] = [
      ['idle', 'connecting'],
      ['connecting', 'connected'],
      ['connecting', 'reconnecting'],
      ['connected', 'reconnecting'],
      ['reconnecting', 'recovering'],
      ['recovering', 'connected'],
      ['reconnecting', 'failed'],
      ['failed', 'connecting'],
      ['connected', 'closed'],
      ['closed', 'connecting'],
    ]
    for (const [from, to] of legal) expect(canTransition(from, to)).toBe(true)
    const illegal: [StateKind, StateKind][] = [
      ['idle', 'connected'],
      ['closed', 'reconnecting'],
      ['failed', 'connected'],
      ['reconnecting', 'connected'],
      ['connected', 'connecting'],
    ]
    for (const [from, to] of illegal) expect(canTransition(from, to)).toBe(false)
  })

  it('describes states in words for the live region', () => {
    expect(describeState({ kind: 'reconnecting', attempt: 3, reason: 'socketClosed' })).toBe(
      'Reconnecting (attempt 3)',
    )
    expect(describeState({ kind: 'failed', reason: 'unauthorized', message: '' })).toBe(
      'Disconnected: the server refused the credentials',
    )
    expect(
      describeConnection({ kind: 'reconnecting', attempt: 2, reason: 'serverUnreachable' }),
    ).toBe('Reconnecting (attempt 2): cannot reach the server')
    expect(
      describeConnection({ kind: 'failed', reason: 'serverError', message: 'Invalid server URL' }),
    ).toBe('Disconnected: the server reported an error. Invalid server URL')
    expect(describeState({ kind: 'connected', sessionId: 1 })).toBe('Connected')
  })
})

describe('drift detector', () => {
  it('reports a wake when a tick comes far too late, and nothing otherwise', async () => {
    const clock = new FakeClock()
    const onWake = vi.fn()
    const stop = startDriftDetector({ clock, intervalMs: 1000, thresholdMs: 3000, onWake })
    await clock.advance(10_000)
    expect(onWake).not.toHaveBeenCalled()
    clock.jump(20_000)
    await clock.advance(1000)
    expect(onWake).toHaveBeenCalledTimes(1)
    expect(onWake.mock.calls[0]![0]).toBeGreaterThanOrEqual(19_000)
    stop()
    clock.jump(20_000)
    await clock.advance(5000)
    expect(onWake).toHaveBeenCalledTimes(1)
  })
})

import { parseIceServers, validateServerUrl } from '../../renderer/core/settings'

describe('settings validation', () => {
  it('accepts ws:// and wss:// URLs and explains what is wrong with others', () => {
    expect(validateServerUrl(' ws://127.0.0.1:8188 ')).toEqual({
      ok: true,
      value: 'ws://127.0.0.1:8188',
    })
    expect(validateServerUrl('wss://janus.example/ws')).toMatchObject({ ok: true })
    expect(validateServerUrl('')).toMatchObject({
      ok: false,
      error: expect.stringContaining('Enter the server URL'),
    })
    expect(validateServerUrl('http://x:8088/janus')).toMatchObject({
      ok: false,
      error: expect.stringContaining('ws:// or wss://'),
    })
    expect(validateServerUrl('not a url')).toMatchObject({
      ok: false,
      error: expect.stringContaining('is not a URL'),
    })
  })

  it('parses ICE server lines and rejects junk', () => {
    expect(parseIceServers('\nstun:10.0.0.1:3478\n turn:t.example:3478 \n')).toEqual({
      ok: true,
      value: [{ urls: ['stun:10.0.0.1:3478'] }, { urls: ['turn:t.example:3478'] }],
    })
    expect(parseIceServers('')).toEqual({ ok: true, value: [] })
    expect(parseIceServers('http://nope')).toMatchObject({ ok: false })
  })
})
