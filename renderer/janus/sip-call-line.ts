/**
 * One call line of a SIP account: one SIP plugin handle, its MediaLeg and the call on it.
 * The account's registered handle is its first line; a second call lives on a helper handle
 * (issue 15, call waiting), to which Janus hands an incoming call when the first is busy.
 * This file turns the plugin's call events into the pure call machine's SipEvents and the
 * person's actions into plugin requests; what is not about the call (registration, texts,
 * voicemail) goes to the line's owner.
 */
import type { JanusJS } from 'janus-gateway'
import type { Clock } from '../core/clock'
import { Emitter } from '../core/emitter'
import type { IceRestartOptions } from '../core/ice-restart-policy'
import type { JanusSession, RecoveryContext } from '../core/janus-session'
import { readCallId, readSipEvent } from '../core/sip/sip-events'
import { isLiveCall, nextCall, type CallState, type SipEvent } from '../core/sip/sip-state'
import type { Gateway } from './gateway'
import { describeMediaError, type CallStats } from './media'
import { MediaLeg } from './media-leg'
import { ServerMediaGate } from './server-media-gate'
import { LineAfterClaim } from './sip-line-after-claim'

/** The media a call is made with. */
export interface MediaPreferences {
  /** The microphone's device id; the system default when missing. */
  audioInput?: string
  /** Offer video (and send ours when the other side offers it). */
  video: boolean
}

/** What a call tells beyond its state (a line's, and the phone's for the call in front). */
export interface SipCallEvents extends Record<string, unknown> {
  muted: boolean
  /** Our camera is off (black frames go out) during a video call. */
  cameraOff: boolean
  /** Our side sends video in this call. */
  sendingVideo: boolean
  remoteStream: MediaStream | undefined
  stats: CallStats
  /** A tone the other side sent (SIP INFO). */
  dtmf: string
  /** Someone called while every line was busy; Janus answered them busy. */
  missed: string
  /** Someone called while do not disturb was on; we answered them busy. */
  declinedQuietly: string
  /**
   * A call rang on this line while we were detached and its `incomingcall` was lost with the
   * connection (who called went with it): found after the claim, or its end seen then.
   */
  missedWhileAway: undefined
  /**
   * The other side transferred us: we call `to` next, as asked by `by`; `attended` when it
   * consulted them first (our call replaces theirs).
   */
  transferred: { to: string; by: string; attended: boolean }
  /** The call's media is being recovered (an ICE restart is under way), or is back. */
  recovering: boolean
  error: string
}

export interface SipLineEvents extends SipCallEvents {
  /** The line's call moved (`previous` is where it was). */
  call: { previous: CallState; next: CallState }
  /** The call ringing in takes over our call with this Call-ID (an attended transfer to us). */
  replacing: string
}

/** What a line needs from the phone it belongs to. */
export interface SipLineOwner {
  readonly session: JanusSession
  readonly gateway: () => Promise<Gateway>
  readonly clock: Clock
  readonly ice: Partial<IceRestartOptions>
  /** Incoming calls are answered busy (486) without ringing. */
  doNotDisturb(): boolean
  /** Tones as SIP INFO rather than in the media. */
  dtmfByInfo(): boolean
  /**
   * A plugin message that is not about the call (registration, a text, voicemail), with the
   * SipEvent read from it if any; true when the owner took it.
   */
  onOtherMessage(line: SipCallLine, message: JanusJS.Message, event: SipEvent | undefined): boolean
  /** Janus let go of the line's handle by itself (a helper goes with the registered handle). */
  onDetached(line: SipCallLine): void
  /**
   * Places the call a transfer asks of `line` on another line; false when none is free
   * (then the line calls once its own call has ended).
   */
  followElsewhere(line: SipCallLine, referId: number, referTo: string): boolean
}

export class SipCallLine {
  readonly events = new Emitter<SipLineEvents>()
  readonly leg: MediaLeg
  private callValue: CallState = { kind: 'idle' }
  private pendingOffer: JanusJS.JSEP | undefined
  /** An incoming REFER we follow once the current call has ended. */
  private followTransfer: { referId: number; referTo: string } | undefined
  private preferences: MediaPreferences = { video: false }
  /** Janus's PeerConnection of the last call or offer, which the next call waits out. */
  private readonly serverMedia: ServerMediaGate
  /** What the line asks the plugin after a claim, and does with the answer. */
  private readonly afterClaim: LineAfterClaim
  /** The SIP Call-ID of the line's call, as the plugin last named it. */
  private callIdValue: string | undefined

  constructor(
    /** 0 for the registered handle, then 1, 2... for helpers. */
    readonly id: number,
    /** Names the line in the timeline and the session's active-media set. */
    readonly name: string,
    private readonly owner: SipLineOwner,
  ) {
    const { session, gateway, clock, ice } = owner
    // The call's media recovers by an ICE restart through the plugin's update (a re-INVITE).
    this.leg = new MediaLeg(session, gateway, clock, {
      plugin: 'janus.plugin.sip',
      name,
      ice,
      sendRestartOffer: (jsep) => this.leg.send({ request: 'update' }, jsep),
      onMessage: (message, jsep) => this.onMessage(message, jsep),
      onDetached: () => {
        // Only a helper is let go this way, and never while we keep a call on it; should it
        // be, the call cannot go on without its handle.
        this.apply({ type: 'hangup', code: 500, reason: 'The line was closed by the server' })
        owner.onDetached(this)
      },
    })
    this.serverMedia = new ServerMediaGate(clock)
    this.afterClaim = new LineAfterClaim({
      id,
      clock,
      send: (message) => this.leg.send(message),
      call: () => this.callValue,
      apply: (event) => this.apply(event),
      closeMedia: () => this.leg.closeMedia(false),
      hangUp: () => this.hangupOnServer(),
      incident: (detail) => owner.session.recordIncident('error', `${name}: ${detail}`),
      missedWhileAway: () => this.events.emit('missedWhileAway', undefined),
    })
    this.leg.events.on('mediaDown', () => this.serverMedia.release())
    this.leg.events.on('remoteStream', (stream) => this.events.emit('remoteStream', stream))
    this.leg.events.on('stats', (stats) => this.events.emit('stats', stats))
    this.leg.events.on('localStream', (stream) =>
      this.events.emit('sendingVideo', (stream?.getVideoTracks().length ?? 0) > 0),
    )
    this.leg.events.on('restarting', () => this.events.emit('recovering', true))
    this.leg.events.on('mediaUp', () => this.events.emit('recovering', false))
  }

  get call(): CallState {
    return this.callValue
  }

  get muted(): boolean {
    return this.leg.muted
  }

  get cameraOff(): boolean {
    return this.leg.videoOff
  }

  isLive(): boolean {
    return isLiveCall(this.callValue)
  }

  /** The SIP Call-ID of the call under way (what an attended transfer names to replace). */
  get callId(): string | undefined {
    return this.callIdValue
  }

  /** Places a call to a SIP URI; `referId` when it follows a transfer asked of us. */
  async dial(uri: string, referId?: number, preferences = this.preferences): Promise<void> {
    if (isLiveCall(this.callValue)) return
    this.preferences = preferences
    this.callIdValue = undefined
    this.apply({ type: 'dial', peer: uri })
    try {
      await this.serverMedia.untilReleased()
      const jsep = await this.leg.negotiate(this.tracks(this.preferences.video))
      this.serverMedia.hold()
      await this.leg.send({ request: 'call', uri, ...(referId ? { refer_id: referId } : {}) }, jsep)
    } catch (error) {
      this.events.emit('error', describeMediaError(error))
      this.owner.session.recordIncident(
        'error',
        `${this.name}: the call could not start: ${String(error)}`,
      )
      this.apply({ type: 'hangup', code: 0, reason: 'failed' })
      this.leg.closeMedia(false)
    }
  }

  /** Answers the call ringing in; with video when both sides want it. */
  async answer(preferences: MediaPreferences = this.preferences): Promise<void> {
    const offer = this.pendingOffer
    if (!offer || this.callValue.kind !== 'ringing') return
    this.preferences = preferences
    const offersVideo = /^m=video [1-9]/m.test(offer.sdp ?? '')
    try {
      const jsep = await this.leg.negotiate(this.tracks(offersVideo), offer)
      this.serverMedia.hold()
      await this.leg.send({ request: 'accept' }, jsep)
    } catch (error) {
      this.events.emit('error', describeMediaError(error))
      await this.decline()
    }
  }

  /** Declines the call ringing in, with 603 Decline or (send to busy) 486 Busy Here. */
  async decline(code: 486 | 603 = 603): Promise<void> {
    if (this.callValue.kind !== 'ringing' || this.callValue.direction !== 'incoming') return
    this.apply({ type: 'local-hangup' })
    await this.leg.send({ request: 'decline', code }).catch(() => undefined)
  }

  /** Hangs up the call (declines it when it rings in). */
  async hangup(): Promise<void> {
    if (this.callValue.kind === 'ringing' && this.callValue.direction === 'incoming')
      return this.decline()
    if (!isLiveCall(this.callValue)) return
    this.apply({ type: 'local-hangup' })
    await this.hangupOnServer()
  }

  /** The app ends the call with its reason; the far end hears the BYE (or the decline). */
  async end(event: Extract<SipEvent, { type: 'app-end' }>): Promise<void> {
    const ringingIn = this.callValue.kind === 'ringing' && this.callValue.direction === 'incoming'
    const live = isLiveCall(this.callValue)
    this.apply(event)
    if (ringingIn) await this.leg.send({ request: 'decline', code: 603 }).catch(() => undefined)
    else if (live) await this.hangupOnServer()
  }

  /** Puts the call on hold (the other side hears nothing) or takes it off hold. */
  async hold(on: boolean): Promise<void> {
    if (this.callValue.kind !== 'active' || this.callValue.onHold === on) return
    // Our microphone stays shut while held: Janus's default hold (sendonly) still relays
    // what we send, and with call waiting we talk to someone else meanwhile.
    if (on) this.leg.setMicrophoneHeld(true)
    try {
      await this.leg.send(on ? { request: 'hold', direction: 'sendonly' } : { request: 'unhold' })
    } catch (error) {
      if (on) this.leg.setMicrophoneHeld(false)
      throw error
    }
  }

  /** Switches the call to another microphone (undefined: the system default). */
  async switchMicrophone(deviceId: string | undefined): Promise<void> {
    this.preferences = { ...this.preferences, audioInput: deviceId }
    if (this.callValue.kind !== 'active') return
    await this.leg
      .replaceMicrophone(deviceId)
      .catch((error: unknown) => this.events.emit('error', describeMediaError(error)))
  }

  /** Mutes or unmutes the microphone in the call. */
  setMuted(muted: boolean): void {
    if (!isLiveCall(this.callValue)) return
    this.leg.setMuted(muted)
    this.events.emit('muted', muted)
  }

  /** Turns our camera off (black frames, the camera kept) or on, for this call. */
  setCameraOff(off: boolean): void {
    if (!isLiveCall(this.callValue)) return
    this.leg.setVideoOff(off)
    this.events.emit('cameraOff', off)
  }

  /**
   * Asks the other side (SIP REFER) to call `uri` instead: blind, or attended with `replace`,
   * the Call-ID of our call there (the consultation) that theirs replaces. The call ends as
   * transferred once the target answers; if it refuses, the call stays ours.
   */
  async transfer(uri: string, replace?: string): Promise<void> {
    if (this.callValue.kind !== 'active' || this.callValue.transferTo !== undefined) return
    this.apply({ type: 'transfer-requested', target: uri })
    try {
      await this.leg.send({ request: 'transfer', uri, ...(replace ? { replace } : {}) })
    } catch (error) {
      this.events.emit('error', `Transfer failed: ${describeMediaError(error)}`)
      this.apply({ type: 'transfer-progress', code: 500 })
    }
  }

  /**
   * The call is being handed over to `target` (the consultation of our attended transfer, or
   * the call an incoming INVITE with Replaces takes over): however it ends now, it ends as
   * transferred.
   */
  handOver(target: string): void {
    this.apply({ type: 'transfer-requested', target })
  }

  /** Sends one tone of the dial pad during the call. */
  async sendDtmf(digit: string): Promise<void> {
    if (this.callValue.kind !== 'active' || !/^[0-9A-D*#]$/i.test(digit)) return
    if (this.owner.dtmfByInfo()) {
      await this.leg.send({ request: 'dtmf_info', digit, duration: 160 })
      return
    }
    // RFC 2833 in the media; with Opus, tones shorter than 200 ms were seen to arrive cut short.
    this.leg.handle?.dtmf({
      dtmf: { tones: digit, duration: 200, gap: 60 },
    } as unknown as JanusJS.PluginDtmfParam)
  }

  /** Applies an event to the call (local ones, and the owner's: session lost, app end). */
  apply(event: SipEvent): void {
    const previous = this.callValue
    const call = nextCall(previous, event, this.owner.clock.now())
    if (call === previous) return
    const wasOnHold = previous.kind === 'active' && previous.onHold
    this.callValue = call
    // From the first ring a dead connection must be found fast (the session's keepalive).
    if (isLiveCall(call)) this.owner.session.setMediaActive(this.name, true)
    if (call.kind === 'active') this.leg.startMedia()
    if (call.kind === 'active' && call.onHold !== wasOnHold) {
      this.leg.expectNoMedia(call.onHold)
      if (!call.onHold) this.leg.setMicrophoneHeld(false)
    }
    if (!isLiveCall(call)) {
      this.leg.stopMedia()
      this.leg.setMicrophoneHeld(false)
      if (this.leg.muted) {
        this.leg.setMuted(false)
        this.events.emit('muted', false)
      }
      if (this.leg.videoOff) {
        this.leg.setVideoOff(false)
        this.events.emit('cameraOff', false)
      }
    }
    this.events.emit('call', { previous, next: call })
  }

  // ----------------------------------------------------------------- recovery

  /**
   * After a claim the handle lives on. A call whose PeerConnection is gone (a hang-up Janus
   * sent while we were detached was lost) ends in the UI; an answered one is checked.
   */
  resync(context: RecoveryContext): void {
    const pc = this.leg.pc
    const live =
      this.callValue.kind === 'active' ||
      this.callValue.kind === 'early-media' ||
      this.callValue.kind === 'calling'
    if (live && (!pc || pc.connectionState === 'closed')) {
      this.owner.session.recordIncident(
        'error',
        `${this.name}: the call's media was closed while away`,
      )
      this.apply({ type: 'gone-while-away' })
      return
    }
    // Media recovery starts at once; the check runs alongside and ends a call that is gone.
    this.leg.resync(context)
    this.afterClaim.check()
  }

  /** The session is gone: the call ends with its reason, the media with it. */
  sessionLost(serverLost: boolean): void {
    this.afterClaim.sessionLost()
    this.apply({ type: 'session-lost', serverLost })
    this.leg.closeMedia(false)
    this.serverMedia.release()
  }

  // ----------------------------------------------------------------- internals

  private async hangupOnServer(): Promise<void> {
    await this.leg.send({ request: 'hangup' }).catch(() => undefined)
    this.leg.closeMedia(false)
  }

  private onMessage(message: JanusJS.Message, jsep?: JanusJS.JSEP): void {
    if (this.afterClaim.take(message)) return
    const event = readSipEvent(message)
    if (this.owner.onOtherMessage(this, message, event)) return
    this.callIdValue = readCallId(message) ?? this.callIdValue
    if (typeof message.error === 'string') this.events.emit('error', message.error)
    if (!event) return
    if (event.type === 'dtmf') this.events.emit('dtmf', event.digit)
    if (event.type === 'missed_call' && isLiveCall(this.callValue))
      this.events.emit('missed', event.peer)
    if (event.type === 'transfer-progress' && event.code >= 300)
      this.events.emit('error', `Transfer failed: the other number answered ${event.code}`)
    if (event.type === 'transfer' && this.callValue.kind === 'active') {
      // A transfer asked of us: end this call and call the target with the REFER's id so the
      // transferor hears how it went. Attended or not, the plugin puts the REFER's Replaces
      // in our INVITE, and the target swaps its consultation for our call. Janus wants the
      // new call on another handle (a helper): on this one, a call placed right after the
      // hang-up had its media sockets closed under it by the old call's relay thread.
      if (!this.owner.followElsewhere(this, event.referId, event.referTo))
        this.followTransfer = { referId: event.referId, referTo: event.referTo }
      this.events.emit('transferred', {
        to: event.referTo,
        by: event.referredBy,
        attended: event.replaces !== undefined,
      })
      this.apply(event)
      void this.hangup()
      return
    }
    if (event.type === 'incomingcall' && this.owner.doNotDisturb() && !isLiveCall(this.callValue)) {
      // Busy Here, as a phone set to do not disturb answers; the caller hears busy at once.
      if (jsep) this.serverMedia.hold()
      void this.leg.send({ request: 'decline', code: 486 }).catch(() => undefined)
      this.events.emit('declinedQuietly', event.peer)
      return
    }
    if (event.type === 'incomingcall' && jsep) {
      this.pendingOffer = jsep
      // Janus set up ICE for the offer it sent us; declined or not, it closes that
      // PeerConnection later, and a call sent before then is refused (490).
      this.serverMedia.hold()
    }
    // Our offer's answer comes with 'progress' (early media) or 'accepted'; offers come only
    // with an incoming call and wait for answer().
    if (jsep?.type === 'answer') this.leg.acceptAnswer(jsep)
    // The end of a call we never saw ring (its caller gave up while we were away).
    if (event.type === 'hangup') this.afterClaim.hangupHeard(event.code)
    if (event.type === 'hangup') {
      this.pendingOffer = undefined
      this.leg.closeMedia(false)
    }
    this.apply(event)
    if (event.type === 'incomingcall' && event.replaces !== undefined && jsep)
      this.events.emit('replacing', event.replaces)
    const follow = this.followTransfer
    if (event.type === 'hangup' && follow) {
      // Only once Janus reports the old dialog gone does it take a new call on this handle.
      this.followTransfer = undefined
      void this.dial(follow.referTo, follow.referId)
    }
  }

  /** The tracks of an offer (video when wanted) or an answer (video when offered). */
  private tracks(withVideo: boolean): JanusJS.TrackOption[] {
    const { audioInput, video } = this.preferences
    const audio = {
      type: 'audio',
      capture: audioInput ? { deviceId: { exact: audioInput } } : true,
      recv: true,
    }
    if (!withVideo) return [audio] as JanusJS.TrackOption[]
    return [audio, { type: 'video', capture: video, recv: true }] as JanusJS.TrackOption[]
  }
}
