/**
 * The baselines the recovery benchmark compares Holdfast with: janus.js alone, in two recipes
 * (`?recipe=`).
 * - naive: what the Janus reclaim guide and OpenVidu's defaults suggest and no more. On the
 *   gateway's error callback reconnect() (a claim) with a 1, 2, 4 ... s backoff; an ICE restart
 *   when connectionState is failed or iceConnectionState has been disconnected for 4 s.
 * - careful (issue 13): what a careful integrator adds on top: a claim at once on the browser's
 *   `online` event (the pending backoff dropped), an ICE restart right after every successful
 *   claim, and an ICE restart at once when ICE reports failed.
 * It records what happened in window.__baseline for the benchmark.
 */
import Janus, { type JanusJS } from 'janus-gateway'
import adapter from 'webrtc-adapter'

interface BaselineEvent {
  at: number
  kind:
    | 'connected'
    | 'loss'
    | 'online'
    | 'reconnected'
    | 'reconnect-failed'
    | 'ice-restart'
    | 'ice-state'
  detail: string
}

const params = new URLSearchParams(location.search)
const server = params.get('server') ?? 'ws://127.0.0.1:8188'
const careful = params.get('recipe') === 'careful'
const events: BaselineEvent[] = []
;(window as unknown as { __baseline: { events: BaselineEvent[] } }).__baseline = { events }
const log = (kind: BaselineEvent['kind'], detail = ''): void => {
  events.push({ at: Date.now(), kind, detail })
  document.getElementById('status')!.textContent = `${kind} ${detail}`
}

Janus.init({
  debug: false,
  dependencies: Janus.useDefaultDependencies({ adapter } as unknown as Parameters<
    typeof Janus.useDefaultDependencies
  >[0]),
  callback: () => {
    let attempt = 0
    let handle: JanusJS.PluginHandle | undefined
    let disconnectedTimer: number | undefined
    let retryTimer: number | undefined
    let claiming = false
    const claim = (): void => {
      claiming = true
      janus.reconnect({
        success: () => {
          claiming = false
          attempt = 0
          log('reconnected', String(janus.getSessionId()))
          if (careful) restartIce('after the claim')
        },
        error: (cause: unknown) => {
          claiming = false
          log('reconnect-failed', String(cause))
          reconnect()
        },
      } as JanusJS.ReconnectOptions)
    }
    const reconnect = (): void => {
      const delay = Math.min(30_000, 1000 * 2 ** attempt++)
      window.clearTimeout(retryTimer)
      retryTimer = window.setTimeout(claim, delay)
    }
    if (careful)
      window.addEventListener('online', () => {
        log('online')
        if (claiming) return
        window.clearTimeout(retryTimer)
        claim()
      })
    const restartIce = (why: string): void => {
      if (!handle) return
      log('ice-restart', why)
      const h = handle
      h.createOffer({
        iceRestart: true,
        success: (jsep: JanusJS.JSEP) =>
          h.send({
            message: { audio: true, video: true },
            jsep,
          } as unknown as JanusJS.PluginMessage),
      } as JanusJS.OfferParams)
    }
    const janus: Janus = new Janus({
      server,
      iceServers: [],
      success: () => {
        log('connected', String(janus.getSessionId()))
        janus.attach({
          plugin: 'janus.plugin.echotest',
          success: (h: JanusJS.PluginHandle) => {
            handle = h
            h.createOffer({
              tracks: [
                { type: 'audio', capture: true, recv: true },
                { type: 'video', capture: true, recv: true },
              ],
              success: (jsep: JanusJS.JSEP) => {
                h.send({
                  message: { audio: true, video: true },
                  jsep,
                } as unknown as JanusJS.PluginMessage)
                const pc = h.webrtcStuff.pc
                pc.addEventListener('connectionstatechange', () => {
                  if (pc.connectionState === 'failed') restartIce('connection failed')
                })
                pc.addEventListener('iceconnectionstatechange', () => {
                  log('ice-state', pc.iceConnectionState)
                  if (careful && pc.iceConnectionState === 'failed') restartIce('ICE failed')
                  if (pc.iceConnectionState === 'disconnected') {
                    window.clearTimeout(disconnectedTimer)
                    disconnectedTimer = window.setTimeout(() => {
                      if (
                        pc.iceConnectionState === 'disconnected' ||
                        pc.iceConnectionState === 'failed'
                      )
                        restartIce('disconnected for 4 s')
                    }, 4000)
                  }
                })
              },
            } as JanusJS.OfferParams)
          },
          onmessage: (_message: JanusJS.Message, jsep?: JanusJS.JSEP) => {
            if (jsep) handle?.handleRemoteJsep({ jsep })
          },
          onremotetrack: (track: MediaStreamTrack, _mid: string, on: boolean) => {
            const video = document.getElementById('remote') as HTMLVideoElement
            const stream = (video.srcObject as MediaStream | null) ?? new MediaStream()
            if (on) stream.addTrack(track)
            video.srcObject = stream
          },
        } as JanusJS.PluginOptions)
      },
      error: (cause: unknown) => {
        log('loss', String(cause))
        reconnect()
      },
    } as JanusJS.ConstructorOptions)
  },
})
