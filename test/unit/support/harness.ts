import {
  JanusSession,
  type JanusSessionOptions,
  type SessionEvents,
} from '../../../renderer/core/janus-session'
import type { TokenProvider } from '../../../renderer/core/host'
import type { SocketFactory } from '../../../renderer/core/socket'
import { FakeClock } from './fake-clock'
import { FakeJanus, MemoryStore } from './fake-janus'

/** A session core wired to a fake clock, a fake Janus and a memory store, recording events. */
export function makeHarness(
  options: Partial<JanusSessionOptions> = {},
  extra: {
    tokenProvider?: TokenProvider
    store?: MemoryStore
    clock?: FakeClock
    server?: FakeJanus
    openSocket?: SocketFactory
  } = {},
) {
  const clock = extra.clock ?? new FakeClock()
  const server = extra.server ?? new FakeJanus()
  const store = extra.store ?? new MemoryStore()
  const session = new JanusSession(
    { serverUrl: 'ws://janus.test:8188', ...options },
    {
      clock,
      random: () => 0.5,
      openSocket: extra.openSocket ?? server.factory,
      store,
      ...(extra.tokenProvider ? { tokenProvider: extra.tokenProvider } : {}),
    },
  )
  const log: { event: keyof SessionEvents; payload: unknown }[] = []
  for (const event of [
    'state',
    'connected',
    'reconnecting',
    'reconnected',
    'sessionLost',
    'disconnected',
  ] as const) {
    session.events.on(event, (payload) => log.push({ event, payload }))
  }
  /** Delay of each scheduled retry, as announced in the reconnecting state. */
  const retryDelays: number[] = []
  session.events.on('state', (state) => {
    if (state.kind === 'reconnecting' && state.nextAttemptAt !== undefined)
      retryDelays.push(state.nextAttemptAt - clock.now())
  })
  const states = () =>
    log.filter((e) => e.event === 'state').map((e) => (e.payload as { kind: string }).kind)
  const eventsOf = <K extends keyof SessionEvents>(name: K) =>
    log.filter((e) => e.event === name).map((e) => e.payload as SessionEvents[K])
  return { clock, server, store, session, log, states, eventsOf, retryDelays }
}

/** Connects and waits until connected. */
export async function connected(h: ReturnType<typeof makeHarness>): Promise<number> {
  h.session.connect()
  await h.clock.advance(0)
  if (h.session.state.kind !== 'connected')
    throw new Error(`not connected: ${JSON.stringify(h.session.state)}`)
  return h.session.id!
}
