/**
 * A video room on Janus's VideoRoom plugin, on two media legs: one to publish our camera and
 * microphone, one (multistream) to receive every other participant's feeds. Its state is the
 * pure room machine of core/room; this file turns plugin events into room actions and keeps
 * the subscription in step with the roster. After a claim it re-reads the room (every event
 * of the gap was dropped) and restarts ICE where the network changed; after a new session it
 * joins again as the same person.
 */
import type { JanusJS } from 'janus-gateway'
import type { AppEndCause, Call } from '../core/call'
import type { Clock } from '../core/clock'
import { Emitter } from '../core/emitter'
import type { IceRestartOptions } from '../core/ice-restart-policy'
import type { JanusSession, RecoveryContext, SessionParticipant } from '../core/janus-session'
import { FeedActivity } from '../core/room/feed-activity'
import { FrozenFeeds } from '../core/room/frozen-feeds'
import { layerFor, layerRequests, type Layer } from '../core/room/layers'
import { midMap, missingFeeds, staleStreams, type MidFeed } from '../core/room/mid-map'
import { roomChanges, ChangeBuffer, type RoomChange } from '../core/room/room-changes'
import {
  emptyRoom,
  inRoom,
  nextRoom,
  type RoomAction,
  type RoomEndReason,
  type RoomState,
  type TileState,
} from '../core/room/room-state'
import {
  readRoomEvent,
  readSubscriberEvent,
  type FeedId,
  type PublisherInfo,
} from '../core/room/videoroom-events'
import {
  isScreen,
  sdpMids,
  streamDescription,
  type CameraState,
  type MicrophoneState,
  type StreamRole,
} from '../core/room/stream-labels'
import type { Gateway } from './gateway'
import { describeMediaError } from './media'
import { MediaLeg } from './media-leg'

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

/** One tile as the UI draws it: a remote participant's camera, or a screen they share. */
export interface RoomTile {
  /** Unique among tiles: the feed id, with `:screen` for a shared screen. */
  key: string
  id: FeedId
  source: 'camera' | 'screen'
  display: string
  tile: TileState
  talking: boolean
  microphone: MicrophoneState
  camera: CameraState
  /** Shown large; the others are thumbnails then. */
  focused: boolean
  /** The simulcast layer asked for this tile's video (when its publisher sends layers). */
  layer: Layer | undefined
  stream: MediaStream | undefined
}

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

/** One visit to a room; create a new one for each. */
export class RoomCall implements SessionParticipant, Call {
  readonly name = 'videoroom'
  readonly kind = 'room'
  readonly events = new Emitter<RoomCallEvents>()
  private stateValue: RoomState = emptyRoom
  private publisher: MediaLeg | undefined
  private subscriber: MediaLeg | undefined
  private mids = new Map<string, MidFeed>()
  private remoteTracks: ReadonlyMap<string, MediaStreamTrack> = new Map()
  /** Each tile's stream, by tile key. */
  private readonly streams = new Map<string, MediaStream>()
  private readonly activity = new FeedActivity()
  private frozen = new FrozenFeeds()
  private readonly changes = new ChangeBuffer<RoomChange>((c) => this.events.emit('change', c))
  private privateId: number | undefined
  /** A subscription request is on its way: the next sync waits for its answer. */
  private subscribing: Promise<void> | undefined
  private mutedValue: boolean
  /** The mid our microphone is published on (once published). */
  private audioMid: string | undefined
  /** The mid our camera is published on (once published). */
  private cameraMid: string | undefined
  private cameraOffValue = false
  /** Every mid of our publisher's offers so far (a screen added later gets a new one). */
  private publishedMids = new Set<string>()
  /** The mid our shared screen is published on, while sharing, and its track. */
  private screenMid: string | undefined
  private screenTrack: MediaStreamTrack | undefined
  /** The feed shown large, if any. */
  private focusedFeed: FeedId | undefined
  /** The layer last asked for each simulcast mid of the current subscriber. */
  private askedLayers = new Map<string, Layer>()
  /** Publishers whose streams we do not know (announced while we were away): subscribe whole. */
  private readonly wholeFeeds = new Set<FeedId>()
  private removeParticipant: (() => void) | undefined

  constructor(
    private readonly session: JanusSession,
    private readonly gateway: () => Promise<Gateway>,
    private readonly clock: Clock,
    private readonly options: RoomOptions,
  ) {
    this.mutedValue = options.muted === true
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
      this.subscriber?.signallingDown()
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
      await this.joinAsPublisher()
    } catch (error) {
      await this.close('serverError', describeMediaError(error))
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
    const request = this.streamConfigure(role)
    if (!leg || !request) return
    void leg.send(request).catch((error: unknown) => {
      this.events.emit(
        'error',
        `The others may not see your ${role} change: ${describeMediaError(error)}`,
      )
    })
  }

  /**
   * Shows one participant large (undefined: the grid again). The large tile's video is
   * received in the highest layer, every thumbnail in the lowest.
   */
  focus(id: FeedId | undefined): void {
    if (id === this.focusedFeed) return
    this.focusedFeed = id
    this.emitTiles()
    void this.applyLayers()
  }

  get sharingScreen(): boolean {
    return this.screenMid !== undefined
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
      if (on) await this.startScreen(leg)
      else await this.stopScreen(leg)
    } catch (error) {
      this.events.emit('error', `Screen sharing: ${describeMediaError(error)}`)
    }
  }

  /** Adds the screen to our publisher: a new capture, or `track` (shared again after a rejoin). */
  private async startScreen(leg: MediaLeg, track?: MediaStreamTrack): Promise<void> {
    const jsep = await leg.negotiate([
      { type: 'screen', capture: track ?? true, recv: false, add: true },
    ] as JanusJS.TrackOption[])
    const mids = sdpMids(jsep.sdp ?? '')
    const mid = mids.find((m) => m.type === 'video' && !this.publishedMids.has(m.mid))?.mid
    for (const m of mids) this.publishedMids.add(m.mid)
    if (mid === undefined) throw new Error('the browser added no video for the screen')
    await leg.send(
      {
        request: 'configure',
        descriptions: [{ mid, description: streamDescription('screen') }],
      },
      jsep,
    )
    this.screenMid = mid
    const sent = leg.pc?.getTransceivers().find((t) => t.mid === mid)?.sender.track ?? track
    this.screenTrack = sent ?? undefined
    // Ended from the browser's own controls (or the shared window closed).
    if (sent && sent !== track) sent.addEventListener('ended', () => void this.shareScreen(false))
    this.events.emit('localScreen', sent ? new MediaStream([sent]) : undefined)
  }

  private async stopScreen(leg: MediaLeg): Promise<void> {
    const mid = this.screenMid
    this.screenMid = undefined
    this.screenTrack = undefined
    this.events.emit('localScreen', undefined)
    const jsep = await leg.negotiate([
      { type: 'video', mid, remove: true, recv: false },
    ] as JanusJS.TrackOption[])
    await leg.send({ request: 'configure' }, jsep)
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
   * again and diff it against the roster, restart ICE where the network changed, and rebuild
   * the subscription (a subscriber offer lost in the gap wedges its handle).
   */
  async resync(context: RecoveryContext): Promise<void> {
    if (!this.isLive()) return
    this.publisher?.resync(context)
    try {
      const listed = (await this.publisher?.request({
        request: 'listparticipants',
        room: this.options.room,
      })) as { participants?: { id: FeedId; display?: string; publisher?: boolean }[] } | undefined
      const participants = (listed?.participants ?? []).map((p) => ({
        id: p.id,
        display: p.display ?? '',
        publisher: p.publisher === true,
      }))
      this.apply({ type: 'roster', participants })
      // Publishers announced during the gap: their streams are unknown, so ask for all of them.
      for (const p of participants)
        if (p.publisher && (this.stateValue.roster.get(p.id)?.streams.length ?? 1) === 0)
          this.wholeFeeds.add(p.id)
    } catch (error) {
      this.events.emit('error', `Could not read the room again: ${describeMediaError(error)}`)
    }
    await this.rebuildSubscriber()
    // Everyone watching us decodes again from a keyframe, not from the next periodic one.
    await this.publisher?.send({ request: 'configure', keyframe: true }).catch(() => undefined)
    this.reconnected()
  }

  /** After a new session: every handle is gone; join again as the same person. */
  async restore(): Promise<void> {
    if (!this.isLive()) return
    this.publisher?.closeMedia(false)
    this.subscriber?.closeMedia(false)
    this.publisher = undefined
    this.subscriber = undefined
    this.audioMid = undefined
    this.cameraMid = undefined
    this.mids = new Map()
    // The screen being shared is shared again on the new publisher, if its capture lives on.
    const screen = this.screenMid !== undefined ? this.screenTrack : undefined
    this.screenMid = undefined
    this.screenTrack = undefined
    this.session.recordIncident('media-restart', `${this.name}: joining the room again`)
    try {
      await this.joinAsPublisher()
      this.session.recordIncident('media-back', `${this.name}: rejoined the room`)
      this.reconnected(true)
    } catch (error) {
      await this.close('networkDisconnected', describeMediaError(error))
      return
    }
    if (!screen) return
    const leg = this.publisher
    if (screen.readyState === 'live' && leg) {
      try {
        await this.startScreen(leg, screen)
        return
      } catch {
        // Told below.
      }
    }
    this.events.emit('localScreen', undefined)
    this.events.emit('notice', 'Screen sharing stopped when the connection was lost; share again.')
  }

  // ------------------------------------------------------------- publishing

  private async joinAsPublisher(): Promise<void> {
    const leg: MediaLeg = new MediaLeg(this.session, this.gateway, this.clock, {
      plugin: 'janus.plugin.videoroom',
      name: `${this.name}-publisher`,
      ...(this.options.ice ? { ice: this.options.ice } : {}),
      sendRestartOffer: (jsep) => leg.send({ request: 'configure' }, jsep),
      requestKeyframe: () => leg.send({ request: 'configure', keyframe: true }),
      onMessage: (message, jsep) => this.onPublisherMessage(leg, message, jsep),
    })
    this.publisher = leg
    leg.setMuted(this.mutedValue)
    leg.setVideoOff(this.cameraOffValue)
    leg.events.on('localStream', (stream) => this.events.emit('localStream', stream))
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
    if (this.options.audio || this.options.video) await this.publish(leg)
  }

  private async publish(leg: MediaLeg): Promise<void> {
    const jsep = await leg.negotiate([
      { type: 'audio', capture: this.options.audio, recv: false },
      {
        type: 'video',
        capture: this.options.video,
        recv: false,
        simulcast: this.options.video && this.options.simulcast !== false,
      },
    ] as JanusJS.TrackOption[])
    const mids = sdpMids(jsep.sdp ?? '')
    const role = (type: string): StreamRole | undefined =>
      type === 'audio' ? 'microphone' : type === 'video' ? 'camera' : undefined
    const off = (r: StreamRole): boolean =>
      r === 'microphone' ? this.mutedValue : r === 'camera' && this.cameraOffValue
    const descriptions = mids.flatMap(({ mid, type }) => {
      const r = role(type)
      return r ? [{ mid, description: streamDescription(r, off(r)) }] : []
    })
    this.audioMid = mids.find((m) => m.type === 'audio')?.mid
    this.cameraMid = mids.find((m) => m.type === 'video')?.mid
    this.publishedMids = new Set(mids.map((m) => m.mid))
    await leg.send(
      {
        request: 'publish',
        audio: this.options.audio,
        video: this.options.video,
        ...(descriptions.length > 0 ? { descriptions } : {}),
      },
      jsep,
    )
    leg.startMedia()
    // Joined muted (or rejoined with the camera off): the room relays none of it from the start.
    for (const r of ['microphone', 'camera'] as const) {
      const request = off(r) ? this.streamConfigure(r) : undefined
      if (request) await leg.send(request)
    }
  }

  /** Relays our microphone (or camera) or not, and says which in its description. */
  private streamConfigure(role: 'microphone' | 'camera'): Record<string, unknown> | undefined {
    const mid = role === 'microphone' ? this.audioMid : this.cameraMid
    const off = role === 'microphone' ? this.mutedValue : this.cameraOffValue
    if (mid === undefined) return undefined
    return {
      request: 'configure',
      streams: [{ mid, send: !off }],
      descriptions: [{ mid, description: streamDescription(role, off) }],
    }
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
      void this.syncSubscriptions().then(() => this.applyLayers())
  }

  // ------------------------------------------------------------- receiving

  /** Subscribes to feeds not yet received, and drops feeds whose publisher is gone. */
  private async syncSubscriptions(): Promise<void> {
    while (this.subscribing) await this.subscribing
    if (!this.isLive() || this.stateValue.connection.kind === 'joining') return
    const publishers = [...this.stateValue.roster.values()].filter((p) => p.streams.length > 0)
    const subscribedFeeds = new Set([...this.mids.values()].map((m) => m.feedId))
    const wanted: { feed: FeedId; mid?: string }[] = [
      ...missingFeeds(publishers, this.mids),
      ...[...this.wholeFeeds]
        .filter((id) => this.stateValue.roster.has(id) && !subscribedFeeds.has(id))
        .map((feed) => ({ feed })),
    ]
    const live = new Set([...publishers.map((p) => p.id), ...this.wholeFeeds])
    const goneFeeds = [...new Set([...this.mids.values()].map((m) => m.feedId))].filter(
      (id) => !live.has(id),
    )
    const gone: { feed: FeedId; mid?: string }[] = [
      ...goneFeeds.map((feed) => ({ feed })),
      ...staleStreams(publishers, this.mids),
    ]
    if (wanted.length === 0 && gone.length === 0) return
    this.subscribing = this.subscribe(wanted, gone).finally(() => (this.subscribing = undefined))
    await this.subscribing
  }

  private async subscribe(
    wanted: { feed: FeedId; mid?: string }[],
    gone: { feed: FeedId; mid?: string }[],
  ): Promise<void> {
    try {
      const updated = this.once('streams')
      if (!this.subscriber) {
        if (wanted.length === 0) return
        await this.attachSubscriber()
        await this.subscriber!.send({
          request: 'join',
          ptype: 'subscriber',
          room: this.options.room,
          streams: wanted,
          ...(this.privateId !== undefined ? { private_id: this.privateId } : {}),
        })
      } else {
        if (gone.length > 0) await this.subscriber.send({ request: 'unsubscribe', streams: gone })
        if (wanted.length > 0) await this.subscriber.send({ request: 'subscribe', streams: wanted })
      }
      await updated
    } catch (error) {
      this.events.emit('error', `Could not receive the others: ${describeMediaError(error)}`)
    }
  }

  private async attachSubscriber(): Promise<void> {
    const leg: MediaLeg = new MediaLeg(this.session, this.gateway, this.clock, {
      plugin: 'janus.plugin.videoroom',
      name: `${this.name}-subscriber`,
      ...(this.options.ice ? { ice: this.options.ice } : {}),
      // The server makes the subscriber's offers: it restarts ICE when asked.
      restartFromServer: () => leg.send({ request: 'configure', restart: true }),
      onMessage: (message, jsep) => void this.onSubscriberMessage(leg, message, jsep),
    })
    this.subscriber = leg
    this.askedLayers = new Map()
    leg.events.on('remoteTracks', (tracks) => {
      this.remoteTracks = tracks
      this.emitTiles()
    })
    this.frozen = new FrozenFeeds()
    leg.events.on('stats', (stats) => {
      const now = this.clock.now()
      const { judged, silent } = this.expectedMedia()
      const flowing = this.activity.observe(stats.receivedByMid, judged, now)
      // Someone with the camera off and the microphone muted sends nothing: present, not stalled.
      for (const id of silent) flowing.set(id, true)
      for (const [id, on] of flowing) this.apply({ type: 'feed-media', id, flowing: on })
      // Video that stopped while this connection calls itself healthy: ICE will not repair it.
      const healthy =
        stats.connectionState === 'connected' && this.stateValue.connection.kind === 'joined'
      const video = new Map(
        [...flowing].filter(([id]) => this.stateValue.roster.get(id)?.camera === 'on'),
      )
      for (const id of this.frozen.observe(video, healthy, now)) void this.renegotiateFeed(id)
    })
    await leg.attach()
  }

  private async onSubscriberMessage(
    leg: MediaLeg,
    message: JanusJS.Message,
    jsep?: JanusJS.JSEP,
  ): Promise<void> {
    if (leg !== this.subscriber) return
    const event = readSubscriberEvent(message)
    if (event?.type === 'streams') {
      this.mids = midMap(event.streams)
      this.learnStreams()
      this.emitTiles()
    }
    if (event?.type === 'error') {
      this.events.emit('error', event.message)
      this.settle('streams', new Error(event.message))
    }
    if (jsep?.type === 'offer') {
      try {
        const answer = await leg.negotiate([{ type: 'data' }] as JanusJS.TrackOption[], jsep)
        await leg.send({ request: 'start' }, answer)
        leg.startMedia()
      } catch (error) {
        this.events.emit('error', `Could not receive the others: ${describeMediaError(error)}`)
      }
    }
    if (event?.type === 'streams') {
      this.settle('streams')
      void this.applyLayers()
    }
  }

  /** Asks the subscriber for the layer each simulcast video needs, where it changed. */
  private async applyLayers(): Promise<void> {
    const leg = this.subscriber
    if (!leg) return
    const requests = layerRequests(
      this.mids,
      (feed) =>
        this.stateValue.roster
          .get(feed.feedId)
          ?.streams.some((s) => s.mid === feed.feedMid && s.simulcast) === true,
      this.focusedFeed,
      this.askedLayers,
    )
    if (requests.length === 0) return
    for (const r of requests) this.askedLayers.set(r.mid, r.substream)
    try {
      await leg.send({ request: 'configure', streams: requests })
    } catch (error) {
      // Asked again with the next change.
      for (const r of requests) this.askedLayers.delete(r.mid)
      this.events.emit('error', `Could not change a video's quality: ${describeMediaError(error)}`)
    }
  }

  /** What we now receive of feeds subscribed whole tells their streams: put them in the roster. */
  private learnStreams(): void {
    const learnt = new Map<FeedId, PublisherInfo>()
    for (const feed of this.mids.values()) {
      if (!this.wholeFeeds.has(feed.feedId) || feed.feedMid === undefined) continue
      const info = learnt.get(feed.feedId) ?? {
        id: feed.feedId,
        display: feed.display,
        streams: [],
      }
      info.streams.push({
        mid: feed.feedMid,
        type: feed.type,
        ...(feed.description !== undefined ? { description: feed.description } : {}),
        simulcast: false,
        disabled: false,
      })
      learnt.set(feed.feedId, info)
    }
    for (const id of learnt.keys()) this.wholeFeeds.delete(id)
    if (learnt.size > 0) this.apply({ type: 'publishers', publishers: [...learnt.values()] })
  }

  /**
   * The mids whose media should be arriving (not a camera turned off, not a muted
   * microphone), and the feeds from which nothing is expected at all.
   */
  private expectedMedia(): { judged: Map<string, MidFeed>; silent: FeedId[] } {
    const judged = new Map<string, MidFeed>()
    const subscribedFeeds = new Set<FeedId>()
    for (const [mid, feed] of this.mids) {
      subscribedFeeds.add(feed.feedId)
      const who = this.stateValue.roster.get(feed.feedId)
      const off =
        (feed.type === 'video' && who?.camera === 'off') ||
        (feed.type === 'audio' && who?.microphone === 'muted')
      if (!off) judged.set(mid, feed)
    }
    const judgedFeeds = new Set([...judged.values()].map((f) => f.feedId))
    return { judged, silent: [...subscribedFeeds].filter((id) => !judgedFeeds.has(id)) }
  }

  /**
   * Receives one feed afresh (unsubscribed, then subscribed by the next sync): its media
   * stopped while the connection stayed healthy (frozen media, as OpenVidu calls it).
   */
  private async renegotiateFeed(id: FeedId): Promise<void> {
    while (this.subscribing) await this.subscribing
    const leg = this.subscriber
    const who = this.stateValue.roster.get(id)
    if (!leg || !who || who.streams.length === 0 || this.stateValue.connection.kind !== 'joined')
      return
    this.session.recordIncident(
      'media-restart',
      `${this.name}: ${who.display || String(id)}’s video stopped while connected; receiving it afresh`,
    )
    this.subscribing = (async () => {
      const updated = this.once('streams')
      await leg.send({ request: 'unsubscribe', streams: [{ feed: id }] })
      await updated
    })()
      .catch(() => undefined)
      .finally(() => (this.subscribing = undefined))
    await this.subscribing
    await this.syncSubscriptions()
  }

  /** A subscriber handle that missed events cannot be trusted: subscribe afresh on a new one. */
  private async rebuildSubscriber(): Promise<void> {
    const old = this.subscriber
    this.subscriber = undefined
    this.mids = new Map()
    if (old) void old.detach()
    await this.syncSubscriptions()
  }

  // ------------------------------------------------------------- helpers

  private readonly waiters = new Map<string, ((error?: Error) => void)[]>()

  /**
   * Resolves when the plugin said `what` (joined, or a subscription's streams); rejects when
   * it refused, or said nothing for 10 s.
   */
  private once(what: 'joined' | 'streams'): Promise<void> {
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

  private settle(what: 'joined' | 'streams', error?: Error): void {
    for (const done of this.waiters.get(what)?.splice(0) ?? []) done(error)
  }

  private reconnected(rejoined = false): void {
    this.apply({ type: 'reconnected' })
    this.events.emit('reconnected', { rejoined })
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
    const legs = [this.publisher, this.subscriber]
    this.publisher = undefined
    this.subscriber = undefined
    this.audioMid = undefined
    this.cameraMid = undefined
    if (this.screenMid !== undefined) this.events.emit('localScreen', undefined)
    this.screenMid = undefined
    this.screenTrack = undefined
    this.mids = new Map()
    this.remoteTracks = new Map()
    this.emitTiles()
    await Promise.all(legs.map((leg) => leg?.detach()))
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
    // The one shown large left: back to the grid, and the thumbnails' layers with it.
    if (this.focusedFeed !== undefined && !after.roster.has(this.focusedFeed)) {
      this.focusedFeed = undefined
      void this.applyLayers()
    }
    // Those already in the room when we join did not just join: only later news is told.
    if (before.connection.kind !== 'joining')
      for (const change of roomChanges(before, after, leftReason)) this.changes.push(change)
    this.events.emit('state', after)
    this.emitTiles()
  }

  /**
   * One tile per remote participant (its camera and microphone) and one per shared screen,
   * each stream made of the tracks its mids carry.
   */
  private emitTiles(): void {
    const tiles: RoomTile[] = []
    for (const who of this.stateValue.roster.values()) {
      const sent = new Set(who.streams.map((s) => s.mid))
      const screenMids = new Set(
        who.streams.filter((s) => s.type === 'video' && isScreen(s.description)).map((s) => s.mid),
      )
      const bySource = { camera: [] as MediaStreamTrack[], screen: [] as MediaStreamTrack[] }
      for (const [mid, feed] of this.mids) {
        const track = feed.feedId === who.id ? this.remoteTracks.get(mid) : undefined
        // A stream it stopped sending (being unsubscribed) shows nowhere.
        if (!track || (feed.feedMid !== undefined && !sent.has(feed.feedMid))) continue
        bySource[screenMids.has(feed.feedMid ?? '') ? 'screen' : 'camera'].push(track)
      }
      for (const source of ['camera', 'screen'] as const) {
        const key = source === 'camera' ? String(who.id) : `${String(who.id)}:screen`
        const stream = this.tileStream(key, bySource[source])
        // A screen tile only while one is shared; the camera tile always.
        if (source === 'screen' && screenMids.size === 0) continue
        const simulcast = who.streams.some((s) => s.type === 'video' && s.simulcast)
        tiles.push({
          key,
          id: who.id,
          source,
          display: who.display,
          tile: who.tile,
          talking: source === 'camera' && who.talking,
          microphone: who.microphone,
          camera: who.camera,
          focused: source === 'camera' && this.focusedFeed === who.id,
          layer: source === 'camera' && simulcast ? layerFor(who.id, this.focusedFeed) : undefined,
          stream,
        })
      }
    }
    this.events.emit('tiles', tiles)
  }

  /** The tile's stream, kept across updates so its video element keeps playing. */
  private tileStream(key: string, tracks: MediaStreamTrack[]): MediaStream | undefined {
    if (tracks.length === 0) {
      this.streams.delete(key)
      return undefined
    }
    const stream = this.streams.get(key) ?? new MediaStream()
    for (const t of stream.getTracks()) if (!tracks.includes(t)) stream.removeTrack(t)
    for (const t of tracks) if (!stream.getTrackById(t.id)) stream.addTrack(t)
    this.streams.set(key, stream)
    return stream
  }
}
