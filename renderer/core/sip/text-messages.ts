/**
 * Text messages (SIP MESSAGE) as the phone keeps them: one inbox of conversations by peer,
 * each message with what is known of its delivery. Pure: the plugin's events are read here,
 * the phone sends, the store persists. Janus's SIP plugin sends a MESSAGE with the Call-ID we
 * choose and reports the far end's final answer as `messagedelivery` under that Call-ID.
 */

/** What is known of one message. */
export type TextMessageStatus =
  /** Sent to Janus; no answer from the far end yet. */
  | 'sending'
  /** The far end (or its registrar) answered 2xx. */
  | 'delivered'
  /** Refused, unanswered or lost: `failure` says why. */
  | 'failed'
  /** A message someone sent us. */
  | 'received'

export interface TextMessage {
  /** Ours: the MESSAGE's Call-ID. Theirs: a local id. */
  id: string
  /** The other side's SIP URI. */
  peer: string
  direction: 'in' | 'out'
  text: string
  /** Epoch ms. */
  at: number
  status: TextMessageStatus
  failure?: string
  /** Incoming ones: read by the user. */
  read?: boolean
  /** The name the sender's phone gave, if any. */
  displayName?: string
}

/** Every message, oldest first. */
export interface Inbox {
  messages: TextMessage[]
}

/** The most messages kept; the oldest go first. */
export const inboxLimit = 500
/** A message longer than this is refused before sending (SIP over UDP must fit a datagram). */
export const maxTextLength = 1000
/**
 * How long a message may wait for the far end's answer. The plugin reports only a final
 * answer, and SIP gives up on a non-INVITE transaction after timer F (32 s).
 */
export const deliveryBoundMs = 35_000

export type InboxAction =
  | { type: 'sending'; id: string; peer: string; text: string; at: number }
  | { type: 'delivery'; id: string; code: number; reason: string }
  | { type: 'failed'; id: string; failure: string }
  | {
      type: 'received'
      id: string
      peer: string
      text: string
      at: number
      displayName?: string
    }
  | { type: 'read'; peer: string }
  | { type: 'forget'; peer: string }

export const emptyInbox: Inbox = { messages: [] }

/**
 * The address a conversation is kept under: scheme, user and host, without the port and
 * parameters. Janus gives a sender as its SIP stack saw it (`sip:yuri@10.0.0.1:44801;
 * transport=udp`), while we wrote to `sip:yuri@10.0.0.1`: both are one conversation.
 */
export function conversationKey(uri: string): string {
  const match = /^(sips?):([^@;>\s]+@)?([^:;>\s]+)/i.exec(uri.trim())
  if (!match) return uri.trim()
  return `${match[1]!.toLowerCase()}:${match[2] ?? ''}${match[3]!.toLowerCase()}`
}

/** Reduces one action. */
export function nextInbox(inbox: Inbox, given: InboxAction): Inbox {
  const action = 'peer' in given ? { ...given, peer: conversationKey(given.peer) } : given
  switch (action.type) {
    case 'sending':
      return append(inbox, {
        id: action.id,
        peer: action.peer,
        direction: 'out',
        text: action.text,
        at: action.at,
        status: 'sending',
      })
    case 'delivery':
      return update(inbox, action.id, (m) =>
        action.code >= 200 && action.code < 300
          ? { ...m, status: 'delivered' }
          : { ...m, status: 'failed', failure: deliveryFailure(action.code, action.reason) },
      )
    case 'failed':
      return update(inbox, action.id, (m) => ({ ...m, status: 'failed', failure: action.failure }))
    case 'received':
      if (inbox.messages.some((m) => m.id === action.id)) return inbox
      return append(inbox, {
        id: action.id,
        peer: action.peer,
        direction: 'in',
        text: action.text,
        at: action.at,
        status: 'received',
        read: false,
        ...(action.displayName ? { displayName: action.displayName } : {}),
      })
    case 'read':
      if (!inbox.messages.some((m) => m.peer === action.peer && m.read === false)) return inbox
      return {
        messages: inbox.messages.map((m) =>
          m.peer === action.peer && m.read === false ? { ...m, read: true } : m,
        ),
      }
    case 'forget':
      return { messages: inbox.messages.filter((m) => m.peer !== action.peer) }
  }
}

function append(inbox: Inbox, message: TextMessage): Inbox {
  const messages = [...inbox.messages, message]
  return { messages: messages.slice(Math.max(0, messages.length - inboxLimit)) }
}

function update(inbox: Inbox, id: string, change: (m: TextMessage) => TextMessage): Inbox {
  // Only a message still waiting changes: a late answer never undoes what was said.
  const index = inbox.messages.findIndex((m) => m.id === id && m.status === 'sending')
  if (index < 0) return inbox
  const messages = [...inbox.messages]
  messages[index] = change(messages[index]!)
  return { messages }
}

/** The far end's refusal in words a person understands. */
export function deliveryFailure(code: number, reason: string): string {
  const why: Record<number, string> = {
    403: 'the server does not allow it',
    404: 'nobody is registered at that address',
    408: 'their phone did not answer',
    480: 'they are not available now',
    486: 'they are busy',
    488: 'their phone does not take text messages',
    503: 'the server is not available',
  }
  const words = why[code] ?? (reason.trim() || 'it was refused')
  return `Not delivered: ${words} (${code})`
}

/** One line per peer for the conversation list, the latest first. */
export interface Conversation {
  peer: string
  displayName?: string
  last: TextMessage
  unread: number
}

/** The conversations, the one with the latest message first. */
export function conversations(inbox: Inbox): Conversation[] {
  const byPeer = new Map<string, Conversation>()
  for (const m of inbox.messages) {
    const seen = byPeer.get(m.peer)
    const unread = (seen?.unread ?? 0) + (m.read === false ? 1 : 0)
    const displayName = m.displayName ?? seen?.displayName
    byPeer.set(m.peer, { peer: m.peer, last: m, unread, ...(displayName ? { displayName } : {}) })
  }
  return [...byPeer.values()].sort((a, b) => b.last.at - a.last.at)
}

/** Messages from others not read yet. */
export function unreadCount(inbox: Inbox): number {
  return inbox.messages.filter((m) => m.read === false).length
}

/** One conversation, oldest first. */
export function thread(inbox: Inbox, peer: string): TextMessage[] {
  return inbox.messages.filter((m) => m.peer === peer)
}

/** What the plugin said about messages. */
export type TextMessageEvent =
  | { type: 'incoming'; peer: string; displayName?: string; text: string }
  | { type: 'delivery'; id: string; code: number; reason: string }
  /** The plugin took the request and sent the MESSAGE. */
  | { type: 'sent'; id: string }
  /** The plugin refused a request (with no Call-ID to say which). */
  | { type: 'refused'; reason: string }

/** Reads a plugin event (untrusted JSON) about messages, if it is one. */
export function readTextMessageEvent(data: unknown): TextMessageEvent | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const record = data as Record<string, unknown>
  if (typeof record.error === 'string') return { type: 'refused', reason: record.error }
  const result = record.result as Record<string, unknown> | undefined
  if (typeof result !== 'object' || result === null) return undefined
  if (result.event === 'message') {
    const peer = result.sender
    const text = result.content
    if (typeof peer !== 'string' || typeof text !== 'string') return undefined
    // Only text is shown: anything else (an isComposing, a file) is not a message to read.
    const type = typeof result.content_type === 'string' ? result.content_type : 'text/plain'
    if (!/^text\/plain\b/i.test(type)) return undefined
    const name = typeof result.displayname === 'string' ? result.displayname.trim() : ''
    return { type: 'incoming', peer, text, ...(name ? { displayName: name } : {}) }
  }
  if (result.event === 'messagesent')
    return typeof result.call_id === 'string' ? { type: 'sent', id: result.call_id } : undefined
  if (result.event === 'messagedelivery') {
    const id = record.call_id
    const code = typeof result.code === 'number' ? result.code : Number(result.code)
    if (typeof id !== 'string' || !Number.isFinite(code)) return undefined
    return {
      type: 'delivery',
      id,
      code,
      reason: typeof result.reason === 'string' ? result.reason : '',
    }
  }
  return undefined
}

/**
 * An inbox read back from storage (untrusted): what does not look like a message is dropped,
 * and a message that was still waiting when the app closed is told as unknown.
 */
export function readStoredInbox(stored: unknown): Inbox {
  const list = (stored as { messages?: unknown } | null)?.messages
  if (!Array.isArray(list)) return emptyInbox
  const messages = list.flatMap((raw): TextMessage[] => {
    const m = raw as Partial<TextMessage> | null
    if (
      !m ||
      typeof m.id !== 'string' ||
      typeof m.peer !== 'string' ||
      typeof m.text !== 'string' ||
      typeof m.at !== 'number' ||
      (m.direction !== 'in' && m.direction !== 'out')
    )
      return []
    const status: TextMessageStatus =
      m.status === 'delivered' || m.status === 'failed' || m.status === 'received'
        ? m.status
        : 'failed'
    const failure =
      m.status === 'sending'
        ? 'Not known whether it arrived: the app closed before an answer came'
        : typeof m.failure === 'string'
          ? m.failure
          : undefined
    return [
      {
        id: m.id,
        peer: m.peer,
        direction: m.direction,
        text: m.text,
        at: m.at,
        status: m.direction === 'in' ? 'received' : status,
        ...(failure && m.direction === 'out' ? { failure } : {}),
        ...(m.direction === 'in' ? { read: m.read === true } : {}),
        ...(typeof m.displayName === 'string' ? { displayName: m.displayName } : {}),
      },
    ]
  })
  return { messages: messages.slice(Math.max(0, messages.length - inboxLimit)) }
}
