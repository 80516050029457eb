import { describe, expect, it } from 'vitest'
import { Emitter } from '../../renderer/core/emitter'
import type { JanusSession, SessionEvents } from '../../renderer/core/janus-session'
import { holdSendingWhileOffline } from '../../renderer/janus/offline-send-hold'
import { FakeClock } from './support/fake-clock'

/** A PeerConnection's sender as far as the hold uses it; a closed connection's refuses changes. */
function fakePeerConnection(): {
  pc: RTCPeerConnection
  close(): void
  sent: boolean[][]
} {
  let closed = false
  let encodings: RTCRtpEncodingParameters[] = [{ active: true }]
  const sent: boolean[][] = []
  const sender = {
    track: {},
    getParameters: () => ({ encodings: encodings.map((encoding) => ({ ...encoding })) }),
    setParameters: (parameters: { encodings: RTCRtpEncodingParameters[] }) => {
      if (closed)
        return Promise.reject(new Error("Failed to execute 'setParameters': stopped sender"))
      sent.push(parameters.encodings.map((encoding) => encoding.active !== false))
      encodings = parameters.encodings
      return Promise.resolve()
    },
  }
  const pc = {
    get signalingState() {
      return closed ? 'closed' : 'stable'
    },
    getSenders: () => [sender],
  } as unknown as RTCPeerConnection
  return { pc, close: () => (closed = true), sent }
}

const applied = () => new Promise((resolve) => setImmediate(resolve))

describe('a leg quiet while the host says offline', () => {
  it('pauses on offline and sends again once the session is back', async () => {
    const events = new Emitter<SessionEvents>()
    const session = { events } as unknown as JanusSession
    const { pc, sent } = fakePeerConnection()
    const timeline: string[] = []
    const hold = holdSendingWhileOffline(session, new FakeClock(), pc, (what) =>
      timeline.push(what),
    )
    events.emit('hostSignal', { type: 'offline' })
    await applied()
    events.emit('state', { kind: 'connected', sessionId: 1 })
    await applied()
    expect(sent).toEqual([[false], [true]])
    expect(timeline).toEqual(['sending paused, offline', 'sending again'])
    hold.stop()
  })

  it('says nothing of a resume its closed PeerConnection refused, and tells a live one refusing', async () => {
    const events = new Emitter<SessionEvents>()
    const session = { events } as unknown as JanusSession
    const closing = fakePeerConnection()
    const closedTimeline: string[] = []
    const closedHold = holdSendingWhileOffline(session, new FakeClock(), closing.pc, (what) =>
      closedTimeline.push(what),
    )
    events.emit('hostSignal', { type: 'offline' })
    await applied()
    // The session is made again and the call's PeerConnection closed before the hold ends.
    closing.close()
    closedHold.stop()
    await applied()
    expect(closedTimeline).toEqual(['sending paused, offline'])

    const live = fakePeerConnection()
    const liveTimeline: string[] = []
    const liveHold = holdSendingWhileOffline(session, new FakeClock(), live.pc, (what) =>
      liveTimeline.push(what),
    )
    const refusing = live.pc.getSenders()[0] as unknown as { setParameters: () => Promise<void> }
    refusing.setParameters = () => Promise.reject(new Error('refused'))
    events.emit('hostSignal', { type: 'offline' })
    await applied()
    expect(liveTimeline).toContain('sending could not be changed: refused')
    liveHold.stop()
  })
})
