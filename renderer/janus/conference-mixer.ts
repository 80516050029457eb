/**
 * A three-way call mixed in the page (issue 15): each call sends our microphone plus what the
 * other call's party says, so every party hears the other two; we hear both calls on our own.
 * Janus's SIP plugin relays one stream per call and mixes nothing, so the mix is made here
 * with Web Audio and put on each call's audio sender (`replaceTrack`, no renegotiation).
 */

/** One merged call, as the mixer needs it. */
export interface ConferenceLeg {
  /** The call's PeerConnection: its audio sender gets the mix. */
  pc: RTCPeerConnection
  /** What the call's party sends us. */
  remote: MediaStream | undefined
}

/** Mixes two or more calls into one conference, and undoes it. */
export interface ConferenceMixer {
  /** Each leg sends its own microphone plus every other leg's remote audio. */
  connect(legs: readonly ConferenceLeg[]): Promise<void>
  /** Every leg sends its own microphone again. */
  disconnect(): Promise<void>
}

interface Patched {
  sender: RTCRtpSender
  original: MediaStreamTrack | null
  nodes: AudioNode[]
}

/** The mixer on the page's Web Audio. */
export class WebAudioConferenceMixer implements ConferenceMixer {
  private context: AudioContext | undefined
  private patched: Patched[] = []

  async connect(legs: readonly ConferenceLeg[]): Promise<void> {
    await this.disconnect()
    const context = (this.context ??= new AudioContext())
    await context.resume()
    const parts = legs.map((leg) => {
      const sender = leg.pc.getSenders().find((s) => s.track?.kind === 'audio')
      const mic = sender?.track ?? undefined
      const heard = leg.remote?.getAudioTracks()[0]
      return {
        sender,
        mic: mic && context.createMediaStreamSource(new MediaStream([mic])),
        heard: heard && context.createMediaStreamSource(new MediaStream([heard])),
      }
    })
    for (const [i, part] of parts.entries()) {
      if (!part.sender) continue
      const mix = context.createMediaStreamDestination()
      part.mic?.connect(mix)
      for (const [j, other] of parts.entries()) if (j !== i) other.heard?.connect(mix)
      const original = part.sender.track
      await part.sender.replaceTrack(mix.stream.getAudioTracks()[0] ?? null)
      this.patched.push({
        sender: part.sender,
        original,
        nodes: [mix, ...(part.mic ? [part.mic] : []), ...(part.heard ? [part.heard] : [])],
      })
    }
  }

  async disconnect(): Promise<void> {
    const patched = this.patched
    this.patched = []
    for (const { sender, original, nodes } of patched) {
      // A call that ended meanwhile has a closed sender: nothing to give back.
      await sender.replaceTrack(original).catch(() => undefined)
      for (const node of nodes) node.disconnect()
    }
  }
}
