/**
 * Notices the network changing under the laptop: addresses added or removed, the default
 * route moving to another interface, the machine going on- or offline. Polls cheaply
 * (os.networkInterfaces, /proc/net/route, net.isOnline are all local), debounces bursts, and
 * emits `online`, `offline` and `network-changed{addresses}`.
 */
import type { Clock, TimerId } from '../renderer/core/clock'
import type { SystemEvent } from '../renderer/core/host'

/** One entry of os.networkInterfaces(). */
export interface InterfaceAddress {
  address: string
  family: string | number
  internal: boolean
}

export interface NetworkMonitorDeps {
  clock: Clock
  readInterfaces(): Record<string, InterfaceAddress[] | undefined>
  isOnline(): boolean
  defaultRouteInterface(): string | undefined
  onEvent(event: SystemEvent): void
  /** Poll interval (default 2 s). */
  intervalMs?: number
  /** Quiet time after a change before it is reported (default 300 ms). */
  debounceMs?: number
}

/** What the monitor compares between polls. */
export interface NetworkSnapshot {
  online: boolean
  addresses: string[]
  defaultInterface: string | undefined
}

const isLinkLocal = (address: string): boolean =>
  address.startsWith('fe80:') || address.startsWith('169.254.')

/** Routable addresses as `iface/address`, sorted, so two snapshots compare as strings. */
export function takeSnapshot(
  deps: Pick<NetworkMonitorDeps, 'readInterfaces' | 'isOnline' | 'defaultRouteInterface'>,
): NetworkSnapshot {
  const addresses: string[] = []
  for (const [name, entries] of Object.entries(deps.readInterfaces())) {
    for (const entry of entries ?? []) {
      if (!entry.internal && !isLinkLocal(entry.address)) addresses.push(`${name}/${entry.address}`)
    }
  }
  addresses.sort()
  const online = deps.isOnline() && addresses.length > 0
  return { online, addresses, defaultInterface: deps.defaultRouteInterface() }
}

/** The events that lead from one snapshot to the next. */
export function diffSnapshots(before: NetworkSnapshot, after: NetworkSnapshot): SystemEvent[] {
  if (before.online && !after.online) return [{ type: 'offline' }]
  if (!before.online && after.online) return [{ type: 'online' }]
  if (!after.online) return []
  const moved = before.defaultInterface !== after.defaultInterface
  const changed = before.addresses.join() !== after.addresses.join()
  return moved || changed ? [{ type: 'network-changed', addresses: after.addresses }] : []
}

/** Starts polling; returns the function that stops it. */
export function startNetworkMonitor(deps: NetworkMonitorDeps): () => void {
  const intervalMs = deps.intervalMs ?? 2000
  const debounceMs = deps.debounceMs ?? 300
  let reported = takeSnapshot(deps)
  let pending: TimerId | undefined
  let poller: TimerId | undefined
  let stopped = false
  const settle = (): void => {
    pending = undefined
    const now = takeSnapshot(deps)
    for (const event of diffSnapshots(reported, now)) deps.onEvent(event)
    reported = now
  }
  const poll = (): void => {
    if (stopped) return
    const now = takeSnapshot(deps)
    const differs = diffSnapshots(reported, now).length > 0
    if (differs && pending === undefined) pending = deps.clock.setTimeout(settle, debounceMs)
    poller = deps.clock.setTimeout(poll, intervalMs)
  }
  poller = deps.clock.setTimeout(poll, intervalMs)
  return () => {
    stopped = true
    if (poller !== undefined) deps.clock.clearTimeout(poller)
    if (pending !== undefined) deps.clock.clearTimeout(pending)
  }
}

/** The interface of the default route with the lowest metric, from /proc/net/route text. */
export function parseDefaultRoute(procNetRoute: string): string | undefined {
  let best: { iface: string; metric: number } | undefined
  for (const line of procNetRoute.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/)
    if (fields.length < 8) continue
    const [iface, destination, , flags, , , metric, mask] = fields
    const up = (parseInt(flags ?? '0', 16) & 1) === 1
    if (destination === '00000000' && mask === '00000000' && up) {
      const m = Number(metric)
      if (!best || m < best.metric) best = { iface: iface!, metric: m }
    }
  }
  return best?.iface
}
