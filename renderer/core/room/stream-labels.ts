/**
 * How a participant's streams are labelled for the room, and what others read from the
 * labels. Janus 1.1.x relays a publisher's per-stream `description` to everyone (and again
 * when `configure` changes it), and has no other field others see change, so a muted
 * microphone or a camera turned off is said in its description: "Microphone (muted)",
 * "Camera (off)".
 */
import type { FeedStream } from './videoroom-events'

/** What a published stream carries. */
export type StreamRole = 'microphone' | 'camera' | 'screen'

/** A participant's microphone as others see it. */
export type MicrophoneState = 'on' | 'muted' | 'none'

/** A participant's camera as others see it. */
export type CameraState = 'on' | 'off' | 'none'

const names: Record<StreamRole, string> = {
  microphone: 'Microphone',
  camera: 'Camera',
  screen: 'Screen',
}
/** What a stream's description adds when it is turned off. */
const offMarks: Record<StreamRole, string> = {
  microphone: ' (muted)',
  camera: ' (off)',
  screen: '',
}

/** The description we publish a stream with (turned off: "Microphone (muted)", "Camera (off)"). */
export function streamDescription(role: StreamRole, off = false): string {
  return `${names[role]}${off ? offMarks[role] : ''}`
}

/** Whether a published stream is a shared screen (shown as a tile of its own). */
export function isScreen(description: string | undefined): boolean {
  return description === names.screen
}

/** A publisher's microphone, read from its streams: no audio stream reads `none`. */
export function microphoneOf(streams: readonly FeedStream[]): MicrophoneState {
  const audio = streams.find((s) => s.type === 'audio')
  if (!audio) return 'none'
  return audio.description === streamDescription('microphone', true) ? 'muted' : 'on'
}

/** A publisher's camera (its video that is not a shared screen), read from its streams. */
export function cameraOf(streams: readonly FeedStream[]): CameraState {
  const camera = streams.find((s) => s.type === 'video' && !isScreen(s.description))
  if (!camera) return 'none'
  return camera.description === streamDescription('camera', true) ? 'off' : 'on'
}

/** Words for a tile's camera, or nothing when it is on. */
export function describeCamera(state: CameraState): string | undefined {
  return state === 'off' ? 'camera off' : undefined
}

/** Words for a tile's microphone, or nothing when it is on. */
export function describeMicrophone(state: MicrophoneState): string | undefined {
  return state === 'muted' ? 'microphone off' : state === 'none' ? 'no microphone' : undefined
}

/** The m-lines of an SDP with their mids, in order (`a=mid:` of each `m=` section). */
export function sdpMids(sdp: string): { mid: string; type: FeedStream['type'] }[] {
  const found: { mid: string; type: FeedStream['type'] }[] = []
  let type: FeedStream['type'] | undefined
  for (const line of sdp.split(/\r?\n/)) {
    const media = /^m=(audio|video|application) /.exec(line)
    if (media) type = media[1] === 'application' ? 'data' : (media[1] as 'audio' | 'video')
    const mid = /^a=mid:(\S+)/.exec(line)
    if (mid && type) {
      found.push({ mid: mid[1]!, type })
      type = undefined
    }
  }
  return found
}
