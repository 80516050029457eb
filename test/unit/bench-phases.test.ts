/** The recovery benchmark's split of a recovery into phases (issue 13). */
import { describe, expect, it } from 'vitest'
import { flowingFor } from '../../test/lab/media-probe'
import { phasesOf } from '../../test/bench/phases'
import { alternateRuns } from '../../test/bench/results'

describe('recovery phases', () => {
  const broke = 10_000
  const back = 10_000

  it('reads each phase after the break, in order, from the client and its PeerConnection', () => {
    const own = [
      { at: 9_000, kind: 'claimed', detail: 'before the break: ignored' },
      { at: 10_020, kind: 'signal', detail: 'network-changed' },
      { at: 10_090, kind: 'claimed', detail: 'session 1' },
    ]
    const pc = [
      { at: 5_000, kind: 'local-offer', detail: '' },
      { at: 10_100, kind: 'local-offer', detail: '' },
      { at: 10_080, kind: 'remote-answer', detail: 'before the offer: ignored' },
      { at: 10_130, kind: 'remote-answer', detail: '' },
      { at: 10_210, kind: 'ice-connected', detail: '10.210.2.2:5000 -> 10.210.0.1:20000' },
    ]
    expect(phasesOf('holdfast', own, pc, broke, back, { packet: 260, frame: 400 })).toEqual({
      toldMs: 20,
      sessionBackMs: 90,
      offerMs: 100,
      answerMs: 130,
      iceConnectedMs: 210,
      firstPacketMs: 260,
      firstFrameMs: 400,
      pair: '10.210.2.2:5000 -> 10.210.0.1:20000',
    })
  })

  it('the network is known once the browser can gather on an address it could not before', () => {
    const pc = [
      { at: 4_000, kind: 'gatherable', detail: '10.210.1.2' },
      { at: 10_300, kind: 'gatherable', detail: 'none' },
      { at: 10_500, kind: 'gatherable', detail: '10.210.1.2' },
      { at: 10_640, kind: 'gatherable', detail: '10.210.1.2,10.210.2.2' },
      { at: 10_900, kind: 'gatherable', detail: '10.210.2.2' },
    ]
    expect(phasesOf('holdfast', [], pc, broke, back, { packet: 700, frame: 750 })).toEqual({
      networkKnownMs: 640,
      firstPacketMs: 700,
      firstFrameMs: 750,
    })
    // A fresh frame's trace (what the OS offered) is read apart from the page's own.
    const fresh = [
      { at: 4_000, kind: 'gatherable-fresh', detail: '10.210.1.2' },
      { at: 10_180, kind: 'gatherable-fresh', detail: '10.210.2.2' },
    ]
    expect(
      phasesOf('holdfast', [], [...pc, ...fresh], broke, back, { packet: 700, frame: 750 }),
    ).toEqual({ networkUpMs: 180, networkKnownMs: 640, firstPacketMs: 700, firstFrameMs: 750 })
    // The same address back (a flap) is no new network.
    expect(phasesOf('careful', [], pc.slice(0, 3), broke, back, { packet: 1, frame: 1 })).toEqual({
      firstPacketMs: 1,
      firstFrameMs: 1,
    })
  })

  it("a server's restart offer (a room's subscriber) counts, answered by the client", () => {
    const pc = [
      { at: 10_050, kind: 'remote-offer', detail: '' },
      { at: 10_060, kind: 'remote-answer', detail: 'not the answer to that offer' },
      { at: 10_070, kind: 'local-answer', detail: '' },
    ]
    expect(
      phasesOf('careful', [], pc, broke, back, { packet: undefined, frame: undefined }),
    ).toEqual({ offerMs: 50, answerMs: 70 })
  })

  it('takes the earliest event of each phase, whatever order the client listed them in', () => {
    // Holdfast's timeline lists the newest first.
    const own = [
      { at: 12_200, kind: 'media-restart', detail: 'ICE restart 2' },
      { at: 10_300, kind: 'claimed', detail: 'session 1' },
      { at: 10_010, kind: 'signal', detail: 'network-changed' },
    ]
    expect(phasesOf('holdfast', own, [], broke, back, { packet: 0, frame: 0 })).toMatchObject({
      toldMs: 10,
      sessionBackMs: 300,
    })
  })

  it('counts the PeerConnection leaving connected as being told, and leaves out what never happened', () => {
    const pc = [{ at: 10_500, kind: 'ice-disconnected', detail: '' }]
    expect(
      phasesOf('naive', [{ at: 11_000, kind: 'loss', detail: '' }], pc, broke, back, {
        packet: undefined,
        frame: undefined,
      }),
    ).toEqual({ toldMs: 500 })
  })

  it('reads each client by its own words: the careful baseline is told by online', () => {
    const own = [
      { at: 10_040, kind: 'online', detail: '' },
      { at: 10_300, kind: 'reconnected', detail: '' },
    ]
    expect(phasesOf('careful', own, [], broke, back, { packet: 0, frame: 0 })).toMatchObject({
      toldMs: 40,
      sessionBackMs: 300,
    })
  })
})

describe('media flowing again', () => {
  const samples = (ats: number[], rising: (at: number) => boolean) => {
    let n = 0
    return ats.map((at) => ({ at, frames: rising(at) ? ++n : n, audio: 0 }))
  }
  const every50 = Array.from({ length: 80 }, (_, i) => 1000 + i * 50) // 1000 … 4950

  it('a counter rising steadily over the last second flows', () => {
    expect(
      flowingFor(
        samples(every50, () => true),
        'frames',
        4950,
        1000,
      ),
    ).toBe(true)
  })

  it('a counter that stopped half a second ago does not, even if it rose before', () => {
    expect(
      flowingFor(
        samples(every50, (at) => at < 4450),
        'frames',
        4950,
        1000,
      ),
    ).toBe(false)
  })

  it('a counter that only just started again has not flowed for the whole second', () => {
    expect(
      flowingFor(
        samples(every50, (at) => at > 4500),
        'frames',
        4950,
        1000,
      ),
    ).toBe(false)
  })
})

describe('benchmark runs', () => {
  it('turn who goes first with each run, so a fresh browser’s first switch is not always one client’s', async () => {
    const order: string[] = []
    const results = await alternateRuns(
      ['abrupt'],
      3,
      async (client, scenario) => {
        order.push(client)
        return `${scenario}:${client}`
      },
      ['holdfast', 'careful', 'naive'] as const,
    )
    expect(order).toEqual([
      ...['holdfast', 'careful', 'naive'],
      ...['careful', 'naive', 'holdfast'],
      ...['naive', 'holdfast', 'careful'],
    ])
    expect(results.abrupt?.careful).toEqual(['abrupt:careful', 'abrupt:careful', 'abrupt:careful'])
  })
})
