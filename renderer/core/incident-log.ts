/** A bounded timeline of what happened to the connection, for diagnostics and benchmarks. */

/** One entry of the timeline. */
export interface Incident {
  at: number
  kind:
    | 'created'
    | 'loss-detected'
    | 'attempt'
    | 'claimed'
    | 'recreated'
    | 'session-lost'
    | 'media-restart'
    | 'media-back'
    /** A step of a media recovery: the restart's offer sent, its answer, ICE connected. */
    | 'media-phase'
    | 'signal'
    | 'error'
  detail: string
}

/** Keeps the last `capacity` incidents. */
export class IncidentLog {
  private readonly entries: Incident[] = []
  constructor(private readonly capacity = 50) {}

  add(incident: Incident): void {
    this.entries.push(incident)
    if (this.entries.length > this.capacity)
      this.entries.splice(0, this.entries.length - this.capacity)
  }

  list(): readonly Incident[] {
    return this.entries
  }
}
