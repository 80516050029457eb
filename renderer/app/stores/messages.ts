/**
 * Text messages as the UI sees them (issue 15): the inbox, kept in localStorage, fed by the
 * phone's SIP MESSAGE events, and the conversation open on the Messages screen.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import {
  conversationKey,
  conversations as listConversations,
  nextInbox,
  readStoredInbox,
  thread as threadOf,
  unreadCount,
  type Inbox,
  type InboxAction,
} from '../../core/sip/text-messages'
import type { SipPhone } from '../../janus/sip-phone'
import { readLocalJson, writeLocalJson } from './local-json'

const INBOX_KEY = 'holdfast.messages'

export const useMessagesStore = defineStore('messages', () => {
  const inbox = shallowRef<Inbox>(readStoredInbox(readLocalJson<unknown>(INBOX_KEY, null)))
  /** The conversation open on the Messages screen (its peer's SIP URI). */
  const open = ref<string | undefined>()
  let phone: Pick<SipPhone, 'sendText' | 'toUri'> | undefined

  const conversations = computed(() => listConversations(inbox.value))
  const unread = computed(() => unreadCount(inbox.value))
  const thread = computed(() => (open.value ? threadOf(inbox.value, open.value) : []))

  function apply(action: InboxAction): void {
    inbox.value = nextInbox(inbox.value, action)
    // A message arriving in the conversation being read is read.
    if (action.type === 'received' && conversationKey(action.peer) === open.value)
      inbox.value = nextInbox(inbox.value, { type: 'read', peer: action.peer })
    writeLocalJson(INBOX_KEY, inbox.value)
  }

  /** Messages of this phone land in the inbox from now on. */
  function listen(next: SipPhone): void {
    phone = next
    next.texts.events.on('inbox', apply)
  }

  /** Opens the conversation with a number or SIP URI (a number at the account's domain). */
  function openWith(target: string): string | undefined {
    const peer = conversationKey(phone ? phone.toUri(target) : target)
    if (!peer) return undefined
    open.value = peer
    apply({ type: 'read', peer })
    return peer
  }

  /** Sends a text in the open conversation; false when there is no phone to send it with. */
  async function send(text: string): Promise<boolean> {
    if (!phone || !open.value) return false
    await phone.sendText(open.value, text)
    return true
  }

  /** Forgets one conversation. */
  function forget(peer: string): void {
    if (open.value === peer) open.value = undefined
    apply({ type: 'forget', peer })
  }

  return { inbox, open, conversations, unread, thread, listen, openWith, send, forget }
})
