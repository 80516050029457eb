import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { contactsOf } from '../lab/sip-registrar'
import {
  describeFault,
  faultKinds,
  faultSchedule,
  seededRandom,
  type FaultKind,
} from '../soak/schedule'

const windows = { sessionTimeoutS: 15, reclaimSessionTimeoutS: 10 }

describe('the soak schedule', () => {
  it('replays exactly from its seed, and another seed gives another schedule', () => {
    expect(faultSchedule(42, 50, windows)).toEqual(faultSchedule(42, 50, windows))
    expect(faultSchedule(43, 50, windows)).not.toEqual(faultSchedule(42, 50, windows))
  })

  it('a longer schedule starts as the shorter one does (a soak cut short replays its start)', () => {
    expect(faultSchedule(7, 100, windows).slice(0, 20)).toEqual(faultSchedule(7, 20, windows))
  })

  it('draws every kind of fault, and lands some on top of others', () => {
    const schedule = faultSchedule(1, 400, windows)
    const kinds = new Set<FaultKind>(schedule.map((f) => f.kind))
    expect(kinds.size).toBe(faultKinds.length)
    const onTop = schedule.filter((f) => f.onTop).length
    expect(onTop).toBeGreaterThan(40)
    expect(onTop).toBeLessThan(200)
    for (const f of schedule.filter((f) => f.onTop))
      expect(['flap', 'socket-cut', 'short-sleep', 'wifi-to-cell']).toContain(f.onTop!.fault.kind)
  })

  it('the short soak of the test command applies every kind of fault', () => {
    const script = readFileSync('test/tools/run-all.sh', 'utf8')
    const [, seed, count] = /--seed (\d+) --faults (\d+)/.exec(script) ?? []
    const kinds = new Set(faultSchedule(Number(seed), Number(count), windows).map((f) => f.kind))
    expect([...kinds].sort()).toEqual([...faultKinds].sort())
  })

  it('a soak aimed at some kinds draws only those, on top as well, and refuses none it knows', () => {
    const aimed = faultSchedule(11, 200, windows, ['short-sleep', 'flap'])
    expect(new Set(aimed.map((f) => f.kind))).toEqual(new Set(['short-sleep', 'flap']))
    expect(aimed.some((f) => f.onTop)).toBe(true)
    for (const f of aimed)
      if (f.onTop) expect(['short-sleep', 'flap']).toContain(f.onTop.fault.kind)
    // Nothing may land on top of a Janus restart alone.
    expect(faultSchedule(11, 50, windows, ['janus-restart']).every((f) => !f.onTop)).toBe(true)
    expect(() => faultSchedule(11, 5, windows, ['nap' as FaultKind])).toThrow(/no fault kind/)
    // Every kind named is the schedule a seed always gave.
    expect(faultSchedule(11, 50, windows, faultKinds)).toEqual(faultSchedule(11, 50, windows))
  })

  it('a long sleep outlasts the session timeout and the reclaim window together', () => {
    const sleeps = faultSchedule(3, 400, windows).filter((f) => f.kind === 'long-sleep')
    expect(sleeps.length).toBeGreaterThan(0)
    for (const s of sleeps) expect(s.ms).toBeGreaterThan(25_000)
  })

  it('page faults name a page; faults with a length have one', () => {
    for (const f of faultSchedule(5, 400, windows)) {
      if (f.kind === 'page-reload' || f.kind === 'renderer-crash')
        expect(['echo', 'phone', 'room']).toContain(f.page)
      if (f.kind === 'dead-path' || f.kind.endsWith('sleep')) expect(f.ms).toBeGreaterThan(0)
    }
  })

  it('the generator stays in [0, 1)', () => {
    const random = seededRandom(99)
    for (let i = 0; i < 10_000; i++) {
      const v = random()
      expect(v).toBeGreaterThanOrEqual(0)
      expect(v).toBeLessThan(1)
    }
  })

  it('describes a fault in one line', () => {
    expect(
      describeFault({
        kind: 'page-reload',
        page: 'phone',
        onTop: { afterMs: 300, fault: { kind: 'short-sleep', ms: 2000 } },
      }),
    ).toBe('page-reload (phone) + short-sleep 2000 ms after 300 ms')
  })
})

describe("the registrar's truth", () => {
  const dump = `AoRs: {
  Info: {
    AoR: laptop
    Contacts: {
      Contact: {
        Address: sip:laptop@10.210.3.2:5070
        Expires: 42
      }
      Contact: {
        Address: sip:laptop@10.210.3.2:5080
        Expires: expired
      }
    }
  }
  Info: {
    AoR: desk
    Contacts: {
      Contact: {
        Address: sip:desk@10.210.3.2:16000
        Expires: 500
      }
    }
  }
}`
  it('counts the contacts a lookup would route to, not expired ones or another user', () => {
    expect(contactsOf(dump, 'laptop')).toBe(1)
    expect(contactsOf(dump, 'desk')).toBe(1)
    expect(contactsOf(dump, 'nobody')).toBe(0)
  })
})
