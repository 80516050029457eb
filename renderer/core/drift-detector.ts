/**
 * Notices that the machine slept when nothing else says so: a repeating timer that fires
 * far later than asked means the process was frozen in between.
 */
import type { Clock, TimerId } from './clock'

export interface DriftDetectorOptions {
  clock: Clock
  intervalMs: number
  /** Lateness beyond which a tick counts as a wake. */
  thresholdMs: number
  onWake(sleptMs: number): void
}

/** Starts the detector; returns a function that stops it. */
export function startDriftDetector(options: DriftDetectorOptions): () => void {
  const { clock, intervalMs, thresholdMs, onWake } = options
  let last = clock.now()
  let timer: TimerId | undefined
  const tick = (): void => {
    const now = clock.now()
    const late = now - last - intervalMs
    last = now
    timer = clock.setTimeout(tick, intervalMs)
    if (late > thresholdMs) onWake(late)
  }
  timer = clock.setTimeout(tick, intervalMs)
  return () => {
    if (timer !== undefined) clock.clearTimeout(timer)
    timer = undefined
  }
}
