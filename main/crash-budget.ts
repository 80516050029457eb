/**
 * How often a crashed renderer is reloaded (issue 12): a few times a minute, so a crash loop
 * does not spin; past that the user is told what happened and chooses. Pure, clock injected.
 */
export class CrashBudget {
  private readonly crashes: number[] = []

  constructor(
    private readonly now: () => number,
    private readonly limit = 3,
    private readonly windowMs = 60_000,
  ) {}

  /** Records a crash; true when the window may be reloaded, false when it should stop. */
  allowReload(): boolean {
    const at = this.now()
    this.crashes.push(at)
    while (this.crashes.length > 0 && this.crashes[0]! <= at - this.windowMs) this.crashes.shift()
    return this.crashes.length <= this.limit
  }

  /** Crashes within the last window. */
  get recent(): number {
    return this.crashes.length
  }
}
