/**
 * janus.js set up once for the page, with the session core underneath it: janus.js's
 * WebSocket class is a router that hands each janus.js instance the bridge socket of the
 * session it was created for (named by a virtual server URL).
 */
import Janus, { type JanusJS } from 'janus-gateway'
import adapter from 'webrtc-adapter'
import type { Gateway } from './gateway'
import { createBridgeSocketClass, type BridgeSocketClass } from '../core/bridge-socket'
import type { JanusSession } from '../core/janus-session'

export type { Gateway } from './gateway'

const bridges = new Map<string, BridgeSocketClass>()
let initialised: Promise<void> | undefined
let counter = 0

/** A WebSocket class janus.js can construct; it returns the bridge registered for the URL. */
class RoutingWebSocket {
  constructor(url: string, protocol?: string) {
    const Bridge = bridges.get(url)
    if (!Bridge) throw new Error(`no Holdfast session behind ${url}`)
    return new Bridge(url, protocol) as unknown as RoutingWebSocket
  }
}

function init(): Promise<void> {
  initialised ??= new Promise<void>((resolve) => {
    Janus.init({
      debug: import.meta.env.DEV
        ? (['warn', 'error'] as unknown as JanusJS.InitOptions['debug'])
        : false,
      // janus.js news this class (its typings describe a factory function).
      dependencies: Janus.useDefaultDependencies({
        WebSocket: RoutingWebSocket,
        adapter,
      } as unknown as Parameters<typeof Janus.useDefaultDependencies>[0]),
      callback: () => resolve(),
    })
  })
  return initialised
}

/** Creates a janus.js instance on the core's current session. */
export async function openGateway(
  session: JanusSession,
  iceServers: RTCIceServer[],
): Promise<Gateway> {
  await init()
  const sessionId = session.id
  if (sessionId === undefined) throw new Error('not connected')
  const url = `ws://holdfast.session/${++counter}`
  bridges.set(url, createBridgeSocketClass(session))
  const janus = await new Promise<Janus>((resolve, reject) => {
    const instance: Janus = new Janus({
      server: url,
      iceServers,
      destroyOnUnload: false,
      success: () => resolve(instance),
      error: (cause: unknown) => reject(new Error(String(cause))),
    })
  })
  return {
    attach: (options) =>
      new Promise((resolve, reject) => {
        janus.attach({
          ...options,
          success: resolve,
          error: (cause: unknown) => reject(new Error(String(cause))),
        } as JanusJS.PluginOptions)
      }),
    release: () => {
      bridges.delete(url)
    },
  }
}
