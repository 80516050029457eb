/**
 * A call's quality for the indicator on the call screen (issue 11): packet loss over the last
 * interval, jitter and round trip, judged against thresholds people notice. Pure.
 */

/** The counters one stats sample gives (cumulative packet counts). */
export interface QualitySample {
  packetsReceived: number
  packetsLost: number
  jitterMs?: number
  roundTripMs?: number
}

export type QualityLevel = 'unknown' | 'good' | 'fair' | 'poor'

export interface CallQuality {
  level: QualityLevel
  /** Loss over the last interval, in percent. */
  lossPercent?: number
  jitterMs?: number
  roundTripMs?: number
  /** One line for the tooltip and for screen readers. */
  summary: string
}

// Beyond these, people hear it: ITU-T G.114 puts the mouth-to-ear comfort line at 150 ms one
// way (so ~300 ms round trip); a few percent of loss is audible even with Opus's concealment.
const fair = { loss: 2, jitter: 30, rtt: 300 }
const poor = { loss: 8, jitter: 60, rtt: 600 }

/** Judges the interval between two samples (the first sample of a call has no interval). */
export function judgeQuality(
  previous: QualitySample | undefined,
  current: QualitySample,
): CallQuality {
  const received = current.packetsReceived - (previous?.packetsReceived ?? 0)
  const lost = Math.max(0, current.packetsLost - (previous?.packetsLost ?? 0))
  if (!previous || received + lost <= 0)
    return { level: 'unknown', summary: 'Call quality: measuring…' }
  const lossPercent = Math.round((lost / (received + lost)) * 1000) / 10
  const { jitterMs, roundTripMs } = current
  const over = (limit: { loss: number; jitter: number; rtt: number }): boolean =>
    lossPercent >= limit.loss || (jitterMs ?? 0) >= limit.jitter || (roundTripMs ?? 0) >= limit.rtt
  const level: QualityLevel = over(poor) ? 'poor' : over(fair) ? 'fair' : 'good'
  const parts = [`${lossPercent}% packets lost`]
  if (jitterMs !== undefined) parts.push(`jitter ${Math.round(jitterMs)} ms`)
  if (roundTripMs !== undefined) parts.push(`round trip ${Math.round(roundTripMs)} ms`)
  const word = { good: 'good', fair: 'fair', poor: 'poor' }[level]
  return {
    level,
    lossPercent,
    ...(jitterMs !== undefined ? { jitterMs } : {}),
    ...(roundTripMs !== undefined ? { roundTripMs } : {}),
    summary: `Call quality: ${word} (${parts.join(', ')})`,
  }
}
