/**
 * Sleep, wake, lock and shutdown from powerMonitor, plus the timer-drift detector that
 * reports a wake where powerMonitor is silent (Linux without logind). A wake reported by
 * both is passed on once.
 */
import type { Clock } from '../renderer/core/clock'
import { startDriftDetector } from '../renderer/core/drift-detector'

export type PowerSignal =
  | { type: 'suspend' }
  | { type: 'resume'; sleptMs?: number; source: 'powerMonitor' | 'drift' }
  | { type: 'lock-screen' }
  | { type: 'unlock-screen' }
  | { type: 'shutdown' }

/** The part of Electron's powerMonitor used here. */
export interface PowerMonitorLike {
  on(
    event: 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen' | 'shutdown',
    listener: () => void,
  ): unknown
}

export interface PowerSignalOptions {
  clock: Clock
  /** How often the drift detector ticks (default 2 s) and how late a tick must be to count (default 8 s). */
  driftIntervalMs?: number
  driftThresholdMs?: number
  emit(signal: PowerSignal): void
}

/** Wires the sources; returns the function that stops the drift detector. */
export function wirePowerSignals(power: PowerMonitorLike, options: PowerSignalOptions): () => void {
  const { clock, emit } = options
  let lastResumeAt = Number.NEGATIVE_INFINITY
  const resume = (source: 'powerMonitor' | 'drift', sleptMs?: number): void => {
    const now = clock.now()
    if (now - lastResumeAt < 15_000) return
    lastResumeAt = now
    emit({ type: 'resume', source, ...(sleptMs !== undefined ? { sleptMs } : {}) })
  }
  power.on('suspend', () => emit({ type: 'suspend' }))
  power.on('resume', () => resume('powerMonitor'))
  power.on('lock-screen', () => emit({ type: 'lock-screen' }))
  power.on('unlock-screen', () => emit({ type: 'unlock-screen' }))
  power.on('shutdown', () => emit({ type: 'shutdown' }))
  return startDriftDetector({
    clock,
    intervalMs: options.driftIntervalMs ?? 2000,
    thresholdMs: options.driftThresholdMs ?? 8000,
    onWake: (sleptMs) => resume('drift', sleptMs),
  })
}
