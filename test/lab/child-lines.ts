/** A child process whose stdout JSON lines the test can wait on. */
import { spawn, type ChildProcess } from 'node:child_process'
import { waitFor } from './node-runtime'

export interface LineChild {
  process: ChildProcess
  lines: Record<string, unknown>[]
  waitForLine(
    what: string,
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>
  stop(): void
}

export function spawnLines(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): LineChild {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  })
  const lines: Record<string, unknown>[] = []
  let buffer = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    let newline: number
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline)
      buffer = buffer.slice(newline + 1)
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>)
      } catch {
        /* not ours */
      }
    }
  })
  return {
    process: child,
    lines,
    waitForLine: (what, match, timeoutMs = 10_000) =>
      waitFor(what, () => lines.find(match), timeoutMs),
    stop: () => void child.kill('SIGKILL'),
  }
}
