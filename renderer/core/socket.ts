/**
 * The transport edge of the core: a socket factory it is given, so tests can hand it fakes
 * and production hands it the browser's (or Node's `ws`) WebSocket.
 */

/** Callbacks a socket reports to. */
export interface SocketHandlers {
  onOpen(): void
  onMessage(text: string): void
  /** Called once when the socket is gone, whatever the cause. */
  onClose(info: { code: number; reason: string; wasError: boolean }): void
}

/** An open (or opening) socket as the core sees it. */
export interface SocketConnection {
  send(text: string): void
  /** Closes the socket; no handler is called afterwards. */
  close(code?: number, reason?: string): void
}

/** Opens a socket to `url` speaking `protocol`. */
export type SocketFactory = (
  url: string,
  protocol: string,
  handlers: SocketHandlers,
) => SocketConnection

/** The structural part of a WHATWG WebSocket that the adapter needs (DOM and `ws` both fit). */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  addEventListener(
    type: 'open' | 'close' | 'error' | 'message',
    listener: (event: never) => void,
  ): void
}

/** A WebSocket class: `new (url, protocol)`. */
export type WebSocketClass = new (url: string, protocol: string) => WebSocketLike

/** Adapts any WHATWG-style WebSocket class to the core's socket factory. */
export function socketFactoryFrom(WebSocketCtor: WebSocketClass): SocketFactory {
  return (url, protocol, handlers) => {
    let done = false
    let sawError = false
    const socket = new WebSocketCtor(url, protocol)
    const finish = (code: number, reason: string): void => {
      if (done) return
      done = true
      handlers.onClose({ code, reason, wasError: sawError })
    }
    socket.addEventListener('open', () => {
      if (!done) handlers.onOpen()
    })
    socket.addEventListener('message', (event: { data: unknown }) => {
      if (!done)
        handlers.onMessage(typeof event.data === 'string' ? event.data : String(event.data))
    })
    socket.addEventListener('error', () => {
      sawError = true
    })
    socket.addEventListener('close', (event: { code: number; reason: string }) =>
      finish(event.code, event.reason),
    )
    return {
      send: (text) => {
        if (!done && socket.readyState === 1) socket.send(text)
      },
      close: (code = 1000, reason = '') => {
        done = true
        try {
          socket.close(code, reason)
        } catch {
          // A socket still connecting may refuse some codes; it is being dropped either way.
          try {
            socket.close()
          } catch {
            /* already closed */
          }
        }
      },
    }
  }
}

/**
 * Asks `allow` before every socket opens (the desktop app's main refuses sockets to servers
 * it was not told of): the socket opens once allowed, or closes at once, with the reason, if
 * not. Closing while the answer is pending opens nothing.
 */
export function gateSockets(
  factory: SocketFactory,
  allow: (url: string) => Promise<boolean>,
): SocketFactory {
  return (url, protocol, handlers) => {
    let inner: SocketConnection | undefined
    let closed = false
    const refuse = (reason: string): void => {
      if (closed) return
      closed = true
      handlers.onClose({ code: 1006, reason, wasError: true })
    }
    allow(url).then(
      (allowed) => {
        if (closed) return
        if (!allowed) refuse('The desktop app refused a connection to this address')
        else inner = factory(url, protocol, handlers)
      },
      (error: unknown) =>
        refuse(`The desktop app could not allow the connection: ${String(error)}`),
    )
    return {
      send: (text) => inner?.send(text),
      close: (code, reason) => {
        closed = true
        inner?.close(code, reason)
      },
    }
  }
}
