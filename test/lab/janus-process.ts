/**
 * Starts and stops a real Janus (Debian's package) with the project's configuration, and
 * waits until its WebSocket answers `info`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, createWriteStream } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { writeJanusConfig, type JanusLabConfig } from './janus-config'
import { freePort } from './ports'

/** A running Janus and how to reach it. */
export interface RunningJanus {
  url: string
  adminUrl: string
  config: JanusLabConfig
  logFile: string
  stop(): Promise<void>
  /** Stops and starts again on the same ports (a server restart). */
  restart(): Promise<void>
}

/** Whether the janus binary is on PATH. */
export function janusAvailable(): boolean {
  return spawnSync('sh', ['-c', 'command -v janus'], { stdio: 'ignore' }).status === 0
}

/** Where and how to run Janus. */
export interface JanusPlacement {
  /** Runs janus through another command (e.g. `ip netns exec ns`). */
  prefix?: string[]
  /** The address this process reaches Janus at (default: the bound address). */
  reachableHost?: string
}

/** Starts Janus with the project's configuration and waits until it answers `info`. */
export async function startJanus(
  overrides: Partial<JanusLabConfig> = {},
  placement: JanusPlacement = {},
): Promise<RunningJanus> {
  const prefix = placement.prefix ?? []
  const inNamespace = prefix.length > 0
  const config: JanusLabConfig = {
    wsIp: '127.0.0.1',
    // Inside a namespace of our own nothing else listens: fixed ports are safe there.
    wsPort: inNamespace ? 8188 : await freePort(),
    adminPort: inNamespace ? 7188 : await freePort(),
    adminSecret: 'holdfast-admin',
    sessionTimeoutS: 15,
    reclaimSessionTimeoutS: 5,
    ...overrides,
  }
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-janus-'))
  const file = writeJanusConfig(dir, config)
  const logFile = join(dir, 'janus.log')
  const host = placement.reachableHost ?? config.wsIp
  const url = `ws://${host}:${config.wsPort}`
  const adminUrl = `ws://${host}:${config.adminPort}`
  let child: ChildProcess | undefined
  let keepLogs = Boolean(process.env.HOLDFAST_KEEP_LOGS)

  const launch = async (): Promise<void> => {
    const log = createWriteStream(logFile, { flags: 'a' })
    const [command, ...args] = [...prefix, 'janus', '-C', file, '-F', dir, '-o']
    // With the SIP plugin, sofia-sip logs every SIP message it sends and receives (TPORT_LOG):
    // the trace a failing softphone test keeps.
    const started = spawn(command!, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...((config.plugins ?? ['sip']).includes('sip') ? { TPORT_LOG: '1' } : {}),
      },
    })
    child = started
    started.stdout?.pipe(log)
    started.stderr?.pipe(log)
    // A Janus that dies on its own is a finding, not noise: say so and keep its log.
    started.once('exit', (code, signal) => {
      if (child !== started) return
      keepLogs = true
      console.error(
        `janus (${url}) exited unexpectedly: code ${code}, signal ${signal}; log kept at ${logFile}`,
      )
      try {
        console.error(readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n'))
      } catch {
        /* no log yet */
      }
    })
    const exited = new Promise<never>((_, reject) =>
      started.once('exit', (code) =>
        reject(new Error(`janus exited with ${code}; see ${logFile}`)),
      ),
    )
    await Promise.race([waitForInfo(url, 10_000), exited])
  }

  const stop = async (): Promise<void> => {
    const running = child
    child = undefined
    if (!running || running.exitCode !== null) return
    const gone = new Promise<void>((resolve) => running.once('exit', () => resolve()))
    running.kill('SIGTERM')
    const timer = setTimeout(() => running.kill('SIGKILL'), 3000)
    await gone
    clearTimeout(timer)
  }

  await launch()
  return {
    url,
    adminUrl,
    config,
    logFile,
    stop: async () => {
      await stop()
      if (!keepLogs) rmSync(dir, { recursive: true, force: true })
    },
    restart: async () => {
      await stop()
      await launch()
    },
  }
}

/** Resolves once `{"janus":"info"}` gets an answer on `url`. */
export async function waitForInfo(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(url, 'janus-protocol')
        ws.once('open', () => ws.send(JSON.stringify({ janus: 'info', transaction: 'ready' })))
        ws.once('message', () => {
          ws.close()
          resolve()
        })
        ws.once('error', reject)
      })
      return
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`Janus at ${url} did not answer: ${String(error)}`, { cause: error })
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}
