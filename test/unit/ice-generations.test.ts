import { describe, expect, it } from 'vitest'
import {
  RemoteIceGenerations,
  iceUfrag,
  raiseCandidatePriorities,
} from '../../renderer/core/ice-generations'

/** An answer the way Janus writes one: a bundle, its candidates in the SDP. */
function answer(ufrag: string, priorities = [2015363327, 1679819007]): string {
  return [
    'v=0',
    'o=- 1 2 IN IP4 10.210.3.2',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    `a=ice-ufrag:${ufrag}`,
    'a=ice-pwd:secretsecretsecretsecret',
    `a=candidate:1 1 udp ${priorities[0]} 10.210.3.2 28092 typ host`,
    `a=candidate:2 1 udp ${priorities[1]} 198.51.100.7 28092 typ srflx raddr 10.210.3.2 rport 28092`,
    'a=end-of-candidates',
    'm=video 0 UDP/TLS/RTP/SAVPF 96',
    `a=ice-ufrag:${ufrag}`,
    '',
  ].join('\r\n')
}

/** The candidates' priorities, in order. */
const priorities = (sdp: string) =>
  [...sdp.matchAll(/^a=candidate:\S+ \d+ \S+ (\d+) /gm)].map((m) => Number(m[1]))

/** RFC 8445's pair priority as the controlling agent (G, ours) computes it. */
const pairPriority = (g: number, d: number) =>
  2n ** 32n * BigInt(Math.min(g, d)) + 2n * BigInt(Math.max(g, d)) + (g > d ? 1n : 0n)

describe('a restart answer outranks the generation it replaces', () => {
  it('leaves the first answer as the server sent it', () => {
    const generations = new RemoteIceGenerations()
    const first = answer('aaaa')
    expect(generations.apply(first)).toBe(first)
  })

  it('raises every candidate of each restart by the restart count, keeping their order', () => {
    const generations = new RemoteIceGenerations()
    generations.apply(answer('aaaa'))
    expect(priorities(generations.apply(answer('bbbb')))).toEqual([2015363328, 1679819008])
    expect(priorities(generations.apply(answer('cccc')))).toEqual([2015363329, 1679819009])
  })

  it('counts a renegotiation without a restart (same ufrag) as the same generation', () => {
    const generations = new RemoteIceGenerations()
    generations.apply(answer('aaaa'))
    const restarted = generations.apply(answer('bbbb'))
    expect(generations.apply(answer('bbbb'))).toBe(restarted)
    expect(priorities(generations.apply(answer('aaaa')))).toEqual([2015363329, 1679819009])
  })

  it('makes the new pair on the link that is left win over the lost, higher-ranked one', () => {
    // Chromium's host candidates on two links (cellular ranked above Wi-Fi), Janus's host.
    const cellular = 2122260223
    const wifi = 2122194687
    const janus = 2015363327
    expect(pairPriority(cellular, janus)).toBeGreaterThan(pairPriority(wifi, janus))
    const generations = new RemoteIceGenerations()
    generations.apply(answer('aaaa', [janus, 1]))
    const [raised] = priorities(generations.apply(answer('bbbb', [janus, 1])))
    expect(pairPriority(wifi, raised!)).toBeGreaterThan(pairPriority(cellular, janus))
  })

  it('never raises a priority past the ICE maximum, and leaves an SDP without candidates alone', () => {
    expect(priorities(raiseCandidatePriorities(answer('x', [2 ** 31 - 2, 5]), 3))).toEqual([
      2 ** 31 - 1,
      8,
    ])
    const none = 'v=0\r\na=ice-ufrag:zz\r\n'
    expect(raiseCandidatePriorities(none, 4)).toBe(none)
    expect(iceUfrag(none)).toBe('zz')
    expect(iceUfrag('v=0\r\n')).toBeUndefined()
  })
})
