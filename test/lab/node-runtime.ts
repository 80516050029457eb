/** Real-time edges for running the session core in Node against a real Janus. */
import WebSocket from 'ws'
import type { Clock } from '../../renderer/core/clock'
import { socketFactoryFrom, type WebSocketClass } from '../../renderer/core/socket'

/** The wall clock and Node's timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
}

/** Sockets from the `ws` package, which implements the WHATWG event interface. */
export const wsSocketFactory = socketFactoryFrom(WebSocket as unknown as WebSocketClass)

/** Polls `condition` until it holds (or throws after `timeoutMs`, naming `what`). */
export async function waitFor<T>(
  what: string,
  condition: () => T | Promise<T>,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await condition()
      if (value) return value as NonNullable<T>
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
