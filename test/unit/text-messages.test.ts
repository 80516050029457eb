import { describe, expect, it } from 'vitest'
import {
  conversations,
  emptyInbox,
  inboxLimit,
  nextInbox,
  readStoredInbox,
  readTextMessageEvent,
  thread,
  unreadCount,
  type Inbox,
  type InboxAction,
} from '../../renderer/core/sip/text-messages'
import { requestTagField } from '../../renderer/core/bridge-socket'
import { SipTexts } from '../../renderer/janus/sip-texts'
import { FakeClock } from './support/fake-clock'

const reduce = (actions: InboxAction[], from: Inbox = emptyInbox): Inbox =>
  actions.reduce(nextInbox, from)

const bob = 'sip:bob@lab'
const cy = 'sip:cy@lab'

describe('the text message inbox', () => {
  it('a message goes from sending to delivered on a 2xx, and to failed with words otherwise', () => {
    const inbox = reduce([
      { type: 'sending', id: 'a', peer: bob, text: 'hi', at: 1 },
      { type: 'sending', id: 'b', peer: bob, text: 'there?', at: 2 },
      { type: 'delivery', id: 'a', code: 202, reason: 'Accepted' },
      { type: 'delivery', id: 'b', code: 404, reason: 'Not Found' },
    ])
    expect(inbox.messages.map((m) => m.status)).toEqual(['delivered', 'failed'])
    expect(inbox.messages[1]?.failure).toBe(
      'Not delivered: nobody is registered at that address (404)',
    )
  })

  it('a late answer never undoes what was already said', () => {
    const inbox = reduce([
      { type: 'sending', id: 'a', peer: bob, text: 'hi', at: 1 },
      { type: 'failed', id: 'a', failure: 'Not delivered: no answer came from the server' },
      { type: 'delivery', id: 'a', code: 200, reason: 'OK' },
    ])
    expect(inbox.messages[0]).toMatchObject({ status: 'failed' })
  })

  it('counts unread per conversation, latest conversation first, and reading clears them', () => {
    let inbox = reduce([
      { type: 'received', id: '1', peer: bob, text: 'one', at: 1 },
      { type: 'received', id: '2', peer: bob, text: 'two', at: 2, displayName: 'Bob' },
      { type: 'received', id: '3', peer: cy, text: 'hey', at: 3 },
    ])
    expect(unreadCount(inbox)).toBe(3)
    expect(conversations(inbox).map((c) => [c.peer, c.unread, c.displayName])).toEqual([
      [cy, 1, undefined],
      [bob, 2, 'Bob'],
    ])
    inbox = nextInbox(inbox, { type: 'read', peer: bob })
    expect(unreadCount(inbox)).toBe(1)
    expect(thread(inbox, bob).map((m) => m.text)).toEqual(['one', 'two'])
    expect(nextInbox(inbox, { type: 'read', peer: bob })).toBe(inbox)
  })

  it(`keeps the latest ${inboxLimit} messages`, () => {
    const actions: InboxAction[] = Array.from({ length: inboxLimit + 5 }, (_, i) => ({
      type: 'received',
      id: String(i),
      peer: bob,
      text: `#${i}`,
      at: i,
    }))
    const inbox = reduce(actions)
    expect(inbox.messages).toHaveLength(inboxLimit)
    expect(inbox.messages[0]?.text).toBe('#5')
  })

  it('a reply from the address the stack gives (port, parameters) lands in the same conversation', () => {
    const inbox = reduce([
      { type: 'sending', id: 'a', peer: 'sip:yuri@10.0.0.1', text: 'lunch?', at: 1 },
      {
        type: 'received',
        id: 'b',
        peer: 'sip:yuri@10.0.0.1:44801;transport=udp',
        text: 'yes',
        at: 2,
      },
    ])
    expect(conversations(inbox)).toHaveLength(1)
    expect(thread(inbox, 'sip:yuri@10.0.0.1').map((m) => m.text)).toEqual(['lunch?', 'yes'])
  })

  it('forgetting a conversation removes only its messages', () => {
    const inbox = reduce([
      { type: 'received', id: '1', peer: bob, text: 'one', at: 1 },
      { type: 'received', id: '2', peer: cy, text: 'two', at: 2 },
      { type: 'forget', peer: bob },
    ])
    expect(inbox.messages.map((m) => m.peer)).toEqual([cy])
  })
})

describe('reading what the SIP plugin says about messages', () => {
  it('reads an incoming text, its sender and name; other content types are not messages', () => {
    const incoming = {
      sip: 'event',
      result: {
        event: 'message',
        sender: bob,
        displayname: 'Bob',
        content: 'hello',
        content_type: 'text/plain; charset=UTF-8',
      },
    }
    expect(readTextMessageEvent(incoming)).toEqual({
      type: 'incoming',
      peer: bob,
      displayName: 'Bob',
      text: 'hello',
    })
    const composing = {
      sip: 'event',
      result: { ...incoming.result, content_type: 'application/im-iscomposing+xml' },
    }
    expect(readTextMessageEvent(composing)).toBeUndefined()
  })

  it('reads a delivery report by its Call-ID, a sent confirmation and a refusal', () => {
    expect(
      readTextMessageEvent({
        sip: 'event',
        call_id: 'abc',
        result: { event: 'messagedelivery', code: 200, reason: 'OK' },
      }),
    ).toEqual({ type: 'delivery', id: 'abc', code: 200, reason: 'OK' })
    expect(
      readTextMessageEvent({ sip: 'event', result: { event: 'messagesent', call_id: 'abc' } }),
    ).toEqual({ type: 'sent', id: 'abc' })
    expect(readTextMessageEvent({ sip: 'event', error_code: 449, error: 'Wrong state' })).toEqual({
      type: 'refused',
      reason: 'Wrong state',
    })
    for (const junk of [null, 3, 'x', {}, { result: { event: 'message', sender: 4 } }])
      expect(readTextMessageEvent(junk)).toBeUndefined()
  })

  it('an inbox read back from storage drops junk and tells a message left sending as unknown', () => {
    const inbox = readStoredInbox({
      messages: [
        { id: 'a', peer: bob, direction: 'out', text: 'hi', at: 1, status: 'sending' },
        { id: 'b', peer: bob, direction: 'in', text: 'yo', at: 2, status: 'received' },
        { id: 'c', peer: 5, direction: 'in', text: 'bad', at: 3 },
        'junk',
      ],
    })
    expect(inbox.messages).toHaveLength(2)
    expect(inbox.messages[0]).toMatchObject({ status: 'failed' })
    expect(inbox.messages[0]?.failure).toMatch(/not known whether it arrived/i)
    expect(inbox.messages[1]).toMatchObject({ status: 'received', read: false })
    expect(readStoredInbox('nonsense')).toEqual(emptyInbox)
  })
})

describe('sending and receiving through the plugin', () => {
  function texts(send: (m: Record<string, unknown>) => Promise<void> = async () => undefined) {
    const clock = new FakeClock()
    let n = 0
    const sent: Record<string, unknown>[] = []
    const t = new SipTexts({
      clock,
      send: (m) => (sent.push(m), send(m)),
      newId: () => `id${++n}`,
    })
    let inbox = emptyInbox
    t.events.on('inbox', (a) => (inbox = nextInbox(inbox, a)))
    return { clock, t, sent, inbox: () => inbox }
  }

  it('sends a MESSAGE with its own Call-ID and matches the far end’s answer to it', async () => {
    const { t, sent, inbox } = texts()
    await t.send(bob, '  hello  ')
    expect(sent[0]).toEqual({
      request: 'message',
      uri: bob,
      content: 'hello',
      content_type: 'text/plain',
      call_id: 'id1',
      [requestTagField]: 'text-id1',
    })
    expect(t.onPluginMessage({ result: { event: 'messagesent', call_id: 'id1' } })).toBe(true)
    t.onPluginMessage({ call_id: 'id1', result: { event: 'messagedelivery', code: 200 } })
    expect(inbox().messages[0]).toMatchObject({ status: 'delivered', text: 'hello' })
  })

  it('a message with no answer fails at the bound; one lost with the connection says so', async () => {
    const { clock, t, inbox } = texts()
    await t.send(bob, 'anyone?')
    await clock.advance(35_000)
    expect(inbox().messages[0]?.failure).toBe('Not delivered: no answer came from the server')
    const lost = texts(async () => {
      throw new Error('490 The connection was lost before Janus answered')
    })
    await lost.t.send(bob, 'hi')
    expect(lost.inbox().messages[0]?.failure).toBe(
      'Not sent: the connection was lost while sending; send it again',
    )
  })

  it('the plugin refusing the request fails that message, told by its tag; other refusals are not its', async () => {
    const { t, sent, inbox } = texts()
    await t.send(bob, 'hi')
    expect(t.onPluginMessage({ error_code: 449, error: 'Wrong state (not in a call?)' })).toBe(
      false,
    )
    expect(inbox().messages[0]?.status).toBe('sending')
    const refusal = {
      error_code: 449,
      error: 'Wrong state (not registered?)',
      [requestTagField]: sent[0]?.[requestTagField],
    }
    expect(t.onPluginMessage(refusal)).toBe(true)
    expect(inbox().messages[0]?.failure).toBe('Not sent: Wrong state (not registered?)')
  })

  it('an incoming message lands unread; empty or overlong texts are never sent', async () => {
    const { t, sent, inbox } = texts()
    t.onPluginMessage({ result: { event: 'message', sender: cy, content: 'yo' } })
    expect(inbox().messages[0]).toMatchObject({ direction: 'in', peer: cy, read: false })
    await t.send(bob, '   ')
    await t.send(bob, 'x'.repeat(1001))
    expect(sent).toHaveLength(0)
  })

  it('after a claim a waiting message still takes its answer, and without one is told as unknown, not undelivered', async () => {
    const { clock, t, inbox } = texts()
    await t.send(bob, 'first')
    await t.send(bob, 'second')
    t.claimed()
    await t.send(bob, 'after the claim')
    t.onPluginMessage({ call_id: 'id1', result: { event: 'messagedelivery', code: 200 } })
    await clock.advance(35_000)
    const byText = (text: string) => inbox().messages.find((m) => m.text === text)
    expect(byText('first')?.status).toBe('delivered')
    expect(byText('second')?.failure).toBe(
      'Not known whether it arrived: its answer may have come while the connection was down',
    )
    expect(byText('after the claim')?.failure).toBe('Not delivered: no answer came from the server')
  })

  it('after a new session what still waits is told as unknown at once', async () => {
    const { t, inbox } = texts()
    await t.send(bob, 'hi')
    t.abandonWaiting()
    expect(inbox().messages[0]?.failure).toMatch(/connection was lost before an answer/)
  })
})
