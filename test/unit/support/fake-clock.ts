import type { Clock, TimerId } from '../../../renderer/core/clock'

/** A clock whose time moves only when the test says so. */
export class FakeClock implements Clock {
  private nowMs = 1_800_000_000_000
  private nextId = 1
  private readonly timers = new Map<number, { at: number; callback: () => void }>()

  now(): number {
    return this.nowMs
  }

  setTimeout(callback: () => void, ms: number): TimerId {
    const id = this.nextId++
    this.timers.set(id, { at: this.nowMs + Math.max(0, ms), callback })
    return id
  }

  clearTimeout(id: TimerId): void {
    this.timers.delete(id as number)
  }

  /** Pending timer delays from now, sorted. */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.nowMs).sort((a, b) => a - b)
  }

  /** Lets promise chains settle (real macrotask turns; no time passes). */
  async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
  }

  /** Moves time forward, firing due timers in order and settling promises between them. */
  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms
    await this.settle()
    for (;;) {
      let nextId: number | undefined
      let nextAt = Number.POSITIVE_INFINITY
      for (const [id, timer] of this.timers) {
        if (timer.at <= end && timer.at < nextAt) {
          nextAt = timer.at
          nextId = id
        }
      }
      if (nextId === undefined) break
      const timer = this.timers.get(nextId)!
      this.timers.delete(nextId)
      this.nowMs = Math.max(this.nowMs, timer.at)
      timer.callback()
      await this.settle()
    }
    this.nowMs = end
    await this.settle()
  }

  /** Jumps the wall clock without firing timers (a process frozen by sleep). */
  jump(ms: number): void {
    this.nowMs += ms
    for (const timer of this.timers.values()) timer.at = Math.max(timer.at, this.nowMs)
  }
}
