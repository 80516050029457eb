/**
 * Runs main's network monitor for real (os.networkInterfaces, /proc/net/route) and prints
 * each event as a JSON line; the system-signals test runs it inside a network namespace.
 */
import { readFileSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import { parseDefaultRoute, startNetworkMonitor } from '../../main/network-monitor'
import { realClock } from './node-runtime'

startNetworkMonitor({
  clock: realClock,
  readInterfaces: networkInterfaces,
  // net.isOnline() is Electron's; here "online" is having a routable address.
  isOnline: () => true,
  defaultRouteInterface: () => parseDefaultRoute(readFileSync('/proc/net/route', 'utf8')),
  intervalMs: Number(process.env.PROBE_INTERVAL_MS ?? 200),
  debounceMs: Number(process.env.PROBE_DEBOUNCE_MS ?? 100),
  onEvent: (event) => process.stdout.write(`${JSON.stringify({ at: Date.now(), ...event })}\n`),
})
process.stdout.write('{"ready":true}\n')
