/**
 * The softphone on Janus's SIP plugin (through janus.js): one account, registered on its
 * first handle, with its text messages and voicemail box, and its calls (sip-lines.ts: one
 * line per call, helpers for call waiting, attended transfer, the three-way call). As a
 * session participant it re-registers by itself after a new session and never leaves a call
 * that looks alive after the session was lost.
 */
import type { JanusJS } from 'janus-gateway'
import type { AppEndCause, Call } from '../core/call'
import type { Clock } from '../core/clock'
import { Emitter } from '../core/emitter'
import type { IceRestartOptions } from '../core/ice-restart-policy'
import type { JanusSession, RecoveryContext, SessionParticipant } from '../core/janus-session'
import {
  nextRegistration,
  type CallState,
  type RegistrationState,
  type SipEvent,
} from '../core/sip/sip-state'
import { WebAudioConferenceMixer, type ConferenceMixer } from './conference-mixer'
import type { Gateway } from './gateway'
import { lostWithConnection } from './media'
import type { MediaPreferences } from './sip-call-line'
import { SipLines, type LineSummary, type SipLinesEvents } from './sip-lines'
import { RegistrationKeeper } from './sip-registration'
import { SipTexts } from './sip-texts'
import { VoicemailWatch } from './sip-voicemail'

import { toSipUri, type SipAccount } from './sip-registration'

export { toSipUri, type SipAccount } from './sip-registration'
export type { MediaPreferences } from './sip-call-line'
export type { LineSummary } from './sip-lines'

export interface SipPhoneEvents extends SipLinesEvents {
  registration: RegistrationState
}

export class SipPhone implements SessionParticipant, Call {
  readonly name = 'sip'
  readonly kind = 'sip'
  readonly events = new Emitter<SipPhoneEvents>()
  /** Text messages on this account (SIP MESSAGE). */
  readonly texts: SipTexts
  /** The account's voicemail box (message-summary). */
  readonly voicemail: VoicemailWatch
  /** The calls, one per line. */
  private readonly calls: SipLines
  /** The plugin's id of our registered handle, which a helper names to join it. */
  private masterId: number | undefined
  private readonly registrar: RegistrationKeeper
  private registrationValue: RegistrationState = { kind: 'unregistered' }
  private removeParticipant: (() => void) | undefined
  private stoppedValue = false
  /** Incoming calls are answered busy (486) without ringing. */
  private doNotDisturbValue = false
  /** The handle being attached (and the account registered) right now. */
  private attaching: Promise<void> | undefined

  constructor(
    private readonly session: JanusSession,
    gateway: () => Promise<Gateway>,
    clock: Clock,
    account: SipAccount,
    ice: Partial<IceRestartOptions> = {},
    options: { mixer?: ConferenceMixer } = {},
  ) {
    this.calls = new SipLines({
      session,
      line: {
        session,
        gateway,
        clock,
        ice,
        doNotDisturb: () => this.doNotDisturbValue,
        dtmfByInfo: () => this.registrar.account.dtmfMode === 'info',
      },
      emit: (event, payload) => this.events.emit(event, payload),
      mixer: options.mixer ?? new WebAudioConferenceMixer(),
      onRegisteredLineMessage: (message, event) => this.onRegisteredLineMessage(message, event),
      helperJoin: () =>
        this.registrationValue.kind === 'registered' && this.masterId !== undefined
          ? { username: this.registrar.account.uri, masterId: this.masterId }
          : undefined,
      stopped: () => this.stoppedValue,
    })
    const master = this.calls.master
    this.voicemail = new VoicemailWatch({
      send: (message) => master.leg.send(message),
      voicemailUri: () => {
        const number = this.registrar.account.voicemail
        return number ? this.toUri(number) : undefined
      },
    })
    this.texts = new SipTexts({
      clock,
      send: (message) => master.leg.send(message),
      // randomUUID needs a secure context; a page served over plain http on a LAN has none.
      newId: () =>
        Array.from(globalThis.crypto.getRandomValues(new Uint8Array(12)), (b) =>
          b.toString(16).padStart(2, '0'),
        ).join(''),
    })
    this.registrar = new RegistrationKeeper({
      clock,
      account,
      send: (message) => master.leg.send(message),
      apply: (event) => this.applyRegistration(event),
      state: () => this.registrationValue,
      onRegistration: (listener) => this.events.on('registration', listener),
      // Never while a call is up: the calls live on this handle and its helpers.
      renew: async () => {
        if (!this.isLive()) await master.leg.renew()
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

  /** The call in front. */
  get call(): CallState {
    return this.calls.call
  }

  /** Every line's call, the front marked. */
  get lines(): readonly LineSummary[] {
    return this.calls.lines
  }

  /** How the phone should sound: the ringtone, the soft call-waiting cue, or neither. */
  get ringing(): 'ring' | 'waiting' | undefined {
    return this.calls.ringing
  }

  get muted(): boolean {
    return this.calls.muted
  }

  /** The app ended this phone (disconnect, quit): a new one is needed to register again. */
  get stopped(): boolean {
    return this.stoppedValue
  }

  isLive(): boolean {
    return this.calls.isLive()
  }

  onChange(listener: () => void): () => void {
    const offs = ['call', 'lines', 'registration', 'muted'].map((event) =>
      this.events.on(event as 'call', listener),
    )
    return () => offs.forEach((off) => off())
  }

  /** Attaches the SIP plugin and registers the account. */
  async start(): Promise<void> {
    if (!this.removeParticipant) {
      const offParticipant = this.session.addParticipant(this)
      const offReconnecting = this.session.events.on('reconnecting', () =>
        this.calls.signallingDown(),
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

  /**
   * Calls a number or SIP URI (a bare number is dialled at the registrar's domain). With a
   * call in front, that one is put on hold and the new call takes a free line.
   */
  dial(target: string, referId?: number, preferences?: MediaPreferences): Promise<void> {
    return this.calls.dial(this.toUri(target), referId, preferences)
  }

  /** Answers a call ringing in (the one in front, or the line named); others go on hold. */
  answer(preferences?: MediaPreferences, line?: number): Promise<void> {
    return this.calls.answer(preferences, line)
  }

  /** Declines a call ringing in (the one in front, or the line named); `busy` sends 486. */
  decline(line?: number, busy = false): Promise<void> {
    return this.calls.decline(line, busy)
  }

  /** Hangs up the call in front (or the line named). */
  hangup(line?: number): Promise<void> {
    return this.calls.hangup(line)
  }

  /** Brings another call to the front: the one in front goes on hold. */
  switchTo(line: number): Promise<void> {
    return this.calls.switchTo(line)
  }

  /** Puts the call in front (or the line named) on hold, or takes it off hold. */
  hold(on: boolean, line?: number): Promise<void> {
    return this.calls.hold(on, line)
  }

  /** Switches the calls to another microphone (undefined: the system default). */
  switchMicrophone(deviceId: string | undefined): Promise<void> {
    return this.calls.switchMicrophone(deviceId)
  }

  /** Mutes or unmutes our microphone in the call in front (both calls of a three-way call). */
  setMuted(muted: boolean): void {
    this.calls.setMuted(muted)
  }

  /** Turns our camera off (black frames, the camera kept) or on, in the call in front. */
  setCameraOff(off: boolean): void {
    this.calls.setCameraOff(off)
  }

  /** A three-way call of the two answered calls (each party hears the other two). */
  merge(): Promise<void> {
    return this.calls.merge()
  }

  /** Back to one call at a time: the call in front goes on, the other on hold. */
  split(): Promise<void> {
    return this.calls.split()
  }

  /** A blind transfer of the call in front: the other side is asked to call `target`. */
  transfer(target: string): Promise<void> {
    return this.calls.transfer(this.toUri(target))
  }

  /** An attended transfer: the held call's party is put through to the consulted one. */
  transferToCall(heldLine: number, consultLine: number): Promise<void> {
    return this.calls.transferToCall(heldLine, consultLine)
  }

  /** Sends one tone of the dial pad in the call in front. */
  sendDtmf(digit: string): Promise<void> {
    return this.calls.sendDtmf(digit)
  }

  /** A number or address as the SIP URI it is dialled (or messaged) at. */
  toUri(target: string): string {
    return toSipUri(target, this.registrar.account)
  }

  /** Sends a text message to a number or SIP URI; the outcome comes through `texts`. */
  sendText(target: string, text: string): Promise<void> {
    return this.texts.send(this.toUri(target), text)
  }

  /**
   * The app ends the phone: every live call ends with the reason and is hung up on the
   * server (the far end hears the BYE), then the account is unregistered and the handles let go.
   */
  async end(cause: AppEndCause): Promise<void> {
    if (this.stoppedValue) return
    this.stoppedValue = true
    this.registrar.stop()
    this.texts.stop()
    const event = { type: 'app-end', cause } as const
    this.applyRegistration(event)
    await this.calls.end(event)
    if (cause !== 'sessionFailed') await this.registrar.unregister()
    this.removeParticipant?.()
    this.removeParticipant = undefined
    await this.calls.dropHelpers()
    await this.calls.master.leg.detach()
  }

  // ----------------------------------------------------------------- recovery

  /**
   * After a claim the handles and the registration live on. A call whose PeerConnection is
   * gone (a hang-up Janus sent while we were detached was lost) ends in the UI; what else
   * Janus said meanwhile is lost too (it keeps no events for a session without a connection),
   * so a registration still waiting for its outcome asks again, the voicemail count is asked
   * afresh, and a text still waiting for its answer is not told as undelivered.
   */
  resync(context: RecoveryContext): Promise<void> | void {
    // The attach was lost with the connection (a reload or a start just before a loss): the
    // phone has no handle on the server yet, so it attaches and registers now.
    if (!this.calls.master.leg.handle)
      return this.stoppedValue ? undefined : this.attachAndRegister()
    this.texts.claimed()
    void this.reconcileAfterClaim()
    this.calls.resync(context)
  }

  /**
   * After a new session Janus has already hung up (BYE) and unregistered: every call ends
   * with its reason, and the account registers again, once.
   */
  async restore(context?: RecoveryContext): Promise<void> {
    // A 458 on the claim: the server no longer had the calls (a restart), not our absence.
    const serverLost = context?.lostSession === 'notFound'
    this.applyRegistration({ type: 'session-lost', serverLost })
    this.calls.sessionLost(serverLost)
    this.masterId = undefined
    this.texts.abandonWaiting()
    // An attach still pending was meant for the old session and fails: wait it out, then attach.
    await this.attaching?.catch(() => undefined)
    if (!this.stoppedValue) await this.attachAndRegister()
  }

  // ----------------------------------------------------------------- internals

  /**
   * After a claim, once an attach-and-register under way has settled: a register still waiting
   * goes again; a registered account subscribes to its voicemail again, which the server
   * answers with the current count (a refreshed subscription is notified at once, RFC 6665
   * § 4.2.2), since a NOTIFY sent while we were away is lost.
   */
  private async reconcileAfterClaim(): Promise<void> {
    await this.attaching?.catch(() => undefined)
    if (this.stoppedValue) return
    this.registrar.reconcile()
    if (this.registrationValue.kind === 'registered') this.voicemail.subscribe()
  }

  /**
   * What the registered line hears that is not about its call: registration, texts and
   * voicemail. True when taken here.
   */
  private onRegisteredLineMessage(message: JanusJS.Message, event: SipEvent | undefined): boolean {
    if (this.texts.onPluginMessage(message) || this.voicemail.onPluginMessage(message)) return true
    // The plugin refused the register itself (no SIP stack, a bad URI...): a failure to
    // show and retry, never a 'Registering…' that waits for an answer that will not come.
    if (typeof message.error === 'string' && this.registrationValue.kind === 'registering') {
      const code = typeof message.error_code === 'number' ? message.error_code : 0
      if (this.registrar.alreadyHad(code)) return true
      this.applyRegistration({ type: 'registration_failed', code, reason: message.error })
    }
    if (event?.type === 'registered') {
      const masterId = (message.result as { master_id?: unknown } | undefined)?.master_id
      if (typeof masterId === 'number') this.masterId = masterId
    }
    if (
      event?.type === 'registered' ||
      event?.type === 'register-sent' ||
      event?.type === 'registration_failed' ||
      event?.type === 'unregistered'
    ) {
      this.applyRegistration(event)
      return true
    }
    return false
  }

  private applyRegistration(event: SipEvent): void {
    const registration = nextRegistration(this.registrationValue, event)
    if (registration === this.registrationValue) return
    const wasRegistered = this.registrationValue.kind === 'registered'
    this.registrationValue = registration
    this.events.emit('registration', registration)
    if (registration.kind === 'registered' && !wasRegistered) {
      // Registered (again, after a lost session or a registrar that failed): subscribe again,
      // and (Janus ends helpers with every unregistration) make the spare again if a call is up.
      this.voicemail.subscribe()
      this.calls.registered()
    }
  }

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
        await this.calls.master.leg.attach()
        return
      } catch (error) {
        const state = this.session.state.kind
        const usable = state === 'connected' || state === 'recovering'
        if (!lostWithConnection(error) || !usable || tries >= 3 || this.stoppedValue) throw error
      }
    }
  }
}
