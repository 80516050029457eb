/**
 * The echo call (Janus's echotest plugin): camera and microphone go to Janus and come back.
 * It is Holdfast's first call and the reference for how a call recovers: after a claim it
 * keeps its handle and restarts ICE when the network changed; after a new session it
 * re-attaches and renegotiates by itself.
 */
import type { JanusJS } from 'janus-gateway'
import type { Clock } from '../core/clock'
import { assertNever } from '../core/connection-state'
import { Emitter } from '../core/emitter'
import {
  IceRestartPolicy,
  defaultIceRestartOptions,
  type IceRestartOptions,
} from '../core/ice-restart-policy'
import type { JanusSession, RecoveryContext, SessionParticipant } from '../core/janus-session'
import { iceRestartOffer, sendToPlugin, type Gateway } from './janus-runtime'
import { describeMediaError, readCallStats, type CallStats } from './media'

const PLUGIN = 'janus.plugin.echotest'

/** Where the echo call is. */
export type EchoCallState =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'active'; since: number }
  | { kind: 'recovering'; reason: string }
  | { kind: 'ended'; reason: string }
  | { kind: 'failed'; message: string }

export interface EchoCallEvents extends Record<string, unknown> {
  state: EchoCallState
  localStream: MediaStream | undefined
  remoteStream: MediaStream | undefined
  stats: CallStats
  incident: { kind: 'media-restart' | 'media-back'; detail: string }
}

/** Options for one echo call. */
export interface EchoCallOptions {
  audio: boolean
  video: boolean
  ice?: Partial<IceRestartOptions>
}

/** Describes an echo call state for people. */
export function describeCall(state: EchoCallState): string {
  switch (state.kind) {
    case 'idle':
      return 'No call'
    case 'starting':
      return 'Starting the echo call…'
    case 'active':
      return 'In call'
    case 'recovering':
      return `Recovering media (${state.reason})`
    case 'ended':
      return `Call ended: ${state.reason}`
    case 'failed':
      return `Call failed: ${state.message}`
    default:
      return assertNever(state)
  }
}

/** One echo call; create a new one for each call. */
export class EchoCall implements SessionParticipant {
  readonly name = 'echotest'
  readonly events = new Emitter<EchoCallEvents>()
  private stateValue: EchoCallState = { kind: 'idle' }
  private handle: JanusJS.PluginHandle | undefined
  private policy: IceRestartPolicy | undefined
  private statsTimer: number | undefined
  private removeParticipant: (() => void) | undefined
  private readonly remote = new MediaStream()
  private local: MediaStream | undefined
  private muted = false
  private readonly unsubscribe: (() => void)[] = []
  private hangingUp = false
  /** Frames and audio packets received at the last stats sample. */
  private lastReceived = 0
  /** When media was re-established lately; more than three a minute ends the call. */
  private reestablishedAt: number[] = []

  constructor(
    private readonly session: JanusSession,
    private gateway: () => Promise<Gateway>,
    private readonly clock: Clock,
    private readonly options: EchoCallOptions,
  ) {}

  get state(): EchoCallState {
    return this.stateValue
  }

  get isMuted(): boolean {
    return this.muted
  }

  /** Attaches, captures, offers; resolves once the answer is applied. */
  async start(): Promise<void> {
    if (this.stateValue.kind !== 'idle') return
    this.setState({ kind: 'starting' })
    this.removeParticipant = this.session.addParticipant(this)
    // A call never outlives its session looking alive: a deliberate disconnect or giving up
    // ends it with the reason.
    const offDisconnected = this.session.events.on('disconnected', ({ message }) => {
      if (this.stateValue.kind === 'ended' || this.stateValue.kind === 'failed') return
      this.teardown()
      this.setState({ kind: 'ended', reason: message })
    })
    const offReconnecting = this.session.events.on('reconnecting', () =>
      this.policy?.onSignalling(false),
    )
    this.unsubscribe.push(offDisconnected, offReconnecting)
    try {
      await this.attachAndOffer()
      this.statsTimer = window.setInterval(() => void this.sampleStats(), 1000)
    } catch (error) {
      await this.fail(error)
    }
  }

  /** Ends a call that could not start or restore, leaving no handle behind on the server. */
  private async fail(error: unknown): Promise<void> {
    const handle = this.handle
    this.teardown()
    this.setState({ kind: 'failed', message: describeMediaError(error) })
    if (handle)
      await new Promise<void>((resolve) =>
        handle.detach({ success: () => resolve(), error: () => resolve() }),
      )
  }

  /** Mutes or unmutes the microphone. */
  setMuted(muted: boolean): void {
    this.muted = muted
    if (!this.handle) return
    if (muted) this.handle.muteAudio()
    else this.handle.unmuteAudio()
  }

  /** Ends the call and detaches the handle. */
  async hangup(reason = 'you hung up'): Promise<void> {
    this.hangingUp = true
    const handle = this.handle
    this.teardown()
    if (this.stateValue.kind !== 'ended' && this.stateValue.kind !== 'failed')
      this.setState({ kind: 'ended', reason })
    if (handle) {
      handle.hangup(true)
      await new Promise<void>((resolve) =>
        handle.detach({ success: () => resolve(), error: () => resolve() }),
      )
    }
  }

  // ------------------------------------------------------------- recovery hooks

  /** After a claim: the handle lives; restart ICE if the network moved under us. */
  resync(context: RecoveryContext): void {
    this.policy?.onSignalling(true)
    this.policy?.onSessionReclaimed(context.networkChanged)
  }

  /** After a new session: the old handle is gone; attach again and renegotiate. */
  async restore(): Promise<void> {
    if (
      this.stateValue.kind === 'ended' ||
      this.stateValue.kind === 'failed' ||
      this.stateValue.kind === 'idle'
    )
      return
    this.setState({ kind: 'recovering', reason: 'the session was recreated' })
    // The old PeerConnection belongs to a session Janus destroyed: close it locally.
    const old = this.handle
    this.disposeMedia(false)
    old?.hangup(false)
    try {
      await this.attachAndOffer()
      this.report('media-back', 'echo call re-established on a new session')
    } catch (error) {
      await this.fail(error)
    }
  }

  // ------------------------------------------------------------- internals

  private async attachAndOffer(): Promise<void> {
    const gateway = await this.gateway()
    const handle = await gateway.attach({
      plugin: PLUGIN,
      iceState: (state) => this.policy?.onIceState(state),
      webrtcState: (up) => {
        if (up) this.markActive()
      },
      onmessage: (message, jsep) => {
        if (jsep) handle.handleRemoteJsep({ jsep })
        const result = (message as { result?: unknown }).result
        // The echotest says 'done' when Janus hung up the PeerConnection (ICE failed, a
        // DTLS alert...). The session is fine and nobody hung up: build the media again.
        if (result === 'done' && !this.hangingUp)
          void this.reestablish('the server hung up the media')
        if (typeof message.error === 'string')
          this.setState({ kind: 'failed', message: message.error })
      },
      onlocaltrack: (track, on) => this.onLocalTrack(track, on),
      onremotetrack: (track, _mid, on) => this.onRemoteTrack(track, on),
    })
    this.handle = handle
    this.policy?.dispose()
    this.policy = new IceRestartPolicy(
      {
        clock: this.clock,
        restart: (reason) => this.restartIce(reason),
        selectedLocalAddress: async () => (await readCallStats(handle.webrtcStuff.pc)).localAddress,
        mediaReceived: async () => {
          const stats = await readCallStats(handle.webrtcStuff.pc)
          return stats.framesDecoded + stats.audioPacketsReceived
        },
        report: (kind, detail) => {
          this.report(kind, detail)
          if (kind === 'media-back') this.markActive()
        },
      },
      { ...defaultIceRestartOptions, ...this.options.ice },
    )
    await this.negotiate(handle)
  }

  /** A fresh PeerConnection on `handle`: capture, offer, answer. */
  private async negotiate(handle: JanusJS.PluginHandle): Promise<void> {
    const jsep = await new Promise<JanusJS.JSEP>((resolve, reject) => {
      handle.createOffer({
        tracks: [
          { type: 'audio', capture: this.options.audio, recv: true },
          { type: 'video', capture: this.options.video, recv: true },
        ],
        success: resolve,
        error: reject,
      } as JanusJS.OfferParams)
    })
    const pc = handle.webrtcStuff.pc
    pc?.addEventListener('connectionstatechange', () =>
      this.policy?.onConnectionState(pc.connectionState),
    )
    await this.send({ audio: true, video: true }, jsep)
    if (this.muted) handle.muteAudio()
  }

  /** A new offer with iceRestart on the same handle, then a keyframe request. */
  private async restartIce(reason: string): Promise<void> {
    const handle = this.handle
    if (!handle) return
    if (this.stateValue.kind === 'active') this.setState({ kind: 'recovering', reason })
    const jsep = await iceRestartOffer(handle)
    await this.send({ audio: true, video: true }, jsep)
    await this.requestKeyframe()
  }

  /** Janus dropped the PeerConnection while the session lives: build the call again on a fresh handle. */
  private async reestablish(reason: string): Promise<void> {
    const handle = this.handle
    if (!handle || this.stateValue.kind === 'ended' || this.stateValue.kind === 'failed') return
    const now = this.clock.now()
    this.reestablishedAt = this.reestablishedAt.filter((at) => now - at < 60_000)
    if (this.reestablishedAt.length >= 3) {
      await this.hangup('the server kept ending the media')
      return
    }
    this.reestablishedAt.push(now)
    this.setState({ kind: 'recovering', reason })
    this.report('media-restart', `re-establishing media: ${reason}`)
    // A handle whose PeerConnection Janus dropped leaves janus.js half cleaned up; offering
    // on it again can fail. Start over on a fresh handle, as after a new session, and let
    // the old one go on the server so it leaves no zombie.
    this.disposeMedia(false)
    handle.hangup(false)
    handle.detach({ success: () => undefined, error: () => undefined })
    try {
      await this.attachAndOffer()
    } catch (error) {
      await this.fail(error)
    }
  }

  /** The echotest sends a PLI when video is switched back on: video need not wait. */
  private async requestKeyframe(): Promise<void> {
    if (!this.options.video) return
    await this.send({ video: false })
    await this.send({ video: true })
  }

  private send(message: Record<string, unknown>, jsep?: JanusJS.JSEP): Promise<void> {
    const handle = this.handle
    if (!handle) return Promise.reject(new Error('no call'))
    return sendToPlugin(handle, message, jsep)
  }

  private report(kind: 'media-restart' | 'media-back', detail: string): void {
    this.session.recordIncident(kind, `${this.name}: ${detail}`)
    this.events.emit('incident', { kind, detail })
  }

  private markActive(): void {
    if (this.stateValue.kind === 'starting' || this.stateValue.kind === 'recovering') {
      this.session.setMediaActive(this.name, true)
      this.setState({ kind: 'active', since: this.clock.now() })
    }
  }

  private onLocalTrack(track: MediaStreamTrack, on: boolean): void {
    this.local ??= new MediaStream()
    if (on) this.local.addTrack(track)
    else this.local.removeTrack(track)
    this.events.emit('localStream', this.local)
  }

  private onRemoteTrack(track: MediaStreamTrack, on: boolean): void {
    for (const existing of this.remote.getTracks()) {
      if (existing.kind === track.kind && existing.id !== track.id)
        this.remote.removeTrack(existing)
    }
    if (on && !this.remote.getTrackById(track.id)) this.remote.addTrack(track)
    if (!on) this.remote.removeTrack(track)
    this.events.emit('remoteStream', this.remote)
  }

  private async sampleStats(): Promise<void> {
    const pc = this.handle?.webrtcStuff?.pc
    if (!pc) return
    const stats = await readCallStats(pc)
    // What is observed decides: a recovering call whose media is flowing again is in call,
    // even when the restart policy could not prove the pair moved (a flap on the same network).
    const received = stats.framesDecoded + stats.audioPacketsReceived
    if (
      this.stateValue.kind === 'recovering' &&
      stats.connectionState === 'connected' &&
      received > this.lastReceived
    ) {
      this.markActive()
    }
    this.lastReceived = received
    this.events.emit('stats', stats)
  }

  private disposeMedia(stopLocal: boolean): void {
    this.policy?.dispose()
    this.policy = undefined
    if (stopLocal) for (const track of this.local?.getTracks() ?? []) track.stop()
    this.handle = undefined
  }

  private teardown(): void {
    this.session.setMediaActive(this.name, false)
    if (this.statsTimer !== undefined) window.clearInterval(this.statsTimer)
    this.statsTimer = undefined
    this.disposeMedia(true)
    this.removeParticipant?.()
    this.removeParticipant = undefined
    for (const off of this.unsubscribe.splice(0)) off()
  }

  private setState(next: EchoCallState): void {
    this.stateValue = next
    this.events.emit('state', next)
  }
}
