/**
 * The baseline `npm run bench:sip` compares Holdfast's phone with: janus.js alone and its SIP
 * plugin, written the way a careful integrator would from janus.js's SIP demo plus the
 * recovery recipe of the echo baseline (main.ts, `careful`): reconnect() (a claim) on the
 * gateway's error with a 1, 2, 4 ... s backoff and at once on the browser's `online`; after
 * every claim an ICE restart (an `update` with an iceRestart offer, the SIP plugin's way); an
 * ICE restart at once when ICE fails, and after 4 s of disconnected. It registers, calls
 * `?callee=`, and records what happened in window.__baseline for the benchmark.
 */
import Janus, { type JanusJS } from 'janus-gateway'
import adapter from 'webrtc-adapter'

type Kind =
  | 'connected'
  | 'loss'
  | 'online'
  | 'reconnected'
  | 'reconnect-failed'
  | 'registered'
  | 'in-call'
  | 'ice-restart'
  | 'hangup'
  | 'error'
interface BaselineEvent {
  at: number
  kind: Kind
  detail: string
}

const params = new URLSearchParams(location.search)
const need = (name: string): string => {
  const value = params.get(name)
  if (!value) throw new Error(`the SIP baseline needs ?${name}=`)
  return value
}
const server = need('server')
const account = { uri: need('user'), password: need('password'), registrar: need('registrar') }
const callee = need('callee')
const events: BaselineEvent[] = []
let hungUp: (() => void) | undefined
const log = (kind: Kind, detail = ''): void => {
  events.push({ at: Date.now(), kind, detail })
  document.getElementById('status')!.textContent = `${kind} ${detail}`
  if (kind === 'hangup') hungUp?.()
}
let handle: JanusJS.PluginHandle | undefined
;(window as unknown as { __baseline: unknown }).__baseline = {
  events,
  /** Hangs up; resolves when the plugin says the call is over. */
  hangup: () =>
    new Promise<void>((resolve) => {
      hungUp = resolve
      handle?.send({ message: { request: 'hangup' } } as unknown as JanusJS.PluginMessage)
    }),
}

Janus.init({
  debug: false,
  dependencies: Janus.useDefaultDependencies({ adapter } as unknown as Parameters<
    typeof Janus.useDefaultDependencies
  >[0]),
  callback: () => {
    let attempt = 0
    let retryTimer: number | undefined
    let disconnectedTimer: number | undefined
    let claiming = false
    const restartIce = (why: string): void => {
      const h = handle
      if (!h?.webrtcStuff.pc) return
      log('ice-restart', why)
      h.createOffer({
        iceRestart: true,
        success: (jsep: JanusJS.JSEP) =>
          h.send({ message: { request: 'update' }, jsep } as unknown as JanusJS.PluginMessage),
        error: (cause: unknown) => log('error', `restart offer: ${String(cause)}`),
      } as JanusJS.OfferParams)
    }
    const claim = (): void => {
      claiming = true
      janus.reconnect({
        success: () => {
          claiming = false
          attempt = 0
          log('reconnected', String(janus.getSessionId()))
          restartIce('after the claim')
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
    window.addEventListener('online', () => {
      log('online')
      if (claiming) return
      window.clearTimeout(retryTimer)
      claim()
    })
    const watchIce = (pc: RTCPeerConnection): void => {
      pc.addEventListener('iceconnectionstatechange', () => {
        if (pc.iceConnectionState === 'failed') restartIce('ICE failed')
        if (pc.iceConnectionState !== 'disconnected') return
        window.clearTimeout(disconnectedTimer)
        disconnectedTimer = window.setTimeout(() => {
          if (pc.iceConnectionState === 'disconnected') restartIce('disconnected for 4 s')
        }, 4000)
      })
    }
    const call = (): void => {
      const h = handle!
      h.createOffer({
        tracks: [{ type: 'audio', capture: true, recv: true }],
        success: (jsep: JanusJS.JSEP) => {
          h.send({
            message: { request: 'call', uri: callee },
            jsep,
          } as unknown as JanusJS.PluginMessage)
          watchIce(h.webrtcStuff.pc)
        },
        error: (cause: unknown) => log('error', `offer: ${String(cause)}`),
      } as JanusJS.OfferParams)
    }
    const janus: Janus = new Janus({
      server,
      iceServers: [],
      success: () => {
        log('connected', String(janus.getSessionId()))
        janus.attach({
          plugin: 'janus.plugin.sip',
          success: (h: JanusJS.PluginHandle) => {
            handle = h
            h.send({
              message: {
                request: 'register',
                username: account.uri,
                secret: account.password,
                proxy: account.registrar,
                outbound_proxy: account.registrar,
              },
            } as unknown as JanusJS.PluginMessage)
          },
          onmessage: (message: JanusJS.Message, jsep?: JanusJS.JSEP) => {
            const result = (message as { result?: { event?: string } }).result
            const event = result?.event
            if (event === 'registered') {
              log('registered')
              call()
            } else if (event === 'accepted') log('in-call')
            else if (event === 'hangup') log('hangup', JSON.stringify(result))
            else if ((message as { error?: string }).error)
              log('error', String((message as { error?: string }).error))
            if (jsep && jsep.type === 'answer') handle?.handleRemoteJsep({ jsep })
          },
          onremotetrack: (track: MediaStreamTrack, _mid: string, on: boolean) => {
            const audio = document.getElementById('remote') as HTMLAudioElement
            const stream = (audio.srcObject as MediaStream | null) ?? new MediaStream()
            if (on) stream.addTrack(track)
            audio.srcObject = stream
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
