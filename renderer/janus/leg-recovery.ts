/**
 * A media leg's recovery (issue 13): the ICE restart policy with the call's options, the watch
 * on what arrives (a path that died under a `connected` ICE is restarted too), Janus saying it
 * receives nothing from us, the wait after a claim for media over the old path, the senders'
 * hold while offline, and the stats samples on the injected clock. Started when the leg's
 * media is negotiated, stopped when it ends; the leg (media-leg.ts) owns the handle.
 */
import type { JanusJS } from 'janus-gateway'
import type { Clock, TimerId } from '../core/clock'
import type { Emitter } from '../core/emitter'
import { IceRestartPolicy, defaultIceRestartOptions, hostOf } from '../core/ice-restart-policy'
import type { JanusSession, RecoveryContext } from '../core/janus-session'
import {
  MediaFlowWatch,
  defaultMediaFlowOptions,
  mediaSampleEveryMs,
  stalledSampleEveryMs,
} from '../core/media-flow-watch'
import { ServerSilence } from '../core/server-silence'
import { gatherableAddresses } from './gathering-probe'
import type { MediaLegEvents, MediaLegOptions } from './media-leg'
import { mediaArrived, readCallStats, type CallStats } from './media'
import { holdSendingWhileOffline, type OfflineSendHold } from './offline-send-hold'
import { iceRestartOffer } from './plugin-requests'

/**
 * Media that rose this recently is flowing now; and after a loss, only media that rose this
 * long after it counts as arriving again (the old path's last frames decode a little late).
 */
const flowingNowMs = 300
/**
 * After a claim with the network changed, how long past `flowingNowMs` media is looked for
 * before an ICE restart is made: a flap or a wake on the same network leaves the path working,
 * and a restart there costs the picture a keyframe (issue 13: the room's flap). Chromium
 * answers stats from a cache that lives 50 ms, so this holds two fresh reads at least.
 */
const settleAfterClaimMs = 100

/** Restarts, watches and samples one leg's media while it is negotiated. */
export class LegRecovery {
  private policy: IceRestartPolicy | undefined
  private readonly watch: MediaFlowWatch
  private sampleTimer: TimerId | undefined
  /** A restart was made and media is not back yet: its steps go to the timeline. */
  private restarting = false
  /** On hold: neither side is expected to send. */
  private noMediaExpected = false
  /** Janus saying it receives nothing from us, until it is acted on. */
  private readonly serverSilence = new ServerSilence()
  /** The local address (host:port) of the pair in use at the latest sample. */
  private localAddress: string | undefined
  /**
   * A claim with the network changed waiting on what media shows (read every 25 ms meanwhile):
   * arriving again after `since` keeps the path; nothing by the timer restarts ICE.
   */
  private settling: { since: number; networkChanged: boolean; timer: TimerId } | undefined
  /** The hold on our senders while the host says there is no network (offline-send-hold.ts). */
  private sendHold: OfflineSendHold | undefined

  constructor(
    private readonly session: JanusSession,
    private readonly clock: Clock,
    private readonly options: MediaLegOptions,
    private readonly events: Emitter<MediaLegEvents>,
    private readonly pc: () => RTCPeerConnection | undefined,
  ) {
    // With the camera off and the microphone muted the server's feedback thins to its reports,
    // once a second per stream: a send-only leg waits out more than one.
    this.watch = new MediaFlowWatch(
      options.sendOnly ? { stallAfterMs: 2500 } : defaultMediaFlowOptions,
    )
  }

  /** Media is negotiated on `handle`: restarts, the watch, the send hold and samples begin. */
  start(handle: JanusJS.PluginHandle): void {
    if (this.policy) return
    const policy = new IceRestartPolicy(
      {
        clock: this.clock,
        restart: (reason) => this.restartIce(handle, reason),
        selectedLocalAddress: async () => (await readCallStats(this.pc())).localAddress,
        mediaReceived: async () => this.arrived(await readCallStats(this.pc())),
        gatherableAddresses: () => gatherableAddresses(),
        signallingAlive: () => this.session.mediaStalled(this.options.name),
        ...(this.options.rebuildMedia ? { rebuild: (reason) => this.rebuild(reason) } : {}),
        report: (kind, detail) => {
          this.session.recordIncident(kind, `${this.options.name}: ${detail}`)
          if (kind === 'media-back') {
            this.restarting = false
            // A keyframe now that the path carries media (issue 13): asked before, it could go
            // out on the dead path, and the picture waited for the periodic one, seconds away.
            void this.options.requestKeyframe?.().catch(() => undefined)
            this.events.emit('mediaUp', undefined)
          }
        },
      },
      { ...defaultIceRestartOptions, ...this.options.ice },
    )
    this.policy = policy
    const pc = this.pc()
    pc?.addEventListener('connectionstatechange', () =>
      this.policy?.onConnectionState(pc.connectionState),
    )
    // ICE may have failed before media was negotiated, unheard (an answer whose ack the
    // network took, then the offer answered again after the claim: soak seed 14289's room
    // stayed frozen): the policy starts from where the PeerConnection is, not from `new`.
    const ice = pc?.iceConnectionState
    if (ice === 'disconnected' || ice === 'failed') policy.onIceState(ice)
    else if (pc?.connectionState === 'failed') policy.onConnectionState('failed')
    // Quiet while the host says there is no network: the claim's packet goes first when it is back.
    if (pc)
      this.sendHold = holdSendingWhileOffline(this.session, this.clock, pc, (what) =>
        this.phase(what),
      )
    this.scheduleSample()
  }

  /** Media stops (the call ended or is being rebuilt): no restarts, no samples. */
  stop(): void {
    this.restarting = false
    this.policy?.dispose()
    this.policy = undefined
    if (this.sampleTimer !== undefined) this.clock.clearTimeout(this.sampleTimer)
    this.sampleTimer = undefined
    if (this.settling) this.clock.clearTimeout(this.settling.timer)
    this.settling = undefined
    this.sendHold?.stop()
    this.sendHold = undefined
    this.watch.setPaused(false)
  }

  /** janus.js's `iceState`. */
  onIceState(state: string): void {
    if (this.restarting && state === 'connected') this.phase('ICE connected')
    this.policy?.onIceState(state)
  }

  /** A restart's answer arrived (a step for the timeline). */
  onAnswer(): void {
    if (this.restarting) this.phase('restart answered')
  }

  /** Nothing is expected to arrive for a while (on hold), or it is again. */
  expectNoMedia(paused: boolean): void {
    this.noMediaExpected = paused
    this.watch.setPaused(paused)
  }

  /**
   * Janus stopped receiving our media (a path dead upstream, where nothing arrives to watch
   * on a send-only leg): restart as for a stall; it receiving again is media back.
   */
  onServerReceiving(medium: string, receiving: boolean): void {
    this.serverSilence.report(medium, receiving, this.clock.now())
    // Only where nothing arrives: elsewhere what arrives proves the way back too.
    if (receiving && this.options.sendOnly) this.policy?.onMediaFlowing()
  }

  /** Janus has said for long enough that it receives nothing: a stall (server-silence.ts). */
  private judgeServerSilence(): void {
    if (!this.policy || this.noMediaExpected) return
    const medium = this.serverSilence.lasting(this.clock.now())
    if (medium === undefined) return
    // Our own senders left off after an offline spell explain it without any path at fault.
    const repaired = this.sendHold?.repair() ?? 0
    if (repaired > 0) {
      this.session.recordIncident(
        'media-restart',
        `${this.options.name}: the server stopped receiving our ${medium}; sending again what was left paused`,
      )
      // Janus not receiving it a second later after all: the path is at fault, restart then.
      this.serverSilence.watchAgain(medium, this.clock.now(), 1000)
    } else this.restartForStall(`the server stopped receiving our ${medium}`, this.localAddress)
  }

  /**
   * Another leg of the call lost its media on a path from `localAddress`: from the same host,
   * ours is most likely dead too. A room's publisher, told only by the server's reports, learnt
   * it ~1.5 s after its subscription did (issue 13). `why` goes to the timeline.
   */
  suspectPath(localAddress: string, why: string): void {
    if (!this.policy || this.noMediaExpected || this.localAddress === undefined) return
    if (hostOf(this.localAddress) === hostOf(localAddress)) this.restartForStall(why, undefined)
  }

  /** Media stopped: restart (unless one is under way), and tell the other legs (`pathStalled`). */
  private restartForStall(why: string, deadFrom: string | undefined): void {
    if (!this.policy) return
    // The policy checks the connection before it restarts; with no restart to make, it is
    // still checked now rather than at the next keepalive.
    if (!this.policy.onMediaStalled()) {
      void this.session.mediaStalled(this.options.name)
      return
    }
    this.session.recordIncident('media-restart', `${this.options.name}: ${why}`)
    if (deadFrom !== undefined) this.events.emit('pathStalled', deadFrom)
  }

  /** Signalling went down (the session is reconnecting): restarts wait for it. */
  signallingDown(): void {
    this.policy?.onSignalling(false)
  }

  /**
   * After a claim: the handle lives; restart ICE if the network moved under us or a restart
   * waits for signalling, unless media is arriving right now (a link back as it was, a short
   * sleep, a dead path that came back): a restart would only cost the picture a keyframe.
   */
  resync(context: RecoveryContext): void {
    const { lostAt, networkChanged } = context
    // With the network as it was and no restart held, there is nothing to decide.
    if (lostAt === undefined || !this.policy || (!networkChanged && !this.policy.holdsRestart)) {
      this.policy?.onSignalling(true)
      this.policy?.onSessionReclaimed(networkChanged)
      return
    }
    // A claim comes within milliseconds of the network event, before media could show
    // whether the path still works: it is read every 25 ms until media from before the loss
    // can no longer count, and a little more. Chromium knows a new network only 0.5-2 s after
    // it appears, so a restart made this much later gathers no later (README, issue 13).
    const now = this.clock.now()
    const since = lostAt + flowingNowMs
    const until = Math.max(now, since) + settleAfterClaimMs
    if (this.settling) this.clock.clearTimeout(this.settling.timer)
    this.settling = {
      since,
      networkChanged,
      timer: this.clock.setTimeout(() => this.settle(false), until - now),
    }
    // The network as it was and media stalled (a dead path): the claim came over the path, so
    // media most likely will too, and the gap took the picture's reference with it. The
    // keyframe is asked now, not once media is seen (the picture ~0.1 s sooner).
    if (!networkChanged) void this.options.requestKeyframe?.().catch(() => undefined)
    this.sampleNow()
  }

  /**
   * A claim's wait is over: media arrived again since the loss (not still from before it),
   * or nothing did by the deadline and ICE restarts.
   */
  private settle(flowing: boolean): void {
    const settling = this.settling
    if (!settling) return
    this.settling = undefined
    this.clock.clearTimeout(settling.timer)
    if (!this.policy) return
    if (flowing || this.watch.roseSince(settling.since, this.clock.now(), flowingNowMs)) {
      this.policy.dropHeldRestart()
      this.policy.onSignalling(true)
      this.session.recordIncident(
        'media-back',
        `${this.options.name}: media arrives over the same path after the claim, no ICE restart`,
      )
      // The gap still cost the picture its reference: a keyframe, not a restart (asked at the
      // claim already when the network was as it was).
      if (settling.networkChanged) void this.options.requestKeyframe?.().catch(() => undefined)
      return
    }
    // A restart held for signalling goes now; after a network change one is asked anyway.
    this.policy.onSignalling(true)
    this.policy.onSessionReclaimed(settling.networkChanged)
  }

  /** The policy gave up on ICE restarts: the call builds its media again (its own way). */
  private async rebuild(reason: string): Promise<void> {
    // The policy disposed itself; media started again later makes a new one.
    this.policy = undefined
    this.restarting = true
    await this.options.rebuildMedia?.(reason)
  }

  private async restartIce(handle: JanusJS.PluginHandle, reason: string): Promise<void> {
    this.events.emit('restarting', reason)
    this.restarting = true
    if (this.options.restartFromServer) {
      await this.options.restartFromServer()
      this.phase('restart asked of the server')
    } else {
      await this.options.sendRestartOffer?.(await iceRestartOffer(handle))
      this.phase('restart offer sent')
    }
  }

  /**
   * A step of the recovery under way, for the timeline (issue 13: diagnostics show the same
   * phases as the benchmark).
   */
  private phase(what: string): void {
    this.session.recordIncident('media-phase', `${this.options.name}: ${what}`)
  }

  private scheduleSample(delayMs?: number): void {
    const often = this.watch.stalling || this.settling !== undefined
    this.sampleTimer = this.clock.setTimeout(
      () => {
        this.sampleTimer = undefined
        void this.sample()
      },
      delayMs ?? (often ? stalledSampleEveryMs : mediaSampleEveryMs),
    )
  }

  /** The next read comes now, not at its turn (sampling goes on as before). */
  private sampleNow(): void {
    if (this.sampleTimer === undefined) return
    this.clock.clearTimeout(this.sampleTimer)
    this.scheduleSample(0)
  }

  private async sample(): Promise<void> {
    if (!this.policy) return
    const stats = await readCallStats(this.pc())
    if (!this.policy) return
    const iceHealthy =
      stats.iceConnectionState === 'connected' || stats.iceConnectionState === 'completed'
    const verdict = this.watch.observe({
      at: this.clock.now(),
      received: this.arrived(stats),
      iceHealthy,
    })
    this.localAddress = stats.localAddress
    this.judgeServerSilence()
    // A claim waiting on media: arriving again is known at once, not at the deadline.
    if (this.settling && verdict === 'flowing' && this.clock.now() > this.settling.since)
      this.settle(true)
    if (verdict === 'stalled') {
      this.restartForStall(
        `no media for ${this.watch.stallAfterMs / 1000} s while ICE was connected`,
        stats.localAddress,
      )
      // If the restart does not bring media back, the next stall is told again.
      this.watch.rearm()
    } else if (verdict === 'flowing' && stats.connectionState === 'connected') {
      // What is observed decides: media flowing again is a call back in business, even when
      // the restart policy could not prove the pair moved (a flap on the same network).
      this.events.emit('mediaUp', undefined)
      this.policy.onMediaFlowing()
      // And a path that carries media again most likely carries signalling again too.
      this.session.mediaFlowsAgain(this.options.name)
    }
    this.events.emit('stats', stats)
    this.scheduleSample()
  }

  /**
   * What rises while this leg's media is alive. Nothing arrives on a send-only leg (a room's
   * publisher): the server's feedback on what it receives does (every 200 ms while it
   * receives our media), and it stops when the path dies either way. Janus's silence proves
   * nothing (its "not receiving" may be lost in a gap).
   */
  private arrived(stats: CallStats): number {
    return this.options.sendOnly ? stats.fromServer : mediaArrived(stats)
  }
}
