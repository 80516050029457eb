/**
 * Text messages through the SIP plugin (SIP MESSAGE out of dialog, on the registered
 * account): sends with a Call-ID of ours so the far end's answer can be matched, bounds the
 * wait for that answer, and turns the plugin's events into inbox actions.
 */
import type { Clock, TimerId } from '../core/clock'
import { requestTagField } from '../core/bridge-socket'
import { Emitter } from '../core/emitter'
import {
  deliveryBoundMs,
  maxTextLength,
  readTextMessageEvent,
  type InboxAction,
} from '../core/sip/text-messages'

export interface SipTextsDeps {
  clock: Clock
  /** Sends a plugin request; resolves on Janus's ack. */
  send(message: Record<string, unknown>): Promise<void>
  /** A new unique id (the MESSAGE's Call-ID). */
  newId(): string
}

/** Sends and receives text messages on the phone's handle. */
export class SipTexts {
  /** Every change to the inbox this side learns of. */
  readonly events = new Emitter<{ inbox: InboxAction }>()
  private readonly waiting = new Map<string, TimerId>()
  /** Waiting messages whose answer may have come while the socket was down, and is lost. */
  private readonly answerMayBeLost = new Set<string>()

  constructor(private readonly deps: SipTextsDeps) {}

  /** Sends `text` to the SIP URI `peer`; the outcome comes as inbox actions. */
  async send(peer: string, text: string): Promise<void> {
    const content = text.trim()
    if (!content || content.length > maxTextLength) return
    const id = this.deps.newId()
    this.emit({ type: 'sending', id, peer, text: content, at: this.deps.clock.now() })
    this.waiting.set(
      id,
      this.deps.clock.setTimeout(
        () =>
          this.fail(
            id,
            this.answerMayBeLost.has(id)
              ? 'Not known whether it arrived: its answer may have come while the connection was down'
              : 'Not delivered: no answer came from the server',
          ),
        deliveryBoundMs,
      ),
    )
    try {
      await this.deps.send({
        request: 'message',
        uri: peer,
        content,
        content_type: 'text/plain',
        call_id: id,
        // The plugin's refusal of this request comes back with this tag (bridge-socket.ts).
        [requestTagField]: tagOf(id),
      })
    } catch (error) {
      this.fail(id, `Not sent: ${notSentBecause(error)}`)
    }
  }

  /** Takes the plugin events about messages (a refusal only when it is a message's). */
  onPluginMessage(message: unknown): boolean {
    const event = readTextMessageEvent(message)
    if (!event) return false
    if (event.type === 'refused') {
      const tag = (message as Record<string, unknown>)[requestTagField]
      const id = [...this.waiting.keys()].find((w) => tagOf(w) === tag)
      if (id === undefined) return false
      this.fail(id, `Not sent: ${event.reason}`)
      return true
    }
    if (event.type === 'sent') return true
    if (event.type === 'incoming')
      this.emit({
        type: 'received',
        id: this.deps.newId(),
        peer: event.peer,
        text: event.text,
        at: this.deps.clock.now(),
        ...(event.displayName ? { displayName: event.displayName } : {}),
      })
    else {
      this.settle(event.id)
      this.emit({ type: 'delivery', id: event.id, code: event.code, reason: event.reason })
    }
    return true
  }

  /**
   * After a new session the plugin's pending answers are gone with the old handle: what still
   * waits is told as unknown now rather than at the bound.
   */
  abandonWaiting(): void {
    for (const id of [...this.waiting.keys()])
      this.fail(id, 'Not known whether it arrived: the connection was lost before an answer came')
  }

  /**
   * After a claim the handle and its pending answers live on, but an answer Janus sent while
   * we were away is lost (it keeps no events for a session without a connection). A message
   * waiting now still takes a late answer; if none comes by the bound it is told as unknown,
   * never as undelivered.
   */
  claimed(): void {
    for (const id of this.waiting.keys()) this.answerMayBeLost.add(id)
  }

  /** No more timers (the phone is let go). */
  stop(): void {
    for (const timer of this.waiting.values()) this.deps.clock.clearTimeout(timer)
    this.waiting.clear()
    this.answerMayBeLost.clear()
  }

  private fail(id: string, failure: string): void {
    this.settle(id)
    this.emit({ type: 'failed', id, failure })
  }

  private settle(id: string): void {
    const timer = this.waiting.get(id)
    if (timer !== undefined) this.deps.clock.clearTimeout(timer)
    this.waiting.delete(id)
    this.answerMayBeLost.delete(id)
  }

  private emit(action: InboxAction): void {
    this.events.emit('inbox', action)
  }
}

const tagOf = (id: string): string => `text-${id}`

function notSentBecause(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  if (/lost before Janus answered/i.test(text))
    return 'the connection was lost while sending; send it again'
  if (/not set up/i.test(text)) return 'the phone is not connected to the server'
  return text.replace(/^\d{3}\s+/, '')
}
