/**
 * What lab processes said (the registrar's SIP trace, a far end's log), kept a while after
 * they stop so that a failing test can attach them to its results.
 */

interface Source {
  seq: number
  name: string
  read(): string
  running: boolean
}

const sources: Source[] = []
let counter = 0

/**
 * Registers a process's output; it stays readable after the process stops. Returns what to
 * call when it stops.
 */
export function keepTrace(name: string, read: () => string): () => void {
  const source = { seq: ++counter, name, read, running: true }
  sources.push(source)
  // Bounded: a long suite starts hundreds of lab processes.
  if (sources.length > 50) sources.splice(0, sources.length - 50)
  return () => void (source.running = false)
}

/** A mark to take the traces of everything started after it. */
export function traceMark(): number {
  return counter
}

/** The traces of what started after `mark` and, if asked, of what is still running. */
export function tracesSince(
  mark: number,
  options: { includeRunning?: boolean } = {},
): { name: string; text: string }[] {
  return sources
    .filter((s) => s.seq > mark || (options.includeRunning === true && s.running))
    .map((s) => ({ name: s.name, text: s.read() }))
}
