/**
 * What every kind of call offers the app, whatever its plugin (the echo test, a SIP call, a
 * video room), and the registry the app asks "is anything live?" and tells "end them all".
 */
import { Emitter } from './emitter'

/** The kinds of call Holdfast makes. */
export type CallKind = 'echo' | 'sip' | 'room'

/** Why the app itself ends calls. */
export type AppEndCause =
  /** The user pressed Disconnect. */
  | 'disconnected'
  /** The app is quitting (or the OS shutting down). */
  | 'quit'
  /** The session was given up (unreachable, refused): nothing can carry the call. */
  | 'sessionFailed'

/** One call, of any kind. */
export interface Call {
  readonly kind: CallKind
  /** Under way: from the first dial or ring until it ends. */
  isLive(): boolean
  /** The microphone is muted (the one source of truth for the UI). */
  readonly muted: boolean
  setMuted(muted: boolean): void
  /** The user hangs up. */
  hangup(): Promise<void>
  /**
   * The app ends the call (if live, with why in its own words) and lets go of the server;
   * resolves once the server knows. Safe to call on a call that is over.
   */
  end(cause: AppEndCause): Promise<void>
  /** Anything the UI shows of the call changed. */
  onChange(listener: () => void): () => void
}

/**
 * The app's calls, one of each kind (a newer one replaces the older), so that updates, the
 * tray and quitting ask one place, and Disconnect, quit and a lost session end them all.
 */
export class CallRegistry {
  private readonly calls = new Map<CallKind, { call: Call; off: () => void }>()
  readonly events = new Emitter<{ change: undefined }>()

  /** Adds a call, replacing the one of its kind. */
  add(call: Call): void {
    this.calls.get(call.kind)?.off()
    this.calls.set(call.kind, {
      call,
      off: call.onChange(() => this.events.emit('change', undefined)),
    })
    this.events.emit('change', undefined)
  }

  /** Whether any call is under way. */
  anyLive(): boolean {
    return [...this.calls.values()].some(({ call }) => call.isLive())
  }

  /**
   * Tells every call the app is ending it (each ends what is live and lets go of the server
   * in its own way), side by side; resolves when all are done.
   */
  async endAll(cause: AppEndCause): Promise<void> {
    await Promise.all(
      [...this.calls.values()].map(({ call }) => call.end(cause).catch(() => undefined)),
    )
  }
}
