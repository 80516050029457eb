/**
 * The echo call (Janus's echotest plugin): camera and microphone go to Janus and come back.
 * Its state is the pure reducer of core/echo; its media is one MediaLeg. After a claim the
 * leg restarts ICE when the network changed; after a new session, or when Janus drops the
 * PeerConnection, the call builds its media again on a fresh handle.
 */
import type { JanusJS } from 'janus-gateway'
import type { AppEndCause, Call } from '../core/call'
import type { Clock } from '../core/clock'
import { isLiveEcho, nextEcho, type EchoCallState, type EchoEvent } from '../core/echo/echo-state'
import { Emitter } from '../core/emitter'
import type { IceRestartOptions } from '../core/ice-restart-policy'
import type { JanusSession, RecoveryContext, SessionParticipant } from '../core/janus-session'
import type { Gateway } from './gateway'
import { describeMediaError, lostWithConnection, type CallStats } from './media'
import { MediaLeg } from './media-leg'

export type { EchoCallState } from '../core/echo/echo-state'

export interface EchoCallEvents extends Record<string, unknown> {
  state: EchoCallState
  muted: boolean
  localStream: MediaStream | undefined
  remoteStream: MediaStream | undefined
  stats: CallStats
}

/** Options for one echo call. */
export interface EchoCallOptions {
  audio: boolean
  video: boolean
  ice?: Partial<IceRestartOptions>
}

/** One echo call; create a new one for each call. */
export class EchoCall implements SessionParticipant, Call {
  readonly name = 'echotest'
  readonly kind = 'echo'
  readonly events = new Emitter<EchoCallEvents>()
  private stateValue: EchoCallState = { kind: 'idle' }
  private leg: MediaLeg | undefined
  private mutedValue = false
  private removeParticipant: (() => void) | undefined
  /** The media being built right now (a start or a rebuild): never two side by side. */
  private building: Promise<void> | undefined
  /** The last build was lost with the connection: the next claim or new session builds again. */
  private buildLost = false
  /** When media was re-established lately; more than three a minute ends the call. */
  private reestablishedAt: number[] = []

  constructor(
    private readonly session: JanusSession,
    private readonly gateway: () => Promise<Gateway>,
    private readonly clock: Clock,
    private readonly options: EchoCallOptions,
  ) {}

  get state(): EchoCallState {
    return this.stateValue
  }

  get muted(): boolean {
    return this.mutedValue
  }

  isLive(): boolean {
    return isLiveEcho(this.stateValue)
  }

  onChange(listener: () => void): () => void {
    const offState = this.events.on('state', listener)
    const offMuted = this.events.on('muted', listener)
    return () => (offState(), offMuted())
  }

  /** Attaches, captures, offers; resolves once the offer is sent. */
  async start(): Promise<void> {
    if (this.stateValue.kind !== 'idle') return
    this.apply({ type: 'start' })
    const offParticipant = this.session.addParticipant(this)
    const offReconnecting = this.session.events.on('reconnecting', () => this.leg?.signallingDown())
    this.removeParticipant = () => (offParticipant(), offReconnecting())
    await this.build()
  }

  /** Mutes or unmutes the microphone. */
  setMuted(muted: boolean): void {
    this.mutedValue = muted
    this.leg?.setMuted(muted)
    this.events.emit('muted', muted)
  }

  /** The user hangs up. */
  hangup(): Promise<void> {
    return this.finish({ type: 'hangup', reason: 'you hung up' })
  }

  /** The app ends the call (disconnect, quit, a session given up). */
  end(cause: AppEndCause): Promise<void> {
    return this.finish({ type: 'app-end', cause })
  }

  /** After a claim: the handle lives; restart ICE if the network moved under us. */
  async resync(context: RecoveryContext): Promise<void> {
    await this.building?.catch(() => undefined)
    // A start or a rebuild the loss cut short (a new session, then a flap before its attach
    // was answered): what Janus holds of it goes, and the media is built again.
    if (this.buildLost && this.isLive()) return this.startAgain()
    this.leg?.resync(context)
  }

  /** After a new session: the old handle is gone; build the media again. */
  async restore(): Promise<void> {
    if (!this.isLive()) return
    // A build still under way was meant for the old session and fails: wait it out.
    await this.building?.catch(() => undefined)
    this.apply({ type: 'recovering', reason: 'the session was recreated' })
    // The old PeerConnection belongs to a session Janus destroyed: close it locally.
    this.leg?.closeMedia(false)
    if (await this.build())
      this.session.recordIncident('media-back', `${this.name}: re-established on a new session`)
  }

  // ------------------------------------------------------------- internals

  /**
   * Builds the media; true when built. A build lost with the connection is made again once
   * the session is back (resync or restore); any other failure ends the call with its reason.
   */
  private async build(): Promise<boolean> {
    try {
      await (this.building ??= this.buildMedia().finally(() => (this.building = undefined)))
      this.buildLost = false
      return true
    } catch (error) {
      this.buildLost = lostWithConnection(error)
      if (this.isLive() && this.buildLost)
        this.session.recordIncident(
          'error',
          `${this.name}: starting again once the session is back`,
        )
      else await this.fail(error)
      return false
    }
  }

  private async startAgain(): Promise<void> {
    const old = this.leg
    this.leg = undefined
    await old?.detach()
    await this.build()
  }

  private async finish(event: EchoEvent): Promise<void> {
    const leg = this.leg
    this.teardown()
    this.apply(event)
    if (leg) {
      leg.handle?.hangup(true)
      await leg.detach()
    }
  }

  /** Ends a call that could not start or restore, leaving no handle behind on the server. */
  private async fail(error: unknown): Promise<void> {
    const leg = this.leg
    this.teardown()
    this.apply({ type: 'failed', message: describeMediaError(error) })
    await leg?.detach()
  }

  /** A fresh leg: attach, capture, offer. */
  private async buildMedia(): Promise<void> {
    const leg: MediaLeg = new MediaLeg(this.session, this.gateway, this.clock, {
      plugin: 'janus.plugin.echotest',
      name: this.name,
      ...(this.options.ice ? { ice: this.options.ice } : {}),
      sendRestartOffer: (jsep) => leg.send({ audio: true, video: true }, jsep),
      // The echotest sends a PLI when asked for another temporal layer, which any is here:
      // this call never simulcasts, so Janus's layer stays unset (janus_echotest.c). Turning
      // video off and on, the other way to a PLI, dropped the frames between: after a 4 s
      // sleep the first frame then waited 1.4-3.3 s for the next keyframe (issue 13).
      requestKeyframe: async () => {
        if (this.options.video) await leg.send({ temporal: 2 })
      },
      onMessage: (message, jsep) => this.onMessage(leg, message, jsep),
      // ICE restarts that keep the stale address: a new PeerConnection on a fresh handle.
      rebuildMedia: async (reason) => {
        if (leg === this.leg && this.isLive()) await this.reestablish(reason)
      },
    })
    this.leg = leg
    leg.setMuted(this.mutedValue)
    leg.events.on('mediaUp', () => this.apply({ type: 'media-up' }))
    leg.events.on('restarting', (reason) => this.apply({ type: 'recovering', reason }))
    leg.events.on('stats', (stats) => this.events.emit('stats', stats))
    leg.events.on('localStream', (stream) => this.events.emit('localStream', stream))
    leg.events.on('remoteStream', (stream) => this.events.emit('remoteStream', stream))
    await leg.attach()
    const jsep = await leg.negotiate([
      { type: 'audio', capture: this.options.audio, recv: true },
      { type: 'video', capture: this.options.video, recv: true },
    ] as JanusJS.TrackOption[])
    await leg.send({ audio: true, video: true }, jsep)
    leg.startMedia()
  }

  private onMessage(leg: MediaLeg, message: JanusJS.Message, jsep?: JanusJS.JSEP): void {
    if (leg !== this.leg) return
    if (jsep) leg.acceptAnswer(jsep)
    // The echotest says 'done' when Janus hung up the PeerConnection (ICE failed, a DTLS
    // alert...). The session is fine and nobody hung up: build the media again.
    if ((message as { result?: unknown }).result === 'done' && this.isLive())
      void this.reestablish('the server hung up the media')
    if (typeof message.error === 'string') this.apply({ type: 'failed', message: message.error })
  }

  /** Janus dropped the PeerConnection while the session lives: build the media again. */
  private async reestablish(reason: string): Promise<void> {
    const now = this.clock.now()
    this.reestablishedAt = this.reestablishedAt.filter((at) => now - at < 60_000)
    if (this.reestablishedAt.length >= 3) {
      await this.finish({ type: 'hangup', reason: 'the server kept ending the media' })
      return
    }
    this.reestablishedAt.push(now)
    this.apply({ type: 'recovering', reason })
    this.session.recordIncident('media-restart', `${this.name}: re-establishing media: ${reason}`)
    // A handle whose PeerConnection Janus dropped leaves janus.js half cleaned up; offering
    // on it again can fail. Start over on a fresh handle and let the old one go on the server.
    void this.leg?.detach()
    try {
      await this.buildMedia()
    } catch (error) {
      await this.fail(error)
    }
  }

  private teardown(): void {
    this.leg?.stopMedia()
    this.leg = undefined
    this.removeParticipant?.()
    this.removeParticipant = undefined
  }

  private apply(event: EchoEvent): void {
    const next = nextEcho(this.stateValue, event, this.clock.now())
    if (next === this.stateValue) return
    this.stateValue = next
    this.events.emit('state', next)
  }
}
