/** The janus.js instance a call attaches its handles through (types only). */
import type { JanusJS } from 'janus-gateway'

/** A janus.js instance living on one Janus session of the core. */
export interface Gateway {
  /** Attaches a plugin through janus.js (WebRTC included). */
  attach(options: Omit<JanusJS.PluginOptions, 'success' | 'error'>): Promise<JanusJS.PluginHandle>
  /** Forgets this instance without destroying the session (the core owns it). */
  release(): void
}
