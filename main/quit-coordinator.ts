/**
 * Quitting (or the OS shutting down) with a call up: main asks the renderer to hang up and
 * destroy the Janus session, waits for it within a bound, then lets the app quit.
 */
import type { Clock, TimerId } from '../renderer/core/clock'

export interface QuitCoordinatorDeps {
  clock: Clock
  /** Asks the renderer to end calls and the session; false when there is no renderer. */
  askRenderer(reason: 'quit' | 'shutdown'): boolean
  /** Really quits. */
  quit(): void
  log(message: string): void
  timeoutMs?: number
}

export class QuitCoordinator {
  private phase: 'running' | 'waiting' | 'done' = 'running'
  private timer: TimerId | undefined

  constructor(private readonly deps: QuitCoordinatorDeps) {}

  /** True once the app may quit without asking again. */
  get done(): boolean {
    return this.phase === 'done'
  }

  get quitting(): boolean {
    return this.phase !== 'running'
  }

  /**
   * Starts the orderly quit. Returns true when the caller must hold the quit (the renderer
   * was asked and is being waited for).
   */
  request(reason: 'quit' | 'shutdown'): boolean {
    if (this.phase === 'done') return false
    if (this.phase === 'waiting') return true
    if (!this.deps.askRenderer(reason)) {
      this.phase = 'done'
      return false
    }
    this.phase = 'waiting'
    const timeoutMs = this.deps.timeoutMs ?? 3000
    this.timer = this.deps.clock.setTimeout(() => {
      this.deps.log(`quit: the renderer did not confirm within ${timeoutMs} ms; quitting anyway`)
      this.finish()
    }, timeoutMs)
    return true
  }

  /** The renderer hung up and destroyed the session. */
  rendererReady(): void {
    if (this.phase === 'waiting') this.finish()
  }

  private finish(): void {
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer)
    this.phase = 'done'
    this.deps.quit()
  }
}
