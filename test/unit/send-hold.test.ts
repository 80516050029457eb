import { describe, expect, it } from 'vitest'
import {
  SendHold,
  SenderPause,
  type PausableParameters,
  type PausableSender,
} from '../../renderer/core/send-hold'
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

class FakeSender implements PausableSender {
  readonly sets: boolean[][] = []
  constructor(
    public track: unknown,
    private encodings: { active?: boolean; maxBitrate?: number }[],
  ) {}
  getParameters(): PausableParameters {
    return { encodings: this.encodings.map((encoding) => ({ ...encoding })) }
  }
  /** As a browser: the sender takes the parameters when the promise resolves, not at the call. */
  setParameters(parameters: PausableParameters): Promise<void> {
    this.sets.push(parameters.encodings.map((encoding) => encoding.active !== false))
    return Promise.resolve().then(() => {
      this.encodings = parameters.encodings
    })
  }
  get current(): { active?: boolean; maxBitrate?: number }[] {
    return this.encodings
  }
}

/** Every change asked of the fake senders so far has been applied. */
const applied = () => new Promise((resolve) => setImmediate(resolve))

describe('pausing senders', () => {
  it('turns every layer off and restores each layer as it was, keeping later changes', async () => {
    const simulcast = new FakeSender({}, [{ active: true }, { active: false }, {}])
    const receiveOnly = new FakeSender(null, [{ active: true }])
    const pause = new SenderPause()
    expect(pause.pause([simulcast, receiveOnly])).toBe(1)
    await applied()
    expect(simulcast.current.map((encoding) => encoding.active)).toEqual([false, false, false])
    expect(receiveOnly.sets).toEqual([])
    const [first] = simulcast.current
    if (first) first.maxBitrate = 300_000
    expect(pause.resume()).toBe(1)
    await applied()
    expect(simulcast.current).toEqual([
      { active: true, maxBitrate: 300_000 },
      { active: false },
      { active: true },
    ])
    expect(pause.resume()).toBe(0)
    expect(simulcast.sets).toHaveLength(2)
  })

  it('pauses a sender once however often asked, so its own state is what comes back', async () => {
    const sender = new FakeSender({}, [{ active: false }])
    const pause = new SenderPause()
    pause.pause([sender])
    expect(pause.pause([sender])).toBe(0)
    pause.resume()
    await applied()
    expect(sender.current).toEqual([{ active: false }])
    expect(sender.sets).toEqual([[false], [false]])
  })

  it('paused again before the browser applied the resume, it still restores the encodings as they were (soak seed 1915557470)', async () => {
    const camera = new FakeSender({}, [{ active: true }, { active: true }])
    const pause = new SenderPause()
    pause.pause([camera])
    await applied()
    // Back, then offline again a millisecond later (a double flap): nothing applied in between.
    expect(pause.resume()).toBe(1)
    expect(pause.pause([camera])).toBe(1)
    await applied()
    expect(camera.current.map((encoding) => encoding.active)).toEqual([false, false])
    pause.resume()
    await applied()
    expect(camera.current.map((encoding) => encoding.active)).toEqual([true, true])
  })

  it('repairs a sender it resumed that is all off anyway, and no other', async () => {
    const camera = new FakeSender({}, [{ active: true }, { active: false }])
    const alreadyOff = new FakeSender({}, [{ active: false }])
    const neverPaused = new FakeSender({}, [{ active: false }])
    const pause = new SenderPause()
    pause.pause([camera, alreadyOff])
    await applied()
    expect(pause.repair()).toBe(0) // paused, not resumed: nothing to repair
    pause.resume()
    await applied()
    expect(pause.repair()).toBe(0) // sending as it was
    // Another change read the paused state and set it back: all off.
    await camera.setParameters({ encodings: [{ active: false }, { active: false }] })
    expect(pause.repair()).toBe(1)
    expect(pause.repair()).toBe(0) // once, while the change is under way
    await applied()
    expect(camera.current.map((encoding) => encoding.active)).toEqual([true, false])
    expect(neverPaused.sets).toEqual([])
    expect(alreadyOff.current).toEqual([{ active: false }])
  })

  it('reports a sender that refuses and goes on with the others', async () => {
    const errors: unknown[] = []
    const broken: PausableSender = {
      track: {},
      getParameters: () => ({ encodings: [{ active: true }] }),
      setParameters: () => Promise.reject(new Error('closed')),
    }
    const fine = new FakeSender({}, [{ active: true }])
    const pause = new SenderPause((error) => errors.push(error))
    pause.pause([broken, fine])
    await applied()
    expect(fine.current).toEqual([{ active: false }])
    expect(errors).toHaveLength(1)
  })
})
