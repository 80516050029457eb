/** Network namespaces for tests: created with IPv6 off (its addresses only confuse ICE) and loopback up. */
import { execFileSync } from 'node:child_process'

/** Creates `name` ready for the test's links and addresses. */
export function addNamespace(name: string): void {
  execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' })
  const inNs = (...args: string[]) =>
    execFileSync('ip', ['netns', 'exec', name, ...args], { stdio: 'pipe' })
  inNs(
    'sysctl',
    '-q',
    '-w',
    'net.ipv6.conf.all.disable_ipv6=1',
    'net.ipv6.conf.default.disable_ipv6=1',
  )
  inNs('ip', 'link', 'set', 'dev', 'lo', 'up')
}
