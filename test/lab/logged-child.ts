/** A lab process (registrar, far end) whose output is kept, and whose early exit is an error. */
import { spawn, type ChildProcess } from 'node:child_process'

export interface LoggedChild {
  child: ChildProcess
  /** Its stdout and stderr, line by line. */
  log: string[]
  /** Rejects when it exits, with its last lines: race it against readiness. */
  exited: Promise<never>
  /** Kills it (if still running) and resolves once it is gone. */
  kill(): Promise<void>
}

/** Starts `command` (after an optional prefix such as `ip netns exec <ns>`). */
export function spawnLogged(name: string, commandLine: string[]): LoggedChild {
  const [command, ...args] = commandLine
  const log: string[] = []
  const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const collect = (chunk: Buffer): void => void log.push(...chunk.toString().split('\n'))
  child.stdout!.on('data', collect)
  child.stderr!.on('data', collect)
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`${name} exited with ${code}:\n${log.slice(-30).join('\n')}`)),
    ),
  )
  // Nobody may be racing it when it exits at the end of a test.
  exited.catch(() => undefined)
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const gone = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await gone
  }
  return { child, log, exited, kill }
}
