/**
 * Main's log: lines appended to a file in the app's log folder, rotated at a size bound, and
 * exportable. No dependency: a few lines of code do what electron-log would here.
 */
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { dirname } from 'node:path'

export interface MainLogger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
  /** The current log file. */
  readonly file: string
  /** Copies the log (and its rotated part) to `destination`, then appends `appendix`. */
  exportTo(destination: string, appendix?: string): void
}

/** A file logger that rotates `file` to `file.1` once it passes `maxBytes`. */
export function createFileLogger(
  file: string,
  options: { maxBytes?: number; echo?: boolean; now?: () => Date } = {},
): MainLogger {
  const maxBytes = options.maxBytes ?? 1_000_000
  const now = options.now ?? (() => new Date())
  mkdirSync(dirname(file), { recursive: true })
  const write = (level: string, message: string): void => {
    const line = `${now().toISOString()} ${level} ${message}\n`
    try {
      if (existsSync(file) && statSync(file).size + line.length > maxBytes)
        renameSync(file, `${file}.1`)
      appendFileSync(file, line)
    } catch {
      // Logging must never take the app down.
    }
    if (options.echo) process.stderr.write(line)
  }
  return {
    file,
    info: (m) => write('INFO', m),
    warn: (m) => write('WARN', m),
    error: (m) => write('ERROR', m),
    exportTo(destination, appendix) {
      if (existsSync(`${file}.1`)) copyFileSync(`${file}.1`, `${destination}.1`)
      if (existsSync(file)) copyFileSync(file, destination)
      else writeFileSync(destination, '')
      if (appendix) appendFileSync(destination, `\n# Renderer\n${appendix}`)
    },
  }
}
