/**
 * A video room on Janus's VideoRoom plugin: our publisher leg here (camera, microphone, a
 * shared screen), every other participant's feeds in RoomSubscription. Its state is the pure
 * room machine of core/room; this file turns plugin events into room actions. After a claim
 * it re-reads the room (every event of the gap was dropped) and restarts ICE where the network
 * changed; after a new session it joins again as the same person.
 */
import type { JanusJS } from 'janus-gateway'
import type { AppEndCause, Call } from '../core/call'
import type { Clock } from '../core/clock'
import { Emitter } from '../core/emitter'
import type { IceRestartOptions } from '../core/ice-restart-policy'
import type { JanusSession, RecoveryContext, SessionParticipant } from '../core/janus-session'
import { roomChanges, ChangeBuffer, type RoomChange } from '../core/room/room-changes'
import {
  emptyRoom,
  inRoom,
  nextRoom,
  type RoomAction,
  type RoomEndReason,
  type RoomState,
} from '../core/room/room-state'
import { readParticipantList, readRoomEvent, type FeedId } from '../core/room/videoroom-events'
import type { Gateway } from './gateway'
import { describeMediaError, lostWithConnection } from './media'
import { MediaLeg } from './media-leg'
import { RoomPublication } from './room-publication'
import { RoomSubscription, type RoomTile } from './room-subscription'

/** What joining asks for. */
export interface RoomOptions {
  room: number
  display: string
  pin?: string
  audio: boolean
  video: boolean
  /** Join with the microphone off (others see it off from the start). */
  muted?: boolean
  /** Publish the camera in three simulcast layers (default on), so others pick what they need. */
  simulcast?: boolean
  ice?: Partial<IceRestartOptions>
}

export type { RoomTile } from './room-subscription'

export interface RoomCallEvents extends Record<string, unknown> {
  state: RoomState
  tiles: RoomTile[]
  change: RoomChange
  muted: boolean
  cameraOff: boolean
  localStream: MediaStream | undefined
  /** The screen we share (a stream of its one track), or undefined when not sharing. */
  localScreen: MediaStream | undefined
  error: string
  /** Something the user should know that is not an error. */
  notice: string
  /** Back in the room after a recovery: the same session, or joined again (`rejoined`). */
  reconnected: { rejoined: boolean }
}

/** A join given up by a recovery, which joins again itself. */
class JoinAbandoned extends Error {
  constructor() {
    super('The connection was lost while joining the room')
  }
}

/** One visit to a room; create a new one for each. */
export class RoomCall implements SessionParticipant, Call {
  readonly name = 'videoroom'
  readonly kind = 'room'
  readonly events = new Emitter<RoomCallEvents>()
  private stateValue: RoomState = emptyRoom
  private publisher: MediaLeg | undefined
  private readonly changes = new ChangeBuffer<RoomChange>((c) => this.events.emit('change', c))
  private privateId: number | undefined
  private mutedValue: boolean
  private cameraOffValue = false
  /** What our publisher publishes, by mid. */
  private readonly publication: RoomPublication
  private removeParticipant: (() => void) | undefined
  /** The receiving side: every other participant's feeds, and the tiles. */
  private readonly receiving: RoomSubscription
  /** The join under way (the first or a rejoin): a recovery never starts a second beside it. */
  private joining: Promise<void> | undefined
  /** The last join was lost with the connection: the next claim or new session joins again. */
  private joinLost = false

  constructor(
    private readonly session: JanusSession,
    private readonly gateway: () => Promise<Gateway>,
    private readonly clock: Clock,
    private readonly options: RoomOptions,
  ) {
    this.mutedValue = options.muted === true
    this.publication = new RoomPublication(options, {
      off: (role) => (role === 'microphone' ? this.mutedValue : this.cameraOffValue),
      localScreen: (stream) => this.events.emit('localScreen', stream),
      screenEnded: () => void this.shareScreen(false),
    })
    this.receiving = new RoomSubscription({
      session,
      gateway,
      clock,
      name: this.name,
      room: options.room,
      ...(options.ice ? { ice: options.ice } : {}),
      state: () => this.stateValue,
      apply: (action) => this.apply(action),
      privateId: () => this.privateId,
      error: (message) => this.events.emit('error', message),
      tiles: (tiles) => this.events.emit('tiles', tiles),
      pathStalled: (address) =>
        this.publisher?.suspectPath(
          address,
          'the others’ media stopped arriving over the same address',
        ),
    })
  }

  get state(): RoomState {
    return this.stateValue
  }

  get muted(): boolean {
    return this.mutedValue
  }

  isLive(): boolean {
    return inRoom(this.stateValue)
  }

  onChange(listener: () => void): () => void {
    const offState = this.events.on('state', listener)
    const offMuted = this.events.on('muted', listener)
    const offCamera = this.events.on('cameraOff', listener)
    return () => (offState(), offMuted(), offCamera())
  }

  /** Joins the room, publishes, and subscribes to everyone already there. */
  async join(): Promise<void> {
    if (inRoom(this.stateValue)) return
    this.apply({ type: 'join' })
    const offParticipant = this.session.addParticipant(this)
    const offReconnecting = this.session.events.on('reconnecting', ({ reason }) => {
      this.publisher?.signallingDown()
      this.receiving.signallingDown()
      this.changes.hold()
      this.apply({ type: 'reconnecting', reason })
    })
    this.removeParticipant = () => (offParticipant(), offReconnecting())
    if (this.session.info?.reclaimSessionTimeoutS === 0)
      this.events.emit(
        'notice',
        'This server keeps no session once a connection drops (its reclaim window is 0): after a network change you will leave the room and join it again.',
      )
    try {
      await this.startJoin()
    } catch (error) {
      await this.failJoin(error, 'serverError')
    }
  }

  /**
   * Mutes or unmutes the microphone: silent at once here, no longer relayed by the room, and
   * shown as off on everyone else's tile.
   */
  setMuted(muted: boolean): void {
    this.mutedValue = muted
    this.publisher?.setMuted(muted)
    this.events.emit('muted', muted)
    this.announce('microphone')
  }

  get cameraOff(): boolean {
    return this.cameraOffValue
  }

  /**
   * Turns the camera off or on: black here at once, no longer relayed by the room, and shown
   * as "camera off" (not as a stalled video) on everyone else's tile.
   */
  setCameraOff(off: boolean): void {
    this.cameraOffValue = off
    this.publisher?.setVideoOff(off)
    this.events.emit('cameraOff', off)
    this.announce('camera')
  }

  /** Tells the room a microphone or camera change (once published). */
  private announce(role: 'microphone' | 'camera'): void {
    const leg = this.publisher
    const request = this.publication.configure(role)
    if (!leg || !request) return
    void leg.send(request).catch((error: unknown) => {
      this.events.emit(
        'error',
        `The others may not see your ${role} change: ${describeMediaError(error)}`,
      )
    })
  }

  /** Shows one participant large (undefined: the grid again); see RoomSubscription.focus. */
  focus(id: FeedId | undefined): void {
    this.receiving.focus(id)
  }

  get sharingScreen(): boolean {
    return this.publication.sharingScreen
  }

  /**
   * Shares the screen as a second video on our publisher (others see a tile of its own,
   * labelled as a screen), or stops sharing. The browser's own "Stop sharing" stops it too.
   */
  async shareScreen(on: boolean): Promise<void> {
    const leg = this.publisher
    if (on === this.sharingScreen) return
    if (!leg || this.stateValue.connection.kind !== 'joined') {
      if (on) this.events.emit('error', 'Join the room before sharing your screen.')
      return
    }
    try {
      if (on) await this.publication.startScreen(leg)
      else await this.publication.stopScreen(leg)
    } catch (error) {
      this.events.emit('error', `Screen sharing: ${describeMediaError(error)}`)
    }
  }

  /** The user leaves the room. */
  hangup(): Promise<void> {
    return this.close('clientDisconnected')
  }

  /** The app ends the visit (disconnect, quit, a session given up). */
  end(cause: AppEndCause): Promise<void> {
    if (!this.isLive()) return Promise.resolve()
    return this.close(cause === 'sessionFailed' ? 'networkDisconnected' : 'clientDisconnected')
  }

  // ------------------------------------------------------------- recovery

  /**
   * After a claim both handles live, but every event of the gap was dropped: read the room
   * again and diff it against the roster, restart ICE where the network changed, and keep the
   * subscription if nobody came or went and it is still in step (else it is built again).
   */
  async resync(context: RecoveryContext): Promise<void> {
    if (!this.isLive()) return
    // A join the loss cut short: the first one, or a rejoin on a new session whose join went
    // out as the network flapped (soak seed 2412; the room said "In the room" while Janus
    // had no Ann in it), or one still waiting for its answer.
    const cutShort =
      this.joinLost ||
      this.joining !== undefined ||
      this.stateValue.connection.kind === 'joining' ||
      !this.publisher?.handle
    // A join that got through after all still had its gap (soak seed 2412: the subscriber's
    // attach was lost while the publish was under way): it is resynced as any other.
    if (cutShort && !(await this.joinGotThrough())) return this.rejoin()
    if (!this.isLive() || !this.publisher) return
    this.publisher.resync(context)
    // Whether anyone came or went during the gap (unknown: as if they had).
    let roomChanged = true
    try {
      const participants = readParticipantList(
        await this.publisher?.request({ request: 'listparticipants', room: this.options.room }),
      )
      const before = [...this.stateValue.roster.keys()]
      this.apply({ type: 'roster', participants })
      const after = this.stateValue.roster
      roomChanged = before.length !== after.size || before.some((id) => !after.has(id))
      // Publishers announced during the gap: their streams are unknown, so ask for all of them.
      this.receiving.receiveWhole(
        participants
          .filter(
            (p) => p.publisher && (this.stateValue.roster.get(p.id)?.streams.length ?? 1) === 0,
          )
          .map((p) => p.id),
      )
    } catch (error) {
      this.events.emit('error', `Could not read the room again: ${describeMediaError(error)}`)
      this.session.recordIncident('error', `${this.name}: ${describeMediaError(error)}`)
    }
    await this.receiving.resync(context, roomChanged)
    // Everyone watching us decodes again from a keyframe, not from the next periodic one.
    await this.publisher?.send({ request: 'configure', keyframe: true }).catch(() => undefined)
    this.reconnected()
  }

  /** After a new session: every handle is gone; join again as the same person. */
  async restore(): Promise<void> {
    if (!this.isLive()) return
    // A join still under way was meant for the old session: let it fail first.
    await this.abandonJoin()
    this.publisher?.closeMedia(false)
    this.receiving.drop()
    this.publisher = undefined
    // The screen being shared is shared again on the new publisher, if its capture lives on.
    const { sharing, screen: track } = this.publication.forget()
    const screen = sharing ? track : undefined
    this.session.recordIncident('media-restart', `${this.name}: joining the room again`)
    try {
      await this.startJoin()
      this.session.recordIncident('media-back', `${this.name}: rejoined the room`)
      this.reconnected(true)
    } catch (error) {
      await this.failJoin(error, 'networkDisconnected')
      return
    }
    if (!screen) return
    const leg = this.publisher
    if (screen.readyState === 'live' && leg) {
      try {
        await this.publication.startScreen(leg, screen)
        return
      } catch {
        // Told below.
      }
    }
    this.events.emit('localScreen', undefined)
    this.events.emit('notice', 'Screen sharing stopped when the connection was lost; share again.')
  }

  /**
   * After a claim, a join the loss cut short (its attach, its join or its `joined` event lost
   * in the gap): whatever half of it Janus holds is let go, and the room is joined again.
   */
  private async rejoin(): Promise<void> {
    const publisher = this.publisher
    this.publisher = undefined
    await Promise.all([publisher?.detach(), this.receiving.detach()])
    await this.restore()
  }

  /** Whether a join the loss may have cut short got through after all (we are in the room). */
  private async joinGotThrough(): Promise<boolean> {
    if (this.joinLost || !this.publisher?.handle) return false
    return this.abandonJoin()
  }

  /**
   * Stops waiting for the `joined` of a join under way and waits for it to settle; true when
   * it got through after all (the session kept it).
   */
  private async abandonJoin(): Promise<boolean> {
    const pending = this.joining
    if (!pending) return false
    this.settle('joined', new JoinAbandoned())
    return pending.then(
      () => true,
      () => false,
    )
  }

  private startJoin(): Promise<void> {
    this.joining ??= this.joinAsPublisher()
      .then(() => void (this.joinLost = false))
      .finally(() => (this.joining = undefined))
    return this.joining
  }

  /**
   * A join lost with the connection is made again once the session is back (resync or
   * restore); any other failure ends the visit with its reason.
   */
  private async failJoin(error: unknown, reason: RoomEndReason): Promise<void> {
    const lost = error instanceof JoinAbandoned || lostWithConnection(error)
    if (this.isLive() && lost) {
      this.joinLost = true
      this.session.recordIncident('error', `${this.name}: joining again once the session is back`)
      return
    }
    await this.close(reason, describeMediaError(error))
  }

  // ------------------------------------------------------------- publishing

  private async joinAsPublisher(): Promise<void> {
    const leg: MediaLeg = new MediaLeg(this.session, this.gateway, this.clock, {
      plugin: 'janus.plugin.videoroom',
      name: `${this.name}-publisher`,
      ...(this.options.ice ? { ice: this.options.ice } : {}),
      sendRestartOffer: (jsep) => leg.send({ request: 'configure' }, jsep),
      requestKeyframe: () => leg.send({ request: 'configure', keyframe: true }),
      sendOnly: true,
      onMessage: (message, jsep) => this.onPublisherMessage(leg, message, jsep),
    })
    this.publisher = leg
    leg.setMuted(this.mutedValue)
    leg.setVideoOff(this.cameraOffValue)
    leg.events.on('localStream', (stream) => this.events.emit('localStream', stream))
    leg.events.on('pathStalled', (address) => this.receiving.suspectPath(address))
    await leg.attach()
    const joined = this.once('joined')
    await leg.send({
      request: 'join',
      ptype: 'publisher',
      room: this.options.room,
      display: this.options.display,
      ...(this.options.pin ? { pin: this.options.pin } : {}),
    })
    await joined
    if (this.options.audio || this.options.video) await this.publication.publish(leg)
  }

  private onPublisherMessage(leg: MediaLeg, message: JanusJS.Message, jsep?: JanusJS.JSEP): void {
    if (leg !== this.publisher) return
    if (jsep?.type === 'answer') leg.acceptAnswer(jsep)
    const event = readRoomEvent(message)
    if (!event) return
    if (event.type === 'joined') this.privateId = event.privateId
    if (event.type === 'error') {
      if (this.stateValue.connection.kind === 'joining')
        this.settle('joined', new Error(event.message))
      else this.events.emit('error', event.message)
    }
    const leftReason = event.type === 'kicked' ? 'kicked' : 'left'
    this.apply(event, leftReason)
    if (event.type === 'kicked' || event.type === 'destroyed')
      if (!this.isLive()) void this.teardown()
    if (['joined', 'publishers', 'unpublished', 'leaving', 'kicked'].includes(event.type))
      void this.receiving.sync()
  }

  // ------------------------------------------------------------- helpers

  private readonly waiters = new Map<string, ((error?: Error) => void)[]>()

  /** Resolves when the plugin said `what` (joined); rejects when it refused, or said nothing for 10 s. */
  private once(what: 'joined'): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(
        () => reject(new Error(`The room did not answer (${what})`)),
        10_000,
      )
      const list = this.waiters.get(what) ?? []
      list.push((error) => {
        this.clock.clearTimeout(timer)
        if (error) reject(error)
        else resolve()
      })
      this.waiters.set(what, list)
    })
  }

  private settle(what: 'joined', error?: Error): void {
    for (const done of this.waiters.get(what)?.splice(0) ?? []) done(error)
  }

  private reconnected(rejoined = false): void {
    // A first join the loss interrupted was never in the room: nothing to say we are back.
    const wasAway = this.stateValue.connection.kind === 'reconnecting'
    this.apply({ type: 'reconnected' })
    if (wasAway) this.events.emit('reconnected', { rejoined })
    this.changes.release()
  }

  private async close(reason: RoomEndReason, message?: string): Promise<void> {
    const publisher = this.publisher
    const wasIn = this.isLive() && this.stateValue.connection.kind !== 'joining'
    // A refused join already ended with the room's own words: keep them.
    if (this.isLive()) this.apply({ type: 'left', reason, ...(message ? { message } : {}) })
    this.changes.release()
    if (wasIn && publisher && reason === 'clientDisconnected')
      await publisher.send({ request: 'leave' }).catch(() => undefined)
    await this.teardown()
  }

  private async teardown(): Promise<void> {
    this.removeParticipant?.()
    this.removeParticipant = undefined
    const publisher = this.publisher
    this.publisher = undefined
    if (this.publication.forget().sharing) this.events.emit('localScreen', undefined)
    await Promise.all([publisher?.detach(), this.receiving.detach()])
  }

  private apply(
    action: RoomAction,
    leftReason: 'left' | 'kicked' | 'networkDisconnected' = 'left',
  ): void {
    const before = this.stateValue
    const after = nextRoom(before, action)
    if (action.type === 'joined' && after !== before) this.settle('joined')
    if (after === before) return
    this.stateValue = after
    // Those already in the room when we join did not just join: only later news is told.
    if (before.connection.kind !== 'joining')
      for (const change of roomChanges(before, after, leftReason)) this.changes.push(change)
    this.events.emit('state', after)
    this.receiving.roomChanged(after)
  }
}
