import { describe, expect, it } from 'vitest'
import {
  describeVoicemail,
  nextVoicemail,
  readMessageSummary,
  readVoicemailEvent,
} from '../../renderer/core/sip/voicemail'
import { SipPhone } from '../../renderer/janus/sip-phone'
import { FakeGateway } from './support/fake-gateway'
import { connected, makeHarness } from './support/harness'

const summary = (body: string) => ({
  sip: 'event',
  result: { event: 'notify', notify: 'message-summary', content: body },
})

describe('voicemail waiting', () => {
  it('reads a message-summary body: waiting, new and old voice messages', () => {
    expect(
      readMessageSummary(
        'Messages-Waiting: yes\r\nMessage-Account: sip:*97@lab\r\nVoice-Message: 2/8 (0/2)\r\n',
      ),
    ).toEqual({ waiting: true, newCount: 2, oldCount: 8 })
    expect(readMessageSummary('messages-waiting:no\r\n')).toEqual({
      waiting: false,
      newCount: 0,
      oldCount: 0,
    })
    expect(readMessageSummary('Voice-Message: 2/8')).toBeUndefined()
    expect(readMessageSummary('')).toBeUndefined()
  })

  it('says the count in words, and that a box it cannot count has messages', () => {
    const known = (waiting: boolean, newCount: number) =>
      describeVoicemail({ kind: 'known', waiting, newCount, oldCount: 0 })
    expect(known(true, 1)).toBe('Voicemail: 1 new message')
    expect(known(true, 3)).toBe('Voicemail: 3 new messages')
    expect(known(true, 0)).toBe('Voicemail: new messages')
    expect(known(false, 0)).toBe('Voicemail: no new messages')
    expect(describeVoicemail({ kind: 'off' })).toBeUndefined()
    expect(describeVoicemail({ kind: 'failed', reason: 'Not Found, 404' })).toBe(
      'Voicemail: not available (Not Found, 404)',
    )
  })

  it('reads only the plugin events about the subscription', () => {
    expect(readVoicemailEvent(summary('Messages-Waiting: yes\r\nVoice-Message: 1/0'))).toEqual({
      type: 'summary',
      summary: { waiting: true, newCount: 1, oldCount: 0 },
    })
    expect(
      readVoicemailEvent({
        result: { event: 'notify', notify: 'refer', content: 'SIP/2.0 200 OK' },
      }),
    ).toBeUndefined()
    expect(
      readVoicemailEvent({ result: { event: 'subscribe_failed', code: 404, reason: 'Not Found' } }),
    ).toEqual({ type: 'subscribe-failed', code: 404, reason: 'Not Found' })
    for (const junk of [null, 'x', {}, { result: 3 }, summary('garbage')])
      expect(readVoicemailEvent(junk)).toBeUndefined()
  })

  it('a refused subscription says why; a later summary replaces it', () => {
    const failed = nextVoicemail(
      { kind: 'waiting-for-server' },
      { type: 'subscribe-failed', code: 404, reason: 'Not Found' },
    )
    expect(failed).toEqual({ kind: 'failed', reason: 'Not Found, 404' })
    expect(
      nextVoicemail(failed, {
        type: 'summary',
        summary: { waiting: false, newCount: 0, oldCount: 4 },
      }),
    ).toEqual({ kind: 'known', waiting: false, newCount: 0, oldCount: 4 })
  })
})

describe('the phone and its voicemail box', () => {
  async function phoneWithVoicemail(voicemail?: string) {
    const h = makeHarness()
    await connected(h)
    const janus = new FakeGateway()
    const phone = new SipPhone(h.session, janus.gateway, h.clock, {
      uri: 'sip:alice@lab',
      password: 'secret',
      registrar: 'sip:lab:5060',
      ...(voicemail ? { voicemail } : {}),
    })
    await phone.start()
    return { h, janus, phone, handle: janus.last }
  }
  const registered = { sip: 'event', result: { event: 'registered', username: 'sip:alice@lab' } }

  it('subscribes to message-summary at the voicemail number once registered, and shows the count', async () => {
    const { janus, phone, handle } = await phoneWithVoicemail('*97')
    expect(handle.requests()).toEqual(['register'])
    handle.event(registered)
    const subscribe = handle.sent.find((s) => s.message.request === 'subscribe')?.message
    expect(subscribe).toMatchObject({
      event: 'message-summary',
      to: 'sip:*97@lab',
      accept: 'application/simple-message-summary',
    })
    expect(phone.voicemail.state).toEqual({ kind: 'waiting-for-server' })
    handle.event(summary('Messages-Waiting: yes\r\nVoice-Message: 2/5 (0/0)'))
    expect(phone.voicemail.state).toEqual({
      kind: 'known',
      waiting: true,
      newCount: 2,
      oldCount: 5,
    })
    // After a lost session the new handle registers and subscribes again.
    await phone.restore()
    janus.last.event(registered)
    expect(janus.last.requests()).toEqual(['register', 'subscribe'])
  })

  it('after a claim a registered account subscribes again, and the count it brings replaces what was shown', async () => {
    const { h, phone, handle } = await phoneWithVoicemail('*97')
    handle.event(registered)
    handle.event(summary('Messages-Waiting: yes\r\nVoice-Message: 2/5 (0/0)'))
    // A NOTIFY sent while the socket was down is lost; the claim asks afresh.
    h.server.openSockets()[0]!.drop()
    await h.clock.advance(2000)
    expect(h.session.state.kind).toBe('connected')
    expect(handle.requests().filter((r) => r === 'subscribe')).toHaveLength(2)
    // The count stays on screen until the server's answer replaces it.
    expect(phone.voicemail.state).toMatchObject({ kind: 'known', newCount: 2 })
    handle.event(summary('Messages-Waiting: yes\r\nVoice-Message: 3/5 (0/0)'))
    expect(phone.voicemail.state).toMatchObject({ kind: 'known', newCount: 3 })
  })

  it('an account without a voicemail number never subscribes', async () => {
    const { phone, handle } = await phoneWithVoicemail()
    handle.event(registered)
    expect(handle.requests()).toEqual(['register'])
    expect(phone.voicemail.state).toEqual({ kind: 'off' })
  })
})
