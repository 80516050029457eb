/**
 * Makes the pairs of an ICE restart outrank the pairs it replaces (issue 13).
 *
 * When the browser offers it is the controlling agent and chooses the pair. Chromium keeps its
 * selected pair for as long as that pair still counts as writable and receiving by its own
 * timers (about 2.5 s after the last packet) and, between two working pairs, prefers the higher
 * pair priority; the ICE generation only breaks a tie. With two links up and the preferred one
 * lost, a restart's pair on the remaining link works within a round trip, yet the dead pair
 * keeps the media for another second or more because its local candidate ranks higher. Raising
 * the server's candidates in each restart's answer by the restart count lifts every pair of the
 * newer generation above the older ones (a pair ranks by the lower of its two candidates, and a
 * server's host candidate ranks below a browser's), so a restart's pair is used the moment it
 * works. The first generation is left as the server sent it.
 */

/** The highest candidate priority ICE allows (RFC 8445, section 5.1.2). */
const maxPriority = 2 ** 31 - 1

/** The `a=ice-ufrag` of an SDP (the first one: a bundle shares it), if any. */
export function iceUfrag(sdp: string): string | undefined {
  return /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1]
}

/** The SDP with every `a=candidate` priority raised by `by` (at most to the ICE maximum). */
export function raiseCandidatePriorities(sdp: string, by: number): string {
  if (by <= 0) return sdp
  return sdp.replace(
    /^(a=candidate:\S+ \d+ \S+ )(\d+)( )/gm,
    (_line, head: string, priority: string, tail: string) =>
      `${head}${Math.min(maxPriority, Number(priority) + by)}${tail}`,
  )
}

/** One PeerConnection's ICE generations, counted by the remote ufrag; raises each later one. */
export class RemoteIceGenerations {
  private ufrag: string | undefined
  private generation = 0

  /** The remote description to apply: as sent for the first generation, raised after. */
  apply(sdp: string): string {
    const ufrag = iceUfrag(sdp)
    if (ufrag !== undefined) {
      if (this.ufrag !== undefined && ufrag !== this.ufrag) this.generation += 1
      this.ufrag = ufrag
    }
    return raiseCandidatePriorities(sdp, this.generation)
  }
}
