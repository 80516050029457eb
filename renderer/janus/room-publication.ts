/**
 * What our publisher in a room publishes, by mid: the microphone, the camera and a shared
 * screen, each labelled for the others (core/room/stream-labels), and the requests that
 * publish them, relay them or not, and add or remove the screen. The room call owns the
 * publisher leg and the room; this knows which mid is what.
 */
import type { JanusJS } from 'janus-gateway'
import { sdpMids, streamDescription, type StreamRole } from '../core/room/stream-labels'
import type { MediaLeg } from './media-leg'

/** What is published when joining. */
export interface PublicationOptions {
  audio: boolean
  video: boolean
  /** The camera in three simulcast layers (default on). */
  simulcast?: boolean
}

/** What the publication needs from its room call. */
export interface PublicationDeps {
  /** Our microphone is muted, or our camera off, right now. */
  off(role: 'microphone' | 'camera'): boolean
  /** The screen we share (a stream of its one track), or undefined when not sharing. */
  localScreen(stream: MediaStream | undefined): void
  /** The browser's own "Stop sharing" (or the shared window closing) ended the capture. */
  screenEnded(): void
}

/** What was published when the publisher went away. */
export interface Forgotten {
  /** A screen was being shared. */
  sharing: boolean
  /** Its capture, which may live on and be shared again on a new publisher. */
  screen: MediaStreamTrack | undefined
}

export class RoomPublication {
  /** The mid our microphone is published on (once published). */
  private audioMid: string | undefined
  /** The mid our camera is published on (once published). */
  private cameraMid: string | undefined
  /** Every mid of our publisher's offers so far (a screen added later gets a new one). */
  private publishedMids = new Set<string>()
  /** The mid our shared screen is published on, while sharing, and its track. */
  private screenMid: string | undefined
  private screenTrack: MediaStreamTrack | undefined

  constructor(
    private readonly options: PublicationOptions,
    private readonly deps: PublicationDeps,
  ) {}

  get sharingScreen(): boolean {
    return this.screenMid !== undefined
  }

  /**
   * Publishes the microphone and camera on `leg`, each labelled; what is off at that moment
   * (joined muted, rejoined with the camera off) is not relayed from the start.
   */
  async publish(leg: MediaLeg): Promise<void> {
    const { audio, video, simulcast } = this.options
    const jsep = await leg.negotiate([
      { type: 'audio', capture: audio, recv: false },
      { type: 'video', capture: video, recv: false, simulcast: video && simulcast !== false },
    ] as JanusJS.TrackOption[])
    const mids = sdpMids(jsep.sdp ?? '')
    const role = (type: string): StreamRole | undefined =>
      type === 'audio' ? 'microphone' : type === 'video' ? 'camera' : undefined
    const off = (r: StreamRole): boolean => r !== 'screen' && this.deps.off(r)
    const descriptions = mids.flatMap(({ mid, type }) => {
      const r = role(type)
      return r ? [{ mid, description: streamDescription(r, off(r)) }] : []
    })
    this.audioMid = mids.find((m) => m.type === 'audio')?.mid
    this.cameraMid = mids.find((m) => m.type === 'video')?.mid
    this.publishedMids = new Set(mids.map((m) => m.mid))
    await leg.send(
      {
        request: 'publish',
        audio,
        video,
        ...(descriptions.length > 0 ? { descriptions } : {}),
      },
      jsep,
    )
    leg.startMedia()
    for (const r of ['microphone', 'camera'] as const) {
      const request = off(r) ? this.configure(r) : undefined
      if (request) await leg.send(request)
    }
  }

  /** The request that relays our microphone (or camera) or not and labels it so; none before publishing. */
  configure(role: 'microphone' | 'camera'): Record<string, unknown> | undefined {
    const mid = role === 'microphone' ? this.audioMid : this.cameraMid
    if (mid === undefined) return undefined
    const off = this.deps.off(role)
    return {
      request: 'configure',
      streams: [{ mid, send: !off }],
      descriptions: [{ mid, description: streamDescription(role, off) }],
    }
  }

  /** Adds the screen to `leg`: a new capture, or `track` (shared again after a rejoin). */
  async startScreen(leg: MediaLeg, track?: MediaStreamTrack): Promise<void> {
    const jsep = await leg.negotiate([
      { type: 'screen', capture: track ?? true, recv: false, add: true },
    ] as JanusJS.TrackOption[])
    const mids = sdpMids(jsep.sdp ?? '')
    const mid = mids.find((m) => m.type === 'video' && !this.publishedMids.has(m.mid))?.mid
    for (const m of mids) this.publishedMids.add(m.mid)
    if (mid === undefined) throw new Error('the browser added no video for the screen')
    await leg.send(
      {
        request: 'configure',
        descriptions: [{ mid, description: streamDescription('screen') }],
      },
      jsep,
    )
    this.screenMid = mid
    const sent = leg.pc?.getTransceivers().find((t) => t.mid === mid)?.sender.track ?? track
    this.screenTrack = sent ?? undefined
    if (sent && sent !== track) sent.addEventListener('ended', () => this.deps.screenEnded())
    this.deps.localScreen(sent ? new MediaStream([sent]) : undefined)
  }

  /** Takes the screen off `leg`. */
  async stopScreen(leg: MediaLeg): Promise<void> {
    const mid = this.screenMid
    this.screenMid = undefined
    this.screenTrack = undefined
    this.deps.localScreen(undefined)
    const jsep = await leg.negotiate([
      { type: 'video', mid, remove: true, recv: false },
    ] as JanusJS.TrackOption[])
    await leg.send({ request: 'configure' }, jsep)
  }

  /** The publisher is gone: nothing is published any more; says what the screen was. */
  forget(): Forgotten {
    const forgotten = { sharing: this.screenMid !== undefined, screen: this.screenTrack }
    this.audioMid = undefined
    this.cameraMid = undefined
    this.screenMid = undefined
    this.screenTrack = undefined
    return forgotten
  }
}
