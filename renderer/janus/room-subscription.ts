/**
 * The receiving side of a video room: one multistream subscriber handle for every other
 * participant's feeds, kept in step with the room's roster (subscribe, unsubscribe, streams a
 * publisher stopped), each feed judged live or stalled from what arrives, frozen video
 * received afresh, a simulcast layer asked per tile, and the tiles the UI draws. The room
 * (RoomCall) owns the state; this asks it and feeds it actions.
 */
import type { JanusJS } from 'janus-gateway'
import type { Clock } from '../core/clock'
import type { IceRestartOptions } from '../core/ice-restart-policy'
import type { JanusSession, RecoveryContext } from '../core/janus-session'
import { FeedActivity } from '../core/room/feed-activity'
import { FrozenFeeds } from '../core/room/frozen-feeds'
import { layerFor, layerRequests, type Layer } from '../core/room/layers'
import {
  expectedMedia,
  keyframeRequests,
  midMap,
  missingFeeds,
  staleStreams,
  streamsLearnt,
  type MidFeed,
} from '../core/room/mid-map'
import { inRoom, type RoomAction, type RoomState, type TileState } from '../core/room/room-state'
import { isScreen, type CameraState, type MicrophoneState } from '../core/room/stream-labels'
import { readSubscriberEvent, type FeedId } from '../core/room/videoroom-events'
import type { Gateway } from './gateway'
import { describeMediaError, lostWithConnection } from './media'
import { MediaLeg } from './media-leg'
import { SubscriberInStep } from './subscriber-in-step'

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

/** What the subscription needs from its room. */
export interface RoomSubscriptionHost {
  session: JanusSession
  gateway: () => Promise<Gateway>
  clock: Clock
  name: string
  room: number
  ice?: Partial<IceRestartOptions>
  state(): RoomState
  apply(action: RoomAction): void
  /** Our publisher's private id, which ties the subscription to it. */
  privateId(): number | undefined
  error(message: string): void
  tiles(tiles: RoomTile[]): void
  /** The others' media stopped under a connected ICE, from this local address (host:port). */
  pathStalled(localAddress: string): void
}

export class RoomSubscription {
  private leg: MediaLeg | undefined
  private mids = new Map<string, MidFeed>()
  private remoteTracks: ReadonlyMap<string, MediaStreamTrack> = new Map()
  /** Each tile's stream, by tile key. */
  private readonly streams = new Map<string, MediaStream>()
  private readonly activity = new FeedActivity()
  private frozen = new FrozenFeeds()
  /** A subscription request is on its way: the next sync waits for its answer. */
  private subscribing: Promise<void> | undefined
  /** The feed shown large, if any. */
  private focusedFeed: FeedId | undefined
  /** The layer last asked for each simulcast mid of the current subscriber. */
  private askedLayers = new Map<string, Layer>()
  /** Publishers whose streams we do not know (announced while we were away): subscribe whole. */
  private readonly wholeFeeds = new Set<FeedId>()
  private readonly waiters: ((error?: Error) => void)[] = []
  /** The check after a claim that a kept handle is still in step with the server. */
  private readonly inStep: SubscriberInStep
  /** Resyncs begun (one per claim): one that a later claim's overtook leaves the choice to it. */
  private resyncs = 0

  constructor(private readonly host: RoomSubscriptionHost) {
    this.inStep = new SubscriberInStep(host.clock)
  }

  /** Brings the subscription in step with the roster, then the layers with the tiles. */
  async sync(): Promise<void> {
    await this.syncSubscriptions()
    await this.applyLayers()
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

  /** The room changed: a participant shown large who left takes the focus with them. */
  roomChanged(state: RoomState): void {
    if (this.focusedFeed !== undefined && !state.roster.has(this.focusedFeed)) {
      this.focusedFeed = undefined
      void this.applyLayers()
    }
    this.emitTiles()
  }

  /** Publishers that came during a gap: their streams are unknown, so all are asked for. */
  receiveWhole(ids: readonly FeedId[]): void {
    for (const id of ids) this.wholeFeeds.add(id)
  }

  signallingDown(): void {
    this.leg?.signallingDown()
  }

  /** Our publisher's path from `localAddress` died: ours most likely did too (MediaLeg). */
  suspectPath(localAddress: string): void {
    this.leg?.suspectPath(localAddress, 'the server stopped receiving ours over the same address')
  }

  /** After a new session the handle is gone: forget it (its media closed, tracks kept). */
  drop(): void {
    this.leg?.closeMedia(false)
    this.leg = undefined
    this.mids = new Map()
  }

  /** The visit is over: lets the handle go and clears the tiles. */
  async detach(): Promise<void> {
    const leg = this.leg
    this.leg = undefined
    this.mids = new Map()
    this.remoteTracks = new Map()
    this.emitTiles()
    await leg?.detach()
  }

  /** Resolves when the plugin told the subscription's streams; rejects on refusal or 10 s. */
  private once(): Promise<void> {
    const told = new Promise<void>((resolve, reject) => {
      const timer = this.host.clock.setTimeout(
        () => reject(new Error('The room did not answer (streams)')),
        10_000,
      )
      this.waiters.push((error) => {
        this.host.clock.clearTimeout(timer)
        if (error) reject(error)
        else resolve()
      })
    })
    // Settled before its caller awaits it (a request still on its way when the change was cut
    // short, or one that failed before the wait): not an unhandled rejection.
    told.catch(() => undefined)
    return told
  }

  private settle(error?: Error): void {
    for (const done of this.waiters.splice(0)) done(error)
  }

  /** Subscribes to feeds not yet received, and drops feeds whose publisher is gone. */
  private async syncSubscriptions(): Promise<void> {
    while (this.subscribing) await this.subscribing
    const state = this.host.state()
    if (!inRoom(state) || state.connection.kind === 'joining') return
    const publishers = [...state.roster.values()].filter((p) => p.streams.length > 0)
    const subscribedFeeds = new Set([...this.mids.values()].map((m) => m.feedId))
    const wanted: { feed: FeedId; mid?: string }[] = [
      ...missingFeeds(publishers, this.mids),
      ...[...this.wholeFeeds]
        .filter((id) => state.roster.has(id) && !subscribedFeeds.has(id))
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
    let fresh: MediaLeg | undefined
    try {
      const updated = this.once()
      if (!this.leg) {
        if (wanted.length === 0) return
        fresh = await this.attachSubscriber()
        const privateId = this.host.privateId()
        await fresh.send({
          request: 'join',
          ptype: 'subscriber',
          room: this.host.room,
          streams: wanted,
          ...(privateId !== undefined ? { private_id: privateId } : {}),
        })
      } else {
        if (gone.length > 0) await this.leg.send({ request: 'unsubscribe', streams: gone })
        if (wanted.length > 0) await this.leg.send({ request: 'subscribe', streams: wanted })
      }
      await updated
    } catch (error) {
      // A handle whose join failed (refused, or lost with the connection) is let go, never
      // kept half-made: kept, it would sit on the server as a VideoRoom handle in no role,
      // and every later subscribe would go to it. The next sync attaches afresh.
      // An attach that failed left a leg with no handle: let go of it too.
      const broken = fresh ?? (this.leg && !this.leg.handle ? this.leg : undefined)
      if (broken && this.leg === broken) {
        this.leg = undefined
        this.mids = new Map()
        void broken.detach()
      }
      // Lost with the connection, it is made again after the claim: no banner for that.
      if (!lostWithConnection(error))
        this.host.error(`Could not receive the others: ${describeMediaError(error)}`)
      this.host.session.recordIncident(
        'error',
        `${this.host.name}-subscriber: ${describeMediaError(error)}`,
      )
    }
  }

  private async attachSubscriber(): Promise<MediaLeg> {
    const leg: MediaLeg = new MediaLeg(this.host.session, this.host.gateway, this.host.clock, {
      plugin: 'janus.plugin.videoroom',
      name: `${this.host.name}-subscriber`,
      ...(this.host.ice ? { ice: this.host.ice } : {}),
      // The server makes the subscriber's offers: it restarts ICE when asked.
      restartFromServer: () => leg.send({ request: 'configure', restart: true }),
      requestKeyframe: async () => {
        const streams = keyframeRequests(this.mids)
        if (leg === this.leg && streams.length > 0)
          await leg.send({ request: 'configure', streams })
      },
      onMessage: (message, jsep) => void this.onSubscriberMessage(leg, message, jsep),
      // ICE restarts that keep the stale address: subscribe afresh on a new handle.
      rebuildMedia: async () => {
        if (leg === this.leg) await this.rebuild()
      },
    })
    this.leg = leg
    this.askedLayers = new Map()
    leg.events.on('pathStalled', (address) => this.host.pathStalled(address))
    leg.events.on('remoteTracks', (tracks) => {
      this.remoteTracks = tracks
      this.emitTiles()
    })
    this.frozen = new FrozenFeeds()
    let nothingExpected = false
    leg.events.on('stats', (stats) => {
      const now = this.host.clock.now()
      const { judged, silent } = expectedMedia(this.mids, this.host.state().roster)
      // Everyone we receive has the camera off and the microphone muted: nothing arrives, and
      // that is no dead path (it restarted ICE, and with it our publisher's, again and again).
      const expecting = [...judged.values()].some((f) => f.type === 'audio' || f.type === 'video')
      if (expecting === nothingExpected) leg.expectNoMedia((nothingExpected = !expecting))
      const flowing = this.activity.observe(stats.receivedByMid, judged, now)
      // Someone with the camera off and the microphone muted sends nothing: present, not stalled.
      for (const id of silent) flowing.set(id, true)
      for (const [id, on] of flowing) this.host.apply({ type: 'feed-media', id, flowing: on })
      // Video that stopped while this connection calls itself healthy: ICE will not repair it.
      const healthy =
        stats.connectionState === 'connected' && this.host.state().connection.kind === 'joined'
      const video = new Map(
        [...flowing].filter(([id]) => this.host.state().roster.get(id)?.camera === 'on'),
      )
      for (const id of this.frozen.observe(video, healthy, now)) void this.renegotiateFeed(id)
    })
    await leg.attach()
    return leg
  }

  private async onSubscriberMessage(
    leg: MediaLeg,
    message: JanusJS.Message,
    jsep?: JanusJS.JSEP,
  ): Promise<void> {
    if (leg !== this.leg) return
    if (message.videoroom === 'event' && message.configured === 'ok')
      this.inStep.configured(jsep?.type === 'offer')
    const event = readSubscriberEvent(message)
    if (event?.type === 'streams') {
      this.mids = midMap(event.streams)
      this.learnStreams()
      this.emitTiles()
    }
    if (event?.type === 'error') {
      this.host.error(event.message)
      this.settle(new Error(event.message))
    }
    if (jsep?.type === 'offer') {
      try {
        const answer = await leg.negotiate([{ type: 'data' }] as JanusJS.TrackOption[], jsep)
        await leg.send({ request: 'start' }, answer)
        leg.startMedia()
      } catch (error) {
        // Lost with the connection, it is made again after the claim; on a handle let go
        // meanwhile (built again: Janus answers 462), the new one answers its own: no banner.
        if (!lostWithConnection(error) && leg === this.leg)
          this.host.error(`Could not receive the others: ${describeMediaError(error)}`)
        this.host.session.recordIncident(
          'error',
          `${this.host.name}-subscriber: answering the server's offer: ${describeMediaError(error)}`,
        )
      }
    }
    if (event?.type === 'streams') {
      this.settle()
      void this.applyLayers()
    }
  }

  /** Asks the subscriber for the layer each simulcast video needs, where it changed. */
  private async applyLayers(): Promise<void> {
    const leg = this.leg
    if (!leg) return
    const requests = layerRequests(
      this.mids,
      (feed) =>
        this.host
          .state()
          .roster.get(feed.feedId)
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
      this.host.error(`Could not change a video's quality: ${describeMediaError(error)}`)
    }
  }

  /** What we now receive of feeds subscribed whole tells their streams: put them in the roster. */
  private learnStreams(): void {
    const learnt = streamsLearnt(this.mids, this.wholeFeeds)
    for (const info of learnt) this.wholeFeeds.delete(info.id)
    if (learnt.length > 0) this.host.apply({ type: 'publishers', publishers: learnt })
  }

  /**
   * Receives one feed afresh (unsubscribed, then subscribed by the next sync): its media
   * stopped while the connection stayed healthy (frozen media, as OpenVidu calls it).
   */
  private async renegotiateFeed(id: FeedId): Promise<void> {
    while (this.subscribing) await this.subscribing
    const leg = this.leg
    const who = this.host.state().roster.get(id)
    if (!leg || !who || who.streams.length === 0 || this.host.state().connection.kind !== 'joined')
      return
    this.host.session.recordIncident(
      'media-restart',
      `${this.host.name}: ${who.display || String(id)}’s video stopped while connected; receiving it afresh`,
    )
    this.subscribing = (async () => {
      const updated = this.once()
      await leg.send({ request: 'unsubscribe', streams: [{ feed: id }] })
      await updated
    })()
      .catch(() => undefined)
      .finally(() => (this.subscribing = undefined))
    await this.subscribing
    await this.syncSubscriptions()
  }

  /**
   * After a claim: the subscriber handle is kept when the network changed (a flap, a switch, a
   * wake), nobody came or went during the gap and it is still in step with the server (the
   * media flows on: a flap costs no picture), with ICE restarted where the path moved.
   * Otherwise it is built again: an offer Janus made it during the gap was lost, and Janus
   * then postpones every later offer until that one is answered, so the handle would never
   * change again; when someone left and someone joined, Janus gives the newcomer the leaver's
   * m-lines in offers that race our claim's own, which a kept handle did not survive (media
   * from the newcomer only after three ICE restarts, ~7 s, in the room test of that case); and
   * after a path that died with the network as it was (a dead path, a cut socket), a kept
   * handle got packets but no complete frame for up to 4.6 s (2 runs of 8; rebuilt, Ann saw
   * Ben again in 0.11-0.21 s in 4 of 4).
   */
  async resync(context: RecoveryContext, roomChanged: boolean): Promise<void> {
    const leg = this.leg
    const resync = ++this.resyncs
    if (!leg?.handle) return this.rebuild()
    const name = `${this.host.name}-subscriber`
    const why = roomChanged
      ? 'the room changed while we were away'
      : this.subscribing
        ? 'a change to what we receive was cut short'
        : !context.networkChanged
          ? 'the connection died under it'
          : (await this.inStep.check(leg))
            ? undefined
            : "the server's offer was lost while we were away"
    // A later claim's resync has its own check: the newest one decides.
    if (leg !== this.leg || resync !== this.resyncs) return
    if (why) {
      this.host.session.recordIncident(
        'media-restart',
        `${name}: ${why}; receiving the others afresh`,
      )
      return this.rebuild()
    }
    this.host.session.recordIncident('signal', `${name}: still in step after the claim, kept`)
    leg.resync(context)
    await this.syncSubscriptions()
  }

  /** A subscriber handle that missed events cannot be trusted: subscribe afresh on a new one. */
  async rebuild(): Promise<void> {
    const old = this.leg
    this.leg = undefined
    this.mids = new Map()
    if (old) void old.detach()
    // A change still waiting for its answer on the old handle ends now: it is made again on the
    // new one. Waited out, its 10 s kept the session "Restoring" that long after a claim (soak
    // seed 777: a change cut short by a flap, the subscription built again only at its timeout).
    this.settle(new Error('The change was lost before Janus answered; made again'))
    await this.syncSubscriptions()
  }

  /**
   * One tile per remote participant (its camera and microphone) and one per shared screen,
   * each stream made of the tracks its mids carry.
   */
  emitTiles(): void {
    const tiles: RoomTile[] = []
    for (const who of this.host.state().roster.values()) {
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
    this.host.tiles(tiles)
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
