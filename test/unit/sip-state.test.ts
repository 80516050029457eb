import { describe, expect, it } from 'vitest'
import {
  describeCall,
  describeEnd,
  describeRegistration,
  nextCall,
  nextRegistration,
  registrationCause,
  registrationRetryDelayMs,
  type CallState,
  type SipEvent,
} from '../../renderer/core/sip/sip-state'

const run = (events: SipEvent[], start: CallState = { kind: 'idle' }) => {
  let state = start
  let t = 1000
  for (const e of events) state = nextCall(state, e, (t += 1000))
  return state
}

describe('SIP registration', () => {
  it('goes registering -> registered, and a wrong password reads as credentials, not network', () => {
    let s = nextRegistration({ kind: 'unregistered' }, { type: 'registering' })
    expect(s).toEqual({ kind: 'registering' })
    s = nextRegistration(s, { type: 'registered', username: 'alice' })
    expect(describeRegistration(s)).toBe('Registered')
    const wrong = nextRegistration(s, {
      type: 'registration_failed',
      code: 403,
      reason: 'Forbidden',
    })
    expect(wrong).toMatchObject({ kind: 'failed', cause: 'credentials' })
    expect(describeRegistration(wrong)).toBe('Registration failed: wrong username or password')
    expect(registrationCause(904)).toBe('credentials')
    expect(registrationCause(401)).toBe('credentials')
    expect(registrationCause(408)).toBe('network')
    expect(registrationCause(500)).toBe('server')
    expect(nextRegistration(s, { type: 'session-lost' })).toEqual({ kind: 'unregistered' })
  })

  it('the plugin’s “registering” changes nothing: a registrar that answered first still counts (bug 8)', () => {
    expect(readSipEvent({ sip: 'event', result: { event: 'registering' } })).toEqual({
      type: 'register-sent',
    })
    const registered = nextRegistration(
      { kind: 'registering' },
      { type: 'registered', username: 'alice' },
    )
    expect(nextRegistration(registered, { type: 'register-sent' })).toBe(registered)
    const refused = nextRegistration(
      { kind: 'registering' },
      { type: 'registration_failed', code: 403, reason: 'Forbidden' },
    )
    expect(nextRegistration(refused, { type: 'register-sent' })).toBe(refused)
  })
})

describe('SIP registration retries', () => {
  it('tries an unreachable registrar again, later and later, and never wrong credentials', () => {
    const unreachable = nextRegistration(
      { kind: 'registering' },
      { type: 'registration_failed', code: 408, reason: 'Request Timeout' },
    )
    expect(describeRegistration(unreachable)).toBe(
      'Registration failed: the registrar could not be reached (408); trying again',
    )
    expect([1, 2, 3, 4, 9].map((n) => registrationRetryDelayMs(unreachable, n))).toEqual([
      5_000, 10_000, 30_000, 60_000, 60_000,
    ])
    const wrong = nextRegistration(
      { kind: 'registering' },
      { type: 'registration_failed', code: 403, reason: 'Forbidden' },
    )
    expect(registrationRetryDelayMs(wrong, 1)).toBeUndefined()
    const refused = nextRegistration(
      { kind: 'registering' },
      { type: 'registration_failed', code: 400, reason: 'Bad Request' },
    )
    expect(registrationRetryDelayMs(refused, 1)).toBeUndefined()
    expect(registrationRetryDelayMs({ kind: 'registered', username: 'a' }, 1)).toBeUndefined()
  })
})

describe('SIP call', () => {
  it('an outgoing call: calling, ringing, answered, hung up by us, with its duration', () => {
    const s = run([
      { type: 'dial', peer: 'sip:bob@lab' },
      { type: 'calling' },
      { type: 'ringing' },
      { type: 'accepted' },
      { type: 'local-hangup' },
    ])
    expect(s).toMatchObject({
      kind: 'ended',
      direction: 'outgoing',
      peer: 'sip:bob@lab',
      reason: 'local-hangup',
      duration: 1000,
    })
  })

  it('early media, hold and resume', () => {
    let s = run([{ type: 'dial', peer: 'bob' }, { type: 'progress' }])
    expect(s.kind).toBe('early-media')
    s = run([{ type: 'accepted' }, { type: 'holding' }], s)
    expect(s).toMatchObject({ kind: 'active', onHold: true })
    expect(run([{ type: 'resuming' }], s)).toMatchObject({ onHold: false })
  })

  it('maps busy, declined, not found, unreachable and cancelled from the SIP code', () => {
    const outcome = (code: number, before: SipEvent[] = [{ type: 'dial', peer: 'bob' }]) =>
      run([...before, { type: 'hangup', code, reason: '' }])
    expect(outcome(486)).toMatchObject({ reason: 'busy', code: 486 })
    expect(outcome(603)).toMatchObject({ reason: 'declined' })
    expect(outcome(404)).toMatchObject({ reason: 'not-found' })
    expect(outcome(480)).toMatchObject({ reason: 'unreachable' })
    expect(outcome(487)).toMatchObject({ reason: 'cancelled' })
    expect(outcome(200, [{ type: 'dial', peer: 'bob' }, { type: 'accepted' }])).toMatchObject({
      reason: 'remote-hangup',
    })
    expect(outcome(500)).toMatchObject({ reason: 'failed' })
  })

  it('an incoming call: ringing, answered or declined; one that stops ringing is missed', () => {
    const ringing = run([{ type: 'incomingcall', peer: 'sip:carol@lab' }])
    expect(ringing).toMatchObject({ kind: 'ringing', direction: 'incoming' })
    expect(run([{ type: 'accepted' }], ringing)).toMatchObject({
      kind: 'active',
      direction: 'incoming',
    })
    expect(run([{ type: 'local-hangup' }], ringing)).toMatchObject({ reason: 'declined' })
    expect(
      run([{ type: 'hangup', code: 487, reason: 'Request Terminated' }], ringing),
    ).toMatchObject({ reason: 'missed' })
    expect(run([{ type: 'missed_call', peer: 'sip:dave@lab' }])).toMatchObject({
      kind: 'ended',
      reason: 'missed',
      peer: 'sip:dave@lab',
    })
  })

  it('a lost session ends a live call with a clear reason, and leaves no call looking alive', () => {
    const s = run([{ type: 'dial', peer: 'bob' }, { type: 'accepted' }, { type: 'session-lost' }])
    expect(s).toMatchObject({ kind: 'ended', reason: 'connection-lost' })
    expect(describeEnd('connection-lost')).toBe(
      'Call dropped: the connection was lost for too long',
    )
  })

  it('a session the server no longer had (458 on the claim) says so, not that we were away too long', () => {
    const s = run([
      { type: 'dial', peer: 'bob' },
      { type: 'accepted' },
      { type: 'session-lost', serverLost: true },
    ])
    expect(s).toMatchObject({ kind: 'ended', reason: 'server-lost' })
    expect(describeCall(s)).toBe(
      'Call dropped: the server no longer had the call (it may have restarted)',
    )
  })

  it('hanging up before the other side answers cancels the call', () => {
    for (const before of [
      [{ type: 'dial', peer: 'bob' }],
      [{ type: 'dial', peer: 'bob' }, { type: 'ringing' }],
      [{ type: 'dial', peer: 'bob' }, { type: 'progress' }],
    ] as SipEvent[][]) {
      const s = run([...before, { type: 'local-hangup' }])
      expect(s).toMatchObject({ kind: 'ended', reason: 'cancelled' })
      expect(describeCall(s)).toBe('Call cancelled')
    }
  })

  it('a blind transfer we ask for: transferring, then transferred once the target answers', () => {
    const active = run([{ type: 'dial', peer: 'bob' }, { type: 'accepted' }])
    let s = nextCall(active, { type: 'transfer-requested', target: 'sip:carol@lab' }, 5000)
    expect(describeCall(s)).toBe('Transferring to sip:carol@lab…')
    expect(nextCall(s, { type: 'transfer-progress', code: 180 }, 5500)).toBe(s)
    s = nextCall(s, { type: 'transfer-progress', code: 200 }, 6000)
    expect(s).toMatchObject({ kind: 'ended', reason: 'transferred', peer: 'bob' })
    expect(describeCall(s)).toBe('Call transferred')
  })

  it('a refused transfer leaves the call ours; a transferee hanging up first counts as transferred', () => {
    const active = run([{ type: 'dial', peer: 'bob' }, { type: 'accepted' }])
    const asked = nextCall(active, { type: 'transfer-requested', target: 'carol' }, 5000)
    const refused = nextCall(asked, { type: 'transfer-progress', code: 486 }, 6000)
    expect(refused).toMatchObject({ kind: 'active', peer: 'bob' })
    expect(describeCall(refused)).toBe('In call with bob')
    expect(run([{ type: 'hangup', code: 200, reason: 'BYE' }], asked)).toMatchObject({
      kind: 'ended',
      reason: 'transferred',
    })
    // Without a transfer under way a progress report means nothing.
    expect(nextCall(active, { type: 'transfer-progress', code: 200 }, 6000)).toBe(active)
  })

  it('a transfer the other side asks for ends this call as transferred when it hangs up', () => {
    const active = run([{ type: 'incomingcall', peer: 'bob' }, { type: 'accepted' }])
    const s = nextCall(
      active,
      { type: 'transfer', referId: 7, referTo: 'sip:carol@lab', referredBy: 'bob' },
      5000,
    )
    expect(describeCall(s)).toBe('Transferring to sip:carol@lab…')
    expect(run([{ type: 'local-hangup' }], s)).toMatchObject({
      kind: 'ended',
      reason: 'transferred',
    })
    // A lost session is still reported as what it is.
    expect(run([{ type: 'session-lost' }], s)).toMatchObject({ reason: 'connection-lost' })
    // Outside a call a REFER changes nothing.
    expect(
      nextCall({ kind: 'idle' }, { type: 'transfer', referId: 1, referTo: 'x', referredBy: '' }, 1),
    ).toEqual({ kind: 'idle' })
  })

  it('a call that ended while we were detached ends in the UI, saying so', () => {
    const active = run([{ type: 'dial', peer: 'bob' }, { type: 'accepted' }])
    const s = run([{ type: 'gone-while-away' }], active)
    expect(s).toMatchObject({ kind: 'ended', reason: 'ended-while-away' })
    expect(describeCall(s)).toBe('The call ended while you were offline')
    expect(run([{ type: 'gone-while-away' }])).toEqual({ kind: 'idle' })
  })

  it('every event in every state gives a state, and only the right ones start or end a call', () => {
    const states: CallState[] = [
      { kind: 'idle' },
      { kind: 'calling', direction: 'outgoing', peer: 'b' },
      { kind: 'ringing', direction: 'outgoing', peer: 'b' },
      { kind: 'ringing', direction: 'incoming', peer: 'b' },
      { kind: 'early-media', direction: 'outgoing', peer: 'b' },
      { kind: 'active', direction: 'outgoing', peer: 'b', since: 0, onHold: false },
      { kind: 'active', direction: 'incoming', peer: 'b', since: 0, onHold: true, transferTo: 'c' },
      { kind: 'ended', direction: 'outgoing', peer: 'b', reason: 'busy', at: 0, duration: 0 },
    ]
    const events: SipEvent[] = [
      { type: 'registering' },
      { type: 'register-sent' },
      { type: 'registered', username: 'a' },
      { type: 'registration_failed', code: 403, reason: 'Forbidden' },
      { type: 'unregistered' },
      { type: 'dial', peer: 'x' },
      { type: 'calling' },
      { type: 'ringing' },
      { type: 'proceeding' },
      { type: 'progress' },
      { type: 'incomingcall', peer: 'x' },
      { type: 'accepted' },
      { type: 'holding' },
      { type: 'resuming' },
      { type: 'local-hangup' },
      { type: 'hangup', code: 200, reason: 'BYE' },
      { type: 'missed_call', peer: 'x' },
      { type: 'dtmf', digit: '5' },
      { type: 'session-lost' },
      { type: 'gone-while-away' },
      { type: 'transfer-requested', target: 'c' },
      { type: 'transfer-progress', code: 200 },
      { type: 'transfer', referId: 1, referTo: 'c', referredBy: 'b' },
    ]
    const starts = new Set(['dial', 'incomingcall', 'missed_call'])
    const ends = new Set(['local-hangup', 'hangup', 'session-lost', 'gone-while-away'])
    const live = (s: CallState) => s.kind !== 'idle' && s.kind !== 'ended'
    for (const state of states) {
      for (const event of events) {
        const next = nextCall(state, event, 5000)
        expect(typeof describeCall(next)).toBe('string')
        // A call never starts over another one, and registration events never touch a call.
        if (live(state) && starts.has(event.type)) expect(next).toBe(state)
        if (
          event.type.startsWith('regist') ||
          event.type === 'unregistered' ||
          event.type === 'dtmf'
        )
          expect(next).toBe(state)
        // Only hang-ups (or a completed transfer) end a live call.
        if (live(state) && next.kind === 'ended')
          expect(ends.has(event.type) || event.type === 'transfer-progress').toBe(true)
        // Nothing but a new call leaves the idle or ended state.
        if (!live(state) && next !== state) expect(starts.has(event.type)).toBe(true)
      }
    }
  })

  it('ignores events that do not fit the state', () => {
    expect(run([{ type: 'accepted' }])).toEqual({ kind: 'idle' })
    expect(run([{ type: 'hangup', code: 200, reason: '' }])).toEqual({ kind: 'idle' })
    const active = run([{ type: 'dial', peer: 'bob' }, { type: 'accepted' }])
    expect(
      run(
        [
          { type: 'incomingcall', peer: 'x' },
          { type: 'dial', peer: 'y' },
        ],
        active,
      ),
    ).toEqual(active)
  })
})

import { readSipEvent } from '../../renderer/core/sip/sip-events'

describe('SIP plugin events', () => {
  it('reads the plugin payloads, ignoring what is not an event', () => {
    expect(
      readSipEvent({
        sip: 'event',
        result: { event: 'registered', username: 'alice', register_sent: true },
      }),
    ).toEqual({ type: 'registered', username: 'alice' })
    expect(
      readSipEvent({
        sip: 'event',
        result: { event: 'registration_failed', code: 403, reason: 'Forbidden' },
      }),
    ).toEqual({ type: 'registration_failed', code: 403, reason: 'Forbidden' })
    expect(
      readSipEvent({ sip: 'event', result: { event: 'incomingcall', username: 'sip:bob@lab' } }),
    ).toEqual({ type: 'incomingcall', peer: 'sip:bob@lab' })
    expect(
      readSipEvent({ sip: 'event', result: { event: 'hangup', code: 486, reason: 'Busy Here' } }),
    ).toEqual({ type: 'hangup', code: 486, reason: 'Busy Here' })
    expect(
      readSipEvent({ sip: 'event', result: { event: 'missed_call', caller: 'sip:eve@lab' } }),
    ).toEqual({ type: 'missed_call', peer: 'sip:eve@lab' })
    expect(
      readSipEvent({
        sip: 'event',
        result: {
          event: 'info',
          type: 'application/dtmf-relay',
          content: 'Signal=5\r\nDuration=160\r\n',
        },
      }),
    ).toEqual({ type: 'dtmf', digit: '5' })
    expect(
      readSipEvent({
        sip: 'event',
        result: { event: 'info', type: 'application/dtmf-relay', content: 'Signal=#' },
      }),
    ).toEqual({ type: 'dtmf', digit: '#' })
    expect(
      readSipEvent({
        sip: 'event',
        result: { event: 'info', type: 'text/plain', content: 'hello' },
      }),
    ).toBeUndefined()
    expect(
      readSipEvent({
        sip: 'event',
        result: {
          event: 'transfer',
          refer_id: 1234,
          refer_to: 'sip:carol@lab',
          referred_by: '<sip:bob@lab>',
        },
      }),
    ).toEqual({
      type: 'transfer',
      referId: 1234,
      referTo: 'sip:carol@lab',
      referredBy: '<sip:bob@lab>',
    })
    expect(
      readSipEvent({
        sip: 'event',
        result: { event: 'notify', notify: 'refer', content: 'SIP/2.0 200 OK\r\n' },
      }),
    ).toEqual({ type: 'transfer-progress', code: 200 })
    expect(
      readSipEvent({
        sip: 'event',
        result: { event: 'notify', notify: 'message-summary', content: 'Messages-Waiting: no' },
      }),
    ).toBeUndefined()
    for (const junk of [
      null,
      'x',
      {},
      { result: 'x' },
      { result: { event: 'mystery' } },
      { sip: 'event', error_code: 444, error: 'x' },
    ]) {
      expect(readSipEvent(junk)).toBeUndefined()
    }
  })
})

import { dialLinkFromArgv, parseDialLink, readDialLink } from '../../renderer/core/sip/dial-link'

describe('tel: and sip: links', () => {
  it('reads numbers and addresses, and refuses anything else', () => {
    expect(parseDialLink('tel:+1-555-010-0199')).toBe('+15550100199')
    expect(parseDialLink('tel:%2B44%2020%207946%200000')).toBe('+442079460000')
    expect(parseDialLink('tel:911;phone-context=example')).toBe('911')
    expect(parseDialLink('sip:bob@example.org')).toBe('sip:bob@example.org')
    expect(parseDialLink('SIPS:alice@10.0.0.1:5061;transport=tls')).toBe('sips:alice@10.0.0.1:5061')
    for (const bad of [
      '',
      'http://example.org',
      'tel:',
      'tel:call-me-maybe',
      'sip:nobody',
      'sip:a@b c',
      'javascript:alert(1)',
    ]) {
      expect(parseDialLink(bad)).toBeUndefined()
    }
  })

  it('finds the link among the arguments the OS passes', () => {
    expect(dialLinkFromArgv(['/opt/Holdfast/holdfast', '--no-sandbox', 'tel:+15550100'])).toEqual({
      ok: true,
      target: '+15550100',
    })
    expect(dialLinkFromArgv(['/opt/Holdfast/holdfast'])).toBeUndefined()
  })

  it('refuses a malformed link with a reason instead of throwing', () => {
    for (const bad of ['tel:%', 'tel:%E0%A4%A', 'sip:%zz@host', 'tel:call-me', 'sip:nobody']) {
      const read = readDialLink(bad)
      expect(read).toMatchObject({ ok: false })
      expect(read?.ok === false && read.reason).toMatch(/^Cannot dial the link ".+": .+\.$/)
    }
    expect(dialLinkFromArgv(['holdfast', 'tel:%'])).toMatchObject({ ok: false })
    expect(readDialLink('https://example.org')).toBeUndefined()
    expect(readDialLink(`tel:${'9'.repeat(500)}`)).toMatchObject({ ok: false })
  })
})

describe('call status line', () => {
  it('says where a call is in words', () => {
    expect(describeCall({ kind: 'idle' })).toBe('No call')
    expect(describeCall({ kind: 'ringing', direction: 'incoming', peer: 'sip:a@b' })).toBe(
      'Incoming call from sip:a@b',
    )
    expect(
      describeCall({
        kind: 'active',
        direction: 'outgoing',
        peer: 'sip:a@b',
        since: 0,
        onHold: true,
      }),
    ).toBe('On hold with sip:a@b')
    expect(
      describeCall({
        kind: 'ended',
        direction: 'outgoing',
        peer: 'sip:a@b',
        reason: 'busy',
        at: 0,
        duration: 0,
      }),
    ).toBe('Busy')
  })
})

import {
  accountToRegister,
  accountProblem,
  parseAccounts,
  parsePasswords,
  removeAccount,
  sameAccount,
  upsertAccount,
  type SavedAccount,
} from '../../renderer/core/sip/accounts'

describe('saved SIP accounts', () => {
  const alice: SavedAccount = {
    uri: 'sip:alice@lab.example',
    registrar: 'sip:lab.example:5060',
    displayName: 'Alice',
    authUser: '',
    outboundProxy: '',
    transport: 'udp',
    dtmfMode: 'rfc2833',
    voicemail: '',
  }

  it('keeps several accounts, one per address, replacing an edited one in place', () => {
    const bob = { ...alice, uri: 'sip:bob@lab.example', displayName: 'Bob' }
    let list = upsertAccount(upsertAccount([], alice), bob)
    expect(list.map((a) => a.uri)).toEqual([alice.uri, bob.uri])
    list = upsertAccount(list, { ...alice, uri: 'SIP:alice@LAB.example', transport: 'tcp' })
    expect(list).toHaveLength(2)
    expect(list[0]).toMatchObject({ transport: 'tcp' })
    expect(removeAccount(list, alice.uri).map((a) => a.uri)).toEqual([bob.uri])
    expect(sameAccount('sip:Alice@lab', 'sip:alice@lab')).toBe(false)
  })

  it('reads saved accounts from untrusted JSON, dropping junk and duplicates', () => {
    expect(
      parseAccounts([
        alice,
        { ...alice, displayName: 'again' },
        { uri: 'not an address' },
        null,
        'x',
        { uri: 'sip:carol@lab', transport: 'carrier-pigeon', dtmfMode: 7 },
      ]),
    ).toEqual([
      alice,
      {
        uri: 'sip:carol@lab',
        registrar: '',
        displayName: '',
        authUser: '',
        outboundProxy: '',
        transport: 'udp',
        dtmfMode: 'rfc2833',
        voicemail: '',
      },
    ])
    expect(parseAccounts({ not: 'a list' })).toEqual([])
  })

  it('says what is wrong with an account before it is registered', () => {
    expect(accountProblem(alice)).toBeUndefined()
    expect(accountProblem({ ...alice, uri: 'alice' })).toMatch(/sip:user@domain/)
    expect(accountProblem({ ...alice, registrar: 'lab.example' })).toMatch(/registrar/)
    expect(accountProblem({ ...alice, outboundProxy: 'proxy' })).toMatch(/outbound proxy/)
    expect(accountProblem({ ...alice, voicemail: '*97' })).toBeUndefined()
    expect(accountProblem({ ...alice, voicemail: 'sip:vm@lab.example' })).toBeUndefined()
    expect(accountProblem({ ...alice, voicemail: 'my mailbox' })).toMatch(/voicemail number/)
  })

  it('reads the vault password map, and nothing else', () => {
    expect(parsePasswords(JSON.stringify({ [alice.uri]: 'pw', bad: 3 }))).toEqual({
      [alice.uri]: 'pw',
    })
    expect(parsePasswords('plain-text')).toEqual({})
    expect(parsePasswords('[1]')).toEqual({})
    expect(parsePasswords(undefined)).toEqual({})
  })
})

describe('the account to register', () => {
  it('is the saved account, trimmed, with its password and only the options that are set', () => {
    expect(
      accountToRegister(
        {
          uri: ' sip:alice@lab ',
          registrar: 'sip:lab:5060 ',
          displayName: 'Alice',
          authUser: '',
          outboundProxy: 'sip:proxy:5060',
          transport: 'tcp',
          dtmfMode: 'info',
          voicemail: ' *97 ',
        },
        'secret',
      ),
    ).toEqual({
      uri: 'sip:alice@lab',
      registrar: 'sip:lab:5060',
      password: 'secret',
      displayName: 'Alice',
      outboundProxy: 'sip:proxy:5060',
      transport: 'tcp',
      dtmfMode: 'info',
      voicemail: '*97',
    })
  })
})
