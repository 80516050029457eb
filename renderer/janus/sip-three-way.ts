/**
 * The three-way call of a SIP account (issue 15): two answered calls resumed and mixed in the
 * page (conference-mixer.ts), so each party hears the other two. It keeps which lines are
 * merged and the mix up to date; the lines themselves stay with SipLines.
 */
import type { ConferenceMixer } from './conference-mixer'
import type { SipCallLine } from './sip-call-line'

export interface ThreeWayDeps {
  mixer: ConferenceMixer
  /** The lines by id. */
  line(id: number): SipCallLine | undefined
  /** The line whose call is in front. */
  focusId(): number
  /** Puts every other answered call on hold. */
  holdOthers(id: number): Promise<void>
  /** The merged set changed: the lines are listed again. */
  changed(): void
  /** What the other merged call says, to be heard beside the front's (none when unmerged). */
  otherAudio(stream: MediaStream | undefined): void
  error(words: string): void
  incident(words: string): void
}

/** Which two lines are merged, and their mix. */
export class ThreeWayCall {
  private merged: readonly number[] = []

  constructor(private readonly deps: ThreeWayDeps) {}

  /** Whether `id` is one of the merged calls. */
  has(id: number): boolean {
    return this.merged.includes(id)
  }

  get active(): boolean {
    return this.merged.length > 0
  }

  /** The merged lines. */
  lines(): SipCallLine[] {
    return this.merged.flatMap((id) => this.deps.line(id) ?? [])
  }

  /** Resumes both calls and mixes them; `muted` carries our mute into both. */
  async merge(pair: [number, number], muted: boolean): Promise<void> {
    if (this.active) return
    const lines = pair.flatMap((id) => this.deps.line(id) ?? [])
    try {
      for (const line of lines)
        if (line.call.kind === 'active' && line.call.onHold) await line.hold(false)
      this.merged = pair
      for (const line of lines) line.setMuted(muted)
      await this.remix()
    } catch (error) {
      this.merged = []
      await this.deps.mixer.disconnect()
      this.deps.error(`The calls could not be merged: ${String(error)}`)
      await this.deps.holdOthers(this.deps.focusId())
    }
    this.deps.changed()
    this.announce()
  }

  /** Back to one call at a time: the call in front goes on alone, the other on hold. */
  async split(): Promise<void> {
    if (!this.active) return
    this.merged = []
    await this.deps.mixer.disconnect()
    this.deps.changed()
    this.announce()
    await this.deps.holdOthers(this.deps.focusId())
  }

  /** A merged call's party sends new audio: the mix follows it. */
  remoteChanged(id: number): void {
    if (!this.has(id)) return
    this.announce()
    void this.remix().catch((error: unknown) =>
      this.deps.incident(`sip: the three-way mix failed: ${String(error)}`),
    )
  }

  /** A merged call ended: the other goes on, on our own microphone again. */
  lineEnded(id: number): void {
    if (!this.has(id)) return
    this.merged = []
    void this.deps.mixer.disconnect()
    this.announce()
  }

  /** (Re)builds the mix of the merged calls. */
  private async remix(): Promise<void> {
    const legs = this.lines().flatMap((line) =>
      line.leg.pc ? [{ pc: line.leg.pc, remote: line.leg.remoteStream }] : [],
    )
    if (legs.length === 2) await this.deps.mixer.connect(legs)
  }

  private announce(): void {
    const other = this.lines().find((l) => l.id !== this.deps.focusId())
    this.deps.otherAudio(other?.leg.remoteStream)
  }
}
