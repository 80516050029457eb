import { describe, expect, it } from 'vitest'
import { SendHold, SenderPause, type PausableSender } from '../../renderer/core/send-hold'
import { FakeClock } from './support/fake-clock'

function holdWithLog(clock: FakeClock): { hold: SendHold; log: string[] } {
  const log: string[] = []
  const hold = new SendHold(
    { clock, pause: () => log.push('pause'), resume: () => log.push('resume') },
    1000,
    30_000,
  )
  return { hold, log }
}

describe('a call sending nothing while the host says there is no network', () => {
  it('pauses on offline and sends again once the session is back', async () => {
    const clock = new FakeClock()
    const { hold, log } = holdWithLog(clock)
    hold.onSignal('offline')
    hold.onSignal('offline')
    expect(log).toEqual(['pause'])
    hold.onSignal('online')
    await clock.advance(20)
    expect(hold.holding).toBe(true)
    hold.onSessionSettled()
    expect(log).toEqual(['pause', 'resume'])
    await clock.advance(5000)
    expect(log).toEqual(['pause', 'resume'])
  })

  it('sends again a second after the network is back when the claim has not come back', async () => {
    const clock = new FakeClock()
    const { hold, log } = holdWithLog(clock)
    hold.onSignal('offline')
    await clock.advance(10_000)
    expect(log).toEqual(['pause'])
    hold.onSignal('network-changed')
    await clock.advance(999)
    expect(hold.holding).toBe(true)
    await clock.advance(1)
    expect(log).toEqual(['pause', 'resume'])
  })

  it('never holds longer than its bound, even when the network never comes back', async () => {
    const clock = new FakeClock()
    const { hold, log } = holdWithLog(clock)
    hold.onSignal('offline')
    await clock.advance(29_999)
    expect(hold.holding).toBe(true)
    await clock.advance(1)
    expect(log).toEqual(['pause', 'resume'])
  })

  it('does nothing on signals other than offline while sending, and resumes once when disposed', async () => {
    const clock = new FakeClock()
    const { hold, log } = holdWithLog(clock)
    hold.onSignal('online')
    hold.onSignal('resume')
    hold.onSessionSettled()
    expect(log).toEqual([])
    hold.onSignal('offline')
    hold.dispose()
    hold.dispose()
    await clock.advance(60_000)
    expect(log).toEqual(['pause', 'resume'])
  })
})

class FakeSender implements PausableSender<string> {
  readonly replaced: (string | null)[] = []
  constructor(public track: string | null) {}
  replaceTrack(track: string | null): Promise<void> {
    this.replaced.push(track)
    // As a browser: the sender's track changes when the promise resolves.
    return Promise.resolve().then(() => {
      this.track = track
    })
  }
}

describe('pausing senders', () => {
  it('takes each track away and gives it back once the pause is applied', async () => {
    const camera = new FakeSender('camera')
    const receiveOnly = new FakeSender(null)
    const pause = new SenderPause<string>()
    expect(pause.pause([camera, receiveOnly])).toBe(1)
    // Resumed before the pause took effect: the track still comes back after it.
    expect(await pause.resume()).toBe(1)
    await flush()
    expect(camera.track).toBe('camera')
    expect(camera.replaced).toEqual([null, 'camera'])
    expect(receiveOnly.replaced).toEqual([])
    expect(await pause.resume()).toBe(0)
  })

  it('pauses a sender once however often asked', async () => {
    const sender = new FakeSender('microphone')
    const pause = new SenderPause<string>()
    pause.pause([sender])
    expect(pause.pause([sender])).toBe(0)
    await flush()
    expect(sender.track).toBeNull()
    await pause.resume()
    await flush()
    expect(sender.replaced).toEqual([null, 'microphone'])
  })

  it('leaves a track put in meanwhile (a device switched during the pause)', async () => {
    const sender = new FakeSender('old camera')
    const pause = new SenderPause<string>()
    pause.pause([sender])
    await flush()
    await sender.replaceTrack('new camera')
    await pause.resume()
    await flush()
    expect(sender.track).toBe('new camera')
  })

  it('reports a sender that refuses and goes on with the others', async () => {
    const errors: unknown[] = []
    const broken: PausableSender<string> = {
      track: 'camera',
      replaceTrack: () => Promise.reject(new Error('closed')),
    }
    const fine = new FakeSender('microphone')
    const pause = new SenderPause<string>((error) => errors.push(error))
    expect(pause.pause([broken, fine])).toBe(2)
    await flush()
    expect(fine.track).toBeNull()
    expect(errors).toHaveLength(1)
  })
})

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}
