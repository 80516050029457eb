/**
 * The baseline `npm run bench:room` compares Holdfast's rooms with: janus.js alone, written
 * the way a careful integrator would from janus.js's multistream VideoRoom demo. One publisher
 * handle and one multistream subscriber handle; publishers announced are subscribed to, those
 * leaving unsubscribed. Recovery: reconnect() (a claim) on the gateway's error with a 1, 2,
 * 4 ... s backoff and at once on the browser's `online`; after a claim, ICE restarts on both
 * handles; an ICE restart when a PeerConnection fails or stays disconnected for 4 s; a
 * subscriber that reports an error is rebuilt on a new handle; a session that could not be
 * claimed is replaced and the room joined again. It records what happened in
 * window.__baseline for the benchmark.
 */
import Janus, { type JanusJS } from 'janus-gateway'
import adapter from 'webrtc-adapter'

type Kind =
  'connected' | 'loss' | 'online' | 'reconnected' | 'rejoined' | 'ice-restart' | 'resubscribe'
interface BaselineEvent {
  at: number
  kind: Kind
  detail: string
}

const params = new URLSearchParams(location.search)
const server = params.get('server') ?? 'ws://127.0.0.1:8188'
const display = params.get('name') ?? 'Guest'
const room = Number(params.get('room') ?? 1234)
const events: BaselineEvent[] = []
const log = (kind: Kind, detail = ''): void => {
  events.push({ at: Date.now(), kind, detail })
  document.getElementById('status')!.textContent = `${kind} ${detail}`
}

let janus: Janus | undefined
let publisher: JanusJS.PluginHandle | undefined
let subscriber: JanusJS.PluginHandle | undefined
let privateId: number | undefined
/** Feeds subscribed (by publisher id). */
const subscribed = new Set<number>()
let attempt = 0
let reconnecting = false

/** Restarts ICE on a PeerConnection that failed or stayed disconnected for 4 s. */
function watchIce(pc: RTCPeerConnection, restart: () => void): void {
  let timer: number | undefined
  pc.addEventListener('iceconnectionstatechange', () => {
    if (pc.iceConnectionState === 'failed') restart()
    if (pc.iceConnectionState !== 'disconnected') return
    window.clearTimeout(timer)
    timer = window.setTimeout(() => {
      if (pc.iceConnectionState === 'disconnected') restart()
    }, 4000)
  })
}

function restartPublisher(why: string): void {
  const h = publisher
  if (!h) return
  log('ice-restart', `publisher: ${why}`)
  h.createOffer({
    iceRestart: true,
    success: (jsep: JanusJS.JSEP) =>
      h.send({ message: { request: 'configure' }, jsep } as unknown as JanusJS.PluginMessage),
  } as JanusJS.OfferParams)
}

function restartSubscriber(why: string): void {
  if (!subscriber) return
  log('ice-restart', `subscriber: ${why}`)
  subscriber.send({
    message: { request: 'configure', restart: true },
  } as unknown as JanusJS.PluginMessage)
}

function subscribe(feeds: number[]): void {
  const wanted = feeds.filter((id) => !subscribed.has(id))
  if (wanted.length === 0) return
  for (const id of wanted) subscribed.add(id)
  const streams = wanted.map((feed) => ({ feed }))
  if (subscriber) {
    subscriber.send({
      message: { request: 'subscribe', streams },
    } as unknown as JanusJS.PluginMessage)
    return
  }
  janus!.attach({
    plugin: 'janus.plugin.videoroom',
    success: (h: JanusJS.PluginHandle) => {
      subscriber = h
      h.send({
        message: { request: 'join', ptype: 'subscriber', room, streams, private_id: privateId },
      } as unknown as JanusJS.PluginMessage)
    },
    onmessage: (message: JanusJS.Message, jsep?: JanusJS.JSEP) => {
      if (message.error) {
        // The demo's advice: a subscriber in trouble is made anew.
        log('resubscribe', String(message.error))
        const old = subscriber
        subscriber = undefined
        const feeds = [...subscribed]
        subscribed.clear()
        old?.detach({})
        subscribe(feeds)
        return
      }
      if (jsep?.type !== 'offer') return
      const h = subscriber!
      h.createAnswer({
        jsep,
        tracks: [{ type: 'data' }],
        success: (answer: JanusJS.JSEP) => {
          h.send({
            message: { request: 'start', room },
            jsep: answer,
          } as unknown as JanusJS.PluginMessage)
          const pc = h.webrtcStuff.pc
          if (pc && !(pc as { watched?: boolean }).watched) {
            ;(pc as { watched?: boolean }).watched = true
            watchIce(pc, () => restartSubscriber('ICE'))
          }
        },
      } as unknown as JanusJS.PluginCreateAnswerParam)
    },
    onremotetrack: (track: MediaStreamTrack, _mid: string, on: boolean) => {
      const video = document.getElementById('remote') as HTMLVideoElement
      const stream = (video.srcObject as MediaStream | null) ?? new MediaStream()
      if (on && track.kind === 'video') stream.addTrack(track)
      video.srcObject = stream
    },
  } as JanusJS.PluginOptions)
}

function unsubscribe(id: number): void {
  if (!subscribed.delete(id) || !subscriber) return
  subscriber.send({
    message: { request: 'unsubscribe', streams: [{ feed: id }] },
  } as unknown as JanusJS.PluginMessage)
}

function joinRoom(): void {
  janus!.attach({
    plugin: 'janus.plugin.videoroom',
    success: (h: JanusJS.PluginHandle) => {
      publisher = h
      h.send({
        message: { request: 'join', ptype: 'publisher', room, display },
      } as unknown as JanusJS.PluginMessage)
    },
    onmessage: (message: JanusJS.Message, jsep?: JanusJS.JSEP) => {
      const h = publisher!
      if (jsep?.type === 'answer') h.handleRemoteJsep({ jsep })
      const data = message as Record<string, unknown>
      const publishers = (data.publishers as { id: number }[] | undefined) ?? []
      if (data.videoroom === 'joined') {
        privateId = data.private_id as number
        h.createOffer({
          tracks: [
            { type: 'audio', capture: true, recv: false },
            { type: 'video', capture: true, recv: false },
          ],
          success: (offer: JanusJS.JSEP) => {
            h.send({
              message: { request: 'publish', audio: true, video: true },
              jsep: offer,
            } as unknown as JanusJS.PluginMessage)
            watchIce(h.webrtcStuff.pc, () => restartPublisher('ICE'))
          },
        } as JanusJS.OfferParams)
      }
      subscribe(publishers.map((p) => p.id))
      const gone = (data.leaving ?? data.unpublished) as number | string | undefined
      if (typeof gone === 'number') unsubscribe(gone)
    },
  } as JanusJS.PluginOptions)
}

/** A new session and the room joined again (the old session could not be claimed). */
function startOver(): void {
  publisher = undefined
  subscriber = undefined
  subscribed.clear()
  janus?.destroy({ cleanupHandles: true } as JanusJS.DestroyOptions)
  connect(true)
}

let retryTimer: number | undefined
let claiming = false

function reconnect(now = false): void {
  if (!janus || claiming) return
  // `online` cuts a backoff wait short, as the careful echo recipe does.
  if (reconnecting && !now) return
  reconnecting = true
  window.clearTimeout(retryTimer)
  const delay = now ? 0 : Math.min(30_000, 1000 * 2 ** attempt++)
  retryTimer = window.setTimeout(() => {
    claiming = true
    janus!.reconnect({
      success: () => {
        reconnecting = false
        claiming = false
        attempt = 0
        log('reconnected', String(janus!.getSessionId()))
        // The network may have changed under both PeerConnections.
        restartPublisher('after the claim')
        restartSubscriber('after the claim')
      },
      error: (cause: unknown) => {
        reconnecting = false
        claiming = false
        if (/458|No such session/i.test(String(cause))) startOver()
        else reconnect()
      },
    } as JanusJS.ReconnectOptions)
  }, delay)
}

function connect(again = false): void {
  janus = new Janus({
    server,
    iceServers: [],
    success: () => {
      log(again ? 'rejoined' : 'connected', String(janus!.getSessionId()))
      joinRoom()
    },
    error: (cause: unknown) => {
      log('loss', String(cause))
      reconnect()
    },
  } as JanusJS.ConstructorOptions)
}

window.addEventListener('online', () => {
  log('online')
  reconnect(true)
})
;(window as unknown as { __baseline: unknown }).__baseline = {
  events,
  /** Leaves the room and ends the session, so no ghost stays for the next run. */
  leave: () =>
    new Promise<void>((resolve) => {
      publisher?.send({ message: { request: 'leave' } } as unknown as JanusJS.PluginMessage)
      janus?.destroy({
        cleanupHandles: true,
        success: () => resolve(),
        error: () => resolve(),
      } as JanusJS.DestroyOptions)
      window.setTimeout(resolve, 2000)
    }),
}

Janus.init({
  debug: false,
  dependencies: Janus.useDefaultDependencies({ adapter } as unknown as Parameters<
    typeof Janus.useDefaultDependencies
  >[0]),
  callback: () => connect(),
})
