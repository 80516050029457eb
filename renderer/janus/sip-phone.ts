/**
 * The softphone on Janus's SIP plugin (through janus.js): register an account, dial, answer,
 * decline, hang up. Its state is the pure registration and call machines of core/sip; its
 * media is one MediaLeg for the handle's life. This file turns plugin events into SipEvents
 * and user actions into plugin requests. As a session participant it re-registers by itself
 * after a new session and never leaves a call that looks alive after the session was lost.
 */
import type { JanusJS } from 'janus-gateway'
import type { AppEndCause, Call } from '../core/call'
import type { Clock } from '../core/clock'
import { Emitter } from '../core/emitter'
import type { IceRestartOptions } from '../core/ice-restart-policy'
import type { JanusSession, RecoveryContext, SessionParticipant } from '../core/janus-session'
import { requestTagField } from '../core/bridge-socket'
import { readSipEvent } from '../core/sip/sip-events'
import {
  isLiveCall,
  nextCall,
  nextRegistration,
  type CallState,
  type RegistrationState,
  type SipEvent,
} from '../core/sip/sip-state'
import type { Gateway } from './gateway'
import { describeMediaError, lostWithConnection, type CallStats } from './media'
import { MediaLeg } from './media-leg'
import { ServerMediaGate } from './server-media-gate'
import { RegistrationKeeper } from './sip-registration'
import { SipTexts } from './sip-texts'
import { VoicemailWatch } from './sip-voicemail'

import { toSipUri, type SipAccount } from './sip-registration'

export { toSipUri, type SipAccount } from './sip-registration'

/** The media a call is made with. */
export interface MediaPreferences {
  /** The microphone's device id; the system default when missing. */
  audioInput?: string
  /** Offer video (and send ours when the other side offers it). */
  video: boolean
}

export interface SipPhoneEvents extends Record<string, unknown> {
  registration: RegistrationState
  call: CallState
  muted: boolean
  /** Our camera is off (black frames go out) during a video call. */
  cameraOff: boolean
  /** Our side sends video in this call. */
  sendingVideo: boolean
  remoteStream: MediaStream | undefined
  stats: CallStats
  /** A tone the other side sent (SIP INFO). */
  dtmf: string
  /** Someone called while we were in a call; Janus answered them busy. */
  missed: string
  /** Someone called while do not disturb was on; we answered them busy. */
  declinedQuietly: string
  /** The other side transferred us: we call `to` next, as asked by `by`. */
  transferred: { to: string; by: string }
  /** The call's media is being recovered (an ICE restart is under way), or is back. */
  recovering: boolean
  error: string
}

export class SipPhone implements SessionParticipant, Call {
  readonly name = 'sip'
  readonly kind = 'sip'
  readonly events = new Emitter<SipPhoneEvents>()
  /** Text messages on this account (SIP MESSAGE). */
  readonly texts: SipTexts
  /** The account's voicemail box (message-summary). */
  readonly voicemail: VoicemailWatch
  private readonly leg: MediaLeg
  private readonly registrar: RegistrationKeeper
  private registrationValue: RegistrationState = { kind: 'unregistered' }
  private callValue: CallState = { kind: 'idle' }
  private pendingOffer: JanusJS.JSEP | undefined
  private removeParticipant: (() => void) | undefined
  /** An incoming REFER we follow once the current call has ended. */
  private followTransfer: { referId: number; referTo: string } | undefined
  private preferences: MediaPreferences = { video: false }
  /** Janus's PeerConnection of the last call or offer, which the next call waits out. */
  private readonly serverMedia: ServerMediaGate
  /** Waiting for the answer to the call-state probe (see reconcileCall), by its tag. */
  private callProbe: { tag: string; finish(stillInCall: boolean, words: string): void } | undefined
  private probes = 0
  private stoppedValue = false
  /** Incoming calls are answered busy (486) without ringing. */
  private doNotDisturbValue = false
  /** The handle being attached (and the account registered) right now. */
  private attaching: Promise<void> | undefined

  constructor(
    private readonly session: JanusSession,
    gateway: () => Promise<Gateway>,
    private readonly clock: Clock,
    account: SipAccount,
    ice: Partial<IceRestartOptions> = {},
  ) {
    // The call's media recovers by an ICE restart through the plugin's update (a re-INVITE).
    this.leg = new MediaLeg(session, gateway, clock, {
      plugin: 'janus.plugin.sip',
      name: this.name,
      ice,
      sendRestartOffer: (jsep) => this.leg.send({ request: 'update' }, jsep),
      onMessage: (message, jsep) => this.onMessage(message, jsep),
    })
    this.serverMedia = new ServerMediaGate(clock)
    this.voicemail = new VoicemailWatch({
      send: (message) => this.leg.send(message),
      voicemailUri: () => {
        const number = this.registrar.account.voicemail
        return number ? this.toUri(number) : undefined
      },
    })
    this.texts = new SipTexts({
      clock,
      send: (message) => this.leg.send(message),
      // randomUUID needs a secure context; a page served over plain http on a LAN has none.
      newId: () =>
        Array.from(globalThis.crypto.getRandomValues(new Uint8Array(12)), (b) =>
          b.toString(16).padStart(2, '0'),
        ).join(''),
    })
    this.leg.events.on('mediaDown', () => this.serverMedia.release())
    this.leg.events.on('remoteStream', (stream) => this.events.emit('remoteStream', stream))
    this.leg.events.on('stats', (stats) => this.events.emit('stats', stats))
    this.leg.events.on('localStream', (stream) =>
      this.events.emit('sendingVideo', (stream?.getVideoTracks().length ?? 0) > 0),
    )
    this.leg.events.on('restarting', () => this.events.emit('recovering', true))
    this.leg.events.on('mediaUp', () => this.events.emit('recovering', false))
    this.registrar = new RegistrationKeeper({
      clock,
      account,
      send: (message) => this.leg.send(message),
      apply: (event) => this.apply(event),
      state: () => this.registrationValue,
      onRegistration: (listener) => this.events.on('registration', listener),
      // Never while a call is up: the call lives on this handle.
      renew: async () => {
        if (!isLiveCall(this.callValue)) await this.leg.renew()
      },
    })
  }

  /** The account this phone registers. */
  get account(): SipAccount {
    return this.registrar.account
  }

  get registration(): RegistrationState {
    return this.registrationValue
  }

  get call(): CallState {
    return this.callValue
  }

  get muted(): boolean {
    return this.leg.muted
  }

  /** The app ended this phone (disconnect, quit): a new one is needed to register again. */
  get stopped(): boolean {
    return this.stoppedValue
  }

  isLive(): boolean {
    return isLiveCall(this.callValue)
  }

  onChange(listener: () => void): () => void {
    const offs = ['call', 'registration', 'muted'].map((event) =>
      this.events.on(event as 'call', listener),
    )
    return () => offs.forEach((off) => off())
  }

  /** Attaches the SIP plugin and registers the account. */
  async start(): Promise<void> {
    if (!this.removeParticipant) {
      const offParticipant = this.session.addParticipant(this)
      const offReconnecting = this.session.events.on('reconnecting', () =>
        this.leg.signallingDown(),
      )
      this.removeParticipant = () => (offParticipant(), offReconnecting())
    }
    try {
      await this.attachAndRegister()
    } catch (error) {
      // An attach lost with the connection is made again once the session is back (resync or
      // restore); any other failure is the user's to see.
      if (!lostWithConnection(error)) throw error
      this.session.recordIncident('error', `${this.name}: attaching again after recovery`)
    }
  }

  /** Registers (again) with the current account, or another one. */
  register(account?: SipAccount): Promise<void> {
    return this.registrar.register(account)
  }

  /** Do not disturb: incoming calls are answered busy at once and never ring. */
  setDoNotDisturb(on: boolean): void {
    this.doNotDisturbValue = on
  }

  /** Calls a number or SIP URI (a bare number is dialled at the registrar's domain). */
  async dial(
    target: string,
    referId?: number,
    preferences: MediaPreferences = this.preferences,
  ): Promise<void> {
    const uri = toSipUri(target, this.registrar.account)
    if (isLiveCall(this.callValue)) return
    this.preferences = preferences
    this.apply({ type: 'dial', peer: uri })
    try {
      await this.serverMedia.untilReleased()
      const jsep = await this.leg.negotiate(this.tracks(this.preferences.video))
      this.serverMedia.hold()
      await this.leg.send({ request: 'call', uri, ...(referId ? { refer_id: referId } : {}) }, jsep)
    } catch (error) {
      this.events.emit('error', describeMediaError(error))
      this.session.recordIncident(
        'error',
        `${this.name}: the call could not start: ${String(error)}`,
      )
      this.apply({ type: 'hangup', code: 0, reason: 'failed' })
      this.leg.closeMedia(false)
    }
  }

  /** Answers the ringing incoming call; with video when both sides want it. */
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

  /** Declines the ringing incoming call. */
  async decline(): Promise<void> {
    if (this.callValue.kind !== 'ringing') return
    this.apply({ type: 'local-hangup' })
    await this.leg.send({ request: 'decline', code: 603 }).catch(() => undefined)
  }

  /** Hangs up the current call. */
  async hangup(): Promise<void> {
    if (this.callValue.kind === 'ringing' && this.callValue.direction === 'incoming')
      return this.decline()
    if (!isLiveCall(this.callValue)) return
    this.apply({ type: 'local-hangup' })
    await this.hangupOnServer()
  }

  /**
   * The app ends the phone: a live call ends with the reason and is hung up on the server
   * (the far end hears the BYE), then the account is unregistered and the handle let go.
   */
  async end(cause: AppEndCause): Promise<void> {
    if (this.stoppedValue) return
    this.stoppedValue = true
    this.registrar.stop()
    this.texts.stop()
    const ringingIn = this.callValue.kind === 'ringing' && this.callValue.direction === 'incoming'
    const live = isLiveCall(this.callValue)
    this.apply({ type: 'app-end', cause })
    if (ringingIn) await this.leg.send({ request: 'decline', code: 603 }).catch(() => undefined)
    else if (live) await this.hangupOnServer()
    if (cause !== 'sessionFailed') await this.registrar.unregister()
    this.removeParticipant?.()
    this.removeParticipant = undefined
    await this.leg.detach()
  }

  /** Puts the call on hold (the other side hears nothing) or takes it off hold. */
  async hold(on: boolean): Promise<void> {
    if (this.callValue.kind !== 'active' || this.callValue.onHold === on) return
    await this.leg.send(on ? { request: 'hold', direction: 'sendonly' } : { request: 'unhold' })
  }

  /** Switches the call to another microphone (undefined: the system default). */
  async switchMicrophone(deviceId: string | undefined): Promise<void> {
    this.preferences = { ...this.preferences, audioInput: deviceId }
    if (this.callValue.kind !== 'active') return
    await this.leg
      .replaceMicrophone(deviceId)
      .catch((error: unknown) => this.events.emit('error', describeMediaError(error)))
  }

  /** Mutes or unmutes the microphone in the current call. */
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
   * A blind transfer: asks the other side (SIP REFER) to call `target` instead. The call ends
   * as transferred once the target answers; if it refuses, the call stays ours.
   */
  async transfer(target: string): Promise<void> {
    if (this.callValue.kind !== 'active' || this.callValue.transferTo !== undefined) return
    const uri = toSipUri(target, this.registrar.account)
    this.apply({ type: 'transfer-requested', target: uri })
    try {
      await this.leg.send({ request: 'transfer', uri })
    } catch (error) {
      this.events.emit('error', `Transfer failed: ${describeMediaError(error)}`)
      this.apply({ type: 'transfer-progress', code: 500 })
    }
  }

  /** A number or address as the SIP URI it is dialled (or messaged) at. */
  toUri(target: string): string {
    return toSipUri(target, this.registrar.account)
  }

  /** Sends a text message to a number or SIP URI; the outcome comes through `texts`. */
  sendText(target: string, text: string): Promise<void> {
    return this.texts.send(this.toUri(target), text)
  }

  /** Sends one tone of the dial pad during a call. */
  async sendDtmf(digit: string): Promise<void> {
    if (this.callValue.kind !== 'active' || !/^[0-9A-D*#]$/i.test(digit)) return
    if (this.registrar.account.dtmfMode === 'info') {
      await this.leg.send({ request: 'dtmf_info', digit, duration: 160 })
      return
    }
    // RFC 2833 in the media; with Opus, tones shorter than 200 ms were seen to arrive cut short.
    this.leg.handle?.dtmf({
      dtmf: { tones: digit, duration: 200, gap: 60 },
    } as unknown as JanusJS.PluginDtmfParam)
  }

  // ----------------------------------------------------------------- recovery

  /**
   * After a claim the handle and its registration live on. A call whose PeerConnection is
   * gone (a hang-up Janus sent while we were detached was lost) ends in the UI.
   */
  resync(context: RecoveryContext): Promise<void> | void {
    // The attach was lost with the connection (a reload or a start just before a loss): the
    // phone has no handle on the server yet, so it attaches and registers now.
    if (!this.leg.handle) return this.stoppedValue ? undefined : this.attachAndRegister()
    const pc = this.leg.pc
    const live =
      this.callValue.kind === 'active' ||
      this.callValue.kind === 'early-media' ||
      this.callValue.kind === 'calling'
    if (live && (!pc || pc.connectionState === 'closed')) {
      this.session.recordIncident('error', `${this.name}: the call's media was closed while away`)
      this.apply({ type: 'gone-while-away' })
      return
    }
    // Media recovery starts at once; the check below runs alongside and ends a call that is gone.
    this.leg.resync(context)
    if (this.callValue.kind === 'active') void this.reconcileCall()
  }

  /**
   * The plugin's hang-up event is lost when the other side hung up while we were detached,
   * and our PeerConnection may still look connected. The plugin has no state query (1.1.2),
   * but a `recording` stop is refused with "Wrong state" outside a call and does nothing
   * inside one (any other answer means the state check passed): asked once after every
   * claim, it tells whether the call is still there.
   */
  private async reconcileCall(): Promise<void> {
    const stillInCall = await new Promise<boolean | undefined>((resolve) => {
      const timer = this.clock.setTimeout(() => finish(undefined), 3000)
      const finish = (answer: boolean | undefined, words = 'no answer'): void => {
        if (answer !== true)
          this.session.recordIncident(
            'error',
            `${this.name}: the call is ${answer === false ? 'gone' : 'of unknown state'} on the server (${words})`,
          )
        this.clock.clearTimeout(timer)
        this.callProbe = undefined
        resolve(answer)
      }
      // Tagged: only this request's own answer counts (an ICE restart's update refused as
      // "Wrong state" at the same moment once ended a call that was still up).
      const tag = `probe-${++this.probes}`
      this.callProbe = { tag, finish }
      this.leg
        .send({
          request: 'recording',
          action: 'stop',
          audio: false,
          video: false,
          peer_audio: false,
          peer_video: false,
          [requestTagField]: tag,
        })
        .catch(() => finish(undefined))
    })
    if (stillInCall === false && this.callValue.kind === 'active') {
      this.leg.closeMedia(false)
      this.apply({ type: 'gone-while-away' })
    }
  }

  /**
   * After a new session Janus has already hung up (BYE) and unregistered: end the call with
   * its reason and register again, once.
   */
  async restore(context?: RecoveryContext): Promise<void> {
    this.callProbe = undefined
    // A 458 on the claim: the server no longer had the call (a restart), not our absence.
    this.apply({ type: 'session-lost', serverLost: context?.lostSession === 'notFound' })
    this.leg.closeMedia(false)
    this.serverMedia.release()
    this.texts.abandonWaiting()
    // An attach still pending was meant for the old session and fails: wait it out, then attach.
    await this.attaching?.catch(() => undefined)
    if (!this.stoppedValue) await this.attachAndRegister()
  }

  // ----------------------------------------------------------------- internals

  /** Attaches the plugin and registers; a second caller waits for the first. */
  private attachAndRegister(): Promise<void> {
    this.attaching ??= (async () => {
      await this.attachSurvivingLoss()
      await this.registrar.register()
    })().finally(() => (this.attaching = undefined))
    return this.attaching
  }

  /**
   * An attach lost with the connection is told late when the old socket was read a moment
   * for its reply (socket-drain.ts): by then the session may be back, and the recovery that
   * would attach again has run already. Then it goes again at once (twice at most).
   */
  private async attachSurvivingLoss(): Promise<void> {
    for (let tries = 1; ; tries += 1) {
      try {
        await this.leg.attach()
        return
      } catch (error) {
        const state = this.session.state.kind
        const usable = state === 'connected' || state === 'recovering'
        if (!lostWithConnection(error) || !usable || tries >= 3 || this.stoppedValue) throw error
      }
    }
  }

  private async hangupOnServer(): Promise<void> {
    await this.leg.send({ request: 'hangup' }).catch(() => undefined)
    this.leg.closeMedia(false)
  }

  private onMessage(message: JanusJS.Message, jsep?: JanusJS.JSEP): void {
    const probe = this.callProbe
    if (probe && message[requestTagField] === probe.tag) {
      const result = message.result as { event?: unknown } | undefined
      if (result?.event === 'recordingupdated') return probe.finish(true, 'recordingupdated')
      if (typeof message.error === 'string')
        return probe.finish(!/wrong state/i.test(message.error), message.error)
      return probe.finish(true, JSON.stringify(result ?? message))
    }
    if (this.texts.onPluginMessage(message) || this.voicemail.onPluginMessage(message)) return
    const event = readSipEvent(message)
    if (typeof message.error === 'string') {
      this.events.emit('error', message.error)
      // The plugin refused the register itself (no SIP stack, a bad URI...): a failure to
      // show and retry, never a 'Registering…' that waits for an answer that will not come.
      if (this.registrationValue.kind === 'registering')
        this.apply({
          type: 'registration_failed',
          code: typeof message.error_code === 'number' ? message.error_code : 0,
          reason: message.error,
        })
    }
    if (!event) return
    if (event.type === 'dtmf') this.events.emit('dtmf', event.digit)
    if (event.type === 'missed_call' && isLiveCall(this.callValue))
      this.events.emit('missed', event.peer)
    if (event.type === 'transfer-progress' && event.code >= 300)
      this.events.emit('error', `Transfer failed: the other number answered ${event.code}`)
    if (event.type === 'transfer' && this.callValue.kind === 'active') {
      // A blind transfer asked of us: end this call, then call the target with the REFER's
      // id so the transferor hears how it went. Attended transfers (Replaces) are not offered.
      this.followTransfer = { referId: event.referId, referTo: event.referTo }
      this.events.emit('transferred', { to: event.referTo, by: event.referredBy })
      this.apply(event)
      void this.hangup()
      return
    }
    if (event.type === 'incomingcall' && this.doNotDisturbValue && !isLiveCall(this.callValue)) {
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
    if (event.type === 'hangup') {
      this.pendingOffer = undefined
      this.leg.closeMedia(false)
    }
    this.apply(event)
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

  private apply(event: SipEvent): void {
    const registration = nextRegistration(this.registrationValue, event)
    if (registration !== this.registrationValue) {
      const wasRegistered = this.registrationValue.kind === 'registered'
      this.registrationValue = registration
      this.events.emit('registration', registration)
      // Registered (again, after a lost session or a registrar that failed): subscribe again.
      if (registration.kind === 'registered' && !wasRegistered) this.voicemail.subscribe()
    }
    const call = nextCall(this.callValue, event, this.clock.now())
    if (call === this.callValue) return
    const wasOnHold = this.callValue.kind === 'active' && this.callValue.onHold
    this.callValue = call
    // From the first ring a dead connection must be found fast (the session's keepalive).
    if (isLiveCall(call)) this.session.setMediaActive(this.name, true)
    if (call.kind === 'active') this.leg.startMedia()
    if (call.kind === 'active' && call.onHold !== wasOnHold) this.leg.expectNoMedia(call.onHold)
    if (!isLiveCall(call)) {
      this.leg.stopMedia()
      if (this.leg.muted) {
        this.leg.setMuted(false)
        this.events.emit('muted', false)
      }
      if (this.leg.videoOff) {
        this.leg.setVideoOff(false)
        this.events.emit('cameraOff', false)
      }
    }
    this.events.emit('call', call)
  }
}
