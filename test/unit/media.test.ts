import { describe, expect, it } from 'vitest'
import { describeMediaError, readCallStats } from '../../renderer/janus/media'

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

/** A PeerConnection whose stats are these entries. */
const withStats = (entries: Record<string, unknown>[]) =>
  ({
    connectionState: 'connected',
    iceConnectionState: 'connected',
    getStats: () =>
      Promise.resolve(new Map(entries.map((e, i) => [String(e.id ?? i), e] as const))),
  }) as unknown as RTCPeerConnection

describe('what the server sends back about what we send (a publisher’s only sign of a path)', () => {
  it('counts every packet on the transport (feedback every 200 ms), not only the reports once a second', async () => {
    const stats = await readCallStats(
      withStats([
        { type: 'remote-inbound-rtp', kind: 'video', reportsReceived: 2 },
        { type: 'remote-inbound-rtp', kind: 'audio', reportsReceived: 2 },
        { type: 'transport', packetsReceived: 31 },
      ]),
    )
    expect(stats.fromServer).toBe(31)
  })

  it('goes on counting across an ICE restart, where the new candidate pair counts from 0', async () => {
    const before = await readCallStats(
      withStats([
        { id: 'T', type: 'transport', selectedCandidatePairId: 'old', packetsReceived: 40 },
        { id: 'old', type: 'candidate-pair', packetsReceived: 40 },
      ]),
    )
    const after = await readCallStats(
      withStats([
        { id: 'T', type: 'transport', selectedCandidatePairId: 'new', packetsReceived: 43 },
        { id: 'new', type: 'candidate-pair', packetsReceived: 3 },
      ]),
    )
    expect(after.fromServer).toBeGreaterThan(before.fromServer)
  })

  it('falls back to the receiver reports where the browser counts no transport packets', async () => {
    const stats = await readCallStats(
      withStats([
        { type: 'remote-inbound-rtp', kind: 'video', reportsReceived: 3 },
        { type: 'remote-inbound-rtp', kind: 'audio', roundTripTimeMeasurements: 4 },
        { type: 'transport', selectedCandidatePairId: 'p' },
      ]),
    )
    expect(stats.fromServer).toBe(7)
  })
})
