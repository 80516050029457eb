/**
 * A janus.js stand-in for unit tests of the janus layer (no browser): attach hands out fake
 * plugin handles that record what the calls send, and the test plays the plugin's events.
 */
import type { JanusJS } from 'janus-gateway'
import type { Gateway } from '../../../renderer/janus/gateway'

type Options = Omit<JanusJS.PluginOptions, 'success' | 'error'>

/** One attached handle, as the plugin would see it. */
export class FakeHandle {
  readonly sent: { message: Record<string, unknown>; jsep?: unknown }[] = []
  readonly offers: { iceRestart: boolean; tracks?: unknown[] }[] = []
  /** The kinds of the m-lines offered so far, by mid. */
  private readonly mlines: ('audio' | 'video')[] = []
  detached = false
  hangups = 0
  muted = false
  /** Requests answered with an error instead of an ack, by request name. */
  readonly refuse = new Set<string>()
  /** Requests whose answer is lost with the connection, by request name. */
  readonly lose = new Set<string>()
  /** Synchronous answers (the plugin's data), by request name. */
  readonly answers = new Map<string, unknown>()

  constructor(
    readonly id: number,
    readonly options: Options,
  ) {}

  /** The camera's track disabled (black frames). */
  videoOff = false

  /** What the PeerConnection has received per mid, as its stats will say (tests move it). */
  readonly received: Record<string, { kind: 'audio' | 'video'; count: number }> = {}
  /**
   * What the server sent back about what we send, so far (tests move it): the transport's
   * packets once a pair is selected, the receiver reports before.
   */
  reports = 0
  /** The local side (host:port) of the selected pair, when a test sets one. */
  localAddress: string | undefined
  /** How many times the call read the PeerConnection's stats. */
  statsReads = 0
  /** Each m-line's sender: its encodings' `active` (a browser's RTCRtpSender, as far as the calls touch it). */
  readonly senders: { active: boolean[] }[] = []

  /** The part of janus.js's handle the calls use. */
  readonly api = {
    getId: () => this.id,
    /** A PeerConnection as far as the calls look at one: connected, with empty stats. */
    webrtcStuff: {
      pc: {
        connectionState: 'connected',
        iceConnectionState: 'connected',
        getStats: async () => {
          this.statsReads += 1
          return new Map<string, Record<string, unknown>>([
            ...Object.entries(this.received).map(
              ([mid, r]) =>
                [
                  `in-${mid}`,
                  {
                    type: 'inbound-rtp',
                    mid,
                    kind: r.kind,
                    ...(r.kind === 'video'
                      ? { framesDecoded: r.count }
                      : { packetsReceived: r.count }),
                  },
                ] as const,
            ),
            ['remote-in', { type: 'remote-inbound-rtp', roundTripTimeMeasurements: this.reports }],
            ...this.selectedPair(),
          ])
        },
        addEventListener: () => undefined,
        /** One sender per m-line offered, with a track and one encoding. */
        getSenders: () =>
          this.mlines.map((_, i) => {
            const sender = (this.senders[i] ??= { active: [true] })
            return {
              track: {},
              getParameters: () => ({ encodings: sender.active.map((active) => ({ active })) }),
              setParameters: (parameters: { encodings: { active?: boolean }[] }) => {
                sender.active = parameters.encodings.map((e) => e.active !== false)
                return Promise.resolve()
              },
            }
          }),
        /** One transceiver per m-line offered, each sending a live track of its kind. */
        getTransceivers: () =>
          this.mlines.map((kind, i) => ({
            mid: String(i),
            sender: { track: { kind, readyState: 'live', addEventListener: () => undefined } },
          })),
      },
    } as { pc?: unknown },
    send: (params: {
      message: Record<string, unknown>
      jsep?: unknown
      success?: () => void
      error?: (e: string) => void
    }) => {
      this.sent.push({ message: params.message, ...(params.jsep ? { jsep: params.jsep } : {}) })
      const request = String(params.message.request ?? '')
      queueMicrotask(() =>
        this.lose.has(request)
          ? params.error?.('490 The connection was lost before Janus answered')
          : this.refuse.has(request)
            ? params.error?.(`refused ${request}`)
            : (params.success as ((data?: unknown) => void) | undefined)?.(
                this.answers.get(request),
              ),
      )
    },
    createOffer: (params: {
      iceRestart?: boolean
      tracks?: { type: string; add?: boolean }[]
      success: (jsep: unknown) => void
    }) => {
      this.offers.push({
        iceRestart: params.iceRestart === true,
        ...(params.tracks ? { tracks: params.tracks } : {}),
      })
      // As a browser: an m-line for each audio or video track of the first offer, a new one
      // for each track added later; mids count up.
      const first = this.mlines.length === 0
      for (const t of params.tracks ?? [])
        if ((first || t.add === true) && t.type !== 'data')
          this.mlines.push(t.type === 'audio' ? 'audio' : 'video')
      const media = this.mlines.map(
        (type, i) => `m=${type} 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:${i}\r\n`,
      )
      queueMicrotask(() => params.success({ type: 'offer', sdp: `v=0\r\n${media.join('')}` }))
    },
    createAnswer: (params: { success: (jsep: unknown) => void }) =>
      queueMicrotask(() => params.success({ type: 'answer', sdp: 'v=0\r\n' })),
    handleRemoteJsep: () => undefined,
    hangup: () => void (this.hangups += 1),
    detach: (params: { success?: () => void }) => {
      this.detached = true
      queueMicrotask(() => params.success?.())
    },
    muteAudio: () => void (this.muted = true),
    unmuteAudio: () => void (this.muted = false),
    muteVideo: () => void (this.videoOff = true),
    unmuteVideo: () => void (this.videoOff = false),
    dtmf: () => undefined,
    replaceTracks: (params: { success?: () => void }) => params.success?.(),
  }

  /** The stats entries of the selected pair, if a local address is set. */
  private selectedPair(): [string, Record<string, unknown>][] {
    const local = this.localAddress
    if (local === undefined) return []
    const colon = local.lastIndexOf(':')
    return [
      [
        'transport',
        { type: 'transport', selectedCandidatePairId: 'pair', packetsReceived: this.reports },
      ],
      ['pair', { type: 'candidate-pair', localCandidateId: 'local', remoteCandidateId: 'remote' }],
      [
        'local',
        {
          type: 'local-candidate',
          address: local.slice(0, colon),
          port: Number(local.slice(colon + 1)),
        },
      ],
      ['remote', { type: 'remote-candidate', address: '10.0.0.1', port: 20000 }],
    ]
  }

  /** The plugin sends an event to the call. */
  event(data: Record<string, unknown>, jsep?: JanusJS.JSEP): void {
    this.options.onmessage?.(data as JanusJS.Message, jsep)
  }

  /** Janus detached the handle by itself (as the SIP plugin does to a helper's). */
  detachedByServer(): void {
    this.detached = true
    this.options.ondetached?.()
  }

  /** Janus reports the PeerConnection up or down. */
  webrtc(up: boolean): void {
    this.options.webrtcState?.(up)
  }

  requests(): string[] {
    return this.sent.map((s) => String(s.message.request ?? JSON.stringify(s.message)))
  }
}

/**
 * Plays a call's media on `handle` (mid 0 audio, mid 1 video) for `ms` on the harness clock,
 * arriving when `on`, nothing arriving otherwise; stats are read every 100 ms.
 */
export async function playMedia(
  clock: { advance(ms: number): Promise<void> },
  handle: FakeHandle,
  ms: number,
  on: boolean,
): Promise<void> {
  const audio = (handle.received['0'] ??= { kind: 'audio', count: 0 })
  const video = (handle.received['1'] ??= { kind: 'video', count: 0 })
  for (let t = 0; t < ms; t += 100) {
    if (on) audio.count += 5
    if (on) video.count += 3
    await clock.advance(100)
  }
}

/** Node has no MediaStream: the calls only put tracks in one and read them back. */
class FakeMediaStream {
  private readonly tracks: { id?: string; kind?: string }[]
  constructor(tracks: { id?: string; kind?: string }[] = []) {
    this.tracks = [...tracks]
  }
  getTracks() {
    return [...this.tracks]
  }
  getVideoTracks() {
    return this.tracks.filter((t) => t.kind === 'video')
  }
  getAudioTracks() {
    return this.tracks.filter((t) => t.kind === 'audio')
  }
  getTrackById(id: string) {
    return this.tracks.find((t) => t.id === id) ?? null
  }
  addTrack(track: { id?: string; kind?: string }) {
    this.tracks.push(track)
  }
  removeTrack(track: { id?: string }) {
    const i = this.tracks.indexOf(track)
    if (i >= 0) this.tracks.splice(i, 1)
  }
}
;(globalThis as { MediaStream?: unknown }).MediaStream ??= FakeMediaStream

/** A gateway whose handles the test can reach. */
export class FakeGateway {
  readonly handles: FakeHandle[] = []
  /** Requests the next attached handle answers with an error. */
  refuseOnNext: string[] = []
  /** Requests whose answers the next attached handle loses with the connection. */
  loseOnNext: string[] = []
  /** The next attach is lost with the connection: this runs (drop the socket), then it fails. */
  loseNextAttach: (() => void) | undefined
  /** The next attach is refused by Janus with these words. */
  refuseNextAttach: string | undefined
  private nextId = 1

  readonly gateway = (): Promise<Gateway> =>
    Promise.resolve({
      attach: async (options: Options) => {
        const lose = this.loseNextAttach
        this.loseNextAttach = undefined
        if (lose) {
          lose()
          throw new Error('490 The connection was lost before Janus answered')
        }
        const refusal = this.refuseNextAttach
        this.refuseNextAttach = undefined
        if (refusal) throw new Error(refusal)
        const handle = new FakeHandle(this.nextId++, options)
        for (const request of this.refuseOnNext.splice(0)) handle.refuse.add(request)
        for (const request of this.loseOnNext.splice(0)) handle.lose.add(request)
        this.handles.push(handle)
        return handle.api as unknown as JanusJS.PluginHandle
      },
      release: () => undefined,
    })

  get last(): FakeHandle {
    const handle = this.handles.at(-1)
    if (!handle) throw new Error('nothing attached')
    return handle
  }
}
