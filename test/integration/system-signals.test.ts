/**
 * Main's system signals against the real system: the network monitor inside a network
 * namespace this test builds (addresses added, removed, moved, the default route switched),
 * and the wake detector in a process frozen with SIGSTOP and thawed with SIGCONT.
 */
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnLines, type LineChild } from '../lab/child-lines'
import { addNamespace } from '../lab/namespace'

const tsx = ['--import', 'tsx']

describe('network monitor in a network namespace', () => {
  if (process.getuid?.() !== 0)
    throw new Error('this suite builds a network namespace: run the test command as root')
  const ns = `hf-nm-${process.pid}`
  const ip = (...args: string[]) =>
    execFileSync('ip', ['netns', 'exec', ns, 'ip', ...args], { stdio: 'pipe' })
  let probe: LineChild

  beforeAll(async () => {
    addNamespace(ns)
    for (const [a, b] of [
      ['wifi0', 'wifi1'],
      ['cell0', 'cell1'],
    ]) {
      ip('link', 'add', a!, 'type', 'veth', 'peer', 'name', b!)
      ip('link', 'set', 'dev', a!, 'up')
      ip('link', 'set', 'dev', b!, 'up')
    }
    probe = spawnLines('ip', [
      'netns',
      'exec',
      ns,
      process.execPath,
      ...tsx,
      'test/lab/network-monitor-probe.ts',
    ])
    await probe.waitForLine('the probe', (l) => l.ready === true, 20_000)
  })

  afterAll(() => {
    probe?.stop()
    try {
      execFileSync('ip', ['netns', 'del', ns])
    } catch {
      /* already gone */
    }
  })

  const next = (type: string, after: number) =>
    probe.waitForLine(`a ${type} event`, (l) => l.type === type && (l.at as number) >= after, 5000)

  it('an address appearing is "online"; a default route appearing is a change', async () => {
    let t = Date.now()
    ip('addr', 'add', '10.201.0.2/24', 'dev', 'wifi0')
    const online = await next('online', t)
    console.log(`online reported ${(online.at as number) - t} ms after the address was added`)
    t = Date.now()
    ip('route', 'add', 'default', 'dev', 'wifi0')
    await expect(next('network-changed', t)).resolves.toMatchObject({
      addresses: ['wifi0/10.201.0.2'],
    })
  })

  it('Wi-Fi to cellular (address moved, route switched) is one network change with the new address', async () => {
    const t = Date.now()
    ip('addr', 'add', '10.202.0.2/24', 'dev', 'cell0')
    ip('addr', 'flush', 'dev', 'wifi0')
    ip('route', 'replace', 'default', 'dev', 'cell0')
    const changed = await next('network-changed', t)
    const settled = await probe.waitForLine(
      'the settled addresses',
      (l) => l.type === 'network-changed' && JSON.stringify(l.addresses) === '["cell0/10.202.0.2"]',
      5000,
    )
    expect(settled.addresses).toEqual(['cell0/10.202.0.2'])
    console.log(`network change reported ${(changed.at as number) - t} ms after the switch`)
  })

  it('the last address going away is "offline"', async () => {
    const t = Date.now()
    ip('addr', 'flush', 'dev', 'cell0')
    await expect(next('offline', t)).resolves.toMatchObject({ type: 'offline' })
  })
})

describe('wake detector', () => {
  it('a process frozen by SIGSTOP reports a wake with the time it lost after SIGCONT', async () => {
    const probe = spawnLines(process.execPath, [...tsx, 'test/lab/power-probe.ts'])
    try {
      await probe.waitForLine('the probe', (l) => l.ready === true, 20_000)
      probe.process.kill('SIGSTOP')
      const frozenAt = Date.now()
      // The stimulus: a frozen process for three seconds (like a lid closed), not a wait for a condition.
      await new Promise((resolve) => setTimeout(resolve, 3000))
      probe.process.kill('SIGCONT')
      const wake = await probe.waitForLine('a wake', (l) => l.type === 'resume', 10_000)
      expect(wake).toMatchObject({ type: 'resume', source: 'drift' })
      expect(wake.sleptMs as number).toBeGreaterThan(2000)
      expect(wake.at as number).toBeGreaterThan(frozenAt + 2000)
    } finally {
      probe.stop()
    }
  })
})
