import { describe, expect, it } from 'vitest'
import type { ConferenceLeg, ConferenceMixer } from '../../renderer/janus/conference-mixer'
import { SipPhone, type SipAccount } from '../../renderer/janus/sip-phone'
import { requestTagField } from '../../renderer/core/bridge-socket'
import { FakeGateway, playMedia, type FakeHandle } from './support/fake-gateway'
import { connected, makeHarness } from './support/harness'

const account: SipAccount = { uri: 'sip:alice@lab', password: 'secret', registrar: 'sip:lab:5060' }
const sipEvent = (event: string, extra: Record<string, unknown> = {}) => ({
  sip: 'event',
  result: { event, ...extra },
})
const offer = { type: 'offer' as const, sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n' }

/** A mixer that records what it was asked. */
class FakeMixer implements ConferenceMixer {
  readonly calls: string[] = []
  legs = 0
  connect(legs: readonly ConferenceLeg[]): Promise<void> {
    this.calls.push('connect')
    this.legs = legs.length
    return Promise.resolve()
  }
  disconnect(): Promise<void> {
    this.calls.push('disconnect')
    return Promise.resolve()
  }
}

/** A registered phone in an answered call with bob, and its spare helper line joined. */
async function inCallWithSpare() {
  const h = makeHarness()
  await connected(h)
  const janus = new FakeGateway()
  const mixer = new FakeMixer()
  const phone = new SipPhone(h.session, janus.gateway, h.clock, account, {}, { mixer })
  await phone.start()
  const master = janus.last
  master.event(sipEvent('registered', { username: account.uri, master_id: 4242 }))
  await phone.dial('bob')
  await h.clock.settle()
  master.event(sipEvent('accepted'), { type: 'answer', sdp: 'v=0\r\n' })
  await h.clock.settle()
  expect(janus.handles).toHaveLength(2)
  const helper = janus.last
  helper.event(sipEvent('registered', { username: account.uri, helper: true, master_id: 4242 }))
  return { h, janus, phone, master, helper, mixer }
}

const requests = (handle: FakeHandle) => handle.requests()

/** Carol calls while the first call is up and is answered: the first call is held. */
async function carolAnswered(
  world: Pick<Awaited<ReturnType<typeof inCallWithSpare>>, 'h' | 'phone' | 'master' | 'helper'>,
) {
  world.helper.event(sipEvent('incomingcall', { username: 'sip:carol@lab' }), offer)
  await world.phone.answer({ video: false })
  await world.h.clock.settle()
  world.master.event(sipEvent('holding'))
  world.helper.event(sipEvent('accepted'))
}

describe('call waiting on helper lines', () => {
  it('while a call is up a helper joins the registered handle by the plugin’s id of it', async () => {
    const { helper } = await inCallWithSpare()
    const join = helper.sent.find((s) => s.message.request === 'register')?.message
    expect(join).toMatchObject({ type: 'helper', username: account.uri, master_id: 4242 })
  })

  it('a second caller waits: the call in front stays, the waiting one is listed and sounds soft', async () => {
    const { phone, helper } = await inCallWithSpare()
    helper.event(sipEvent('incomingcall', { username: 'sip:carol@lab' }), offer)
    expect(phone.call).toMatchObject({ kind: 'active', peer: 'sip:bob@lab' })
    expect(phone.ringing).toBe('waiting')
    const withCalls = phone.lines.filter((l) => l.call.kind !== 'idle')
    expect(withCalls.map((l) => [l.call.kind, l.focused, l.waiting])).toEqual([
      ['active', true, false],
      ['ringing', false, true],
    ])
    // And one more free line waits for a third caller.
    expect(phone.lines).toHaveLength(3)
  })

  it('answering the waiting call holds the first (its microphone shut) before accepting, and brings it to the front', async () => {
    const { h, phone, master, helper } = await inCallWithSpare()
    helper.event(sipEvent('incomingcall', { username: 'sip:carol@lab' }), offer)
    const answering = phone.answer({ video: false })
    await h.clock.settle()
    await answering
    expect(requests(master)).toContain('hold')
    expect(master.muted).toBe(true)
    expect(requests(helper)).toContain('accept')
    master.event(sipEvent('holding'))
    helper.event(sipEvent('accepted'))
    expect(phone.call).toMatchObject({ kind: 'active', peer: 'sip:carol@lab' })
    expect(phone.lines.find((l) => l.focused)?.id).toBe(1)
    expect(phone.lines[0]?.call).toMatchObject({ onHold: true })
  })

  it('switching holds the call in front and resumes the other; its microphone opens again', async () => {
    const { h, phone, master, helper } = await inCallWithSpare()
    await carolAnswered({ h, phone, master, helper })
    await phone.switchTo(0)
    await h.clock.settle()
    expect(requests(helper)).toContain('hold')
    expect(requests(master)).toContain('unhold')
    master.event(sipEvent('resuming'))
    expect(master.muted).toBe(false)
    expect(helper.muted).toBe(true)
    expect(phone.call).toMatchObject({ kind: 'active', peer: 'sip:bob@lab', onHold: false })
  })

  it('when the call in front ends the held one comes to the front, still on hold; with no call left the helper is let go', async () => {
    const { h, phone, master, helper } = await inCallWithSpare()
    await carolAnswered({ h, phone, master, helper })
    helper.event(sipEvent('hangup', { code: 200, reason: 'BYE' }))
    expect(phone.call).toMatchObject({ kind: 'active', peer: 'sip:bob@lab', onHold: true })
    master.event(sipEvent('hangup', { code: 200, reason: 'BYE' }))
    await h.clock.settle()
    expect(phone.call).toMatchObject({ kind: 'ended', reason: 'remote-hangup' })
    expect(helper.detached).toBe(true)
    expect(phone.lines).toHaveLength(1)
  })

  it('a waiting call declined with busy is answered 486, and the first call goes on untouched', async () => {
    const { h, phone, master, helper } = await inCallWithSpare()
    helper.event(sipEvent('incomingcall', { username: 'sip:carol@lab' }), offer)
    await phone.decline(1, true)
    await h.clock.settle()
    expect(helper.sent.find((s) => s.message.request === 'decline')?.message.code).toBe(486)
    expect(requests(master)).not.toContain('hold')
    expect(phone.call).toMatchObject({ kind: 'active', peer: 'sip:bob@lab' })
    expect(phone.ringing).toBeUndefined()
  })

  it('a second outgoing call holds the first and goes out on the helper', async () => {
    const { h, phone, master, helper } = await inCallWithSpare()
    const dialling = phone.dial('dave')
    await h.clock.settle()
    await dialling
    expect(requests(master)).toContain('hold')
    expect(helper.sent.find((s) => s.message.request === 'call')?.message.uri).toBe('sip:dave@lab')
    expect(phone.call).toMatchObject({ kind: 'calling', peer: 'sip:dave@lab' })
  })

  it('every line’s call reaches the history stream, not only the one in front', async () => {
    const { phone, helper } = await inCallWithSpare()
    const seen: string[] = []
    phone.events.on('lineCall', ({ id, next }) => seen.push(`${id}:${next.kind}`))
    helper.event(sipEvent('incomingcall', { username: 'sip:carol@lab' }), offer)
    helper.event(sipEvent('hangup', { code: 487, reason: 'Request Terminated' }))
    expect(seen).toEqual(['1:ringing', '1:ended'])
  })

  it('a lost session ends both calls with the reason; the helper is forgotten and the account registers again', async () => {
    const { janus, phone, helper } = await inCallWithSpare()
    helper.event(sipEvent('incomingcall', { username: 'sip:carol@lab' }), offer)
    const ends: string[] = []
    phone.events.on('lineCall', ({ next }) => next.kind === 'ended' && ends.push(next.reason))
    await phone.restore()
    expect(ends.sort()).toEqual(['connection-lost', 'connection-lost'])
    expect(phone.lines).toHaveLength(1)
    expect(janus.last.requests()).toEqual(['register'])
  })

  it('a claim checks every call: a helper’s call whose media is gone ends, the other goes on', async () => {
    const { phone, helper } = await inCallWithSpare()
    helper.event(sipEvent('incomingcall', { username: 'sip:carol@lab' }), offer)
    await phone.answer({ video: false })
    helper.event(sipEvent('accepted'))
    helper.api.webrtcStuff.pc = undefined
    phone.resync({ sessionId: 1, reason: 'socketClosed', networkChanged: false })
    expect(phone.lines[1]?.call).toMatchObject({ kind: 'ended', reason: 'ended-while-away' })
    expect(phone.lines[0]?.call.kind).toBe('active')
  })

  describe('a call that rang while we were away (its incomingcall lost with the connection)', () => {
    /** Claims again and returns the tag of the idle helper's state probe. */
    async function claimed() {
      const world = await inCallWithSpare()
      const missed: string[] = []
      world.phone.events.on('missedWhileAway', () => missed.push('missed'))
      world.phone.resync({ sessionId: 1, reason: 'socketClosed', networkChanged: false })
      await world.h.clock.settle()
      const probe = world.helper.sent.find((s) => s.message.request === 'accept')
      // Nothing it could answer with: no SDP, and a parameter Janus refuses.
      expect(probe?.jsep).toBeUndefined()
      expect(probe?.message.autoaccept_reinvites).not.toEqual(expect.any(Boolean))
      const tag = probe?.message[requestTagField]
      expect(tag).toEqual(expect.any(String))
      const answer = (error: string) =>
        world.helper.event({ sip: 'event', error_code: 449, error, [requestTagField]: tag })
      return { ...world, missed, answer }
    }

    it('is found after the claim, declined as unavailable (480) and reported as missed once', async () => {
      const { h, phone, helper, missed, answer } = await claimed()
      answer('Invalid element type (autoaccept_reinvites should be a boolean)')
      await h.clock.settle()
      expect(helper.sent.find((s) => s.message.request === 'decline')?.message).toMatchObject({
        code: 480,
      })
      expect(missed).toEqual(['missed'])
      expect(phone.call).toMatchObject({ kind: 'active', peer: 'sip:bob@lab' })
      // The end of the declined call that follows is not a second missed call.
      helper.event(sipEvent('hangup', { code: 480, reason: 'Temporarily Unavailable' }))
      expect(missed).toEqual(['missed'])
    })

    it('a line that is not ringing is left alone', async () => {
      const { h, helper, missed, answer } = await claimed()
      answer('Wrong state (not invited? status=idle)')
      await h.clock.settle()
      expect(requests(helper)).not.toContain('decline')
      expect(missed).toEqual([])
    })

    it('a caller who gave up before the probe answered is reported as missed once', async () => {
      const { h, helper, missed, answer } = await claimed()
      helper.event(sipEvent('hangup', { code: 487, reason: 'Request Terminated' }))
      answer('Wrong state (not invited? status=idle)')
      await h.clock.settle()
      expect(missed).toEqual(['missed'])
      expect(requests(helper)).not.toContain('decline')
    })

    it('a call that rings in after the claim rings as usual and is not declined', async () => {
      const { h, phone, helper, missed, answer } = await claimed()
      helper.event(sipEvent('incomingcall', { username: 'sip:carol@lab' }), offer)
      answer('Invalid element type (autoaccept_reinvites should be a boolean)')
      await h.clock.settle()
      expect(requests(helper)).not.toContain('decline')
      expect(phone.ringing).toBe('waiting')
      expect(missed).toEqual([])
    })
  })

  it('a helper Janus lets go (its registered handle unregistered) is forgotten, and one comes back once registered again', async () => {
    const { h, janus, phone, master, helper } = await inCallWithSpare()
    helper.detachedByServer()
    expect(phone.lines).toHaveLength(1)
    master.event(sipEvent('unregistered'))
    master.event(sipEvent('registered', { username: account.uri, master_id: 5151 }))
    await h.clock.settle()
    expect(janus.handles).toHaveLength(3)
    expect(janus.last.sent.find((s) => s.message.request === 'register')?.message.master_id).toBe(
      5151,
    )
  })
})

describe('attended transfer on two lines', () => {
  /** In a call with bob (Call-ID cid-bob), and a consultation with dave on the helper (cid-dave). */
  async function consulting() {
    const world = await inCallWithSpare()
    const { h, phone, master, helper } = world
    master.event({ ...sipEvent('calling'), call_id: 'cid-bob' })
    await phone.dial('dave')
    await h.clock.settle()
    master.event(sipEvent('holding'))
    helper.event(sipEvent('calling', { call_id: 'cid-dave' }))
    helper.event(sipEvent('accepted'), { type: 'answer', sdp: 'v=0\r\n' })
    expect(phone.call).toMatchObject({ kind: 'active', peer: 'sip:dave@lab' })
    return world
  }

  it('transferring the held call to the consulted one sends REFER with Replaces on the held call, and both end as transferred', async () => {
    const { h, phone, master, helper } = await consulting()
    await phone.transferToCall(0, 1)
    await h.clock.settle()
    const refer = master.sent.find((s) => s.message.request === 'transfer')?.message
    expect(refer).toMatchObject({ uri: 'sip:dave@lab', replace: 'cid-dave' })
    expect(requests(helper)).not.toContain('transfer')
    // Bob calls Dave replacing our consultation: Dave hangs up on us, Bob too.
    helper.event(sipEvent('hangup', { code: 200, reason: 'BYE' }))
    master.event(sipEvent('notify', { notify: 'refer', content: 'SIP/2.0 200 OK' }))
    const ends = phone.lines.filter((l) => l.call.kind !== 'idle').map((l) => l.call)
    expect(ends).toEqual([
      expect.objectContaining({ kind: 'ended', reason: 'transferred' }),
      expect.objectContaining({ kind: 'ended', reason: 'transferred' }),
    ])
  })

  it('a target that refuses leaves both calls ours', async () => {
    const { h, phone, master } = await consulting()
    await phone.transferToCall(0, 1)
    await h.clock.settle()
    master.event(sipEvent('notify', { notify: 'refer', content: 'SIP/2.0 486 Busy Here' }))
    expect(phone.lines[0]?.call).toMatchObject({ kind: 'active', peer: 'sip:bob@lab' })
    expect((phone.lines[0]?.call as { transferTo?: string }).transferTo).toBeUndefined()
  })

  it('a call that replaces ours (INVITE with Replaces) is answered at once, and the replaced call hung up as transferred', async () => {
    const { h, phone, master, helper } = await inCallWithSpare()
    master.event(sipEvent('calling', { call_id: 'cid-bob' }))
    const replaced: unknown[] = []
    phone.events.on('replaced', (r) => replaced.push(r))
    helper.event(
      sipEvent('incomingcall', {
        username: 'sip:carol@lab',
        call_id: 'cid-x',
        replaces: 'cid-bob',
      }),
      offer,
    )
    await h.clock.settle()
    expect(requests(helper)).toContain('accept')
    expect(requests(master)).toContain('hangup')
    expect(requests(master)).not.toContain('hold')
    expect(phone.lines[0]?.call).toMatchObject({ kind: 'ended', reason: 'transferred' })
    helper.event(sipEvent('accepted'))
    expect(phone.call).toMatchObject({ kind: 'active', peer: 'sip:carol@lab' })
    expect(replaced).toEqual([{ was: 'sip:bob@lab', now: 'sip:carol@lab' }])
  })

  it('a Replaces naming no call of ours rings as any waiting call', async () => {
    const { h, phone, master, helper } = await inCallWithSpare()
    master.event(sipEvent('calling', { call_id: 'cid-bob' }))
    helper.event(
      sipEvent('incomingcall', { username: 'sip:carol@lab', replaces: 'cid-unknown' }),
      offer,
    )
    await h.clock.settle()
    expect(requests(helper)).not.toContain('accept')
    expect(phone.ringing).toBe('waiting')
  })
})

describe('a three-way call', () => {
  async function twoCalls() {
    const world = await inCallWithSpare()
    await carolAnswered(world)
    return world
  }

  it('merging resumes the held call and mixes both: each call sends our microphone and the other party', async () => {
    const { h, phone, master, mixer } = await twoCalls()
    await phone.merge()
    await h.clock.settle()
    expect(requests(master)).toContain('unhold')
    expect(mixer.calls).toEqual(['connect'])
    expect(mixer.legs).toBe(2)
    expect(phone.lines.filter((l) => l.merged).map((l) => l.id)).toEqual([0, 1])
  })

  it('mute in a three-way call mutes our microphone in both calls', async () => {
    const { phone, master, helper } = await twoCalls()
    await phone.merge()
    master.event(sipEvent('resuming'))
    phone.setMuted(true)
    expect([master.muted, helper.muted]).toEqual([true, true])
    phone.setMuted(false)
    expect([master.muted, helper.muted]).toEqual([false, false])
  })

  it('splitting unmixes and puts the other call on hold; the call in front goes on', async () => {
    const { h, phone, master, helper, mixer } = await twoCalls()
    await phone.merge()
    master.event(sipEvent('resuming'))
    await phone.split()
    await h.clock.settle()
    expect(mixer.calls).toEqual(['connect', 'disconnect'])
    // Held when Carol was answered, resumed for the merge, held again by the split.
    expect(requests(master).filter((r) => r === 'hold')).toHaveLength(2)
    expect(requests(helper)).not.toContain('hold')
    expect(phone.lines.some((l) => l.merged)).toBe(false)
    expect(phone.call).toMatchObject({ kind: 'active', peer: 'sip:carol@lab' })
  })

  it('one party hanging up ends the mix; the other goes on', async () => {
    const { phone, master, mixer } = await twoCalls()
    await phone.merge()
    master.event(sipEvent('hangup', { code: 200, reason: 'BYE' }))
    expect(mixer.calls).toEqual(['connect', 'disconnect'])
    expect(phone.call).toMatchObject({ kind: 'active', peer: 'sip:carol@lab' })
  })

  describe('one network under both calls', () => {
    /** Both calls' audio arrives for a second, then only the helper's for `silentMs`. */
    async function masterGoesQuiet(addresses: [string, string], silentMs: number) {
      const world = await twoCalls()
      await world.phone.merge()
      world.master.event(sipEvent('resuming'))
      world.master.localAddress = addresses[0]
      world.helper.localAddress = addresses[1]
      const master = (world.master.received['0'] = { kind: 'audio' as const, count: 0 })
      const helper = (world.helper.received['0'] = { kind: 'audio' as const, count: 0 })
      for (let t = 0; t < 1000 + silentMs; t += 100) {
        if (t < 1000) master.count += 5
        helper.count += 5
        await world.h.clock.advance(100)
      }
      return world
    }
    const restarts = (handle: FakeHandle) => handle.offers.filter((o) => o.iceRestart).length

    it('when one call’s media stops over the address the other uses too, both restart', async () => {
      const { h, master, helper } = await masterGoesQuiet(
        ['10.210.2.2:5000', '10.210.2.2:5002'],
        900,
      )
      expect([restarts(master), restarts(helper)]).toEqual([1, 1])
      expect(requests(helper)).toContain('update')
      expect(h.session.incidents.list().map((i) => i.detail)).toContainEqual(
        expect.stringContaining('the other call’s media stopped too'),
      )
    })

    it('a stall on another address leaves the other call alone', async () => {
      const { master, helper } = await masterGoesQuiet(['10.210.1.2:5000', '10.210.2.2:5002'], 900)
      expect([restarts(master), restarts(helper)]).toEqual([1, 0])
    })

    it('a call on hold expects nothing and is not restarted for the other’s stall', async () => {
      const { h, master, helper } = await twoCalls()
      master.localAddress = helper.localAddress = '10.210.2.2:5000'
      await playMedia(h.clock, helper, 1000, true)
      await playMedia(h.clock, helper, 900, false)
      expect([restarts(master), restarts(helper)]).toEqual([0, 1])
    })
  })

  it('with only one call there is nothing to merge', async () => {
    const { phone, mixer } = await inCallWithSpare()
    await phone.merge()
    expect(mixer.calls).toEqual([])
  })
})

describe('following a transfer with a spare line', () => {
  it('calls the target on the helper line with the REFER id while the transferred call hangs up', async () => {
    const { h, phone, master, helper } = await inCallWithSpare()
    const ends: string[] = []
    phone.events.on('lineCall', ({ next }) => next.kind === 'ended' && ends.push(next.reason))
    master.event(
      sipEvent('transfer', {
        refer_id: 9,
        refer_to: 'sip:carol@lab',
        referred_by: 'sip:bob@lab',
        replaces: 'cid-x',
      }),
    )
    await h.clock.settle()
    const call = helper.sent.find((s) => s.message.request === 'call')?.message
    expect(call).toMatchObject({ uri: 'sip:carol@lab', refer_id: 9 })
    expect(requests(master)).toContain('hangup')
    // The registered line placed only its own first call (to Bob), never the transfer's.
    expect(requests(master).filter((r) => r === 'call')).toHaveLength(1)
    expect(ends).toEqual(['transferred'])
    expect(phone.call).toMatchObject({ kind: 'calling', peer: 'sip:carol@lab' })
  })
})
