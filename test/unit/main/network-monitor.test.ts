import { describe, expect, it } from 'vitest'
import {
  diffSnapshots,
  parseDefaultRoute,
  startNetworkMonitor,
  type InterfaceAddress,
} from '../../../main/network-monitor'
import type { SystemEvent } from '../../../renderer/core/host'
import { FakeClock } from '../support/fake-clock'

const v4 = (address: string): InterfaceAddress => ({ address, family: 'IPv4', internal: false })

function monitor() {
  const clock = new FakeClock()
  let interfaces: Record<string, InterfaceAddress[]> = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
    wlan0: [v4('10.0.0.5')],
  }
  let route: string | undefined = 'wlan0'
  const events: SystemEvent[] = []
  const stop = startNetworkMonitor({
    clock,
    readInterfaces: () => interfaces,
    isOnline: () => true,
    defaultRouteInterface: () => route,
    onEvent: (e) => events.push(e),
    intervalMs: 1000,
    debounceMs: 300,
  })
  return {
    clock,
    events,
    stop,
    set: (next: Record<string, InterfaceAddress[]>, nextRoute?: string) => {
      interfaces = { lo: interfaces.lo!, ...next }
      route = nextRoute
    },
  }
}

describe('network monitor', () => {
  it('says nothing while nothing changes', async () => {
    const m = monitor()
    await m.clock.advance(10_000)
    expect(m.events).toEqual([])
  })

  it('reports Wi-Fi to cellular as one network change after the debounce', async () => {
    const m = monitor()
    m.set({ wwan0: [v4('100.64.1.9')] }, 'wwan0')
    await m.clock.advance(1000)
    expect(m.events).toEqual([])
    await m.clock.advance(300)
    expect(m.events).toEqual([{ type: 'network-changed', addresses: ['wwan0/100.64.1.9'] }])
  })

  it('reports offline when the last routable address goes, and online when one comes', async () => {
    const m = monitor()
    m.set({}, undefined)
    await m.clock.advance(1300)
    expect(m.events).toEqual([{ type: 'offline' }])
    m.set({ eth0: [v4('192.0.2.50')] }, 'eth0')
    await m.clock.advance(1300)
    expect(m.events.at(-1)).toEqual({ type: 'online' })
  })

  it('reports the default route moving between interfaces that keep their addresses', async () => {
    const m = monitor()
    m.set({ wlan0: [v4('10.0.0.5')], tun0: [v4('10.8.0.2')] }, 'wlan0')
    await m.clock.advance(1300)
    m.set({ wlan0: [v4('10.0.0.5')], tun0: [v4('10.8.0.2')] }, 'tun0')
    await m.clock.advance(1300)
    expect(m.events.map((e) => e.type)).toEqual(['network-changed', 'network-changed'])
  })

  it('ignores link-local churn and stops when asked', async () => {
    const m = monitor()
    m.set(
      { wlan0: [v4('10.0.0.5'), { address: 'fe80::1', family: 'IPv6', internal: false }] },
      'wlan0',
    )
    await m.clock.advance(5000)
    expect(m.events).toEqual([])
    m.stop()
    m.set({}, undefined)
    await m.clock.advance(5000)
    expect(m.events).toEqual([])
  })

  it('diffs snapshots into events', () => {
    const a = { online: true, addresses: ['wlan0/10.0.0.5'], defaultInterface: 'wlan0' }
    expect(diffSnapshots(a, a)).toEqual([])
    expect(diffSnapshots(a, { ...a, online: false, addresses: [] })).toEqual([{ type: 'offline' }])
  })

  it('finds the default route with the lowest metric in /proc/net/route', () => {
    const table = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'wlan0\t00000000\t0100000A\t0003\t0\t0\t600\t00000000\t0\t0\t0',
      'wwan0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0',
      'wlan0\t0000000A\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0',
    ].join('\n')
    expect(parseDefaultRoute(table)).toBe('wwan0')
    expect(parseDefaultRoute('Iface\tDestination\n')).toBeUndefined()
  })
})
