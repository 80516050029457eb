/** Reading a call's health from WebRTC stats, and media errors in words. */

/** What the UI and tests read about a call. */
export interface CallStats {
  framesDecoded: number
  audioPacketsReceived: number
  audioPacketsSent: number
  connectionState: string
  iceConnectionState: string
  localAddress?: string
  remoteAddress?: string
  /** What arrived per mid (video frames decoded, audio packets), for calls that receive many. */
  receivedByMid: Record<string, number>
  /** Audio packets lost so far (for the call-quality indicator). */
  audioPacketsLost?: number
  /** Inbound audio jitter, in ms. */
  jitterMs?: number
  /**
   * The sound energy received so far (the sum of inbound `totalAudioEnergy`): it rises only
   * while something is heard, not with packets of silence.
   */
  audioEnergyIn?: number
  /** Round trip on the selected candidate pair, in ms. */
  roundTripMs?: number
  /**
   * What the server sends back about what we send, counted in packets: on the transport (not
   * STUN) that is RTCP, transport-wide congestion feedback every 200 ms while Janus receives
   * our media beside receiver reports once a second per stream. Where the browser counts no
   * transport packets, the receiver reports alone. Rising while our media reaches the server
   * and its answers reach us: a send-only leg's only sign of a working path.
   */
  fromServer: number
}

/** Samples the PeerConnection's stats. */
export async function readCallStats(pc: RTCPeerConnection | undefined): Promise<CallStats> {
  const stats: CallStats = {
    framesDecoded: 0,
    audioPacketsReceived: 0,
    audioPacketsSent: 0,
    connectionState: pc?.connectionState ?? 'closed',
    iceConnectionState: pc?.iceConnectionState ?? 'closed',
    receivedByMid: {},
    fromServer: 0,
  }
  if (!pc) return stats
  const report = await pc.getStats()
  let selectedPairId: string | undefined
  let reports = 0
  let transportPackets: number | undefined
  report.forEach((entry: Record<string, unknown>) => {
    if (entry.type === 'inbound-rtp') {
      const got = Number(
        (entry.kind === 'video' ? entry.framesDecoded : entry.packetsReceived) ?? 0,
      )
      if (entry.kind === 'video') stats.framesDecoded += got
      else {
        stats.audioPacketsReceived += got
        stats.audioPacketsLost = (stats.audioPacketsLost ?? 0) + Number(entry.packetsLost ?? 0)
        if (typeof entry.jitter === 'number')
          stats.jitterMs = Math.max(stats.jitterMs ?? 0, entry.jitter * 1000)
        if (typeof entry.totalAudioEnergy === 'number')
          stats.audioEnergyIn = (stats.audioEnergyIn ?? 0) + entry.totalAudioEnergy
      }
      if (typeof entry.mid === 'string')
        stats.receivedByMid[entry.mid] = (stats.receivedByMid[entry.mid] ?? 0) + got
    }
    if (entry.type === 'remote-inbound-rtp')
      reports += Number(entry.reportsReceived ?? entry.roundTripTimeMeasurements ?? 0)
    if (entry.type === 'outbound-rtp' && entry.kind === 'audio')
      stats.audioPacketsSent += Number(entry.packetsSent ?? 0)
    if (entry.type === 'transport' && typeof entry.selectedCandidatePairId === 'string')
      selectedPairId = entry.selectedCandidatePairId
    // The transport's count goes on across ICE restarts (a candidate pair's starts again).
    if (entry.type === 'transport' && typeof entry.packetsReceived === 'number')
      transportPackets = (transportPackets ?? 0) + entry.packetsReceived
  })
  stats.fromServer = transportPackets ?? reports
  const pair = selectedPairId
    ? (report.get(selectedPairId) as Record<string, unknown> | undefined)
    : undefined
  if (pair) {
    if (typeof pair.currentRoundTripTime === 'number')
      stats.roundTripMs = pair.currentRoundTripTime * 1000
    const local = report.get(String(pair.localCandidateId)) as Record<string, unknown> | undefined
    const remote = report.get(String(pair.remoteCandidateId)) as Record<string, unknown> | undefined
    if (local) stats.localAddress = `${String(local.address ?? local.ip)}:${String(local.port)}`
    if (remote)
      stats.remoteAddress = `${String(remote.address ?? remote.ip)}:${String(remote.port)}`
  }
  return stats
}

/** What counts as media arriving, for every kind of call: video frames and audio packets. */
export function mediaArrived(stats: CallStats): number {
  return stats.framesDecoded + stats.audioPacketsReceived
}

/**
 * A request failed because the connection (or the session) was lost under it, not because
 * Janus refused it: the session core's words as janus.js passes them on ("490 The connection
 * was lost before Janus answered", "The session was lost", or 458 for a janus.js instance
 * bound to a session that was replaced). Such a step is made again once the session is back.
 */
export function lostWithConnection(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error)
  return /lost before Janus answered|the session was lost|^458\b/i.test(text)
}

/** Turns getUserMedia and WebRTC failures into something a person can act on. */
export function describeMediaError(error: unknown): string {
  const name =
    error && typeof error === 'object' && 'name' in error
      ? String((error as { name: unknown }).name)
      : ''
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera or microphone access was denied. Allow it in the browser or system settings and try again.'
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera or microphone was found. Connect one, or turn video off, and try again.'
    case 'NotReadableError':
      return 'The camera or microphone is in use by another application.'
    default:
      return error instanceof Error ? error.message : String(error)
  }
}

/**
 * The camera and microphone as they would be published, for a look before joining; stop its
 * tracks when done.
 */
export function capturePreview(audio: boolean, video: boolean): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({ audio, video })
}
