/** Time and timers, injected so the core can be driven without real time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  setTimeout(callback: () => void, ms: number): TimerId
  clearTimeout(id: TimerId): void
}

/** An opaque timer handle. */
export type TimerId = unknown

/** Minimal logging sink; the host decides where lines go. */
export interface Logger {
  info(message: string, details?: unknown): void
  warn(message: string, details?: unknown): void
}

/** A logger that drops everything, for tests and defaults. */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined }
