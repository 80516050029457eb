import { describe, expect, it } from 'vitest'
import { ServerSilence } from '../../renderer/core/server-silence'

describe('Janus saying it receives nothing of ours', () => {
  it('is a stall once it has lasted, told once', () => {
    const silence = new ServerSilence(500)
    silence.report('video', false, 1000)
    expect(silence.lasting(1499)).toBeUndefined()
    expect(silence.lasting(1500)).toBe('video')
    expect(silence.lasting(2500)).toBeUndefined()
  })

  it('is nothing when Janus says a moment later it receives again (what a sleep replays)', () => {
    const silence = new ServerSilence(500)
    silence.report('audio', false, 1000)
    silence.report('audio', true, 1040)
    expect(silence.lasting(2000)).toBeUndefined()
  })
})
