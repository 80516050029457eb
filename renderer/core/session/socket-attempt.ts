/** Opening one socket to Janus, with a bound on how long it may take. */
import type { Clock } from '../clock'
import type { SocketConnection, SocketFactory } from '../socket'

/** The server URL cannot be opened at all: no retry will help. */
export class InvalidServerError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidServerError'
  }
}

export interface OpenSocketOptions {
  clock: Clock
  factory: SocketFactory
  url: string
  protocol: string
  timeoutMs: number
  onMessage(text: string): void
  /** The socket closed after it had opened. */
  onClosed(wasError: boolean): void
  /** Called at once with the socket being opened, so the caller can close it early. */
  onCreated(socket: SocketConnection): void
}

/**
 * Resolves with the socket once it is open; rejects when it closes first or takes longer
 * than the bound, and with InvalidServerError when the URL is refused outright.
 */
export function openSocket(options: OpenSocketOptions): Promise<SocketConnection> {
  const { clock } = options
  return new Promise((resolve, reject) => {
    let opened = false
    let socket: SocketConnection | undefined
    const timer = clock.setTimeout(() => {
      if (opened) return
      socket?.close()
      reject(new Error('the server did not answer in time'))
    }, options.timeoutMs)
    try {
      socket = options.factory(options.url, options.protocol, {
        onOpen: () => {
          opened = true
          clock.clearTimeout(timer)
          resolve(socket!)
        },
        onMessage: options.onMessage,
        onClose: (info) => {
          clock.clearTimeout(timer)
          // A browser says nothing about a refused socket; a host that refused it does.
          const why = info.reason ? `: ${info.reason}` : ''
          if (!opened) reject(new Error(`cannot reach ${options.url}${why}`))
          else options.onClosed(info.wasError)
        },
      })
    } catch (error) {
      clock.clearTimeout(timer)
      const why = error instanceof Error ? error.message : String(error)
      reject(new InvalidServerError(`Invalid server URL: ${why}`))
      return
    }
    options.onCreated(socket)
  })
}
