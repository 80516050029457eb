/**
 * What changed in a room between two states, as the events the app and the tests hear
 * (modelled on LiveKit's and OpenTok's), and a buffer that holds them while the connection
 * is being recovered so they are delivered once, in order, after it.
 */
import type { LeftReason, Participant, RoomState } from './room-state'
import type { FeedId } from './videoroom-events'

/** A change in who is in the room, or in what a remote feed shows. */
export type RoomChange =
  | { type: 'participantJoined'; id: FeedId; display: string }
  | { type: 'participantLeft'; id: FeedId; display: string; reason: LeftReason }
  | { type: 'streamDropped'; id: FeedId; reason: 'mediaStopped' }
  | { type: 'streamResumed'; id: FeedId }
  | { type: 'streamEnded'; id: FeedId; reason: 'unpublished' }

/**
 * The changes from `before` to `after`. `leftReason` says why those who vanished left (the
 * room told us, or a roster read after a gap found them gone).
 */
export function roomChanges(
  before: RoomState,
  after: RoomState,
  leftReason: LeftReason = 'left',
): RoomChange[] {
  const changes: RoomChange[] = []
  for (const [id, who] of before.roster)
    if (!after.roster.has(id))
      changes.push({ type: 'participantLeft', id, display: who.display, reason: leftReason })
  for (const [id, now] of after.roster) {
    const was: Participant | undefined = before.roster.get(id)
    if (!was) changes.push({ type: 'participantJoined', id, display: now.display })
    if (was && was.tile !== now.tile) {
      if (now.tile === 'stalled' && was.tile === 'live')
        changes.push({ type: 'streamDropped', id, reason: 'mediaStopped' })
      else if (now.tile === 'live' && was.tile === 'stalled')
        changes.push({ type: 'streamResumed', id })
      else if (now.tile === 'gone') changes.push({ type: 'streamEnded', id, reason: 'unpublished' })
    }
  }
  return changes
}

/** Delivers changes at once, or holds them while a reconnection is under way. */
export class ChangeBuffer<T> {
  private held: T[] | undefined

  constructor(private readonly deliver: (change: T) => void) {}

  /** From now on changes wait (a reconnection began). */
  hold(): void {
    this.held ??= []
  }

  push(change: T): void {
    if (this.held) this.held.push(change)
    else this.deliver(change)
  }

  /** Delivers what waited, once and in order, and stops holding. */
  release(): void {
    const held = this.held ?? []
    this.held = undefined
    for (const change of held) this.deliver(change)
  }
}
