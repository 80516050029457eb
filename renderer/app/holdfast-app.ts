/**
 * The composition root of the renderer: builds a session core from the settings and the
 * host, forwards the host's system events to it, opens janus.js on the current session and
 * creates the calls, each registered in one call registry that updates, the tray and quitting
 * ask. Stores and components call in here; protocol logic stays in the core.
 */
import { CallRegistry, type AppEndCause, type Call } from '../core/call'
import type { Host, TokenProvider } from '../core/host'
import type { IceRestartOptions } from '../core/ice-restart-policy'
import { JanusSession } from '../core/janus-session'
import { LogBook } from '../core/ui/diagnostic-report'
import {
  parseIceServers,
  parseMoreServers,
  validateServerUrl,
  validateTokenUrl,
  type ConnectionSettings,
} from '../core/settings'
import { tokenServiceProvider } from '../core/session/token-service'
import {
  gateSockets,
  socketFactoryFrom,
  type SocketFactory,
  type WebSocketClass,
} from '../core/socket'
import { browserClock } from '../host/browser-clock'
import { isElectronHost } from '../host/electron-host'
import { EchoCall, type EchoCallOptions } from '../janus/echo-call'
import { openGateway, type Gateway } from '../janus/janus-runtime'
import { RoomCall, type RoomOptions } from '../janus/room-call'
import { SipPhone, type SipAccount } from '../janus/sip-phone'

/** Reasons a connect request can be refused before anything is sent. */
export class SettingsError extends Error {}

/** One app instance per page. */
export class HoldfastApp {
  private sessionValue: JanusSession | undefined
  private gatewayValue: Promise<Gateway> | undefined
  private gatewaySession: number | undefined
  private iceServers: RTCIceServer[] = []
  private stopSignals: (() => void) | undefined
  /** Every call of the app, whatever its kind. */
  readonly calls = new CallRegistry()
  private forceMediaRestart = false
  private doNotDisturb = false
  private readonly sessionListeners = new Set<(session: JanusSession | undefined) => void>()
  /** The renderer's own log lines, for the diagnostic report and the exported logs. */
  readonly log = new LogBook(() => Date.now())

  /** One line in the renderer's log and the console (where a developer or the soak reads it). */
  note(message: string): void {
    this.log.add('info', message)
    console.info(`[holdfast] ${message}`)
  }

  constructor(readonly host: Host) {
    window.addEventListener('error', (e) =>
      this.log.add('error', 'uncaught error', e.error ?? e.message),
    )
    window.addEventListener('unhandledrejection', (e) =>
      this.log.add('error', 'unhandled rejection', e.reason),
    )
    // The connection's course, in the renderer's own log (the incidents say why).
    this.onSession((session) => {
      session?.events.on('state', (state) => {
        const why = 'reason' in state ? ` (${state.reason})` : ''
        this.log.add('info', `connection ${state.kind}${why}`)
      })
    })
    // Leaving the page without hanging up keeps the session claimable by the next page.
    window.addEventListener('pagehide', () => this.sessionValue?.releaseForUnload())
    if (isElectronHost(host)) {
      // Quitting the app (or the OS shutting down) ends calls and the session first.
      host.desktop.onPrepareQuit(() => this.disconnect('quit'))
      this.onSession((session) => {
        session?.events.on('state', () => this.reportToMain())
      })
      this.calls.events.on('change', () => this.reportToMain())
    }
  }

  /** Restart ICE after every reclaim, for every kind of call (a setting). */
  setForceMediaRestart(on: boolean): void {
    this.forceMediaRestart = on
  }

  /** Do not disturb is on (told to main for the tray). */
  setDoNotDisturb(on: boolean): void {
    this.doNotDisturb = on
    this.reportToMain()
  }

  /** The ICE options every new call gets. */
  private iceOptions(): Partial<IceRestartOptions> {
    return { forceAfterReclaim: this.forceMediaRestart }
  }

  /** Tells main (tray, updates) where the connection and the call are. */
  private reportToMain(): void {
    if (!isElectronHost(this.host)) return
    void this.host.desktop.report({
      connection: this.sessionValue?.state.kind ?? 'idle',
      // A call counts from the first ring: updates must not download or restart then.
      inCall: this.calls.anyLive(),
      ...(this.doNotDisturb ? { doNotDisturb: true } : {}),
    })
  }

  get session(): JanusSession | undefined {
    return this.sessionValue
  }

  /** Called with the new session whenever connect() replaces it. */
  onSession(listener: (session: JanusSession | undefined) => void): () => void {
    this.sessionListeners.add(listener)
    return () => this.sessionListeners.delete(listener)
  }

  /** The browser's sockets, each first allowed by the host where the host polices them. */
  private openSocket(): SocketFactory {
    const sockets = socketFactoryFrom(WebSocket as unknown as WebSocketClass)
    const allow = this.host.allowServer?.bind(this.host)
    return allow ? gateSockets(sockets, allow) : sockets
  }

  /** Validates the settings and connects (claiming a stored session when young enough). */
  connect(settings: ConnectionSettings): JanusSession {
    const url = validateServerUrl(settings.serverUrl, {
      refuseCleartext: settings.refuseCleartext === true,
    })
    if (!url.ok) throw new SettingsError(url.error)
    const ice = parseIceServers(settings.iceServers)
    if (!ice.ok) throw new SettingsError(ice.error)
    const more = parseMoreServers(settings.moreServers ?? '', url.value, {
      refuseCleartext: settings.refuseCleartext === true,
    })
    if (!more.ok) throw new SettingsError(more.error)
    const tokenUrl = validateTokenUrl(settings.tokenUrl ?? '', {
      refuseCleartext: settings.refuseCleartext === true,
    })
    if (!tokenUrl.ok) throw new SettingsError(tokenUrl.error)
    const tokenProvider = this.tokenProvider(tokenUrl.value)
    const current = this.sessionValue
    if (current && current.state.kind !== 'closed' && current.state.kind !== 'failed') {
      throw new SettingsError('Already connected: disconnect first.')
    }
    this.stopSignals?.()
    this.iceServers = ice.value
    const session = new JanusSession(
      {
        serverUrl: url.value,
        moreServers: more.value,
        ...(settings.apiSecret ? { apiSecret: settings.apiSecret } : {}),
        ...(settings.token ? { token: settings.token } : {}),
      },
      {
        clock: browserClock,
        random: Math.random,
        openSocket: this.openSocket(),
        store: this.host.sessionStore,
        ...(tokenProvider ? { tokenProvider } : {}),
        logger: {
          info: (m, d) => {
            this.log.add('info', m, d)
            console.info(`[holdfast] ${m}`, d ?? '')
          },
          warn: (m, d) => {
            this.log.add('warn', m, d)
            console.warn(`[holdfast] ${m}`, d ?? '')
          },
        },
      },
    )
    this.stopSignals = this.host.onSystemEvent((event) => session.handleSystemEvent(event))
    // The timeline in the console too, where a developer (or the soak's driver) reads it live.
    session.events.on('incident', ({ kind, detail }) =>
      console.info(`[holdfast] incident ${kind}: ${detail}`),
    )
    // A session given up leaves no call looking alive: each ends with its reason.
    session.events.on('disconnected', ({ reason }) => {
      if (reason !== 'clientDisconnected') void this.calls.endAll('sessionFailed')
    })
    this.sessionValue = session
    this.gatewayValue = undefined
    for (const listener of this.sessionListeners) listener(session)
    session.connect()
    return session
  }

  /**
   * Ends every call (hung up on the server, accounts unregistered), then destroys the session
   * on the server and forgets it.
   */
  async disconnect(cause: Exclude<AppEndCause, 'sessionFailed'> = 'disconnected'): Promise<void> {
    this.stopSignals?.()
    this.stopSignals = undefined
    await this.calls.endAll(cause)
    await this.sessionValue?.disconnect()
  }

  /** janus.js on the current session; a new instance after the session was recreated. */
  gateway(): Promise<Gateway> {
    const session = this.sessionValue
    if (!session || session.id === undefined)
      return Promise.reject(new Error('Not connected to a server.'))
    if (!this.gatewayValue || this.gatewaySession !== session.id) {
      void this.gatewayValue?.then(
        (g) => g.release(),
        () => undefined,
      )
      this.gatewaySession = session.id
      this.gatewayValue = openGateway(session, this.iceServers)
      this.gatewayValue.catch(() => (this.gatewayValue = undefined))
    }
    return this.gatewayValue
  }

  /** A softphone for `account` on the current session (call start() to register). */
  createSipPhone(account: SipAccount): SipPhone {
    return this.register(
      new SipPhone(
        this.connected(),
        () => this.gateway(),
        browserClock,
        account,
        this.iceOptions(),
      ),
    )
  }

  /** A new echo call on the current session (not started). */
  createEchoCall(options: EchoCallOptions): EchoCall {
    const ice = { ...this.iceOptions(), ...options.ice }
    return this.register(
      new EchoCall(this.connected(), () => this.gateway(), browserClock, { ...options, ice }),
    )
  }

  /** A visit to a video room on the current session (call join()). */
  createRoomCall(options: RoomOptions): RoomCall {
    const ice = { ...this.iceOptions(), ...options.ice }
    return this.register(
      new RoomCall(this.connected(), () => this.gateway(), browserClock, { ...options, ice }),
    )
  }

  /** The session a new call stands on: it must be connected. */
  private connected(): JanusSession {
    const session = this.sessionValue
    if (!session || session.state.kind !== 'connected')
      throw new Error('Connect to a server first.')
    return session
  }

  /** Fresh tokens from the token service when one is set, else from the host if it has a way. */
  private tokenProvider(url: string | undefined): TokenProvider | undefined {
    if (url === undefined) return this.host.tokenProvider
    const fetchToken = this.host.fetchToken
    if (!fetchToken) throw new SettingsError('This app cannot fetch tokens from a token service.')
    return tokenServiceProvider({
      url,
      fetch: fetchToken,
      clock: browserClock,
      onFailure: (why) => this.log.add('warn', `No new token: ${why}`),
    })
  }

  private register<C extends Call>(call: C): C {
    this.calls.add(call)
    return call
  }
}

/** More servers from `?more=` (comma-separated), else the saved ones. */
export function initialMoreServers(saved: string | undefined): string {
  const fromQuery = new URLSearchParams(window.location.search).get('more')
  return fromQuery !== null ? fromQuery.split(',').join('\n') : (saved ?? '')
}

/** The token service to start with: ?tokenUrl=, else the saved one. */
export function initialTokenUrl(saved: string | undefined): string {
  return new URLSearchParams(window.location.search).get('tokenUrl') ?? saved ?? ''
}

/** The server URL to start with: ?server=, then what was saved, then the build's default. */
export function initialServerUrl(saved: string | undefined): string {
  const fromQuery = new URLSearchParams(window.location.search).get('server')
  return fromQuery ?? saved ?? import.meta.env.HOLDFAST_SERVER_URL ?? 'ws://127.0.0.1:8188'
}
