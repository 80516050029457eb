/** A plugin handle owned by the core, for code that talks to a plugin without janus.js. */
import type { Emitter } from '../emitter'
import type { JanusMessage, JanusRequest } from '../janus-protocol'
import type { RequestOptions } from './request-ledger'

/** The part of the session a core handle talks through. */
export interface HandleSession {
  readonly id: number | undefined
  request(body: JanusRequest, options?: RequestOptions): Promise<JanusMessage>
  removeHandle(id: number): void
}

/** One core-owned handle: send plugin messages, hear its events, detach it. */
export class CoreHandle {
  constructor(
    private readonly session: HandleSession,
    readonly id: number,
    readonly plugin: string,
    private readonly emitter: Emitter<{ event: JanusMessage }>,
  ) {}

  /** Sends a plugin message; resolves with Janus's ack or synchronous success. */
  message(
    body: Record<string, unknown>,
    jsep?: unknown,
    options?: RequestOptions,
  ): Promise<JanusMessage> {
    return this.session.request(
      {
        janus: 'message',
        session_id: this.session.id,
        handle_id: this.id,
        body,
        ...(jsep ? { jsep } : {}),
      },
      options,
    )
  }

  /** Subscribes to this handle's events (plugin events, webrtcup, hangup ...). */
  onEvent(listener: (message: JanusMessage) => void): () => void {
    return this.emitter.on('event', listener)
  }

  /** Detaches the handle on the server. */
  async detach(): Promise<void> {
    await this.session.request({ janus: 'detach', session_id: this.session.id, handle_id: this.id })
    this.session.removeHandle(this.id)
  }
}
