import { describe, expect, it } from 'vitest'
import { describeMediaError } from '../../renderer/janus/media'

const domError = (name: string) => Object.assign(new Error(name), { name })

describe('media errors in words', () => {
  it('tells a person what to do for denied, missing and busy devices', () => {
    expect(describeMediaError(domError('NotAllowedError'))).toContain('access was denied')
    expect(describeMediaError(domError('NotFoundError'))).toContain(
      'No camera or microphone was found',
    )
    expect(describeMediaError(domError('NotReadableError'))).toContain(
      'in use by another application',
    )
    expect(describeMediaError(new Error('ICE failed'))).toBe('ICE failed')
    expect(describeMediaError('plain')).toBe('plain')
  })
})
