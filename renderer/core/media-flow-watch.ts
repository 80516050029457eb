/**
 * Notices media that stopped while everything else says the call is fine. With two links up
 * (Wi-Fi and a tethered phone, or a dock's Ethernet), losing the one a call runs on leaves
 * ICE `connected` on the other link, fires no `offline`, keeps the WebSocket alive, and yet
 * no packet arrives: Janus keeps sending to the address that is gone (seen with Chromium
 * and Janus 1.1 in the network lab).
 * Only what arrives tells. Pure: fed samples, it answers whether media has stalled.
 */

/** One reading of a PeerConnection: media received so far, and whether ICE claims health. */
export interface FlowSample {
  at: number
  /** Rises while media arrives (video frames decoded plus audio packets received). */
  received: number
  /** ICE is `connected` or `completed`. */
  iceHealthy: boolean
}

export interface MediaFlowOptions {
  /** How long nothing may arrive, after media flowed, before it counts as stalled. */
  stallAfterMs: number
}

/**
 * Audio arrives every 20 ms, and even Opus DTX in silence sends a packet every 400 ms: 600 ms
 * of nothing while ICE says `connected` is not a quiet moment, it is a dead path. (A second was
 * the first choice; once a restart's pair could take over at once (ice-generations.ts), the
 * stall watch was what the two-links recovery waited on, issue 13.)
 */
export const defaultMediaFlowOptions: MediaFlowOptions = { stallAfterMs: 600 }

/**
 * How often a call reads what arrived: often enough that a stall is told within a tenth of a
 * second of its 600 ms (reading stats ten times a second costs about 1.4 % of a core more than
 * four times, measured by `npm run bench:footprint`).
 */
export const mediaSampleEveryMs = 100

/**
 * How often a call reads what arrived while its media is stalled: the moment it arrives again
 * is when the keyframe is asked for and the session claimed (issue 13: after a dead path the
 * 100 ms reads told it ~50 ms late on average). A stall lasts seconds at most, so the cost is too.
 */
export const stalledSampleEveryMs = 25

/** What a sample showed. */
export type FlowVerdict = 'flowing' | 'stalled' | 'waiting'

/** Tracks one PeerConnection's inbound media and says when it stalled under a healthy ICE. */
export class MediaFlowWatch {
  private last: FlowSample | undefined
  /** When media last rose; undefined until it ever flowed (or after a reset). */
  private lastRiseAt: number | undefined
  private stalled = false
  /** A stall was told and nothing has risen since (unlike `stalled`, kept by `rearm`). */
  private stallGoingOn = false
  private paused = false

  constructor(private readonly options: MediaFlowOptions = defaultMediaFlowOptions) {}

  /** How long nothing may arrive before a stall is told. */
  get stallAfterMs(): number {
    return this.options.stallAfterMs
  }

  /**
   * Takes a sample; answers 'stalled' once when a stall begins, 'flowing' while media rises,
   * 'waiting' otherwise (not flowed yet, paused, ICE not healthy, or a stall already told).
   */
  observe(sample: FlowSample): FlowVerdict {
    const rose = this.last !== undefined && sample.received > this.last.received
    this.last = sample
    if (rose) {
      this.lastRiseAt = sample.at
      this.stalled = false
      this.stallGoingOn = false
      return 'flowing'
    }
    if (this.paused || !sample.iceHealthy || this.lastRiseAt === undefined || this.stalled)
      return 'waiting'
    if (sample.at - this.lastRiseAt < this.options.stallAfterMs) return 'waiting'
    this.stalled = true
    this.stallGoingOn = true
    return 'stalled'
  }

  /** Media stalled and has not arrived since: read it more often (`stalledSampleEveryMs`). */
  get stalling(): boolean {
    return this.stallGoingOn
  }

  /**
   * Nothing is expected to arrive for now (a call on hold), or it is again: a stall is only
   * judged from media that flowed after the pause.
   */
  setPaused(paused: boolean): void {
    this.paused = paused
    this.lastRiseAt = undefined
    this.stalled = false
    this.stallGoingOn = false
  }

  /** Whether media rose after `since` and within `ms` before `now`. */
  roseSince(since: number, now: number, ms: number): boolean {
    return this.lastRiseAt !== undefined && this.lastRiseAt > since && now - this.lastRiseAt <= ms
  }

  /** A stall was told but is still going: tell it again at the next sample that judges. */
  rearm(): void {
    if (this.last) this.lastRiseAt = this.last.at
    this.stalled = false
  }
}
