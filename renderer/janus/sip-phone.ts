/**
 * The softphone on Janus's SIP plugin (through janus.js): one account, registered on its
 * first handle, and its calls, each on a line of its own (sip-call-line.ts). While a call is
 * under way one more line waits as a helper handle, so a second caller rings instead of being
 * answered busy (issue 15, call waiting); the pure call-lines reducer says which call is in
 * front and what answering or switching puts on hold. As a session participant the phone
 * re-registers by itself after a new session and never leaves a call that looks alive after
 * the session was lost.
 */
import type { JanusJS } from 'janus-gateway'
import type { AppEndCause, Call } from '../core/call'
import type { Clock } from '../core/clock'
import { Emitter } from '../core/emitter'
import type { IceRestartOptions } from '../core/ice-restart-policy'
import type { JanusSession, RecoveryContext, SessionParticipant } from '../core/janus-session'
import {
  freeLine,
  isWaitingCall,
  linesToHold,
  nextFocus,
  ringKind,
  wantsSpareLine,
  type LinesState,
} from '../core/sip/call-lines'
import {
  nextRegistration,
  type CallState,
  type RegistrationState,
  type SipEvent,
} from '../core/sip/sip-state'
import type { Gateway } from './gateway'
import { lostWithConnection } from './media'
import {
  SipCallLine,
  type MediaPreferences,
  type SipCallEvents,
  type SipLineOwner,
} from './sip-call-line'
import { RegistrationKeeper } from './sip-registration'
import { SipTexts } from './sip-texts'
import { VoicemailWatch } from './sip-voicemail'

import { toSipUri, type SipAccount } from './sip-registration'

export { toSipUri, type SipAccount } from './sip-registration'
export type { MediaPreferences } from './sip-call-line'

/** At most this many calls at once on one account (the registered line and helpers). */
const maxLines = 4

/** One line's call as the UI lists it. */
export interface LineSummary {
  id: number
  call: CallState
  /** The call in front: the call screen shows it and the keys act on it. */
  focused: boolean
  /** A second call ringing while another is under way. */
  waiting: boolean
}

export interface SipPhoneEvents extends SipCallEvents {
  registration: RegistrationState
  /** The call in front (the one line of a phone with one call). */
  call: CallState
  /** Every line's call moved (`id` names the line): history and notifications follow it. */
  lineCall: { id: number; previous: CallState; next: CallState }
  /** The calls under way (and the front's last end), whenever one moves or the front changes. */
  lines: readonly LineSummary[]
}

export class SipPhone implements SessionParticipant, Call {
  readonly name = 'sip'
  readonly kind = 'sip'
  readonly events = new Emitter<SipPhoneEvents>()
  /** Text messages on this account (SIP MESSAGE). */
  readonly texts: SipTexts
  /** The account's voicemail box (message-summary). */
  readonly voicemail: VoicemailWatch
  /** The registered line first, then helpers. */
  private readonly lineList: SipCallLine[] = []
  /** Helper lines Janus has accepted (a call may be placed or handed to them). */
  private readonly readyHelpers = new Set<SipCallLine>()
  private focusId = 0
  private lineCounter = 0
  /** The plugin's id of our registered handle, which a helper names to join it. */
  private masterId: number | undefined
  private addingLine: Promise<void> | undefined
  private readonly registrar: RegistrationKeeper
  private registrationValue: RegistrationState = { kind: 'unregistered' }
  private removeParticipant: (() => void) | undefined
  private preferences: MediaPreferences = { video: false }
  private stoppedValue = false
  /** Incoming calls are answered busy (486) without ringing. */
  private doNotDisturbValue = false
  /** The handle being attached (and the account registered) right now. */
  private attaching: Promise<void> | undefined
  private readonly owner: SipLineOwner

  constructor(
    private readonly session: JanusSession,
    gateway: () => Promise<Gateway>,
    private readonly clock: Clock,
    account: SipAccount,
    ice: Partial<IceRestartOptions> = {},
  ) {
    this.owner = {
      session,
      gateway,
      clock,
      ice,
      doNotDisturb: () => this.doNotDisturbValue,
      dtmfByInfo: () => this.registrar.account.dtmfMode === 'info',
      onOtherMessage: (line, message, event) => this.onOtherMessage(line, message, event),
      onDetached: (line) => this.forgetLine(line),
    }
    const master = this.newLine()
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
    return this.focused.call
  }

  /** Every line's call, the front marked. */
  get lines(): readonly LineSummary[] {
    const state = this.linesState()
    return this.lineList.map((line) => ({
      id: line.id,
      call: line.call,
      focused: line.id === this.focusId,
      waiting: isWaitingCall(state, line.id),
    }))
  }

  /** How the phone should sound: the ringtone, the soft call-waiting cue, or neither. */
  get ringing(): 'ring' | 'waiting' | undefined {
    return ringKind(this.linesState())
  }

  get muted(): boolean {
    return this.focused.muted
  }

  /** The app ended this phone (disconnect, quit): a new one is needed to register again. */
  get stopped(): boolean {
    return this.stoppedValue
  }

  isLive(): boolean {
    return this.lineList.some((line) => line.isLive())
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
      const offReconnecting = this.session.events.on('reconnecting', () => {
        for (const line of this.lineList) line.leg.signallingDown()
      })
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
  async dial(
    target: string,
    referId?: number,
    preferences: MediaPreferences = this.preferences,
  ): Promise<void> {
    const uri = toSipUri(target, this.registrar.account)
    const id = freeLine(this.linesState({ readyOnly: true }))
    const line = this.lineList.find((l) => l.id === id)
    if (!line) {
      if (this.isLive()) this.events.emit('error', 'No free line: end a call first')
      return
    }
    this.preferences = preferences
    await this.holdOthers(line.id)
    this.setFocus(line.id)
    await line.dial(uri, referId, preferences)
  }

  /**
   * Answers a call ringing in (the one in front, or the line named); with video when both
   * sides want it. Any other answered call is put on hold first.
   */
  async answer(preferences: MediaPreferences = this.preferences, id?: number): Promise<void> {
    const line = this.ringingLine(id)
    if (!line) return
    this.preferences = preferences
    await this.holdOthers(line.id)
    this.setFocus(line.id)
    await line.answer(preferences)
  }

  /** Declines a call ringing in (the one in front, or the line named); `busy` sends 486. */
  async decline(id?: number, busy = false): Promise<void> {
    await this.ringingLine(id)?.decline(busy ? 486 : 603)
  }

  /** Hangs up the call in front (or the line named). */
  async hangup(id?: number): Promise<void> {
    await this.lineOf(id)?.hangup()
  }

  /**
   * Brings a call to the front: the one in front is put on hold, the chosen one resumed.
   * A call ringing in is only brought to the front by answering it.
   */
  async switchTo(id: number): Promise<void> {
    const line = this.lineList.find((l) => l.id === id)
    if (!line || line.call.kind !== 'active') return
    await this.holdOthers(id)
    this.setFocus(id)
    if (line.call.onHold) await line.hold(false)
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
    await Promise.all(this.lineList.map((line) => line.end(event)))
    if (cause !== 'sessionFailed') await this.registrar.unregister()
    this.removeParticipant?.()
    this.removeParticipant = undefined
    await Promise.all(this.helpers().map((line) => this.dropLine(line)))
    await this.master.leg.detach()
  }

  /** Puts the call in front (or the line named) on hold, or takes it off hold. */
  async hold(on: boolean, id?: number): Promise<void> {
    const line = this.lineOf(id)
    if (!line) return
    // Resuming a call while another is up would have us talking in both: that one holds.
    if (!on) await this.holdOthers(line.id)
    await line.hold(on)
  }

  /** Switches the calls to another microphone (undefined: the system default). */
  async switchMicrophone(deviceId: string | undefined): Promise<void> {
    this.preferences = { ...this.preferences, audioInput: deviceId }
    await Promise.all(this.lineList.map((line) => line.switchMicrophone(deviceId)))
  }

  /** Mutes or unmutes the microphone in the call in front. */
  setMuted(muted: boolean): void {
    this.focused.setMuted(muted)
  }

  /** Turns our camera off (black frames, the camera kept) or on, in the call in front. */
  setCameraOff(off: boolean): void {
    this.focused.setCameraOff(off)
  }

  /** A blind transfer of the call in front: the other side is asked to call `target`. */
  async transfer(target: string): Promise<void> {
    await this.focused.transfer(toSipUri(target, this.registrar.account))
  }

  /** A number or address as the SIP URI it is dialled (or messaged) at. */
  toUri(target: string): string {
    return toSipUri(target, this.registrar.account)
  }

  /** Sends a text message to a number or SIP URI; the outcome comes through `texts`. */
  sendText(target: string, text: string): Promise<void> {
    return this.texts.send(this.toUri(target), text)
  }

  /** Sends one tone of the dial pad in the call in front. */
  sendDtmf(digit: string): Promise<void> {
    return this.focused.sendDtmf(digit)
  }

  // ----------------------------------------------------------------- recovery

  /**
   * After a claim the handles and the registration live on. A call whose PeerConnection is
   * gone (a hang-up Janus sent while we were detached was lost) ends in the UI.
   */
  resync(context: RecoveryContext): Promise<void> | void {
    // The attach was lost with the connection (a reload or a start just before a loss): the
    // phone has no handle on the server yet, so it attaches and registers now.
    if (!this.master.leg.handle) return this.stoppedValue ? undefined : this.attachAndRegister()
    for (const line of this.lineList) if (line.leg.handle) line.resync(context)
  }

  /**
   * After a new session Janus has already hung up (BYE) and unregistered: every call ends
   * with its reason, and the account registers again, once.
   */
  async restore(context?: RecoveryContext): Promise<void> {
    // A 458 on the claim: the server no longer had the calls (a restart), not our absence.
    const serverLost = context?.lostSession === 'notFound'
    this.applyRegistration({ type: 'session-lost', serverLost })
    for (const line of this.lineList) line.sessionLost(serverLost)
    // Helpers lived on the old session; a new spare is added once a call is under way.
    for (const line of this.helpers()) this.forgetLine(line)
    this.masterId = undefined
    this.texts.abandonWaiting()
    // An attach still pending was meant for the old session and fails: wait it out, then attach.
    await this.attaching?.catch(() => undefined)
    if (!this.stoppedValue) await this.attachAndRegister()
  }

  // ----------------------------------------------------------------- lines

  private get master(): SipCallLine {
    return this.lineList[0]!
  }

  private get focused(): SipCallLine {
    return this.lineList.find((l) => l.id === this.focusId) ?? this.master
  }

  private helpers(): SipCallLine[] {
    return this.lineList.slice(1)
  }

  private lineOf(id: number | undefined): SipCallLine | undefined {
    return id === undefined ? this.focused : this.lineList.find((l) => l.id === id)
  }

  /** The line ringing in: the one named, the one in front, or the first that rings. */
  private ringingLine(id: number | undefined): SipCallLine | undefined {
    const rings = (l: SipCallLine) => l.call.kind === 'ringing' && l.call.direction === 'incoming'
    if (id !== undefined) return this.lineList.find((l) => l.id === id && rings(l))
    return rings(this.focused) ? this.focused : this.lineList.find(rings)
  }

  private linesState(options: { readyOnly?: boolean } = {}): LinesState {
    const lines = this.lineList
      .filter((l) => !options.readyOnly || l === this.master || this.readyHelpers.has(l))
      .map((l) => ({ id: l.id, call: l.call }))
    return { lines, focus: this.focusId }
  }

  private newLine(): SipCallLine {
    const id = this.lineCounter++
    const line = new SipCallLine(id, id === 0 ? 'sip' : `sip-line-${id + 1}`, this.owner)
    this.lineList.push(line)
    // Only the call in front speaks to the screen; every line's call reaches the history.
    const inFront = () => this.focusId === line.id
    line.events.on('muted', (on) => inFront() && this.events.emit('muted', on))
    line.events.on('cameraOff', (off) => inFront() && this.events.emit('cameraOff', off))
    line.events.on('sendingVideo', (on) => inFront() && this.events.emit('sendingVideo', on))
    line.events.on('remoteStream', (s) => inFront() && this.events.emit('remoteStream', s))
    line.events.on('stats', (stats) => inFront() && this.events.emit('stats', stats))
    line.events.on('recovering', (on) => inFront() && this.events.emit('recovering', on))
    line.events.on('dtmf', (digit) => inFront() && this.events.emit('dtmf', digit))
    line.events.on('missed', (peer) => this.events.emit('missed', peer))
    line.events.on('declinedQuietly', (peer) => this.events.emit('declinedQuietly', peer))
    line.events.on('transferred', (t) => this.events.emit('transferred', t))
    line.events.on('error', (message) => this.events.emit('error', message))
    line.events.on('call', ({ previous, next }) => this.onLineCall(line, previous, next))
    return line
  }

  private onLineCall(line: SipCallLine, previous: CallState, next: CallState): void {
    this.events.emit('lineCall', { id: line.id, previous, next })
    const before = this.focusId
    this.focusId = nextFocus(this.linesState()) ?? 0
    if (this.focusId !== before) this.announceFront()
    else if (line.id === this.focusId) this.events.emit('call', next)
    this.events.emit('lines', this.lines)
    if (this.isLive()) this.ensureSpareLine()
    else void this.dropIdleHelpers()
  }

  private setFocus(id: number): void {
    if (this.focusId === id) return
    this.focusId = id
    this.announceFront()
    this.events.emit('lines', this.lines)
  }

  /** The front changed: the screen is told everything about the new one. */
  private announceFront(): void {
    const line = this.focused
    this.events.emit('call', line.call)
    this.events.emit('muted', line.muted)
    this.events.emit('cameraOff', line.cameraOff)
    this.events.emit('remoteStream', line.leg.remoteStream)
    this.events.emit('sendingVideo', (line.leg.localStream?.getVideoTracks().length ?? 0) > 0)
    this.events.emit('recovering', false)
  }

  /** Every other answered call goes on hold (we talk in one call at a time). */
  private async holdOthers(id: number): Promise<void> {
    for (const other of linesToHold(this.linesState(), id))
      await this.lineList
        .find((l) => l.id === other)
        ?.hold(true)
        .catch((error: unknown) =>
          this.session.recordIncident('error', `sip: could not hold a call: ${String(error)}`),
        )
  }

  /**
   * While a call is under way one free line waits as a helper handle: Janus hands it the
   * next caller instead of answering them busy. A helper joins the registered handle by the
   * plugin's id of it, after every registration (Janus tears helpers down with it).
   */
  private ensureSpareLine(): void {
    if (this.addingLine || this.stoppedValue || this.masterId === undefined) return
    if (this.registrationValue.kind !== 'registered') return
    if (!wantsSpareLine(this.linesState(), maxLines)) return
    const masterId = this.masterId
    const line = this.newLine()
    this.addingLine = (async () => {
      try {
        await line.leg.attach()
        await line.leg.send({
          request: 'register',
          type: 'helper',
          username: this.registrar.account.uri,
          master_id: masterId,
        })
      } catch (error) {
        this.session.recordIncident('error', `${line.name}: no helper line: ${String(error)}`)
        await this.dropLine(line)
      }
    })().finally(() => (this.addingLine = undefined))
  }

  /** No call under way: helper lines are let go (a new one comes with the next call). */
  private async dropIdleHelpers(): Promise<void> {
    await this.addingLine
    if (this.isLive()) return
    await Promise.all(this.helpers().map((line) => this.dropLine(line)))
  }

  /** Detaches a helper line and forgets it. */
  private async dropLine(line: SipCallLine): Promise<void> {
    this.forgetLine(line)
    await line.leg.detach()
  }

  private forgetLine(line: SipCallLine): void {
    if (line === this.master) return
    this.readyHelpers.delete(line)
    const index = this.lineList.indexOf(line)
    if (index < 0) return
    this.lineList.splice(index, 1)
    line.leg.closeMedia(true)
    if (this.focusId === line.id) this.setFocus(nextFocus(this.linesState()) ?? 0)
  }

  /**
   * What is not about a line's call: registration (the registered line's, or a helper's
   * joining), texts and voicemail. True when taken here.
   */
  private onOtherMessage(
    line: SipCallLine,
    message: JanusJS.Message,
    event: SipEvent | undefined,
  ): boolean {
    if (line !== this.master) return this.onHelperMessage(line, message, event)
    if (this.texts.onPluginMessage(message) || this.voicemail.onPluginMessage(message)) return true
    // The plugin refused the register itself (no SIP stack, a bad URI...): a failure to
    // show and retry, never a 'Registering…' that waits for an answer that will not come.
    if (typeof message.error === 'string' && this.registrationValue.kind === 'registering')
      this.applyRegistration({
        type: 'registration_failed',
        code: typeof message.error_code === 'number' ? message.error_code : 0,
        reason: message.error,
      })
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

  /** A helper's answer to joining the registered handle. */
  private onHelperMessage(
    line: SipCallLine,
    message: JanusJS.Message,
    event: SipEvent | undefined,
  ): boolean {
    if (event?.type === 'registered') {
      this.readyHelpers.add(line)
      return true
    }
    if (typeof message.error === 'string' && !this.readyHelpers.has(line)) {
      this.session.recordIncident('error', `${line.name}: the helper was refused: ${message.error}`)
      void this.dropLine(line)
      return true
    }
    return event?.type === 'unregistered'
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
      if (this.isLive()) this.ensureSpareLine()
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
        await this.master.leg.attach()
        return
      } catch (error) {
        const state = this.session.state.kind
        const usable = state === 'connected' || state === 'recovering'
        if (!lostWithConnection(error) || !usable || tries >= 3 || this.stoppedValue) throw error
      }
    }
  }
}
