/**
 * The seam between janus.js and the reclaiming session: a WebSocket look-alike that janus.js
 * is given as its WebSocket class. To janus.js it is one socket that stays open while the
 * session core reconnects and claims underneath; `create` is answered with the core's
 * session, keepalives are answered locally (the core runs its own, with an ack bound), and
 * everything else goes through the core, which stamps credentials and queues while down.
 *
 * When the core loses the session for good (458, expiry) the socket closes, janus.js reports
 * the loss, and the app builds a new janus.js instance on the new session.
 */
import { JanusErrorCode, ServerError, type JanusMessage, type JanusRequest } from './janus-protocol'
import type { JanusSession } from './janus-session'

type Listener = (event: unknown) => void
type EventName = 'open' | 'message' | 'close' | 'error'

/**
 * A plugin request's body may carry this field: the bridge takes it out before Janus sees it
 * and puts it into the plugin data of the event Janus sends for that request (matched by the
 * transaction, which janus.js does not pass on). It tells a request's asynchronous answer
 * from any other event of the handle, such as an error meant for another request.
 */
export const requestTagField = 'holdfast_tag'

/** The most tagged requests remembered at once (an answer that never comes is forgotten). */
const maxTags = 64

/** Constructor shape janus.js calls: `new WebSocket(server, 'janus-protocol')`. */
export type BridgeSocketClass = new (url: string, protocol?: string) => BridgeSocket

/** One janus.js connection riding on the session core. */
export interface BridgeSocket {
  readonly readyState: number
  readonly protocol: string
  readonly url: string
  onopen: Listener | null
  onmessage: Listener | null
  onclose: Listener | null
  onerror: Listener | null
  send(text: string): void
  close(code?: number, reason?: string): void
  addEventListener(type: EventName, listener: Listener): void
  removeEventListener(type: EventName, listener: Listener): void
}

/** Builds the WebSocket class to hand to `Janus.init({dependencies})` for this session. */
export function createBridgeSocketClass(session: JanusSession): BridgeSocketClass {
  return class implements BridgeSocket {
    readyState = 0
    readonly protocol: string
    onopen: Listener | null = null
    onmessage: Listener | null = null
    onclose: Listener | null = null
    onerror: Listener | null = null
    private readonly listeners = new Map<EventName, Set<Listener>>()
    private boundSessionId: number | undefined
    private readonly unsubscribe: (() => void)[] = []
    /** Tagged requests waiting for their event: transaction to tag. */
    private readonly tags = new Map<string, string>()
    /** Messages read and not yet handed to janus.js (handed on a microtask, in order). */
    private readonly inbox: JanusMessage[] = []
    /** Requests passed to the core and not answered yet, by transaction. */
    private readonly unanswered = new Map<string, JanusRequest>()

    constructor(
      readonly url: string,
      protocol?: string,
    ) {
      this.protocol = protocol ?? ''
      this.unsubscribe.push(
        session.events.on('message', (message) => {
          if (this.boundSessionId !== undefined && message.session_id === this.boundSessionId)
            this.deliver(message)
        }),
        session.events.on('sessionLost', ({ sessionId }) => {
          if (sessionId === this.boundSessionId) this.shutdown(4458, 'session lost')
        }),
        session.events.on('disconnected', () => this.shutdown(1000, 'disconnected')),
      )
      void Promise.resolve().then(() => {
        if (this.readyState !== 0) return
        this.readyState = 1
        this.fire('open', { type: 'open' })
      })
    }

    send(text: string): void {
      if (this.readyState !== 1) return
      let request: JanusRequest
      try {
        request = JSON.parse(text) as JanusRequest
      } catch {
        return
      }
      const reply = (message: JanusMessage): void => this.deliver(message)
      this.takeTag(request)
      switch (request.janus) {
        case 'create': {
          const id = session.id
          if (id === undefined) {
            reply(localError(request, unansweredCode, 'Not connected to the server'))
            return
          }
          this.boundSessionId = id
          reply({ janus: 'success', transaction: request.transaction, data: { id } })
          return
        }
        case 'keepalive':
          reply({ janus: 'ack', session_id: this.boundSessionId, transaction: request.transaction })
          return
        case 'destroy':
          // The core owns the session's life; janus.js letting go is not the user hanging up.
          reply({
            janus: 'success',
            session_id: this.boundSessionId,
            transaction: request.transaction,
          })
          return
        case 'claim':
          reply(localError(request, unansweredCode, 'Claims are made by the session core'))
          return
        default: {
          const transaction = request.transaction
          if (transaction !== undefined) this.unanswered.set(transaction, request)
          forward(session, request, (message) => {
            if (transaction !== undefined) this.unanswered.delete(transaction)
            reply(message)
          })
        }
      }
    }

    close(code = 1000, reason = ''): void {
      this.shutdown(code, reason)
    }

    addEventListener(type: EventName, listener: Listener): void {
      let set = this.listeners.get(type)
      if (!set) this.listeners.set(type, (set = new Set()))
      set.add(listener)
    }

    removeEventListener(type: EventName, listener: Listener): void {
      this.listeners.get(type)?.delete(listener)
    }

    /** Takes a request's tag out of its body, remembering it for the request's event. */
    private takeTag(request: JanusRequest): void {
      const body = request.body as Record<string, unknown> | undefined
      const tag = body?.[requestTagField]
      if (request.janus !== 'message' || typeof tag !== 'string' || !request.transaction) return
      delete body![requestTagField]
      this.tags.set(request.transaction, tag)
      if (this.tags.size > maxTags) this.tags.delete(this.tags.keys().next().value!)
    }

    /** The event answering a tagged request, with its tag in the plugin data. */
    private tagged(message: JanusMessage): JanusMessage {
      const tag = message.transaction !== undefined ? this.tags.get(message.transaction) : undefined
      if (tag === undefined) return message
      if (message.janus !== 'event' && message.janus !== 'error') return message
      this.tags.delete(message.transaction!)
      const plugindata = message.plugindata
      if (!plugindata) return message
      return {
        ...message,
        plugindata: { ...plugindata, data: { ...plugindata.data, [requestTagField]: tag } },
      }
    }

    private deliver(given: JanusMessage): void {
      // Asynchronous like a real socket, in order, one message per turn (a listener that
      // throws costs only its own message).
      this.inbox.push(this.tagged(given))
      void Promise.resolve().then(() => this.handOne())
    }

    /** Hands janus.js the oldest message not yet handed (none left after a close). */
    private handOne(): void {
      const message = this.inbox.shift()
      if (message && this.readyState === 1)
        this.fire('message', { type: 'message', data: JSON.stringify(message) })
    }

    private shutdown(code: number, reason: string): void {
      if (this.readyState === 3) return
      // What was read before the close is told before it, as a socket does, and a request
      // still unanswered is told it failed: janus.js never fails one itself when its socket
      // closes, and a call waiting on it waited for good (soak seed 4204: an echo call whose
      // attach was lost with its session stayed "Recovering media" for minutes).
      for (const request of this.unanswered.values())
        this.inbox.push(
          localError(request, unansweredCode, 'The session was lost before Janus answered'),
        )
      this.unanswered.clear()
      while (this.inbox.length > 0) {
        try {
          this.handOne()
        } catch (error) {
          // Reported as an event listener's error is, and the close still comes.
          queueMicrotask(() => {
            throw error
          })
        }
      }
      this.readyState = 3
      for (const off of this.unsubscribe) off()
      this.fire('close', { type: 'close', code, reason, wasClean: code === 1000 })
    }

    private fire(type: EventName, event: unknown): void {
      const property = {
        open: this.onopen,
        message: this.onmessage,
        close: this.onclose,
        error: this.onerror,
      }[type]
      property?.(event)
      for (const listener of [...(this.listeners.get(type) ?? [])]) listener(event)
    }
  }
}

/**
 * Sends a janus.js request through the core: credentials are stamped there, requests wait
 * while it reconnects, and the handles janus.js attaches are recorded for the session.
 */
function forward(
  session: JanusSession,
  request: JanusRequest,
  reply: (message: JanusMessage) => void,
): void {
  if (request.session_id !== undefined && request.session_id !== session.id) {
    reply(localError(request, JanusErrorCode.sessionNotFound, 'No such session'))
    return
  }
  session.submit(request, (outcome) => {
    if (outcome instanceof ServerError) reply(localError(request, outcome.code, outcome.reason))
    else if (outcome instanceof Error) reply(localError(request, unansweredCode, outcome.message))
    else {
      const attachedId = outcome.data?.id
      if (
        request.janus === 'attach' &&
        outcome.janus === 'success' &&
        typeof attachedId === 'number'
      )
        session.trackBridgeHandle(attachedId, String(request.plugin))
      else if (request.janus === 'detach' && typeof request.handle_id === 'number')
        session.trackBridgeHandle(request.handle_id, undefined)
      reply(outcome)
    }
  })
}

/** What janus.js is told when the core failed a request without an answer from Janus. */
const unansweredCode = JanusErrorCode.unknown

function localError(request: JanusRequest, code: number, reason: string): JanusMessage {
  return {
    janus: 'error',
    transaction: request.transaction,
    ...(request.session_id !== undefined ? { session_id: request.session_id } : {}),
    error: { code, reason },
  }
}
