/**
 * The calls of one SIP account, each on a line of its own (sip-call-line.ts): the registered
 * handle first, then helper handles. While a call is under way one more line waits as a
 * helper, so a second caller rings instead of being answered busy (issue 15, call waiting);
 * the pure call-lines reducer says which call is in front and what answering or switching
 * puts on hold. Attended transfers and the three-way call work across two lines. The phone
 * (sip-phone.ts) keeps the registration and hands the calls here.
 */
import type { JanusJS } from 'janus-gateway'
import type { RecoveryContext, JanusSession } from '../core/janus-session'
import {
  freeLine,
  isWaitingCall,
  linesToHold,
  mergeable,
  nextFocus,
  ringKind,
  wantsSpareLine,
  type LineSummary,
  type LinesState,
} from '../core/sip/call-lines'
import type { CallState, SipEvent } from '../core/sip/sip-state'
import type { ConferenceMixer } from './conference-mixer'
import { ThreeWayCall } from './sip-three-way'

export type { LineSummary } from '../core/sip/call-lines'
import {
  SipCallLine,
  type MediaPreferences,
  type SipCallEvents,
  type SipLineOwner,
} from './sip-call-line'

/** At most this many calls at once on one account (the registered line and helpers). */
const maxLines = 4

/** What the calls tell the phone's listeners. */
export interface SipLinesEvents extends SipCallEvents {
  /** The call in front (the one line of a phone with one call). */
  call: CallState
  /** Every line's call moved (`id` names the line): history and notifications follow it. */
  lineCall: { id: number; previous: CallState; next: CallState }
  /** The calls under way (and the front's last end), whenever one moves or the front changes. */
  lines: readonly LineSummary[]
  /** An attended transfer to us: `now` took over our call with `was`, which ended. */
  replaced: { was: string; now: string }
  /** What the other call of a three-way call says (the front's is `remoteStream`). */
  conferenceAudio: MediaStream | undefined
}

export interface SipLinesDeps {
  session: JanusSession
  /** What every line needs (all but the messages that are not about its call). */
  line: Omit<SipLineOwner, 'onOtherMessage' | 'onDetached' | 'followElsewhere'>
  emit<K extends keyof SipLinesEvents>(event: K, payload: SipLinesEvents[K]): void
  mixer: ConferenceMixer
  /** The registered line's messages that are not about its call (registration, texts...). */
  onRegisteredLineMessage(message: JanusJS.Message, event: SipEvent | undefined): boolean
  /**
   * How a helper joins the registered handle: the account's URI and the plugin's id of that
   * handle; undefined while the account is not registered.
   */
  helperJoin(): { username: string; masterId: number } | undefined
  /** The phone was let go: no new line. */
  stopped(): boolean
}

/** The account's lines and the calls on them. */
export class SipLines {
  private readonly lineList: SipCallLine[] = []
  /** Helper lines Janus has accepted (a call may be placed or handed to them). */
  private readonly readyHelpers = new Set<SipCallLine>()
  private focusId = 0
  private lineCounter = 0
  private addingLine: Promise<void> | undefined
  private preferences: MediaPreferences = { video: false }
  /** The two calls merged into a three-way call, if any. */
  private readonly threeWay: ThreeWayCall
  private readonly owner: SipLineOwner
  /** The account's registered handle, the first line. */
  readonly master: SipCallLine

  constructor(private readonly deps: SipLinesDeps) {
    this.owner = {
      ...deps.line,
      onOtherMessage: (line, message, event) =>
        line === this.master
          ? deps.onRegisteredLineMessage(message, event)
          : this.onHelperMessage(line, message, event),
      onDetached: (line) => this.forgetLine(line),
      followElsewhere: (line, referId, referTo) => this.followElsewhere(line, referId, referTo),
    }
    this.master = this.newLine()
    this.threeWay = new ThreeWayCall({
      mixer: deps.mixer,
      line: (id) => this.lineList.find((l) => l.id === id),
      focusId: () => this.focusId,
      holdOthers: (id) => this.holdOthers(id),
      changed: () => deps.emit('lines', this.lines),
      otherAudio: (stream) => deps.emit('conferenceAudio', stream),
      error: (words) => deps.emit('error', words),
      incident: (words) => deps.session.recordIncident('error', words),
    })
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
      merged: this.threeWay.has(line.id),
    }))
  }

  /** How the phone should sound: the ringtone, the soft call-waiting cue, or neither. */
  get ringing(): 'ring' | 'waiting' | undefined {
    return ringKind(this.linesState())
  }

  get muted(): boolean {
    return this.focused.muted
  }

  isLive(): boolean {
    return this.lineList.some((line) => line.isLive())
  }

  /**
   * Calls a SIP URI. With a call in front, that one is put on hold and the new call takes a
   * free line.
   */
  async dial(
    uri: string,
    referId?: number,
    preferences: MediaPreferences = this.preferences,
  ): Promise<void> {
    const id = freeLine(this.linesState({ readyOnly: true }))
    const line = this.lineList.find((l) => l.id === id)
    if (!line) {
      if (this.isLive()) this.deps.emit('error', 'No free line: end a call first')
      return
    }
    this.preferences = preferences
    // A three-way call is split first: the new call is talked in alone.
    await this.split()
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
    await this.split()
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
   * Brings a call to the front: the one in front is put on hold, the chosen one resumed (a
   * three-way call is split first). A call ringing in is only brought to the front by
   * answering it.
   */
  async switchTo(id: number): Promise<void> {
    const line = this.lineList.find((l) => l.id === id)
    if (!line || line.call.kind !== 'active') return
    await this.split()
    await this.holdOthers(id)
    this.setFocus(id)
    if (line.call.onHold) await line.hold(false)
  }

  /** Puts the call in front (or the line named) on hold, or takes it off hold. */
  async hold(on: boolean, id?: number): Promise<void> {
    const line = this.lineOf(id)
    // A three-way call is held by splitting it first.
    if (!line || this.threeWay.active) return
    // Resuming a call while another is up would have us talking in both: that one holds.
    if (!on) await this.holdOthers(line.id)
    await line.hold(on)
  }

  /** Switches the calls to another microphone (undefined: the system default). */
  async switchMicrophone(deviceId: string | undefined): Promise<void> {
    this.preferences = { ...this.preferences, audioInput: deviceId }
    await Promise.all(this.lineList.map((line) => line.switchMicrophone(deviceId)))
  }

  /** Mutes or unmutes the microphone in the call in front (in both calls of a three-way call). */
  setMuted(muted: boolean): void {
    if (this.threeWay.has(this.focusId))
      for (const line of this.threeWay.lines()) line.setMuted(muted)
    else this.focused.setMuted(muted)
  }

  /**
   * A three-way call: the two answered calls are both resumed and mixed, so each party hears
   * the other two (conference-mixer.ts). Nothing happens with other than two answered calls.
   */
  async merge(): Promise<void> {
    const pair = mergeable(this.linesState())
    if (pair) await this.threeWay.merge(pair, this.focused.muted)
  }

  /** Ends the three-way call: the call in front goes on alone, the other on hold. */
  split(): Promise<void> {
    return this.threeWay.split()
  }

  /** Turns our camera off (black frames, the camera kept) or on, in the call in front. */
  setCameraOff(off: boolean): void {
    this.focused.setCameraOff(off)
  }

  /** A blind transfer of the call in front: the other side is asked to call `uri`. */
  async transfer(uri: string): Promise<void> {
    await this.focused.transfer(uri)
  }

  /**
   * An attended transfer: the party of `heldId` is asked (REFER with Replaces) to call the
   * party of `consultId`, taking over our call with them. Both our calls end as transferred
   * once the two are connected; if the target refuses, both stay ours.
   */
  async transferToCall(heldId: number, consultId: number): Promise<void> {
    const held = this.lineList.find((l) => l.id === heldId)
    const consult = this.lineList.find((l) => l.id === consultId)
    if (held?.call.kind !== 'active' || consult?.call.kind !== 'active' || held === consult) return
    const callId = consult.callId
    if (!callId) {
      this.deps.emit('error', 'Transfer failed: the server did not name the call to replace')
      return
    }
    consult.handOver(held.call.peer)
    await held.transfer(consult.call.peer, callId)
  }

  /** Sends one tone of the dial pad in the call in front. */
  sendDtmf(digit: string): Promise<void> {
    return this.focused.sendDtmf(digit)
  }

  // ----------------------------------------------------------------- recovery

  /** The session's signalling is down: every line's media keeps still until it is back. */
  signallingDown(): void {
    for (const line of this.lineList) line.leg.signallingDown()
  }

  /** After a claim every line's call is checked (a line with no handle has nothing to check). */
  resync(context: RecoveryContext): void {
    for (const line of this.lineList) if (line.leg.handle) line.resync(context)
  }

  /**
   * The session is gone: every call ends with its reason; helpers lived on the old session
   * and are forgotten (a new spare comes once a call is under way).
   */
  sessionLost(serverLost: boolean): void {
    for (const line of this.lineList) line.sessionLost(serverLost)
    for (const line of this.helpers()) this.forgetLine(line)
  }

  /** The app ends every call with its reason (the far ends hear it). */
  async end(event: Extract<SipEvent, { type: 'app-end' }>): Promise<void> {
    await Promise.all(this.lineList.map((line) => line.end(event)))
  }

  /** Lets every helper handle go (the phone is being let go). */
  async dropHelpers(): Promise<void> {
    await Promise.all(this.helpers().map((line) => this.dropLine(line)))
  }

  /** The account is registered (again): Janus ended its helpers, so the spare is made again. */
  registered(): void {
    if (this.isLive()) this.ensureSpareLine()
  }

  // ----------------------------------------------------------------- lines

  /** The line of the call in front. */
  get focused(): SipCallLine {
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
    line.events.on('muted', (on) => inFront() && this.deps.emit('muted', on))
    line.events.on('cameraOff', (off) => inFront() && this.deps.emit('cameraOff', off))
    line.events.on('sendingVideo', (on) => inFront() && this.deps.emit('sendingVideo', on))
    line.events.on('remoteStream', (s) => {
      if (inFront()) this.deps.emit('remoteStream', s)
      this.threeWay.remoteChanged(line.id)
    })
    line.events.on('stats', (stats) => inFront() && this.deps.emit('stats', stats))
    line.events.on('recovering', (on) => inFront() && this.deps.emit('recovering', on))
    line.events.on('dtmf', (digit) => inFront() && this.deps.emit('dtmf', digit))
    line.events.on('missed', (peer) => this.deps.emit('missed', peer))
    line.events.on('declinedQuietly', (peer) => this.deps.emit('declinedQuietly', peer))
    line.events.on('missedWhileAway', () => this.deps.emit('missedWhileAway', undefined))
    line.events.on('transferred', (t) => this.deps.emit('transferred', t))
    line.events.on('error', (message) => this.deps.emit('error', message))
    line.events.on('call', ({ previous, next }) => this.onLineCall(line, previous, next))
    line.events.on('replacing', (callId) => void this.takeOver(line, callId))
    // A three-way call's two calls go out over one network: a path dead under one likely is
    // under the other too (issue 13; a held call expects nothing and is left alone).
    line.leg.events.on('pathStalled', (address) => {
      for (const other of this.lineList)
        if (other !== line) other.leg.suspectPath(address, 'the other call’s media stopped too')
    })
    return line
  }

  /** A transfer asked of `line` is followed on a free line, while `line` hangs up. */
  private followElsewhere(line: SipCallLine, referId: number, referTo: string): boolean {
    const id = freeLine(this.linesState({ readyOnly: true }))
    const free = this.lineList.find((l) => l.id === id && l !== line)
    if (!free) return false
    this.setFocus(free.id)
    void free.dial(referTo, referId, this.preferences)
    return true
  }

  /**
   * An INVITE with Replaces names our call with this Call-ID: the caller was put through to
   * us by that call's other side (an attended transfer). It is answered at once and the
   * replaced call hung up (RFC 3891: the plugin leaves both to us); a Replaces naming no call
   * of ours rings as any call.
   */
  private async takeOver(line: SipCallLine, callId: string): Promise<void> {
    const replaced = this.lineList.find((l) => l !== line && l.isLive() && l.callId === callId)
    const now = line.call.kind === 'ringing' ? line.call.peer : undefined
    if (!replaced || now === undefined) return
    const was = 'peer' in replaced.call ? replaced.call.peer : ''
    this.setFocus(line.id)
    await line.answer(this.preferences)
    replaced.handOver(now)
    await replaced.hangup()
    this.deps.emit('replaced', { was, now })
  }

  private onLineCall(line: SipCallLine, previous: CallState, next: CallState): void {
    this.deps.emit('lineCall', { id: line.id, previous, next })
    if (!line.isLive()) this.threeWay.lineEnded(line.id)
    const before = this.focusId
    this.focusId = nextFocus(this.linesState()) ?? 0
    if (this.focusId !== before) this.announceFront()
    else if (line.id === this.focusId) this.deps.emit('call', next)
    this.deps.emit('lines', this.lines)
    if (this.isLive()) this.ensureSpareLine()
    else void this.dropIdleHelpers()
  }

  private setFocus(id: number): void {
    if (this.focusId === id) return
    this.focusId = id
    this.announceFront()
    this.deps.emit('lines', this.lines)
  }

  /** The front changed: the screen is told everything about the new one. */
  private announceFront(): void {
    const line = this.focused
    this.deps.emit('call', line.call)
    this.deps.emit('muted', line.muted)
    this.deps.emit('cameraOff', line.cameraOff)
    this.deps.emit('remoteStream', line.leg.remoteStream)
    this.deps.emit('sendingVideo', (line.leg.localStream?.getVideoTracks().length ?? 0) > 0)
    this.deps.emit('recovering', false)
  }

  /** Every other answered call goes on hold (we talk in one call at a time). */
  private async holdOthers(id: number): Promise<void> {
    for (const other of linesToHold(this.linesState(), id))
      await this.lineList
        .find((l) => l.id === other)
        ?.hold(true)
        .catch((error: unknown) =>
          this.deps.session.recordIncident('error', `sip: could not hold a call: ${String(error)}`),
        )
  }

  /**
   * While a call is under way one free line waits as a helper handle: Janus hands it the
   * next caller instead of answering them busy. A helper joins the registered handle by the
   * plugin's id of it, after every registration (Janus tears helpers down with it).
   */
  private ensureSpareLine(): void {
    const join = this.deps.helperJoin()
    if (this.addingLine || this.deps.stopped() || !join) return
    if (!wantsSpareLine(this.linesState(), maxLines)) return
    const line = this.newLine()
    this.addingLine = (async () => {
      try {
        await line.leg.attach()
        await line.leg.send({
          request: 'register',
          type: 'helper',
          username: join.username,
          master_id: join.masterId,
        })
      } catch (error) {
        this.deps.session.recordIncident('error', `${line.name}: no helper line: ${String(error)}`)
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
      this.deps.session.recordIncident(
        'error',
        `${line.name}: the helper was refused: ${message.error}`,
      )
      void this.dropLine(line)
      return true
    }
    return event?.type === 'unregistered'
  }
}
