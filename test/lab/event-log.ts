/**
 * What a lab process told so far (a far end's call events), and a wait for the first event
 * that matches: those already seen count, those to come wake the wait.
 */
export interface EventLog<T> {
  readonly events: T[]
  push(event: T): void
  /** Resolves with the first matching event; rejects after `timeoutMs`, naming `what`. */
  waitFor(what: string, match: (event: T) => boolean, timeoutMs?: number): Promise<T>
}

/** An event log whose timeout names `source` and lists each event by `name`. */
export function eventLog<T>(source: string, name: (event: T) => unknown): EventLog<T> {
  const events: T[] = []
  const waiters = new Set<() => void>()
  return {
    events,
    push(event) {
      events.push(event)
      for (const wake of [...waiters]) wake()
    },
    waitFor: (what, match, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = events.find(match)
          if (!found) return false
          waiters.delete(wake)
          clearTimeout(timer)
          resolve(found)
          return true
        }
        const wake = (): void => void check()
        const timer = setTimeout(() => {
          waiters.delete(wake)
          const seen = events.map((e) => String(name(e))).join(', ')
          reject(new Error(`${source}: no ${what} within ${timeoutMs} ms; events: ${seen}`))
        }, timeoutMs)
        if (!check()) waiters.add(wake)
      }),
  }
}

/** Connects with `connect` until it works (a process still starting to listen). */
export async function connectWithRetry<S>(
  connect: () => Promise<S>,
  timeoutMs: number,
): Promise<S> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await connect()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}
