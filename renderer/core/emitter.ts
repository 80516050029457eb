/** A small typed event emitter: event name to payload type. */

/** Where a listener's failure goes: the name of the event it was handling, and the error. */
export type ListenerErrorReporter = (event: string, error: unknown) => void

/**
 * Listener failures that no emitter was told where to report: rethrown outside the emit so
 * the runtime reports them (the console, the test runner) and the other listeners still run.
 */
const reportUnhandled: ListenerErrorReporter = (event, error) => {
  queueMicrotask(() => {
    throw error instanceof Error
      ? Object.assign(error, { message: `a listener of "${event}" threw: ${error.message}` })
      : new Error(`a listener of "${event}" threw: ${String(error)}`)
  })
}

export class Emitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>()

  /** `onListenerError` hears every listener that throws; by default it is rethrown apart. */
  constructor(private readonly onListenerError: ListenerErrorReporter = reportUnhandled) {}

  /** Adds a listener and returns the function that removes it. */
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.listeners.get(event)
    if (!set) {
      set = new Set()
      this.listeners.set(event, set)
    }
    set.add(listener as (payload: never) => void)
    return () => set.delete(listener as (payload: never) => void)
  }

  /** Calls every listener; one that throws is reported and does not stop the others. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        ;(listener as (payload: Events[K]) => void)(payload)
      } catch (error) {
        this.onListenerError(String(event), error)
      }
    }
  }
}
