/**
 * The tracks of one media leg as janus.js reports them: ours as one stream, the other side's
 * by mid (a room receives many) and as one stream of the latest track of each kind (a call with
 * one other side). Each change is told through `emit`; maps and streams are what the UI binds.
 */
import type { Emitter } from '../core/emitter'

/** What the tracks tell, a subset of the leg's events. */
export interface LegTrackEvents extends Record<string, unknown> {
  remoteTracks: ReadonlyMap<string, MediaStreamTrack>
  remoteStream: MediaStream | undefined
  localStream: MediaStream | undefined
}

/** Keeps a leg's local and remote tracks and tells every change. */
export class LegTracks {
  private remote = new Map<string, MediaStreamTrack>()
  private combined: MediaStream | undefined
  private local: MediaStream | undefined

  constructor(private readonly events: Pick<Emitter<LegTrackEvents>, 'emit'>) {}

  /** The latest remote track of each kind, as one stream. */
  get remoteStream(): MediaStream | undefined {
    return this.combined
  }

  /** Our tracks in this call. */
  get localStream(): MediaStream | undefined {
    return this.local
  }

  /** janus.js's `onlocaltrack`. */
  onLocalTrack(track: MediaStreamTrack, on: boolean): void {
    this.local ??= new MediaStream()
    if (on) this.local.addTrack(track)
    else this.local.removeTrack(track)
    this.events.emit('localStream', this.local)
  }

  /** janus.js's `onremotetrack`. */
  onRemoteTrack(track: MediaStreamTrack, mid: string, on: boolean): void {
    const next = new Map(this.remote)
    if (on) next.set(mid, track)
    else if (next.get(mid)?.id === track.id) next.delete(mid)
    this.remote = next
    this.events.emit('remoteTracks', next)
    this.combined ??= new MediaStream()
    if (on) {
      for (const existing of this.combined.getTracks())
        if (existing.kind === track.kind && existing.id !== track.id)
          this.combined.removeTrack(existing)
      if (!this.combined.getTrackById(track.id)) this.combined.addTrack(track)
    } else this.combined.removeTrack(track)
    this.events.emit('remoteStream', this.combined)
  }

  /** janus.js's `oncleanup`: the PeerConnection is gone with its remote tracks. */
  clearRemote(): void {
    this.remote = new Map()
    this.combined = undefined
    this.events.emit('remoteTracks', this.remote)
    this.events.emit('remoteStream', undefined)
  }
}
