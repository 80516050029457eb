import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import { wirePowerSignals, type PowerSignal } from '../../../main/power-signals'
import { QuitCoordinator } from '../../../main/quit-coordinator'
import { shouldHideOnClose, trayIconPath, trayPresentation } from '../../../main/tray-state'
import { FakeClock } from '../support/fake-clock'

describe('power signals', () => {
  it('forwards powerMonitor events, lock included, and reports a wake once when both sources see it', async () => {
    const clock = new FakeClock()
    const power = new EventEmitter()
    const signals: PowerSignal[] = []
    const stop = wirePowerSignals(power, {
      clock,
      emit: (s) => signals.push(s),
      driftIntervalMs: 1000,
      driftThresholdMs: 5000,
    })
    power.emit('lock-screen')
    power.emit('suspend')
    clock.jump(30_000)
    power.emit('resume')
    await clock.advance(1000) // the drift detector also sees the 30 s gap
    power.emit('unlock-screen')
    expect(signals.map((s) => s.type)).toEqual([
      'lock-screen',
      'suspend',
      'resume',
      'unlock-screen',
    ])
    expect(signals[2]).toMatchObject({ source: 'powerMonitor' })
    stop()
  })

  it('the drift detector reports a wake where powerMonitor is silent', async () => {
    const clock = new FakeClock()
    const signals: PowerSignal[] = []
    wirePowerSignals(new EventEmitter(), {
      clock,
      emit: (s) => signals.push(s),
      driftIntervalMs: 1000,
      driftThresholdMs: 5000,
    })
    clock.jump(20_000)
    await clock.advance(1000)
    expect(signals).toEqual([expect.objectContaining({ type: 'resume', source: 'drift' })])
  })
})

describe('quit coordinator', () => {
  it('waits for the renderer to hang up, then quits', async () => {
    const clock = new FakeClock()
    const quit = vi.fn()
    const c = new QuitCoordinator({ clock, askRenderer: () => true, quit, log: vi.fn() })
    expect(c.request('quit')).toBe(true)
    expect(c.request('quit')).toBe(true)
    c.rendererReady()
    expect(quit).toHaveBeenCalledTimes(1)
    expect(c.request('quit')).toBe(false)
  })

  it('quits anyway after the bound when the renderer never answers', async () => {
    const clock = new FakeClock()
    const quit = vi.fn()
    const log = vi.fn()
    const c = new QuitCoordinator({ clock, askRenderer: () => true, quit, log, timeoutMs: 3000 })
    c.request('shutdown')
    await clock.advance(2999)
    expect(quit).not.toHaveBeenCalled()
    await clock.advance(1)
    expect(quit).toHaveBeenCalledTimes(1)
    expect(log).toHaveBeenCalledWith(expect.stringContaining('did not confirm'))
  })

  it('with no renderer there is nothing to wait for', () => {
    const c = new QuitCoordinator({
      clock: new FakeClock(),
      askRenderer: () => false,
      quit: vi.fn(),
      log: vi.fn(),
    })
    expect(c.request('quit')).toBe(false)
    expect(c.done).toBe(true)
  })
})

describe('tray', () => {
  it('finds its icon among the resources when installed and in build/ in development', () => {
    expect(trayIconPath(true, '/opt/Holdfast/resources', '/opt/Holdfast/resources/app.asar')).toBe(
      '/opt/Holdfast/resources/icon.png',
    )
    expect(trayIconPath(false, '/x', '/home/dev/holdfast')).toBe(
      '/home/dev/holdfast/build/icon.png',
    )
  })

  it('shows connected, in a call, reconnecting and offline', () => {
    expect(trayPresentation({ connection: 'connected', inCall: false }).status).toBe('connected')
    expect(trayPresentation({ connection: 'connected', inCall: true }).status).toBe('in-call')
    expect(trayPresentation({ connection: 'reconnecting', inCall: true })).toEqual({
      status: 'reconnecting',
      tooltip: 'Holdfast: reconnecting your call…',
    })
    expect(trayPresentation({ connection: 'failed', inCall: false }).status).toBe('offline')
    expect(trayPresentation(undefined).status).toBe('offline')
  })

  it('says in the tray that do not disturb is on', () => {
    expect(
      trayPresentation({ connection: 'connected', inCall: false, doNotDisturb: true }),
    ).toEqual({
      status: 'connected',
      tooltip: 'Holdfast: connected (do not disturb: calls are answered busy)',
    })
  })

  it('closing hides to the tray only while connected, when enabled, and not while quitting', () => {
    const report = { connection: 'connected' as const, inCall: false }
    expect(shouldHideOnClose({ closeToTray: true, quitting: false, report })).toBe(true)
    expect(shouldHideOnClose({ closeToTray: false, quitting: false, report })).toBe(false)
    expect(shouldHideOnClose({ closeToTray: true, quitting: true, report })).toBe(false)
    expect(
      shouldHideOnClose({
        closeToTray: true,
        quitting: false,
        report: { connection: 'closed', inCall: false },
      }),
    ).toBe(false)
  })
})

import { restoreBounds } from '../../../main/settings-store'

describe('window bounds', () => {
  const display = { x: 0, y: 0, width: 1920, height: 1080 }
  it('restores bounds that are still on a display, and drops ones that are not', () => {
    expect(restoreBounds({ x: 100, y: 100, width: 800, height: 600 }, [display])).toEqual({
      x: 100,
      y: 100,
      width: 800,
      height: 600,
    })
    expect(restoreBounds({ x: 3000, y: 100, width: 800, height: 600 }, [display])).toBeUndefined()
    expect(restoreBounds(undefined, [display])).toBeUndefined()
  })
})
