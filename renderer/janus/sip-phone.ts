/**
 * The softphone on Janus's SIP plugin (through janus.js): register an account, dial, answer,
 * decline, hang up. Its state is the pure registration and call machines of core/sip; this
 * file only turns plugin events into SipEvents and user actions into plugin requests. As a
 * session participant it re-registers by itself after a new session and never leaves a call
 * that looks alive after the session was lost.
 */
import type { JanusJS } from 'janus-gateway'
import type { Clock, TimerId } from '../core/clock'
import { IceRestartPolicy } from '../core/ice-restart-policy'
import { Emitter } from '../core/emitter'
import type { JanusSession, RecoveryContext, SessionParticipant } from '../core/janus-session'
import { readSipEvent } from '../core/sip/sip-events'
import {
  isLiveCall,
  nextCall,
  nextRegistration,
  registrationRetryDelayMs,
  type CallState,
  type RegistrationState,
  type SipEvent,
} from '../core/sip/sip-state'
import { iceRestartOffer, sendToPlugin, type Gateway } from './janus-runtime'
import { describeMediaError, readCallStats, type CallStats } from './media'

const PLUGIN = 'janus.plugin.sip'

/** A SIP account as the user enters it. */
export interface SipAccount {
  /** e.g. sip:alice@example.org */
  uri: string
  password: string
  displayName?: string
  /** Authentication user when it differs from the URI's user. */
  authUser?: string
  /** Registrar / proxy, e.g. sip:example.org:5060 */
  registrar: string
  outboundProxy?: string
  /** How SIP travels to the registrar (UDP unless told). */
  transport?: 'udp' | 'tcp'
  /** How tones are sent: in the media (RFC 2833, the default) or as SIP INFO. */
  dtmfMode?: 'rfc2833' | 'info'
}

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
  remoteStream: MediaStream | undefined
  stats: CallStats
  /** A tone the other side sent (SIP INFO). */
  dtmf: string
  /** Someone called while we were in a call; Janus answered them busy. */
  missed: string
  /** The other side transferred us: we call `to` next, as asked by `by`. */
  transferred: { to: string; by: string }
  error: string
}

export class SipPhone implements SessionParticipant {
  readonly name = 'sip'
  readonly events = new Emitter<SipPhoneEvents>()
  private handle: JanusJS.PluginHandle | undefined
  private registrationValue: RegistrationState = { kind: 'unregistered' }
  private callValue: CallState = { kind: 'idle' }
  private pendingOffer: JanusJS.JSEP | undefined
  private readonly remote = new MediaStream()
  private removeParticipant: (() => void) | undefined
  private statsTimer: ReturnType<typeof setInterval> | undefined
  private policy: IceRestartPolicy | undefined
  /** An incoming REFER we follow once the current call has ended. */
  private followTransfer: { referId: number; referTo: string } | undefined
  private muted = false
  /** Registration failures in a row, and the retry waiting for its turn. */
  private registrationFailures = 0
  private registrationRetry: TimerId | undefined
  private preferences: MediaPreferences = { video: false }
  /**
   * Janus still has a PeerConnection for this handle and will announce its end ("hangup"),
   * which makes janus.js clean the handle's WebRTC state: a new call must wait for it, or its
   * offer is torn down half-built.
   */
  private serverMedia = false
  private serverMediaGone: (() => void)[] = []
  /** Waiting for the answer to the call-state probe (see reconcileCall). */
  private callProbe: ((stillInCall: boolean) => void) | undefined

  constructor(
    private readonly session: JanusSession,
    private readonly gateway: () => Promise<Gateway>,
    private readonly clock: Clock,
    private account: SipAccount,
  ) {}

  get registration(): RegistrationState {
    return this.registrationValue
  }

  get call(): CallState {
    return this.callValue
  }

  /** Attaches the SIP plugin and registers the account. */
  async start(): Promise<void> {
    if (!this.removeParticipant) {
      const offParticipant = this.session.addParticipant(this)
      const offReconnecting = this.session.events.on('reconnecting', () =>
        this.policy?.onSignalling(false),
      )
      this.removeParticipant = () => {
        offParticipant()
        offReconnecting()
      }
    }
    await this.attach()
    await this.register()
  }

  /** Registers (again) with the current account; a registered one is unregistered first. */
  async register(account: SipAccount = this.account): Promise<void> {
    this.account = account
    // The plugin refuses a second register on a registered handle (445).
    if (this.registrationValue.kind === 'registered') await this.unregister()
    this.apply({ type: 'registering' })
    await this.send({
      request: 'register',
      username: account.uri,
      display_name: account.displayName ?? '',
      // The plugin insists on a secret field even without auth (shared/SIP-LAB-NOTES.md).
      secret: account.password,
      ...(account.authUser ? { authuser: account.authUser } : {}),
      proxy: account.registrar,
      outbound_proxy: account.outboundProxy ?? account.registrar,
      ...(account.transport === 'tcp' ? { force_tcp: true } : {}),
    })
  }

  /** Unregisters, resolving once the plugin says so (or after 3 s). */
  private async unregister(): Promise<void> {
    const done = new Promise<void>((resolve) => {
      const finish = (): void => {
        this.clock.clearTimeout(timer)
        off()
        resolve()
      }
      const timer = this.clock.setTimeout(finish, 3000)
      const off = this.events.on('registration', (state) => {
        if (state.kind !== 'registered') finish()
      })
    })
    await this.send({ request: 'unregister' }).catch(() => undefined)
    await done
  }

  /** Calls a number or SIP URI (a bare number is dialled at the registrar's domain). */
  async dial(
    target: string,
    referId?: number,
    preferences: MediaPreferences = this.preferences,
  ): Promise<void> {
    const uri = toSipUri(target, this.account)
    if (isLiveCall(this.callValue)) return
    this.preferences = preferences
    this.apply({ type: 'dial', peer: uri })
    try {
      await this.untilServerMediaGone()
      const jsep = await this.offer()
      this.serverMedia = true
      await this.send({ request: 'call', uri, ...(referId ? { refer_id: referId } : {}) }, jsep)
    } catch (error) {
      this.events.emit('error', describeMediaError(error))
      this.apply({ type: 'hangup', code: 0, reason: 'failed' })
      this.handle?.hangup(false)
    }
  }

  /** Answers the ringing incoming call; with video when both sides want it. */
  async answer(preferences: MediaPreferences = this.preferences): Promise<void> {
    const offer = this.pendingOffer
    const handle = this.handle
    if (!offer || !handle || this.callValue.kind !== 'ringing') return
    this.preferences = preferences
    const offersVideo = /^m=video [1-9]/m.test(offer.sdp ?? '')
    try {
      const jsep = await new Promise<JanusJS.JSEP>((resolve, reject) =>
        handle.createAnswer({
          jsep: offer,
          tracks: this.tracks(offersVideo),
          success: resolve,
          error: reject,
        } as unknown as JanusJS.PluginCreateAnswerParam),
      )
      this.serverMedia = true
      await this.send({ request: 'accept' }, jsep)
    } catch (error) {
      this.events.emit('error', describeMediaError(error))
      await this.decline()
    }
  }

  /** Declines the ringing incoming call. */
  async decline(): Promise<void> {
    if (this.callValue.kind !== 'ringing') return
    this.apply({ type: 'local-hangup' })
    await this.send({ request: 'decline', code: 603 }).catch(() => undefined)
  }

  /** Hangs up the current call. */
  async hangup(): Promise<void> {
    if (this.callValue.kind === 'idle' || this.callValue.kind === 'ended') return
    if (this.callValue.kind === 'ringing' && this.callValue.direction === 'incoming')
      return this.decline()
    this.apply({ type: 'local-hangup' })
    await this.send({ request: 'hangup' }).catch(() => undefined)
    this.handle?.hangup(false)
  }

  /** Puts the call on hold (the other side hears nothing) or takes it off hold. */
  async hold(on: boolean): Promise<void> {
    if (this.callValue.kind !== 'active' || this.callValue.onHold === on) return
    await this.send(on ? { request: 'hold', direction: 'sendonly' } : { request: 'unhold' })
  }

  /** Switches the call to another microphone (undefined: the system default). */
  async switchMicrophone(deviceId: string | undefined): Promise<void> {
    this.preferences = { ...this.preferences, audioInput: deviceId }
    const handle = this.handle
    if (!handle || this.callValue.kind !== 'active') return
    await new Promise<void>((resolve, reject) =>
      handle.replaceTracks({
        tracks: [{ type: 'audio', capture: deviceId ? { deviceId: { exact: deviceId } } : true }],
        success: () => resolve(),
        error: reject,
      } as unknown as JanusJS.PluginReplaceTracksParam),
    ).catch((error: unknown) => this.events.emit('error', describeMediaError(error)))
    if (this.muted) handle.muteAudio()
  }

  /** Mutes or unmutes the microphone in the current call. */
  mute(on: boolean): void {
    const handle = this.handle
    if (!handle) return
    if (on) handle.muteAudio()
    else handle.unmuteAudio()
    this.muted = on
  }

  get isMuted(): boolean {
    return this.muted
  }

  /**
   * A blind transfer: asks the other side (SIP REFER) to call `target` instead. The call ends
   * as transferred once the target answers; if it refuses, the call stays ours.
   */
  async transfer(target: string): Promise<void> {
    if (this.callValue.kind !== 'active' || this.callValue.transferTo !== undefined) return
    const uri = toSipUri(target, this.account)
    this.apply({ type: 'transfer-requested', target: uri })
    try {
      await this.send({ request: 'transfer', uri })
    } catch (error) {
      this.events.emit('error', `Transfer failed: ${describeMediaError(error)}`)
      this.apply({ type: 'transfer-progress', code: 500 })
    }
  }

  /** Sends one tone of the dial pad during a call. */
  async sendDtmf(digit: string): Promise<void> {
    if (this.callValue.kind !== 'active' || !/^[0-9A-D*#]$/i.test(digit)) return
    if (this.account.dtmfMode === 'info') {
      await this.send({ request: 'dtmf_info', digit, duration: 160 })
      return
    }
    // RFC 2833 in the media; with Opus tones of 200 ms or more arrive whole (SIP-LAB-NOTES).
    this.handle?.dtmf({
      dtmf: { tones: digit, duration: 200, gap: 60 },
    } as unknown as JanusJS.PluginDtmfParam)
  }

  /** Unregisters and detaches. */
  async stop(): Promise<void> {
    if (this.registrationRetry !== undefined) this.clock.clearTimeout(this.registrationRetry)
    this.registrationRetry = undefined
    await this.hangup()
    this.removeParticipant?.()
    this.removeParticipant = undefined
    const handle = this.handle
    this.handle = undefined
    if (handle)
      await new Promise<void>((resolve) =>
        handle.detach({ success: () => resolve(), error: () => resolve() }),
      )
    this.apply({ type: 'unregistered' })
  }

  // ----------------------------------------------------------------- recovery

  /**
   * After a claim the handle and its registration live on. A call whose PeerConnection is
   * gone (a hang-up Janus sent while we were detached was lost) ends in the UI.
   */
  resync(context: RecoveryContext): void {
    const pc = this.handle?.webrtcStuff?.pc
    const live =
      this.callValue.kind === 'active' ||
      this.callValue.kind === 'early-media' ||
      this.callValue.kind === 'calling'
    if (live && (!pc || pc.connectionState === 'closed')) {
      this.apply({ type: 'gone-while-away' })
      return
    }
    // Media recovery starts at once; the check below runs alongside and ends a call that is gone.
    this.restartMedia(context)
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
      const finish = (answer: boolean | undefined): void => {
        this.clock.clearTimeout(timer)
        this.callProbe = undefined
        resolve(answer)
      }
      this.callProbe = finish
      this.send({
        request: 'recording',
        action: 'stop',
        audio: false,
        video: false,
        peer_audio: false,
        peer_video: false,
      }).catch(() => finish(undefined))
    })
    if (stillInCall === false && this.callValue.kind === 'active') {
      this.handle?.hangup(false)
      this.apply({ type: 'gone-while-away' })
    }
  }

  private restartMedia(context: RecoveryContext): void {
    // The call's media recovers by an ICE restart through the plugin's update (a re-INVITE),
    // with the same policy as the echo call: verified, repeated if the pair did not move.
    this.policy?.onSignalling(true)
    this.policy?.onSessionReclaimed(context.networkChanged)
  }

  /**
   * After a new session Janus has already hung up (BYE) and unregistered: end the call with
   * its reason and register again, once.
   */
  async restore(): Promise<void> {
    this.callProbe = undefined
    this.apply({ type: 'session-lost' })
    this.handle?.hangup(false)
    this.handle = undefined
    this.serverMedia = false
    await this.attach()
    await this.register()
  }

  // ----------------------------------------------------------------- internals

  private async attach(): Promise<void> {
    const gateway = await this.gateway()
    const handle = await gateway.attach({
      plugin: PLUGIN,
      iceState: (state) => this.policy?.onIceState(state),
      onmessage: (message, jsep) => this.onMessage(message, jsep),
      webrtcState: (up) => {
        if (up) return
        this.serverMedia = false
        for (const resolve of this.serverMediaGone.splice(0)) resolve()
      },
      onremotetrack: (track, _mid, on) => {
        for (const t of this.remote.getTracks())
          if (t.kind === track.kind && t.id !== track.id) this.remote.removeTrack(t)
        if (on && !this.remote.getTrackById(track.id)) this.remote.addTrack(track)
        if (!on) this.remote.removeTrack(track)
        this.events.emit('remoteStream', this.remote)
      },
      oncleanup: () => this.events.emit('remoteStream', undefined),
    })
    this.handle = handle
  }

  private onMessage(message: JanusJS.Message, jsep?: JanusJS.JSEP): void {
    const probe = this.callProbe
    if (probe) {
      const result = message.result as { event?: unknown } | undefined
      if (result?.event === 'recordingupdated') return probe(true)
      if (typeof message.error === 'string') return probe(!/wrong state/i.test(message.error))
    }
    const event = readSipEvent(message)
    if (typeof message.error === 'string') this.events.emit('error', message.error)
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
    if (event.type === 'incomingcall' && jsep) this.pendingOffer = jsep
    // Our offer's answer comes with 'progress' (early media) or 'accepted'; offers come only
    // with an incoming call and wait for answer().
    if (jsep?.type === 'answer') this.handle?.handleRemoteJsep({ jsep })
    if (event.type === 'hangup') {
      this.pendingOffer = undefined
      this.handle?.hangup(false)
    }
    this.apply(event)
    const follow = this.followTransfer
    if (event.type === 'hangup' && follow) {
      // Only once Janus reports the old dialog gone does it take a new call on this handle.
      this.followTransfer = undefined
      void this.dial(follow.referTo, follow.referId)
    }
  }

  /** A registrar that could not be reached is tried again, later and later (5 s … 60 s). */
  private retryRegistration(state: RegistrationState): void {
    if (state.kind === 'registered') this.registrationFailures = 0
    if (state.kind !== 'failed') return
    this.registrationFailures += 1
    const delay = registrationRetryDelayMs(state, this.registrationFailures)
    if (delay === undefined || this.registrationRetry !== undefined) return
    this.registrationRetry = this.clock.setTimeout(() => {
      this.registrationRetry = undefined
      if (this.handle && this.registrationValue.kind === 'failed')
        void this.register().catch(() => undefined)
    }, delay)
  }

  /** Resolves once Janus has closed the last call's PeerConnection (at most 2 s). */
  private untilServerMediaGone(): Promise<void> {
    if (!this.serverMedia) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.serverMedia = false
        resolve()
      }, 2000)
      this.serverMediaGone.push(() => {
        this.clock.clearTimeout(timer)
        resolve()
      })
    })
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
      this.registrationValue = registration
      this.events.emit('registration', registration)
      this.retryRegistration(registration)
    }
    const call = nextCall(this.callValue, event, this.clock.now())
    if (call !== this.callValue) {
      this.callValue = call
      const live = isLiveCall(call)
      this.session.setMediaActive(this.name, live)
      if (call.kind === 'active' && !this.policy && this.handle)
        this.policy = this.createPolicy(this.handle)
      if (!live) {
        this.policy?.dispose()
        this.policy = undefined
        this.muted = false
      }
      if (live && this.statsTimer === undefined) {
        this.statsTimer = setInterval(() => {
          void readCallStats(this.handle?.webrtcStuff?.pc).then((stats) =>
            this.events.emit('stats', stats),
          )
        }, 1000)
      } else if (!live && this.statsTimer !== undefined) {
        clearInterval(this.statsTimer)
        this.statsTimer = undefined
      }
      this.events.emit('call', call)
    }
  }

  private createPolicy(handle: JanusJS.PluginHandle): IceRestartPolicy {
    const pc = handle.webrtcStuff?.pc
    const policy = new IceRestartPolicy({
      clock: this.clock,
      restart: async () => {
        const jsep = await iceRestartOffer(handle)
        await this.send({ request: 'update' }, jsep)
      },
      selectedLocalAddress: async () => (await readCallStats(handle.webrtcStuff?.pc)).localAddress,
      mediaReceived: async () => (await readCallStats(handle.webrtcStuff?.pc)).audioPacketsReceived,
      report: (kind, detail) => this.session.recordIncident(kind, `${this.name}: ${detail}`),
    })
    pc?.addEventListener('connectionstatechange', () =>
      policy.onConnectionState(pc.connectionState),
    )
    return policy
  }

  private offer(): Promise<JanusJS.JSEP> {
    const handle = this.handle
    if (!handle) return Promise.reject(new Error('The phone is not ready'))
    return new Promise((resolve, reject) =>
      handle.createOffer({
        tracks: this.tracks(this.preferences.video),
        success: resolve,
        error: reject,
      } as JanusJS.OfferParams),
    )
  }

  private send(message: Record<string, unknown>, jsep?: JanusJS.JSEP): Promise<void> {
    const handle = this.handle
    if (!handle) return Promise.reject(new Error('The phone is not ready'))
    return sendToPlugin(handle, message, jsep)
  }
}

/** A dialled number or address as a SIP URI at the account's domain. */
export function toSipUri(target: string, account: Pick<SipAccount, 'uri'>): string {
  const trimmed = target.trim()
  if (/^sips?:/i.test(trimmed)) return trimmed
  const domain = account.uri.replace(/^sips?:/i, '').split('@')[1] ?? ''
  return `sip:${trimmed.replace(/[\s()-]/g, '')}@${domain}`
}
