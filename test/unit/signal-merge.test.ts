import { describe, expect, it } from 'vitest'
import type { SystemEvent } from '../../renderer/core/host'
import { mergeSignals, type SignalSource } from '../../renderer/core/signal-merge'
import { FakeClock } from './support/fake-clock'

/** A source the test fires by hand, and whether anyone listens. */
function source(): {
  fire(event: SystemEvent): void
  listening(): number
  subscribe: SignalSource
} {
  const listeners = new Set<(event: SystemEvent) => void>()
  return {
    fire: (event) => {
      for (const listener of listeners) listener(event)
    },
    listening: () => listeners.size,
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

function merged() {
  const clock = new FakeClock()
  const page = source()
  const poll = source()
  const seen: string[] = []
  const off = mergeSignals(
    clock,
    page.subscribe,
    poll.subscribe,
    5000,
  )((event) => seen.push(event.type))
  return { clock, page, poll, seen, off }
}

describe('the desktop app’s network signals: the page’s own first, the main process’s poll after', () => {
  it('passes the page’s at once and drops the poll’s late copy of the same change', async () => {
    const { clock, page, poll, seen } = merged()
    page.fire({ type: 'offline' })
    page.fire({ type: 'online' })
    await clock.advance(2300)
    poll.fire({ type: 'network-changed', addresses: ['cell0/10.0.2.2'] })
    expect(seen).toEqual(['offline', 'online'])
  })

  it('passes what only the poll saw, and the poll’s network signals once the page has been quiet', async () => {
    const { clock, page, poll, seen } = merged()
    poll.fire({ type: 'network-changed', addresses: ['wlan0/192.168.1.7'] })
    page.fire({ type: 'network-changed', addresses: [] })
    await clock.advance(5000)
    poll.fire({ type: 'offline' })
    expect(seen).toEqual(['network-changed', 'network-changed', 'offline'])
  })

  it('always passes the poll’s power signals', () => {
    const { page, poll, seen } = merged()
    page.fire({ type: 'offline' })
    poll.fire({ type: 'suspend' })
    poll.fire({ type: 'resume', sleptMs: 4000 })
    expect(seen).toEqual(['offline', 'suspend', 'resume'])
  })

  it('stops listening to both when unsubscribed', () => {
    const { page, poll, off } = merged()
    expect([page.listening(), poll.listening()]).toEqual([1, 1])
    off()
    expect([page.listening(), poll.listening()]).toEqual([0, 0])
  })
})
