/**
 * The plugin handles attached to the session: who owns each (the core itself, or janus.js
 * through the bridge) and where the events of a core-owned handle go.
 */
import { Emitter } from '../emitter'
import type { JanusMessage } from '../janus-protocol'
import type { StoredHandle } from '../session-record'

/**
 * Who talks to a handle: core code, janus.js through the bridge socket, or nobody (an orphan:
 * a handle of a page that is gone, read back from the store, to be detached at the next chance).
 */
export type HandleOwner = 'core' | 'bridge' | 'orphan'

/** One attached handle. */
export interface HandleEntry {
  plugin: string
  owner: HandleOwner
  events: Emitter<{ event: JanusMessage }>
}

/** The handles of the current session; `onChange` runs whenever the set changes. */
export class HandleRegistry {
  private readonly entries = new Map<number, HandleEntry>()

  constructor(private readonly onChange: () => void) {}

  add(id: number, plugin: string, owner: HandleOwner): HandleEntry {
    const entry: HandleEntry = { plugin, owner, events: new Emitter() }
    this.entries.set(id, entry)
    this.onChange()
    return entry
  }

  /** Takes handles read from the store back (their page is gone: janus.js owns none of them). */
  adopt(handles: readonly StoredHandle[]): void {
    for (const h of handles)
      this.entries.set(h.id, { plugin: h.plugin, owner: 'orphan', events: new Emitter() })
  }

  remove(id: number): void {
    if (this.entries.delete(id)) this.onChange()
  }

  get(id: number): HandleEntry | undefined {
    return this.entries.get(id)
  }

  /** The handles nobody owns, still to be detached. */
  orphans(): StoredHandle[] {
    return [...this.entries]
      .filter(([, h]) => h.owner === 'orphan')
      .map(([id, h]) => ({ id, plugin: h.plugin }))
  }

  list(): StoredHandle[] {
    return [...this.entries].map(([id, h]) => ({ id, plugin: h.plugin }))
  }

  /** Forgets every handle (the session is gone, and its handles with it). */
  clear(): void {
    if (this.entries.size === 0) return
    this.entries.clear()
    this.onChange()
  }
}
