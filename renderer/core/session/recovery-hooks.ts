/**
 * The plugins' part in recovery. After a claim Janus keeps every handle but has dropped the
 * events it produced while we were detached, so each plugin re-synchronises; after a new
 * session every handle is gone, so each plugin re-attaches and restores its own state.
 */
import type { Clock, TimerId } from '../clock'
import type { LossReason } from '../connection-state'
import type { SessionLossReason } from './handshake'

/** What a recovery hook is told. */
export interface RecoveryContext {
  sessionId: number
  reason: LossReason
  /** The network path changed (or the machine woke): media should restart ICE. */
  networkChanged: boolean
  /** When the connection was lost (epoch ms). */
  lostAt?: number
  /** On a restore: why the old session was lost (458 on the claim reads `notFound`). */
  lostSession?: SessionLossReason
}

/** A plugin's recovery hooks. */
export interface SessionParticipant {
  readonly name: string
  resync?(context: RecoveryContext): Promise<void> | void
  restore?(context: RecoveryContext): Promise<void> | void
}

export interface RunHooksOptions {
  clock: Clock
  /** Bound for each hook so one stuck plugin cannot hold the session. */
  limitMs: number
  onSlow(participant: string): void
  onError(participant: string, error: unknown): void
}

/** Runs one kind of hook of every participant side by side; resolves when all are done or late. */
export async function runRecoveryHooks(
  participants: Iterable<SessionParticipant>,
  kind: 'resync' | 'restore',
  context: RecoveryContext,
  options: RunHooksOptions,
): Promise<void> {
  await Promise.all(
    [...participants].map(async (participant) => {
      const hook = participant[kind]
      if (!hook) return
      let timer: TimerId | undefined
      try {
        await Promise.race([
          Promise.resolve(hook.call(participant, context)),
          new Promise<void>((resolve) => {
            timer = options.clock.setTimeout(() => {
              options.onSlow(participant.name)
              resolve()
            }, options.limitMs)
          }),
        ])
      } catch (error) {
        options.onError(participant.name, error)
      } finally {
        if (timer !== undefined) options.clock.clearTimeout(timer)
      }
    }),
  )
}
