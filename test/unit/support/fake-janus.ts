import type { SocketConnection, SocketFactory, SocketHandlers } from '../../../renderer/core/socket'

type Json = Record<string, unknown>

/** One socket the client opened, as the fake server sees it. */
export class FakeSocket {
  readonly sent: Json[] = []
  state: 'connecting' | 'open' | 'closed' = 'connecting'
  /** When true the path is dead: frames go nowhere and nothing closes. */
  blackholed = false
  /** While set, frames to the client wait here (a slow path) until `releaseHeld`. */
  held: (Json | string)[] | undefined
  closedByClient = false

  constructor(
    readonly server: FakeJanus,
    readonly handlers: SocketHandlers,
  ) {}

  open(): void {
    if (this.state !== 'connecting') return
    this.state = 'open'
    this.handlers.onOpen()
  }

  /** The server (or the network) closes the socket. */
  drop(wasError = false): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.server.detachTransport(this)
    this.handlers.onClose({ code: 1006, reason: 'dropped', wasError })
  }

  /** Sends a raw frame to the client. */
  push(frame: Json | string): void {
    if (this.state !== 'open' || this.blackholed) return
    if (this.held) {
      this.held.push(frame)
      return
    }
    this.handlers.onMessage(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** The slow path delivers what it held. */
  releaseHeld(): void {
    const frames = this.held ?? []
    this.held = undefined
    for (const frame of frames) this.push(frame)
  }

  verbs(): string[] {
    return this.sent.map((m) => String(m.janus))
  }
}

interface FakeSession {
  id: number
  transport: FakeSocket | undefined
  handles: Map<number, string>
}

/**
 * A scripted Janus for unit tests: info, create, claim, keepalive, attach, message, detach,
 * destroy, with token checks and sessions the test can kill.
 */
export class FakeJanus {
  readonly sockets: FakeSocket[] = []
  readonly sessions = new Map<number, FakeSession>()
  /** Whether new sockets open by themselves. */
  autoOpen = true
  /** Whether new sockets are refused (server down). */
  refuse = false
  /** Tokens the server accepts; undefined means no token auth. */
  validTokens: Set<string> | undefined
  reclaimTimeoutS = 5
  sessionTimeoutS = 15
  /** The next request of this verb is lost: the socket drops before it reaches the server. */
  dropOnVerb: string | undefined
  /** The path dies under the next request of this verb: no reply, and the socket never closes. */
  blackholeOnVerb: string | undefined
  /** Requests that reached the "plugin", in order, by transaction. */
  readonly delivered: string[] = []
  /** Scripted answers that replace the normal one for a verb, the first `times` times. */
  private readonly overrides: { verb: string; reply: Json; times: number }[] = []
  private nextId = 1000

  /** Answers the next `times` requests of `verb` with `reply` (transaction added). */
  answer(verb: string, reply: Json, times = Number.POSITIVE_INFINITY): void {
    this.overrides.push({ verb, reply, times })
  }

  /** Answers the next `times` requests of `verb` with a Janus error. */
  refuseVerb(verb: string, code: number, reason: string, times = Number.POSITIVE_INFINITY): void {
    this.answer(verb, { janus: 'error', error: { code, reason } }, times)
  }

  readonly factory: SocketFactory = (_url, protocol, handlers) => {
    if (protocol !== 'janus-protocol') throw new Error(`wrong subprotocol ${protocol}`)
    const socket = new FakeSocket(this, handlers)
    this.sockets.push(socket)
    const connection: SocketConnection = {
      send: (text) => this.receive(socket, text),
      close: () => {
        if (socket.state === 'closed') return
        socket.state = 'closed'
        socket.closedByClient = true
        this.detachTransport(socket)
      },
    }
    queueMicrotask(() => {
      if (this.refuse) {
        socket.state = 'closed'
        handlers.onClose({ code: 1006, reason: 'refused', wasError: true })
      } else if (this.autoOpen) socket.open()
    })
    return connection
  }

  get last(): FakeSocket {
    const socket = this.sockets.at(-1)
    if (!socket) throw new Error('no socket yet')
    return socket
  }

  openSockets(): FakeSocket[] {
    return this.sockets.filter((s) => s.state === 'open')
  }

  killSession(id: number): void {
    this.sessions.delete(id)
  }

  detachTransport(socket: FakeSocket): void {
    for (const session of this.sessions.values())
      if (session.transport === socket) session.transport = undefined
  }

  private receive(socket: FakeSocket, text: string): void {
    if (socket.state !== 'open') return
    const request = JSON.parse(text) as Json
    socket.sent.push(request)
    if (this.blackholeOnVerb === request.janus) {
      this.blackholeOnVerb = undefined
      socket.blackholed = true
    }
    if (this.dropOnVerb === request.janus) {
      this.dropOnVerb = undefined
      queueMicrotask(() => socket.drop())
      return
    }
    if (socket.blackholed) return
    const transaction = request.transaction as string
    const reply = (frame: Json): void => socket.push({ transaction, ...frame })
    const error = (code: number, reason: string): void =>
      reply({ janus: 'error', error: { code, reason } })
    const override = this.overrides.find((o) => o.verb === request.janus && o.times > 0)
    if (override) {
      override.times -= 1
      reply(override.reply)
      return
    }
    if (request.janus === 'info') {
      reply({
        janus: 'server_info',
        version_string: '1.1.2',
        'session-timeout': this.sessionTimeoutS,
        'reclaim-session-timeout': this.reclaimTimeoutS,
        auth_token: this.validTokens !== undefined,
      })
      return
    }
    if (this.validTokens && !this.validTokens.has(String(request.token))) {
      error(403, 'Unauthorized request (wrong or missing secret/token)')
      return
    }
    if (request.janus === 'create') {
      const id = this.nextId++
      this.sessions.set(id, { id, transport: socket, handles: new Map() })
      reply({ janus: 'success', data: { id } })
      return
    }
    const session = this.sessions.get(request.session_id as number)
    if (!session) {
      error(458, 'No such session')
      return
    }
    switch (request.janus) {
      case 'claim':
        session.transport = socket
        reply({ janus: 'success', session_id: session.id })
        return
      case 'keepalive':
      case 'trickle':
        reply({ janus: 'ack', session_id: session.id })
        return
      case 'destroy':
        this.sessions.delete(session.id)
        reply({ janus: 'success', session_id: session.id })
        return
      case 'attach': {
        const id = this.nextId++
        session.handles.set(id, String(request.plugin))
        reply({ janus: 'success', session_id: session.id, data: { id } })
        return
      }
      case 'detach':
        if (!session.handles.delete(request.handle_id as number)) {
          error(459, 'No such handle')
          return
        }
        reply({ janus: 'success', session_id: session.id })
        return
      case 'message': {
        const handle = request.handle_id as number
        if (!session.handles.has(handle)) {
          error(459, 'No such handle')
          return
        }
        this.delivered.push(transaction)
        reply({ janus: 'ack', session_id: session.id })
        // The plugin's event goes to whichever socket holds the session now.
        session.transport?.push({
          janus: 'event',
          session_id: session.id,
          sender: handle,
          transaction,
          plugindata: { plugin: session.handles.get(handle), data: { result: 'ok' } },
        })
        return
      }
      default:
        error(490, `unknown request ${String(request.janus)}`)
    }
  }
}

/** An in-memory session store that records what was written. */
export class MemoryStore {
  value: unknown
  writes = 0
  async load(): Promise<unknown> {
    return this.value
  }
  async save(record: unknown): Promise<void> {
    this.value = structuredClone(record)
    this.writes++
  }
  async clear(): Promise<void> {
    this.value = undefined
  }
}
