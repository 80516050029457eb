/**
 * Opens a second socket when the first is slow to open, and keeps whichever opens first
 * (issue 13). Made for a claim that waited 2 s after an abrupt Wi-Fi to cellular switch in the
 * SIP lab, read then as a first SYN lost before the new route worked. Later captures in the
 * lab (tcpdump in the laptop's namespace) showed no SYN at all leaving for the 1-2 s a slow
 * claim waits: Chromium holds the page's WebSocket, and the race's sockets with it; a plain
 * TCP connect at the same moment connects at once. Kept for networks that do lose a SYN:
 * unlike closing the slow attempt and starting over, a race never loses an attempt that was
 * about to succeed on a slow network: the first socket keeps its chance.
 */
import type { Clock, TimerId } from './clock'
import type { SocketConnection, SocketFactory, SocketHandlers } from './socket'

export interface SocketRaceOptions {
  /** How long a socket may take to open before another joins the race. */
  raceAfterMs: number
  /** At most this many sockets in one race. */
  maxSockets: number
}

export const defaultSocketRace: SocketRaceOptions = { raceAfterMs: 400, maxSockets: 3 }

/** Wraps a socket factory so each socket it opens is raced as described above. */
export function racingSockets(
  factory: SocketFactory,
  clock: Clock,
  options: SocketRaceOptions = defaultSocketRace,
): SocketFactory {
  return (url, protocol, handlers) => {
    const entrants: SocketConnection[] = []
    let winner: SocketConnection | undefined
    let closedByUs = false
    let reported = false
    let failures = 0
    let entered = 0
    let timer: TimerId | undefined

    const stopTimer = (): void => {
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
    }
    const report = (info: { code: number; reason: string; wasError: boolean }): void => {
      if (reported || closedByUs) return
      reported = true
      stopTimer()
      handlers.onClose(info)
    }
    const enter = (): void => {
      // Filled in once the factory returns; a handler called before that is too early to count.
      const entrant: { socket?: SocketConnection } = {}
      const own: SocketHandlers = {
        onOpen: () => {
          if (winner || closedByUs || reported || !entrant.socket) return
          const socket = entrant.socket
          winner = socket
          stopTimer()
          for (const other of entrants) if (other !== socket) other.close()
          handlers.onOpen()
        },
        onMessage: (text) => {
          if (entrant.socket !== undefined && entrant.socket === winner) handlers.onMessage(text)
        },
        onClose: (info) => {
          if (winner !== undefined) {
            if (entrant.socket === winner) report(info)
            return
          }
          // Not open yet: the race is lost when every socket in it so far failed (one that
          // fails fast, unreachable, is not worth waiting on for another to join).
          failures += 1
          if (failures === entered) report(info)
        },
      }
      entered += 1
      entrant.socket = factory(url, protocol, own)
      entrants.push(entrant.socket)
      if (entrants.length < options.maxSockets) {
        timer = clock.setTimeout(() => {
          timer = undefined
          if (!winner && !closedByUs && !reported) enter()
        }, options.raceAfterMs * entrants.length)
      }
    }
    enter()
    return {
      send: (text) => winner?.send(text),
      close: (code, reason) => {
        closedByUs = true
        stopTimer()
        for (const socket of entrants) socket.close(code, reason)
      },
    }
  }
}
