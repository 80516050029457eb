/**
 * A TCP relay between the client and Janus that the test controls: cut every connection
 * (the client sees a close), black-hole them (a dead path that never closes, as after a
 * network switch), deafen them (replies lost), refuse new ones (server unreachable) and heal.
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import { freePort } from './ports'

export interface Relay {
  url: string
  port: number
  /** Connections accepted so far. */
  readonly accepted: number
  /** Connections currently open and forwarding (a black-holed one lingering in TCP is not). */
  readonly open: number
  /** Destroys every connection; the client sees its socket close. */
  cut(): void
  /** Stops forwarding without closing anything: the connection is dead but looks alive. */
  blackhole(): void
  /**
   * The open connections still carry what the client sends, and nothing back: Janus carries
   * out a request whose reply is lost (new connections are whole).
   */
  deafen(): void
  /** New connections are refused until heal(). */
  refuse(): void
  heal(): void
  close(): Promise<void>
}

/** Starts a relay on a free port forwarding to host:port. */
export async function startRelay(
  target: { host: string; port: number },
  listenHost = '127.0.0.1',
): Promise<Relay> {
  const port = await freePort(listenHost)
  const pairs = new Set<{ client: Socket; upstream: Socket; dead: boolean; deaf: boolean }>()
  let refusing = false
  let accepted = 0
  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy()
      return
    }
    accepted++
    const upstream = connect(target.port, target.host)
    const pair = { client, upstream, dead: false, deaf: false }
    pairs.add(pair)
    client.on('data', (chunk) => {
      if (!pair.dead) upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      if (!pair.dead && !pair.deaf) client.write(chunk)
    })
    const end = (): void => {
      if (pair.dead) return
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('close', end)
    upstream.on('close', end)
    client.on('error', end)
    upstream.on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(port, listenHost, resolve))
  return {
    url: `ws://${listenHost}:${port}`,
    port,
    get accepted() {
      return accepted
    },
    get open() {
      return [...pairs].filter((p) => !p.client.destroyed && !p.dead).length
    },
    cut() {
      for (const pair of pairs) {
        pairs.delete(pair)
        pair.client.destroy()
        pair.upstream.destroy()
      }
    },
    blackhole() {
      for (const pair of pairs) pair.dead = true
    },
    deafen() {
      for (const pair of pairs) pair.deaf = true
    },
    refuse() {
      refusing = true
    },
    heal() {
      refusing = false
    },
    async close() {
      refusing = true
      for (const pair of pairs) {
        pair.client.destroy()
        pair.upstream.destroy()
      }
      pairs.clear()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
