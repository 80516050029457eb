/**
 * The network lab: what a laptop's network does, reproduced with namespaces this process
 * creates and removes.
 *
 *   client (Chromium, page server)          router                 server (Janus)
 *     wifi0 10.210.1.2 ─── wifir 10.210.1.1 ┐
 *     cell0 10.210.2.2 ─── cellr 10.210.2.1 ┼─ srvr 10.210.3.1 ─── srv0 10.210.3.2
 *                                                                   mgmt0 10.210.9.2 ─── (this process) 10.210.9.1
 *
 * The client uses one uplink at a time (its default route); switching moves the address
 * and route the way Wi-Fi to cellular does. The management link only lets this process reach
 * Janus's Admin API (and, in a SIP lab, the registrar and far end on the server's address
 * through a host route); the client never uses it.
 *
 * A two-links lab (a laptop with Wi-Fi and a tethered phone, or a dock's Ethernet) has both
 * uplinks up at once: Wi-Fi holds the default route, cellular its own routing table for its
 * source address, so Chromium gathers and can use both. Janus's WebSocket then listens on a
 * signalling address of its own (10.210.4.2, on the server's loopback, no ICE there) that the
 * client reaches over the uplink `signallingVia` names, so the test chooses which link the
 * WebSocket rides and can take away the other one, the one the media uses.
 *
 * A room lab loads Janus's VideoRoom and adds a watchers' namespace (10.210.5.2 behind the
 * router) whose network never changes: the other participants (B, C) run their Chromium there
 * and watch what the client's changes do to the room.
 *
 * A SIP lab adds Janus's SIP plugin on the server's address; the tests start the registrar
 * and the far end in the server namespace (`serverPrefix`), so the SIP world stays still
 * while the client's network changes.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listHandles, listSessions } from './admin'
import { addNamespace } from './namespace'
import { startJanus, type RunningJanus } from './janus-process'
import type { IssuedToken, LabTokenService } from './static-server'

export type Uplink = 'wifi' | 'cell'

/** Addresses of the lab (inside its own namespaces only). */
export const labAddresses = {
  wifi: { client: '10.210.1.2', router: '10.210.1.1' },
  cell: { client: '10.210.2.2', router: '10.210.2.1' },
  server: '10.210.3.2',
  routerServerSide: '10.210.3.1',
  signalling: '10.210.4.2',
  watchers: { client: '10.210.5.2', router: '10.210.5.1' },
  mgmtHost: '10.210.9.1',
  mgmtServer: '10.210.9.2',
} as const

export interface NetLabOptions {
  sessionTimeoutS: number
  reclaimSessionTimeoutS: number
  /** Also load Janus's SIP plugin, and route this process to the server's address. */
  sip?: boolean
  /** Both uplinks up at once, and the WebSocket on its own address over this uplink. */
  twoLinks?: { signallingVia: Uplink }
  /** Load the VideoRoom and build the watchers' namespace. */
  room?: boolean
  /** A second Janus on the server (other ports), for a pool of servers (issue 14). */
  secondServer?: boolean
  /**
   * Token auth (issue 14): both Janus servers take only tokens signed with the lab's secret,
   * and each page server hands out tokens valid `lifeS` seconds at `/token`.
   */
  tokens?: { lifeS: number }
}

export interface NetLab {
  /** The Janus URL as the client sees it. */
  janusUrl: string
  /** The app's page, served on the client's own loopback (a secure origin). */
  pageUrl(query?: Record<string, string>): string
  /** The baseline client (janus.js alone) for the recovery benchmark, if built. */
  baselineUrl(query?: Record<string, string>): string
  /** A launcher that runs Chromium inside the client namespace. */
  chromiumLauncher: string
  /** In a room lab: a launcher for the watchers' Chromium, and their page's URL. */
  watcherLauncher?: string
  watcherPageUrl?(query?: Record<string, string>): string
  janus: RunningJanus
  /** With `secondServer`: the other Janus and its URL as the client sees it. */
  second?: { janus: RunningJanus; url: string }
  /** Runs a command in the server namespace, e.g. kamailio or baresip. */
  serverPrefix: string[]
  /** The server's interface holding `labAddresses.server`. */
  serverIface: string
  active: Uplink
  /** Wi-Fi down and its address gone, the other uplink up with its own address and route. */
  switchUplink(to: Uplink): void
  /**
   * As a lost Wi-Fi does: the link drops at once with its address still assigned, the other
   * uplink comes up, and only `addressLingersMs` later is the old address removed.
   */
  switchUplinkAbruptly(to: Uplink, addressLingersMs?: number): Promise<void>
  /** Make before break: the other uplink up first (both up), then the old one taken down. */
  switchUplinkOrderly(to: Uplink): void
  /** The active uplink goes down and comes back (address and route restored). */
  flap(): void
  /**
   * In a two-links lab: `uplink` is gone (its address too), nothing else changes. The other
   * link keeps the default route.
   */
  loseLink(uplink: Uplink): void
  /**
   * The router drops everything for the client's address (or stops): a dead path for the
   * client alone, its link still up, nothing closed, the watchers unaffected.
   */
  blackholeClient(on: boolean): void
  /** The client's TCP connections to Janus are killed (the socket closes; the network is fine). */
  cutClientSockets(): void
  /** The router stops forwarding: a dead path that closes nothing. */
  cutForwarding(): void
  restoreForwarding(): void
  /**
   * Sleep: the uplink goes down, every client process is stopped for `ms`, then both come
   * back. Resolves with the moment the uplink was back, just before the processes resume.
   */
  sleep(ms: number): Promise<number>
  /** The processes in the laptop's namespace (its browser's among them), for a hang's report. */
  laptopPids(): string[]
  sessions(): Promise<number[]>
  handles(sessionId: number): Promise<number[]>
  /** With `tokens`: every token the page servers handed out (the laptop's and the watchers'). */
  tokenLog(): IssuedToken[]
  close(): Promise<void>
}

/** Refuses, with the reason, where the lab cannot run. */
export function assertLabCanRun(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'The network lab needs root (it creates network namespaces): run the test command as root.',
    )
  }
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' })
  } catch {
    throw new Error('The network lab needs `ip netns` (Debian package iproute2).')
  }
}

const run = (...args: string[]): void =>
  void execFileSync(args[0]!, args.slice(1), { stdio: 'pipe' })
const tryRun = (...args: string[]): void => {
  try {
    run(...args)
  } catch {
    /* already gone */
  }
}

/** Removes namespaces left by lab runs whose process is gone (a killed run cannot clean up). */
function removeStaleLabs(): void {
  const list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? ''
    const match = /^hf[crsw]-(\d+)$/.exec(name)
    if (!match) continue
    const pid = Number(match[1])
    let alive = true
    try {
      process.kill(pid, 0)
    } catch {
      alive = false
    }
    if (!alive || pid === process.pid) {
      for (const p of execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean))
        tryRun('kill', '-9', p)
      tryRun('ip', 'netns', 'del', name)
      tryRun('ip', 'link', 'del', `hfm${match[1]}`)
    }
  }
}

/** Serves the built app on port 8080 of `ns`'s loopback; resolves once it listens. */
async function servePages(ns: string, tokens?: LabTokenService): Promise<ChildProcess> {
  const server = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns,
      process.execPath,
      '--import',
      'tsx',
      'test/lab/serve-cli.ts',
      'out',
      '8080',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        ...(tokens
          ? {
              HOLDFAST_LAB_TOKEN_SECRET: tokens.secret,
              HOLDFAST_LAB_TOKEN_LIFE_S: String(tokens.lifeS),
              HOLDFAST_LAB_TOKEN_PLUGINS: tokens.plugins.join(','),
            }
          : {}),
      },
    },
  )
  await new Promise<void>((resolve, reject) => {
    server.stdout!.once('data', () => resolve())
    server.once('exit', (code) => reject(new Error(`the page server exited with ${code}`)))
  })
  return server
}

/** The tokens the page server in `ns` handed out (asked over its loopback, from inside). */
function readTokenLog(ns: string): IssuedToken[] {
  const text = execFileSync(
    'ip',
    [
      'netns',
      'exec',
      ns,
      process.execPath,
      '-e',
      "fetch('http://127.0.0.1:8080/token-log').then((r) => r.text()).then((t) => process.stdout.write(t))",
    ],
    { encoding: 'utf8', timeout: 10_000 },
  )
  return JSON.parse(text) as IssuedToken[]
}

/** A launcher that runs Chromium inside `ns` (same pid and pipes, so Playwright drives it). */
function writeLauncher(path: string, ns: string): void {
  writeFileSync(
    path,
    `#!/bin/sh\nexec ip netns exec ${ns} ${process.env.HOLDFAST_CHROMIUM ?? '/usr/bin/chromium'} "$@"\n`,
  )
  chmodSync(path, 0o755)
}

/** Builds the lab, starts Janus in the server namespace and the page server in the client's. */
export async function startNetLab(options: NetLabOptions): Promise<NetLab> {
  assertLabCanRun()
  removeStaleLabs()
  const id = String(process.pid)
  const client = `hfc-${id}`
  const router = `hfr-${id}`
  const server = `hfs-${id}`
  const watchers = `hfw-${id}`
  const mgmt = `hfm${id}`
  const inNs = (ns: string, ...args: string[]): void => run('ip', 'netns', 'exec', ns, ...args)
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-lab-'))
  let pageServer: ChildProcess | undefined
  let tokens: LabTokenService | undefined
  let watcherPageServer: ChildProcess | undefined
  let janus: RunningJanus | undefined
  let secondJanus: RunningJanus | undefined

  const teardown = async (): Promise<void> => {
    pageServer?.kill('SIGKILL')
    watcherPageServer?.kill('SIGKILL')
    await janus?.stop().catch(() => undefined)
    await secondJanus?.stop().catch(() => undefined)
    for (const ns of [client, router, server, ...(options.room ? [watchers] : [])]) {
      let pids: string[] = []
      try {
        pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
          .split('\n')
          .filter(Boolean)
      } catch {
        /* no namespace */
      }
      for (const pid of pids) tryRun('kill', '-CONT', pid)
      for (const pid of pids) tryRun('kill', '-9', pid)
      tryRun('ip', 'netns', 'del', ns)
    }
    tryRun('ip', 'link', 'del', mgmt)
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    for (const ns of [client, router, server, ...(options.room ? [watchers] : [])]) addNamespace(ns)
    const link = (a: string, nsA: string, b: string, nsB: string): void => {
      run('ip', 'link', 'add', a, 'netns', nsA, 'type', 'veth', 'peer', 'name', b, 'netns', nsB)
      inNs(nsA, 'ip', 'link', 'set', 'dev', a, 'up')
      inNs(nsB, 'ip', 'link', 'set', 'dev', b, 'up')
    }
    link('wifi0', client, 'wifir', router)
    link('cell0', client, 'cellr', router)
    link('srvr', router, 'srv0', server)
    if (options.room) {
      link('watchr', router, 'watch0', watchers)
      inNs(router, 'ip', 'addr', 'add', `${labAddresses.watchers.router}/24`, 'dev', 'watchr')
      inNs(watchers, 'ip', 'addr', 'add', `${labAddresses.watchers.client}/24`, 'dev', 'watch0')
      inNs(watchers, 'ip', 'route', 'add', 'default', 'via', labAddresses.watchers.router)
    }
    inNs(router, 'ip', 'addr', 'add', `${labAddresses.wifi.router}/24`, 'dev', 'wifir')
    inNs(router, 'ip', 'addr', 'add', `${labAddresses.cell.router}/24`, 'dev', 'cellr')
    inNs(router, 'ip', 'addr', 'add', `${labAddresses.routerServerSide}/24`, 'dev', 'srvr')
    inNs(router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=1')
    inNs(server, 'ip', 'addr', 'add', `${labAddresses.server}/24`, 'dev', 'srv0')
    inNs(server, 'ip', 'route', 'add', 'default', 'via', labAddresses.routerServerSide)
    // The management link, for the Admin API only.
    run('ip', 'link', 'add', mgmt, 'type', 'veth', 'peer', 'name', 'mgmt0', 'netns', server)
    run('ip', 'addr', 'add', `${labAddresses.mgmtHost}/30`, 'dev', mgmt)
    run('ip', 'link', 'set', 'dev', mgmt, 'up')
    inNs(server, 'ip', 'addr', 'add', `${labAddresses.mgmtServer}/30`, 'dev', 'mgmt0')
    inNs(server, 'ip', 'link', 'set', 'dev', 'mgmt0', 'up')
    // The SIP world's control (OPTIONS probe, ctrl_tcp) reaches the server's address this
    // way; the route goes with the management link.
    if (options.sip)
      run('ip', 'route', 'add', `${labAddresses.server}/32`, 'via', labAddresses.mgmtServer)
    // The client starts on Wi-Fi; cellular is down until a switch (or up beside it).
    inNs(client, 'ip', 'addr', 'add', `${labAddresses.wifi.client}/24`, 'dev', 'wifi0')
    inNs(client, 'ip', 'route', 'add', 'default', 'via', labAddresses.wifi.router)
    if (options.twoLinks) {
      inNs(client, 'ip', 'addr', 'add', `${labAddresses.cell.client}/24`, 'dev', 'cell0')
      // Each link answers for its own source address, or Linux sends every candidate's
      // packets out of the default link.
      for (const [uplink, table] of [
        ['wifi', '101'],
        ['cell', '102'],
      ] as const) {
        const a = labAddresses[uplink]
        inNs(client, 'ip', 'rule', 'add', 'from', a.client, 'table', table)
        inNs(client, 'ip', 'route', 'add', 'default', 'via', a.router, 'table', table)
      }
      // The WebSocket's own address, on loopback: Janus gathers no candidates there.
      inNs(server, 'ip', 'addr', 'add', `${labAddresses.signalling}/32`, 'dev', 'lo')
      inNs(
        router,
        'ip',
        'route',
        'add',
        `${labAddresses.signalling}/32`,
        'via',
        labAddresses.server,
      )
      const via = labAddresses[options.twoLinks.signallingVia]
      inNs(
        client,
        'ip',
        'route',
        'add',
        `${labAddresses.signalling}/32`,
        'via',
        via.router,
        'src',
        via.client,
      )
    } else inNs(client, 'ip', 'link', 'set', 'dev', 'cell0', 'down')

    const plugins = [
      'echotest',
      ...(options.sip ? ['sip'] : []),
      ...(options.room ? ['videoroom'] : []),
    ]
    if (options.tokens)
      tokens = {
        secret: randomBytes(12).toString('hex'),
        lifeS: options.tokens.lifeS,
        plugins: plugins.map((p) => `janus.plugin.${p}`),
      }
    janus = await startJanus(
      {
        wsIp: '0.0.0.0',
        iceInterface: 'srv0',
        iceAddress: labAddresses.server,
        sessionTimeoutS: options.sessionTimeoutS,
        reclaimSessionTimeoutS: options.reclaimSessionTimeoutS,
        plugins,
        ...(tokens ? { tokenAuthSecret: tokens.secret } : {}),
        ...(options.sip ? { sipLocalIp: labAddresses.server } : {}),
      },
      { prefix: ['ip', 'netns', 'exec', server], reachableHost: labAddresses.mgmtServer },
    )

    if (options.secondServer)
      secondJanus = await startJanus(
        {
          wsIp: '0.0.0.0',
          wsPort: 8288,
          adminPort: 7288,
          rtpPortRange: '40001-50000',
          iceInterface: 'srv0',
          iceAddress: labAddresses.server,
          sessionTimeoutS: options.sessionTimeoutS,
          reclaimSessionTimeoutS: options.reclaimSessionTimeoutS,
          // The same plugins and tokens as the first: every call kind can move to it.
          plugins,
          ...(tokens ? { tokenAuthSecret: tokens.secret } : {}),
          ...(options.sip ? { sipLocalIp: labAddresses.server } : {}),
        },
        { prefix: ['ip', 'netns', 'exec', server], reachableHost: labAddresses.mgmtServer },
      )

    // Pages come from each namespace's own loopback (a secure origin for getUserMedia).
    pageServer = await servePages(client, tokens)
    writeLauncher(join(dir, 'chromium-in-client-ns'), client)
    if (options.room) {
      watcherPageServer = await servePages(watchers, tokens)
      writeLauncher(join(dir, 'chromium-in-watchers-ns'), watchers)
    }
  } catch (error) {
    await teardown()
    throw error
  }

  const admin = [janus.adminUrl, janus.config.adminSecret] as const
  const janusHost = options.twoLinks ? labAddresses.signalling : labAddresses.server
  const janusUrl = `ws://${janusHost}:${janus.config.wsPort}`
  const up = (uplink: Uplink): void => {
    const dev = `${uplink}0`
    inNs(client, 'ip', 'link', 'set', 'dev', dev, 'up')
    inNs(client, 'ip', 'addr', 'replace', `${labAddresses[uplink].client}/24`, 'dev', dev)
    inNs(client, 'ip', 'route', 'replace', 'default', 'via', labAddresses[uplink].router)
  }
  const down = (uplink: Uplink): void => {
    const dev = `${uplink}0`
    // Flush first: with only the link down Linux keeps using the old source address.
    inNs(client, 'ip', 'addr', 'flush', 'dev', dev)
    inNs(client, 'ip', 'link', 'set', 'dev', dev, 'down')
  }
  const clientPids = (): string[] =>
    execFileSync('ip', ['netns', 'pids', client], { encoding: 'utf8' }).split('\n').filter(Boolean)

  const lab: NetLab = {
    janusUrl,
    janus,
    ...(secondJanus
      ? {
          second: {
            janus: secondJanus,
            url: `ws://${janusHost}:${secondJanus.config.wsPort}`,
          },
        }
      : {}),
    serverPrefix: ['ip', 'netns', 'exec', server],
    serverIface: 'srv0',
    active: 'wifi',
    chromiumLauncher: join(dir, 'chromium-in-client-ns'),
    ...(options.room
      ? {
          watcherLauncher: join(dir, 'chromium-in-watchers-ns'),
          watcherPageUrl: (query: Record<string, string> = {}) =>
            `http://127.0.0.1:8080/renderer/index.html?${new URLSearchParams({ server: `ws://${labAddresses.server}:${janus.config.wsPort}`, ...query }).toString()}`,
        }
      : {}),
    pageUrl: (query = {}) =>
      `http://127.0.0.1:8080/renderer/index.html?${new URLSearchParams({ server: janusUrl, ...query }).toString()}`,
    baselineUrl: (query = {}) =>
      `http://127.0.0.1:8080/baseline/index.html?${new URLSearchParams({ server: janusUrl, ...query }).toString()}`,
    switchUplink(to) {
      if (to === lab.active) return
      down(lab.active)
      up(to)
      lab.active = to
    },
    async switchUplinkAbruptly(to, addressLingersMs = 1000) {
      if (to === lab.active) return
      const from = lab.active
      inNs(client, 'ip', 'link', 'set', 'dev', `${from}0`, 'down')
      up(to)
      lab.active = to
      // The stimulus: the address lingers this long, as NetworkManager takes its time.
      await new Promise((resolve) => setTimeout(resolve, addressLingersMs))
      inNs(client, 'ip', 'addr', 'flush', 'dev', `${from}0`)
    },
    switchUplinkOrderly(to) {
      if (to === lab.active) return
      const from = lab.active
      up(to)
      lab.active = to
      down(from)
    },
    flap() {
      down(lab.active)
      up(lab.active)
    },
    loseLink(uplink) {
      down(uplink)
      if (uplink === 'wifi')
        inNs(client, 'ip', 'route', 'replace', 'default', 'via', labAddresses.cell.router)
      lab.active = uplink === 'wifi' ? 'cell' : 'wifi'
    },
    blackholeClient(on) {
      const target = `${labAddresses[lab.active].client}/32`
      if (on) inNs(router, 'ip', 'route', 'add', 'blackhole', target)
      else tryRun('ip', 'netns', 'exec', router, 'ip', 'route', 'del', 'blackhole', target)
    },
    cutClientSockets: () => {
      for (const running of [janus!, ...(secondJanus ? [secondJanus] : [])])
        inNs(client, 'ss', '-K', 'dst', janusHost, 'dport', '=', String(running.config.wsPort))
    },
    cutForwarding: () => inNs(router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=0'),
    restoreForwarding: () => inNs(router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'),
    async sleep(ms) {
      down(lab.active)
      const pids = clientPids()
      for (const pid of pids) tryRun('kill', '-STOP', pid)
      // The stimulus: the machine is asleep this long (not a wait for a condition).
      await new Promise((resolve) => setTimeout(resolve, ms))
      up(lab.active)
      const back = Date.now()
      for (const pid of pids) tryRun('kill', '-CONT', pid)
      return back
    },
    laptopPids: clientPids,
    sessions: () => listSessions(...admin),
    tokenLog: () =>
      [client, ...(options.room ? [watchers] : [])].flatMap((ns) =>
        tokens ? readTokenLog(ns) : [],
      ),
    handles: (sessionId) => listHandles(...admin, sessionId),
    close: teardown,
  }
  return lab
}
