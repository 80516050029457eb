/**
 * A media leg: one janus.js plugin handle and its PeerConnection, the plumbing every call
 * stands on (the echo call has one, a SIP call one, a video room one to publish and one to
 * receive). It attaches, negotiates, keeps its tracks (leg-tracks.ts) and the person's own
 * controls (mute, camera off), hands its recovery to leg-recovery.ts once media is negotiated,
 * marks the session's media as active, and detaches when Janus has let go. What a plugin says
 * and how it restarts ICE stay with the call.
 */
import type { JanusJS } from 'janus-gateway'
import type { Clock } from '../core/clock'
import { Emitter } from '../core/emitter'
import { RemoteIceGenerations } from '../core/ice-generations'
import type { IceRestartOptions } from '../core/ice-restart-policy'
import type { JanusSession, RecoveryContext } from '../core/janus-session'
import type { Gateway } from './gateway'
import { LegRecovery } from './leg-recovery'
import { LegTracks, type LegTrackEvents } from './leg-tracks'
import { detachHandle, requestPlugin, sendToPlugin } from './plugin-requests'
import type { CallStats } from './media'

export interface MediaLegEvents extends LegTrackEvents {
  /** A sample of the PeerConnection's stats. */
  stats: CallStats
  /** Media flows: WebRTC came up, or media was seen again after a restart. */
  mediaUp: void
  /** ICE is being restarted (the call is recovering media). */
  restarting: string
  /** Janus closed this handle's PeerConnection (a hang-up, ICE failed, DTLS alert...). */
  mediaDown: void
  /**
   * Media stopped under a connected ICE and a restart was made: the local address (host:port)
   * the dead path went from, for the call's other legs (`suspectPath`).
   */
  pathStalled: string
}

export interface MediaLegOptions {
  plugin: string
  /** Names the leg in the timeline and in the session's active-media set. */
  name: string
  /** The call's ICE options (force a restart after every reclaim, grace, verify). */
  ice?: Partial<IceRestartOptions>
  /** Sends an ICE-restart offer the way this plugin wants it. */
  sendRestartOffer?(jsep: JanusJS.JSEP): Promise<void>
  /**
   * Restarts ICE where the server makes the offer (a VideoRoom subscriber asks with
   * `configure restart`); used instead of making our own restart offer.
   */
  restartFromServer?(): Promise<void>
  /**
   * Builds the call's media again on a new PeerConnection when ICE restarts keep the stale
   * address (the call makes a new leg); left out where the call cannot.
   */
  rebuildMedia?(reason: string): Promise<void>
  /** Asks the sender for a keyframe, where the plugin offers a way. */
  requestKeyframe?(): Promise<void>
  /** A plugin message (with its SDP, if any). */
  onMessage(message: JanusJS.Message, jsep: JanusJS.JSEP | undefined): void
  /**
   * Nothing arrives on this leg (a room's publisher): media flowing is told by Janus
   * receiving what we send, not by what arrives.
   */
  sendOnly?: boolean
  /**
   * Janus detached the handle by itself (the SIP plugin ends a helper's handle when its
   * registered handle goes); the leg has forgotten it.
   */
  onDetached?(): void
}

/** One handle and its PeerConnection. */
export class MediaLeg {
  readonly events = new Emitter<MediaLegEvents>()
  private handleValue: JanusJS.PluginHandle | undefined
  private readonly recovery: LegRecovery
  /** Each PeerConnection's ICE generations (a rebuilt one starts from the server's own). */
  private readonly generations = new WeakMap<RTCPeerConnection, RemoteIceGenerations>()
  private readonly tracks = new LegTracks(this.events)
  private mutedValue = false
  /** Our microphone is shut while the call is on hold (apart from the person's mute). */
  private microphoneHeld = false
  private videoOffValue = false
  private disposed = false

  constructor(
    private readonly session: JanusSession,
    private readonly gateway: () => Promise<Gateway>,
    private readonly clock: Clock,
    private readonly options: MediaLegOptions,
  ) {
    this.recovery = new LegRecovery(session, clock, options, this.events, () => this.pc)
  }

  /** The janus.js handle, once attached. */
  get handle(): JanusJS.PluginHandle | undefined {
    return this.handleValue
  }

  /** The latest remote track of each kind, as one stream (what `remoteStream` last said). */
  get remoteStream(): MediaStream | undefined {
    return this.tracks.remoteStream
  }

  /** Our tracks in this call (what `localStream` last said). */
  get localStream(): MediaStream | undefined {
    return this.tracks.localStream
  }

  get pc(): RTCPeerConnection | undefined {
    return this.handleValue?.webrtcStuff?.pc
  }

  get muted(): boolean {
    return this.mutedValue
  }

  /** Our camera is off (black frames) in this call. */
  get videoOff(): boolean {
    return this.videoOffValue
  }

  /** Attaches the plugin through janus.js; a handle from before is forgotten at once. */
  async attach(): Promise<void> {
    this.handleValue = undefined
    const gateway = await this.gateway()
    const mine: { handle?: JanusJS.PluginHandle } = {}
    const handle = await gateway.attach({
      plugin: this.options.plugin,
      iceState: (state) => this.recovery.onIceState(state),
      // Janus says whether it receives what we send (its no-media timer): the only sign a
      // send-only leg (a room's publisher) has that its path died under a connected ICE.
      mediaState: (medium: string, receiving: boolean) =>
        this.recovery.onServerReceiving(medium, receiving),
      webrtcState: (up) => {
        if (up) this.events.emit('mediaUp', undefined)
        else this.events.emit('mediaDown', undefined)
      },
      onmessage: (message, jsep) => this.options.onMessage(message, jsep),
      onlocaltrack: (track, on) => this.tracks.onLocalTrack(track, on),
      onremotetrack: (track, mid, on) => this.tracks.onRemoteTrack(track, mid, on),
      oncleanup: () => this.tracks.clearRemote(),
      ondetached: () => {
        if (!mine.handle || this.handleValue !== mine.handle) return
        this.stopMedia()
        this.handleValue = undefined
        this.options.onDetached?.()
      },
    })
    mine.handle = handle
    if (this.disposed) {
      void detachHandle(handle)
      throw new Error('The call ended while it was being set up.')
    }
    this.handleValue = handle
  }

  /** Sends a plugin message (with an optional SDP); resolves on Janus's ack. */
  send(message: Record<string, unknown>, jsep?: JanusJS.JSEP): Promise<void> {
    const handle = this.handleValue
    if (!handle) return Promise.reject(new Error('The call is not set up.'))
    return sendToPlugin(handle, message, jsep)
  }

  /** A synchronous plugin request; resolves with the plugin's data. */
  request(message: Record<string, unknown>): Promise<unknown> {
    const handle = this.handleValue
    if (!handle) return Promise.reject(new Error('The call is not set up.'))
    return requestPlugin(handle, message)
  }

  /** A new offer (or, given the other side's offer, an answer) with these tracks. */
  negotiate(tracks: JanusJS.TrackOption[], remoteOffer?: JanusJS.JSEP): Promise<JanusJS.JSEP> {
    const handle = this.handleValue
    if (!handle) return Promise.reject(new Error('The call is not set up.'))
    return new Promise((resolve, reject) => {
      const params = { tracks, success: resolve, error: reject }
      if (remoteOffer)
        handle.createAnswer({
          ...params,
          jsep: remoteOffer,
        } as unknown as JanusJS.PluginCreateAnswerParam)
      else handle.createOffer(params as JanusJS.OfferParams)
    })
  }

  /** Applies the other side's answer. */
  acceptAnswer(jsep: JanusJS.JSEP): void {
    this.recovery.onAnswer()
    this.handleValue?.handleRemoteJsep({ jsep: this.newestGenerationFirst(jsep) })
  }

  /** A restart's answer, its candidates raised above the older generations' (ice-generations.ts). */
  private newestGenerationFirst(jsep: JanusJS.JSEP): JanusJS.JSEP {
    const pc = this.pc
    if (!pc || !jsep.sdp) return jsep
    let generations = this.generations.get(pc)
    if (!generations) this.generations.set(pc, (generations = new RemoteIceGenerations()))
    return { ...jsep, sdp: generations.apply(jsep.sdp) }
  }

  /**
   * Media is negotiated: from now on the leg restarts ICE when needed, watches what arrives
   * and samples stats, and the session keeps its fast keepalive for this call.
   */
  startMedia(): void {
    const handle = this.handleValue
    if (!handle || this.disposed) return
    this.session.setMediaActive(this.options.name, true)
    if (this.mutedValue || this.microphoneHeld) handle.muteAudio()
    if (this.videoOffValue) handle.muteVideo()
    this.recovery.start(handle)
  }

  /** Media stops (the call ended or is being rebuilt): no restarts, no samples. */
  stopMedia(): void {
    this.session.setMediaActive(this.options.name, false)
    this.recovery.stop()
  }

  /** Nothing is expected to arrive for a while (on hold), or it is again. */
  expectNoMedia(paused: boolean): void {
    this.recovery.expectNoMedia(paused)
  }

  /**
   * Another leg of the call lost its media on a path from `localAddress`: from the same host,
   * ours is most likely dead too (leg-recovery.ts). `why` goes to the timeline.
   */
  suspectPath(localAddress: string, why: string): void {
    this.recovery.suspectPath(localAddress, why)
  }

  /** Signalling went down (the session is reconnecting): restarts wait for it. */
  signallingDown(): void {
    this.recovery.signallingDown()
  }

  /** After a claim: the handle lives; ICE restarts if the path did not come back (leg-recovery.ts). */
  resync(context: RecoveryContext): void {
    this.recovery.resync(context)
  }

  /** Mutes or unmutes the microphone; kept across renegotiations. */
  setMuted(muted: boolean): void {
    this.mutedValue = muted
    this.applyMicrophone()
  }

  /**
   * Shuts the microphone while the call is on hold, or opens it again (to the person's own
   * mute): the held party must not hear the call we take meanwhile.
   */
  setMicrophoneHeld(held: boolean): void {
    if (this.microphoneHeld === held) return
    this.microphoneHeld = held
    this.applyMicrophone()
  }

  private applyMicrophone(): void {
    const handle = this.handleValue
    if (!handle?.webrtcStuff?.pc) return
    if (this.mutedValue || this.microphoneHeld) handle.muteAudio()
    else handle.unmuteAudio()
  }

  /** Turns the camera off (black frames, the camera kept) or on; kept across renegotiations. */
  setVideoOff(off: boolean): void {
    this.videoOffValue = off
    const handle = this.handleValue
    if (!handle?.webrtcStuff?.pc) return
    if (off) handle.muteVideo()
    else handle.unmuteVideo()
  }

  /** Replaces the microphone in the running call. */
  replaceMicrophone(deviceId: string | undefined): Promise<void> {
    const handle = this.handleValue
    if (!handle) return Promise.resolve()
    return new Promise<void>((resolve, reject) =>
      handle.replaceTracks({
        tracks: [{ type: 'audio', capture: deviceId ? { deviceId: { exact: deviceId } } : true }],
        success: () => resolve(),
        error: reject,
      } as unknown as JanusJS.PluginReplaceTracksParam),
    ).then(() => {
      if (this.mutedValue || this.microphoneHeld) handle.muteAudio()
    })
  }

  /** Closes the PeerConnection locally (Janus already did, or will be told by the plugin). */
  closeMedia(stopLocal: boolean): void {
    this.stopMedia()
    if (stopLocal) for (const track of this.tracks.localStream?.getTracks() ?? []) track.stop()
    this.handleValue?.hangup(false)
  }

  /** Lets the handle go and attaches a fresh one (a new plugin session on the server). */
  async renew(): Promise<void> {
    const old = this.handleValue
    this.closeMedia(true)
    this.handleValue = undefined
    if (old) await detachHandle(old)
    await this.attach()
  }

  /** Ends the leg: media closed, the handle detached; resolves when Janus has let go. */
  async detach(): Promise<void> {
    this.disposed = true
    const handle = this.handleValue
    this.closeMedia(true)
    this.handleValue = undefined
    if (handle) await detachHandle(handle)
  }
}
