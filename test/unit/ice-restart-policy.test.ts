import { describe, expect, it } from 'vitest'
import { IceRestartPolicy, defaultIceRestartOptions } from '../../renderer/core/ice-restart-policy'
import {
  MediaFlowWatch,
  defaultMediaFlowOptions,
  mediaSampleEveryMs,
} from '../../renderer/core/media-flow-watch'
import { FakeClock } from './support/fake-clock'

function makePolicy(options = defaultIceRestartOptions, signallingAlive?: () => Promise<boolean>) {
  const clock = new FakeClock()
  const restarts: string[] = []
  const reports: string[] = []
  let address = '10.0.0.2'
  let received = 0
  const policy = new IceRestartPolicy(
    {
      clock,
      restart: async (reason) => void restarts.push(reason),
      selectedLocalAddress: async () => address,
      mediaReceived: async () => received,
      ...(signallingAlive ? { signallingAlive } : {}),
      report: (kind, detail) => reports.push(`${kind}: ${detail}`),
    },
    options,
  )
  return {
    clock,
    policy,
    restarts,
    reports,
    setAddress: (a: string) => (address = a),
    receive: (n: number) => (received += n),
  }
}

describe('ICE restart policy', () => {
  it('restarts at once when the connection fails', async () => {
    const t = makePolicy()
    t.policy.onConnectionState('failed')
    await t.clock.advance(0)
    expect(t.restarts).toEqual(['connection failed'])
  })

  it('waits out the grace on disconnected and does nothing if ICE recovers by itself', async () => {
    const t = makePolicy()
    t.policy.onIceState('disconnected')
    await t.clock.advance(1999)
    t.policy.onIceState('connected')
    await t.clock.advance(5000)
    expect(t.restarts).toEqual([])
  })

  it('restarts after the grace when disconnected lasts', async () => {
    const t = makePolicy()
    t.policy.onIceState('disconnected')
    await t.clock.advance(1999)
    expect(t.restarts).toEqual([])
    await t.clock.advance(1)
    expect(t.restarts).toEqual(['disconnected for the grace period'])
  })

  it('holds a restart while signalling is down and runs it when it returns', async () => {
    const t = makePolicy()
    t.policy.onSignalling(false)
    t.policy.onConnectionState('failed')
    await t.clock.advance(10_000)
    expect(t.restarts).toEqual([])
    t.policy.onSignalling(true)
    await t.clock.advance(0)
    expect(t.restarts).toEqual(['connection failed'])
  })

  it('forgets a restart held for signalling once media is back meanwhile', async () => {
    // A dead path: the stall's restart went out, then the socket was lost too. The path came
    // back, media with it, and the claim came 20 ms later (issue 13: it restarted ICE anyway).
    const t = makePolicy()
    t.policy.onIceState('connected')
    t.policy.onMediaStalled()
    await t.clock.advance(0)
    t.policy.onSignalling(false)
    await t.clock.advance(2000)
    expect(t.restarts).toHaveLength(1)
    t.receive(5)
    t.policy.onMediaFlowing()
    await t.clock.advance(0)
    expect(t.reports.at(-1)).toMatch(/^media-back/)
    t.policy.onSignalling(true)
    await t.clock.advance(5000)
    expect(t.restarts).toHaveLength(1)
  })

  it('after a network change restarts, and again if the pair kept the stale address', async () => {
    const t = makePolicy()
    t.policy.onIceState('connected')
    t.policy.onSessionReclaimed(true)
    await t.clock.advance(0)
    expect(t.restarts).toEqual(['network changed'])
    t.policy.onIceState('connected') // still on 10.0.0.2: the stale path, and nothing arrives
    // Not one packet 600 ms after the restart (judged at the next 250 ms look): again, at once.
    await t.clock.advance(500)
    expect(t.restarts).toEqual(['network changed'])
    await t.clock.advance(250)
    expect(t.restarts).toEqual(['network changed', 'no media 600 ms after the restart'])
    t.setAddress('10.0.1.2')
    t.policy.onIceState('connected')
    await t.clock.advance(0)
    expect(t.reports.at(-1)).toBe('media-back: media connected via 10.0.1.2')
    await t.clock.advance(10_000)
    expect(t.restarts).toHaveLength(2)
  })

  it('keeps the full verification time when packets arrive but the pair has not moved yet', async () => {
    const t = makePolicy()
    t.policy.onIceState('connected')
    t.policy.onSessionReclaimed(true)
    await t.clock.advance(0)
    t.receive(10)
    await t.clock.advance(1000)
    // Something arrived: not a dead restart, so no early retry (it counts as back, as media flows).
    expect(t.restarts).toEqual(['network changed'])
  })

  it('does not restart again while ICE is still checking after a restart (a slow network)', async () => {
    const t = makePolicy()
    t.policy.onIceState('connected')
    t.policy.onSessionReclaimed(true)
    await t.clock.advance(0)
    t.policy.onIceState('checking')
    await t.clock.advance(2000)
    expect(t.restarts).toEqual(['network changed'])
  })

  it('a link that came back as it was: media arriving on the same address counts as back', async () => {
    const t = makePolicy()
    t.policy.onIceState('connected')
    t.policy.onSessionReclaimed(true)
    await t.clock.advance(0)
    expect(t.restarts).toEqual(['network changed'])
    // Same address, nothing received yet: not back.
    await t.clock.advance(500)
    expect(t.reports.filter((r) => r.startsWith('media-back'))).toEqual([])
    t.receive(40)
    await t.clock.advance(250)
    expect(t.reports.at(-1)).toBe('media-back: media connected via 10.0.0.2')
    await t.clock.advance(10_000)
    expect(t.restarts).toEqual(['network changed'])
  })

  it('a reclaim without a network change leaves a healthy call alone unless forced', async () => {
    const t = makePolicy()
    t.policy.onSessionReclaimed(false)
    await t.clock.advance(5000)
    expect(t.restarts).toEqual([])
    const forced = makePolicy({ ...defaultIceRestartOptions, forceAfterReclaim: true })
    forced.policy.onSessionReclaimed(false)
    await forced.clock.advance(0)
    expect(forced.restarts).toEqual(['reclaimed'])
  })

  it('gives up after maxRestarts in a row when media never returns, and says so once', async () => {
    const t = makePolicy()
    t.policy.onConnectionState('failed')
    await t.clock.advance(60_000)
    expect(t.restarts).toHaveLength(defaultIceRestartOptions.maxRestarts)
    expect(t.reports.filter((r) => r.startsWith('error: gave up'))).toHaveLength(1)
    // Stalls told after giving up are not restarts, and not said again.
    expect(t.policy.onMediaStalled()).toBe(false)
    await t.clock.advance(5000)
    expect(t.restarts).toHaveLength(defaultIceRestartOptions.maxRestarts)
  })

  it('waits longer after each stale restart, so a lagging interface list does not spend the budget', async () => {
    const t = makePolicy()
    t.policy.onIceState('connected')
    t.policy.onSessionReclaimed(true)
    await t.clock.advance(750)
    expect(t.restarts).toEqual(['network changed', 'no media 600 ms after the restart'])
    // The second waits 1200 ms (judged at the 250 ms looks), not 600 again.
    await t.clock.advance(1000)
    expect(t.restarts, JSON.stringify(t.restarts)).toHaveLength(2)
    await t.clock.advance(250)
    expect(t.restarts.at(-1)).toBe('no media 1200 ms after the restart')
  })

  it('media seen arriving after the restarts gave up still counts as back, and refills the budget', async () => {
    const t = makePolicy()
    t.policy.onConnectionState('failed')
    await t.clock.advance(60_000)
    // Chromium moves the pair by itself under a connected ICE: no state event, only packets.
    t.setAddress('10.0.1.2')
    t.receive(30)
    t.policy.onMediaFlowing()
    await t.clock.advance(0)
    expect(t.reports.at(-1)).toBe('media-back: media connected via 10.0.1.2')
    t.policy.onConnectionState('failed')
    await t.clock.advance(0)
    expect(t.restarts).toHaveLength(defaultIceRestartOptions.maxRestarts + 1)
  })

  it('media flowing with nothing to recover reports nothing', async () => {
    const t = makePolicy()
    t.policy.onIceState('connected')
    t.policy.onMediaFlowing()
    await t.clock.advance(1000)
    expect(t.reports).toEqual([])
  })

  it('a new network after giving up gets a fresh budget', async () => {
    const t = makePolicy()
    t.policy.onConnectionState('failed')
    await t.clock.advance(60_000)
    const before = t.restarts.length
    t.policy.onSessionReclaimed(true)
    await t.clock.advance(0)
    expect(t.restarts).toHaveLength(before + 1)
    expect(t.restarts.at(-1)).toBe('network changed')
  })
})

describe('what proves a recovery', () => {
  it('after a stall, only media arriving: ICE said connected all along', async () => {
    const t = makePolicy()
    t.policy.onIceState('connected')
    t.policy.onMediaStalled()
    await t.clock.advance(500)
    t.setAddress('10.0.1.2')
    await t.clock.advance(250)
    expect(t.reports.filter((r) => r.startsWith('media-back'))).toEqual([])
    t.receive(5)
    await t.clock.advance(250)
    expect(t.reports.at(-1)).toBe('media-back: media connected via 10.0.1.2')
  })

  it('after a network change, the same interface with a new port is not a new pair', async () => {
    const t = makePolicy()
    t.setAddress('10.0.0.2:5000')
    t.policy.onIceState('connected')
    t.policy.onSessionReclaimed(true)
    await t.clock.advance(0)
    t.setAddress('10.0.0.2:6000')
    await t.clock.advance(500)
    expect(t.reports.filter((r) => r.startsWith('media-back'))).toEqual([])
    t.setAddress('10.0.1.2:7000')
    await t.clock.advance(250)
    expect(t.reports.at(-1)).toBe('media-back: media connected via 10.0.1.2:7000')
  })
})

describe('one restart at a time', () => {
  it('a stall told while a restart is being verified makes no second restart', async () => {
    const t = makePolicy()
    t.policy.onIceState('connected')
    t.policy.onMediaStalled()
    await t.clock.advance(100)
    t.policy.onMediaStalled()
    await t.clock.advance(100)
    expect(t.restarts).toEqual(['media stopped while ICE was connected'])
  })

  it('a network change during a restart queues none behind it, and its verification wants a new pair', async () => {
    let finish: () => void = () => undefined
    const t = makePolicy()
    const slow = new IceRestartPolicy({
      clock: t.clock,
      restart: (reason) => {
        t.restarts.push(reason)
        return new Promise<void>((resolve) => (finish = resolve))
      },
      selectedLocalAddress: async () => '10.0.0.2',
      mediaReceived: async () => 0,
      report: (kind, detail) => t.reports.push(`${kind}: ${detail}`),
    })
    slow.onIceState('connected')
    slow.onMediaStalled()
    await t.clock.advance(0)
    slow.onSessionReclaimed(true)
    finish()
    await t.clock.advance(0)
    expect(t.restarts).toEqual(['media stopped while ICE was connected'])
    // Still on the old address and nothing arrives: made again, for that reason.
    await t.clock.advance(750)
    expect(t.restarts).toEqual([
      'media stopped while ICE was connected',
      'no media 600 ms after the restart',
    ])
  })
})

describe('restarting when the browser can gather on the new network', () => {
  function lagging() {
    const t = makePolicy()
    let gatherable = ['10.0.0.2']
    const policy = new IceRestartPolicy({
      clock: t.clock,
      restart: async (reason) => void t.restarts.push(reason),
      selectedLocalAddress: async () => '10.0.0.2:5000',
      mediaReceived: async () => 0,
      gatherableAddresses: async () => gatherable,
      report: (kind, detail) => t.reports.push(`${kind}: ${detail}`),
    })
    return { ...t, policy, setGatherable: (list: string[]) => (gatherable = list) }
  }

  it('restarts again as soon as a new address can be gathered, without waiting out the restart', async () => {
    const t = lagging()
    t.policy.onIceState('connected')
    t.policy.onSessionReclaimed(true)
    await t.clock.advance(250)
    expect(t.restarts).toEqual(['network changed'])
    t.setGatherable(['10.0.0.2', '10.0.1.2'])
    await t.clock.advance(250)
    expect(t.restarts).toEqual(['network changed', 'the browser can gather on a new address now'])
  })

  it('gathering that could not finish at the restart: the first new host listed later restarts, the stale one does not', async () => {
    const t = makePolicy()
    let gatherable: string[] | undefined // undefined: gathering does not finish in time
    const policy = new IceRestartPolicy({
      clock: t.clock,
      restart: async (reason) => void t.restarts.push(reason),
      selectedLocalAddress: async () => '10.0.0.2:5000',
      mediaReceived: async () => 0,
      gatherableAddresses: async () => {
        if (!gatherable) throw new Error('gathering did not finish in time')
        return gatherable
      },
      report: (kind, detail) => t.reports.push(`${kind}: ${detail}`),
    })
    policy.onIceState('connected')
    policy.onSessionReclaimed(true)
    await t.clock.advance(250)
    gatherable = ['10.0.0.2']
    await t.clock.advance(250)
    expect(t.restarts).toEqual(['network changed'])
    gatherable = ['10.0.1.2']
    await t.clock.advance(250)
    expect(t.restarts.at(-1)).toBe('the browser can gather on a new address now')
  })

  it('with nothing new to gather, falls back on the no-media retry', async () => {
    const t = lagging()
    t.policy.onIceState('connected')
    t.policy.onSessionReclaimed(true)
    await t.clock.advance(750)
    expect(t.restarts).toEqual(['network changed', 'no media 600 ms after the restart'])
  })
})

describe('a restart that never finishes', () => {
  it('is given up after its bound, and the next one goes', async () => {
    const t = makePolicy()
    const restarts: string[] = []
    const policy = new IceRestartPolicy({
      clock: t.clock,
      // The first offer's reply never comes; the later ones do.
      restart: (reason) => {
        restarts.push(reason)
        return restarts.length === 1 ? new Promise<void>(() => undefined) : Promise.resolve()
      },
      selectedLocalAddress: async () => '10.0.0.2',
      mediaReceived: async () => 0,
      report: () => undefined,
    })
    policy.onConnectionState('failed')
    await t.clock.advance(4999)
    expect(restarts).toHaveLength(1)
    // Bound (5 s) then the verification deadline (3 s): made again.
    await t.clock.advance(3001 + 250)
    expect(restarts).toEqual(['connection failed', 'media did not come back'])
  })
})

describe('ICE restart verification', () => {
  it('reports media back as soon as the pair moved, without waiting for an ICE state event', async () => {
    const t = makePolicy()
    t.policy.onIceState('connected')
    t.policy.onSessionReclaimed(true)
    await t.clock.advance(0)
    t.setAddress('10.0.1.2')
    await t.clock.advance(250)
    expect(t.reports.at(-1)).toBe('media-back: media connected via 10.0.1.2')
    await t.clock.advance(10_000)
    expect(t.restarts).toEqual(['network changed'])
  })
})

describe('media that stops under a healthy ICE', () => {
  it('restarts ICE at once when media stalls, and counts media arriving again as back', async () => {
    const t = makePolicy()
    t.policy.onIceState('connected')
    t.policy.onMediaStalled()
    await t.clock.advance(0)
    expect(t.restarts).toEqual(['media stopped while ICE was connected'])
    t.receive(50)
    await t.clock.advance(250)
    expect(t.reports.at(-1)).toMatch(/^media-back/)
  })
})

describe('a stall checks signalling before it restarts', () => {
  /** A policy whose signalling check answers when the test says. */
  function withCheck() {
    let answer: (alive: boolean) => void = () => undefined
    let checks = 0
    const t = makePolicy(defaultIceRestartOptions, () => {
      checks += 1
      return new Promise<boolean>((resolve) => (answer = resolve))
    })
    return { ...t, answer: (alive: boolean) => answer(alive), checks: () => checks }
  }

  it('restarts once the connection answered', async () => {
    const t = withCheck()
    expect(t.policy.onMediaStalled()).toBe(true)
    await t.clock.advance(0)
    expect(t.restarts).toEqual([])
    // A second stall told while checking makes no second check nor restart.
    expect(t.policy.onMediaStalled()).toBe(false)
    t.answer(true)
    await t.clock.advance(0)
    expect(t.restarts).toEqual(['media stopped while ICE was connected'])
    expect(t.checks()).toBe(1)
  })

  it('with the connection dead, sends no offer into it: the restart waits for the claim', async () => {
    const t = withCheck()
    t.policy.onMediaStalled()
    t.policy.onSignalling(false)
    t.answer(false)
    await t.clock.advance(5000)
    expect(t.restarts).toEqual([])
    expect(t.policy.holdsRestart).toBe(true)
    t.policy.onSignalling(true)
    await t.clock.advance(0)
    expect(t.restarts).toEqual(['media stopped while ICE was connected'])
  })

  it('a held restart dropped because media came back over the old path never goes', async () => {
    const t = withCheck()
    t.policy.onMediaStalled()
    t.answer(false)
    await t.clock.advance(0)
    t.policy.dropHeldRestart()
    expect(t.policy.holdsRestart).toBe(false)
    t.policy.onSignalling(true)
    await t.clock.advance(5000)
    expect(t.restarts).toEqual([])
  })

  it('with signalling already down, holds the restart without checking', async () => {
    const t = withCheck()
    t.policy.onSignalling(false)
    t.policy.onMediaStalled()
    await t.clock.advance(0)
    expect(t.checks()).toBe(0)
    expect(t.policy.holdsRestart).toBe(true)
  })
})

describe('MediaFlowWatch', () => {
  const sample = (at: number, received: number, iceHealthy = true) => ({ at, received, iceHealthy })

  it('says stalled once when nothing arrives for a second after media flowed', () => {
    const watch = new MediaFlowWatch({ stallAfterMs: 1000 })
    expect(watch.observe(sample(0, 10))).toBe('waiting')
    expect(watch.observe(sample(250, 20))).toBe('flowing')
    expect(watch.observe(sample(750, 20))).toBe('waiting')
    expect(watch.observe(sample(1250, 20))).toBe('stalled')
    expect(watch.observe(sample(1500, 20))).toBe('waiting')
    expect(watch.observe(sample(1750, 30))).toBe('flowing')
  })

  it('by default, Opus DTX in silence (a packet every 400 ms, some 150 ms late) sampled as a call does is never a stall; 600 ms of nothing is', () => {
    const watch = new MediaFlowWatch()
    const packets: number[] = []
    for (let k = 0; k * 400 <= 10_000; k++) packets.push(k * 400 + (k % 2 ? 150 : 0))
    const arrivedBy = (at: number) => packets.filter((p) => p <= at).length
    let at = 0
    for (; at <= 10_000; at += mediaSampleEveryMs)
      expect(watch.observe(sample(at, arrivedBy(at)))).not.toBe('stalled')
    // The packets stop: the last one arrived at 10 000 ms at the latest.
    const last = arrivedBy(10_000)
    let told: number | undefined
    for (; told === undefined && at <= 12_000; at += mediaSampleEveryMs)
      if (watch.observe(sample(at, last)) === 'stalled') told = at
    expect(told).toBeDefined()
    expect(told! - packets.filter((p) => p <= 10_000).at(-1)!).toBeLessThanOrEqual(
      defaultMediaFlowOptions.stallAfterMs + mediaSampleEveryMs,
    )
  })

  it('is stalling from the stall it tells until media rises, through a rearm', () => {
    const watch = new MediaFlowWatch({ stallAfterMs: 1000 })
    watch.observe(sample(0, 10))
    watch.observe(sample(250, 20))
    expect(watch.stalling).toBe(false)
    watch.observe(sample(1250, 20))
    expect(watch.stalling).toBe(true)
    watch.rearm()
    expect(watch.observe(sample(1500, 20))).toBe('waiting')
    expect(watch.stalling).toBe(true)
    watch.observe(sample(1525, 21))
    expect(watch.stalling).toBe(false)
  })

  it('never calls a call that has not flowed yet stalled', () => {
    const watch = new MediaFlowWatch({ stallAfterMs: 1000 })
    for (let at = 0; at < 10_000; at += 250) expect(watch.observe(sample(at, 0))).toBe('waiting')
  })

  it('leaves an unhealthy ICE to the restart policy', () => {
    const watch = new MediaFlowWatch({ stallAfterMs: 1000 })
    watch.observe(sample(0, 0))
    watch.observe(sample(250, 5))
    expect(watch.observe(sample(2000, 5, false))).toBe('waiting')
  })

  it('expects nothing while paused (on hold), and judges afresh after', () => {
    const watch = new MediaFlowWatch({ stallAfterMs: 1000 })
    watch.observe(sample(0, 0))
    watch.observe(sample(250, 5))
    watch.setPaused(true)
    expect(watch.observe(sample(5000, 5))).toBe('waiting')
    watch.setPaused(false)
    expect(watch.observe(sample(9000, 5))).toBe('waiting')
    expect(watch.observe(sample(9250, 6))).toBe('flowing')
    expect(watch.observe(sample(10_500, 6))).toBe('stalled')
  })

  it('tells a stall that lasts again once rearmed', () => {
    const watch = new MediaFlowWatch({ stallAfterMs: 1000 })
    watch.observe(sample(0, 0))
    watch.observe(sample(250, 5))
    expect(watch.observe(sample(1500, 5))).toBe('stalled')
    watch.rearm()
    expect(watch.observe(sample(2000, 5))).toBe('waiting')
    expect(watch.observe(sample(2500, 5))).toBe('stalled')
  })
})

describe('ICE restarts that keep the stale address', () => {
  function withRebuild(rebuildAfterStaleRestarts = 3) {
    const clock = new FakeClock()
    const restarts: string[] = []
    const rebuilds: string[] = []
    const policy = new IceRestartPolicy(
      {
        clock,
        restart: async (reason) => void restarts.push(reason),
        selectedLocalAddress: async () => '10.0.0.2:5000',
        mediaReceived: async () => 0,
        rebuild: async (reason) => void rebuilds.push(reason),
        report: () => undefined,
      },
      { ...defaultIceRestartOptions, rebuildAfterStaleRestarts },
    )
    return { clock, policy, restarts, rebuilds }
  }

  it('after three restarts that left ICE on the same host with nothing arriving, the media is built again, and no fourth restart is made', async () => {
    const t = withRebuild()
    t.policy.onIceState('connected')
    t.policy.onSessionReclaimed(true)
    await t.clock.advance(20_000)
    expect(t.restarts).toHaveLength(3)
    expect(t.rebuilds).toEqual(['3 ICE restarts kept the stale address'])
    await t.clock.advance(60_000)
    expect(t.restarts).toHaveLength(3)
  })

  it('a call that cannot rebuild keeps restarting', async () => {
    const t = makePolicy()
    t.policy.onIceState('connected')
    t.policy.onSessionReclaimed(true)
    await t.clock.advance(20_000)
    expect(t.restarts.length).toBeGreaterThan(3)
  })
})
