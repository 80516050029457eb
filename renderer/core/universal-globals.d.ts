/**
 * The few globals every runtime Holdfast runs in has (browsers, Electron's processes,
 * Node), declared narrowly so the core can use them without pulling in DOM or Node types.
 */
declare class URL {
  constructor(url: string, base?: string)
  readonly protocol: string
  readonly hostname: string
  readonly host: string
  readonly pathname: string
  readonly origin: string
  readonly username: string
  readonly password: string
}

/** Runs a callback after the current task (every runtime Holdfast runs in has it). */
declare function queueMicrotask(callback: () => void): void
