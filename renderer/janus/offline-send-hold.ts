/**
 * A leg's senders quiet while the host says there is no network, until the session is back or
 * a moment after the network is (core/send-hold.ts says why: the first packet through a new
 * route should be the claim's, not media from a stale address).
 */
import type { Clock } from '../core/clock'
import type { JanusSession } from '../core/janus-session'
import { SendHold, SenderPause } from '../core/send-hold'

/** Starts the hold for this PeerConnection; returns the function that ends it (sending again). */
export function holdSendingWhileOffline(
  session: JanusSession,
  clock: Clock,
  pc: RTCPeerConnection,
  report: (what: string) => void,
): () => void {
  // A pause that fails (the PeerConnection closed meanwhile) leaves nothing to undo.
  const pause = new SenderPause<RTCRtpSendParameters>()
  const hold = new SendHold({
    clock,
    pause: () => {
      if (pause.pause(pc.getSenders()) > 0) report('sending paused, offline')
    },
    resume: () => {
      if (pause.resume() > 0) report('sending again')
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
  return () => {
    for (const off of offs) off()
    hold.dispose()
  }
}
