/**
 * Bad input, tried on purpose (issue 12): whatever arrives from Janus, over IPC, in a link or
 * from storage yields a value or a clear refusal, never an exception that escapes. Generated
 * with fast-check, so the cases are the ones nobody thought to write.
 */
import Ajv from 'ajv'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkInvoke } from '../../main/ipc-guard'
import { validators, type InvokeChannel } from '../../preload/ipc-contract'
import { frameLimits, parseJanusMessage } from '../../renderer/core/janus-protocol'
import {
  parseSessionRecord,
  sessionRecordLimits,
  sessionRecordSchema,
} from '../../renderer/core/session-record'
import { dialLinkFromArgv, readDialLink } from '../../renderer/core/sip/dial-link'

const runs = { numRuns: 500 }

/** JSON text that is nearly a Janus frame: real keys with any values, or any JSON at all. */
const frameLike = fc.oneof(
  fc.json(),
  fc
    .record(
      {
        janus: fc.oneof(
          fc.constantFrom('event', 'success', 'error', 'ack', 'hangup'),
          fc.anything(),
        ),
        transaction: fc.anything(),
        session_id: fc.anything(),
        sender: fc.anything(),
        error: fc.anything(),
        plugindata: fc.anything(),
        jsep: fc.anything(),
      },
      { requiredKeys: [] },
    )
    .map((frame) => JSON.stringify(frame) ?? 'null'),
  fc.string(),
)

describe('the Janus frame parser', () => {
  it('answers every input with a message or a reason, never an exception', () => {
    fc.assert(
      fc.property(fc.oneof(frameLike, fc.anything()), (input) => {
        const result = parseJanusMessage(input)
        if (result.ok) expect(typeof result.message.janus).toBe('string')
        else expect(result.reason).toMatch(/frame/)
      }),
      runs,
    )
  })

  it('refuses a frame nested deeper than its bound, unread (no recursion to blow)', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
    expect(parseJanusMessage(deep)).toEqual({
      ok: false,
      reason: `frame nests deeper than ${frameLimits.maxDepth} levels`,
    })
    // Brackets inside strings are text, not nesting.
    const quoted = JSON.stringify({ janus: 'event', note: '['.repeat(1000) })
    expect(parseJanusMessage(quoted)).toMatchObject({ ok: true })
  })

  it('refuses a frame larger than its bound', () => {
    const huge = JSON.stringify({ janus: 'event', pad: 'x'.repeat(frameLimits.maxChars) })
    expect(parseJanusMessage(huge)).toEqual({
      ok: false,
      reason: `frame is larger than ${frameLimits.maxChars} characters`,
    })
  })
})

describe('IPC', () => {
  const channels = Object.keys(validators) as InvokeChannel[]

  it('every validator answers any arguments with typed arguments or a refusal', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...channels),
        fc.array(fc.anything(), { maxLength: 4 }),
        (c, args) => {
          const checked = validators[c](args)
          expect(checked === undefined || Array.isArray(checked)).toBe(true)
        },
      ),
      runs,
    )
  })

  it('the guard answers any channel, sender and arguments without throwing', () => {
    const sender = fc.record({
      frameUrl: fc.option(
        fc.oneof(fc.webUrl(), fc.string(), fc.constant('app://holdfast/index.html')),
        {
          nil: undefined,
        },
      ),
      isMainFrame: fc.boolean(),
    })
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...channels), fc.string()),
        sender,
        fc.array(fc.anything(), { maxLength: 3 }),
        (channel, from, args) => {
          const check = checkInvoke(channel, from, args, 'app://holdfast')
          if (check.ok) expect(from.frameUrl?.startsWith('app://holdfast/')).toBe(true)
        },
      ),
      runs,
    )
  })

  it('refuses a session record past its size limits', () => {
    const record = {
      version: 1,
      serverUrl: 'ws://127.0.0.1:8188',
      sessionId: 1,
      handles: [{ plugin: 'janus.plugin.sip', id: 2 }],
      lastRequestAt: 0,
      sessionTimeoutS: 60,
      reclaimSessionTimeoutS: 15,
    }
    expect(validators['session:save']([record])).toBeDefined()
    for (const oversized of [
      { ...record, serverUrl: `ws://h/${'x'.repeat(5_000_000)}` },
      {
        ...record,
        handles: Array.from({ length: 100_000 }, (_, id) => ({ plugin: 'p', id })),
      },
      { ...record, handles: [{ plugin: 'p'.repeat(129), id: 1 }] },
    ])
      expect(validators['session:save']([oversized])).toBeUndefined()
  })
})

describe('dial links', () => {
  it('any text or command line reads as a number, a refusal with a reason, or not a link', () => {
    const linkish = fc.oneof(
      fc.string(),
      fc
        .tuple(fc.constantFrom('tel:', 'sip:', 'sips:', 'TEL:', ' tel:'), fc.string())
        .map(([scheme, rest]) => scheme + rest),
      fc.webUrl(),
    )
    fc.assert(
      fc.property(linkish, fc.array(linkish, { maxLength: 5 }), (link, argv) => {
        for (const read of [readDialLink(link), dialLinkFromArgv(argv)]) {
          if (read === undefined) continue
          if (read.ok) expect(read.target.length).toBeGreaterThan(0)
          else expect(read.reason.length).toBeGreaterThan(0)
        }
      }),
      runs,
    )
  })
})

describe('the stored session record', () => {
  const validate = new Ajv({ strict: false }).compile(sessionRecordSchema)
  const count = fc.oneof(
    fc.nat(),
    fc.constantFrom(-1, 0.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, NaN),
  )
  const recordLike = fc.record(
    {
      version: fc.oneof(fc.constant(1), fc.anything()),
      serverUrl: fc.oneof(
        fc.string(),
        fc.string({
          minLength: sessionRecordLimits.serverUrlChars - 2,
          maxLength: sessionRecordLimits.serverUrlChars + 2,
        }),
        fc.anything(),
      ),
      sessionId: count,
      handles: fc.oneof(
        fc.array(fc.record({ plugin: fc.string({ maxLength: 130 }), id: count }), {
          maxLength: 66,
        }),
        fc.anything(),
      ),
      lastRequestAt: count,
      detachedAt: count,
      sessionTimeoutS: count,
      reclaimSessionTimeoutS: count,
    },
    { requiredKeys: ['version', 'serverUrl', 'sessionId', 'handles', 'lastRequestAt'] },
  )

  it('the parser never throws, and agrees with the schema the store compiles on every record', () => {
    fc.assert(
      fc.property(fc.oneof(recordLike, fc.anything()), (value) => {
        const parsed = parseSessionRecord(value)
        expect(parsed !== undefined).toBe(validate(value))
      }),
      { numRuns: 2000 },
    )
  })
})
