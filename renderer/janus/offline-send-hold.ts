/**
 * A leg's senders quiet while the host says there is no network, until the session is back or
 * a moment after the network is (core/send-hold.ts says why: the first packet through a new
 * route should be the claim's, not media from a stale address).
 */
import type { Clock } from '../core/clock'
import type { JanusSession } from '../core/janus-session'
import { SendHold, SenderPause } from '../core/send-hold'

/** A leg's hold: `stop` ends it (sending again); `repair` restores senders left off (send-hold.ts). */
export interface OfflineSendHold {
  stop(): void
  repair(): number
}

/** Starts the hold for this PeerConnection. */
export function holdSendingWhileOffline(
  session: JanusSession,
  clock: Clock,
  pc: RTCPeerConnection,
  report: (what: string) => void,
): OfflineSendHold {
  // A change that fails goes to the timeline: a resume refused leaves the camera off. Not on a
  // PeerConnection already closed (its call ended, or its session was made again): its senders
  // refuse every change and send nothing anyway, so the refusal says nothing a person could use.
  const pause = new SenderPause<RTCRtpSendParameters>((error) => {
    if (pc.signalingState === 'closed') return
    report(
      `sending could not be changed: ${error instanceof Error ? error.message : String(error)}`,
    )
  })
  const hold = new SendHold({
    clock,
    pause: () => {
      if (pause.pause(pc.getSenders()) > 0) report('sending paused, offline')
    },
    resume: () => {
      if (pause.resume() > 0 && pc.signalingState !== 'closed') report('sending again')
    },
  })
  const offs = [
    session.events.on('hostSignal', (event) => hold.onSignal(event.type)),
    // `recovering`: the session is ours on a new socket, its packets through the new route.
    session.events.on('state', (state) => {
      if (['recovering', 'connected', 'failed', 'closed'].includes(state.kind))
        hold.onSessionSettled()
    }),
  ]
  return {
    stop: () => {
      for (const off of offs) off()
      hold.dispose()
    },
    repair: () => (hold.holding ? 0 : pause.repair()),
  }
}
