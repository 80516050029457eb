import { describe, expect, it } from 'vitest'
import type { ScreenChoice } from '../../../preload/ipc-contract'
import { validators } from '../../../preload/ipc-contract'
import { chooseWithinMs, ScreenPicker, type CapturerSource } from '../../../main/screen-picker'
import { FakeClock } from '../support/fake-clock'

const app = 'app://holdfast'
const ownPage = { frameUrl: 'app://holdfast/index.html', isMainFrame: true }
const source = (id: string, name: string): CapturerSource => ({
  id,
  name,
  thumbnail: { toDataURL: () => 'data:image/png;base64,AAAA' },
})

function picker(options: { window?: boolean } = {}) {
  const clock = new FakeClock()
  const asked: ScreenChoice[] = []
  const log: string[] = []
  const answers: unknown[] = []
  const p = new ScreenPicker({
    clock,
    appOrigin: () => app,
    getSources: async () => [source('screen:0:0', 'Entire screen'), source('window:7:0', 'Notes')],
    ask: (choice) => (options.window === false ? false : (asked.push(choice), true)),
    log: (m) => log.push(m),
  })
  const request = (from = ownPage) => p.onRequest(from, (streams) => answers.push(streams))
  return { p, clock, asked, log, answers, request }
}

describe('the desktop screen picker (main)', () => {
  it('offers the screens and windows to the page, and shares the one chosen', async () => {
    const { p, asked, answers, request } = picker()
    await request()
    expect(asked).toEqual([
      {
        requestId: 1,
        sources: [
          {
            id: 'screen:0:0',
            name: 'Entire screen',
            kind: 'screen',
            thumbnail: 'data:image/png;base64,AAAA',
          },
          {
            id: 'window:7:0',
            name: 'Notes',
            kind: 'window',
            thumbnail: 'data:image/png;base64,AAAA',
          },
        ],
      },
    ])
    expect(answers).toEqual([])
    expect(p.choose({ requestId: 1, sourceId: 'window:7:0' })).toBe(true)
    expect(answers).toEqual([{ video: expect.objectContaining({ id: 'window:7:0' }) }])
    // Answered once: a second answer changes nothing.
    expect(p.choose({ requestId: 1, sourceId: 'screen:0:0' })).toBe(false)
    expect(answers).toHaveLength(1)
  })

  it('a cancel denies; a source it never offered is refused and the question stays open', async () => {
    const { p, answers, log, request } = picker()
    await request()
    expect(p.choose({ requestId: 1, sourceId: 'screen:99:0' })).toBe(false)
    expect(log.at(-1)).toContain('not offered')
    expect(answers).toEqual([])
    expect(p.choose({ requestId: 2, sourceId: null })).toBe(false)
    expect(p.choose({ requestId: 1, sourceId: null })).toBe(true)
    expect(answers).toEqual([{}])
  })

  it('denies a frame that is not the app’s own main frame, and a second request while choosing', async () => {
    const { asked, answers, request } = picker()
    await request({ frameUrl: 'https://evil.example/', isMainFrame: true })
    await request({ ...ownPage, isMainFrame: false })
    expect(answers).toEqual([{}, {}])
    expect(asked).toEqual([])
    await request()
    await request()
    expect(asked).toHaveLength(1)
    expect(answers).toEqual([{}, {}, {}])
  })

  it('denies when nobody chooses in time, or there is no window to ask', async () => {
    const { p, clock, answers, request } = picker()
    await request()
    await clock.advance(chooseWithinMs)
    expect(answers).toEqual([{}])
    expect(p.choose({ requestId: 1, sourceId: 'screen:0:0' })).toBe(false)

    const windowless = picker({ window: false })
    await windowless.request()
    expect(windowless.answers).toEqual([{}])
  })

  it('main accepts only a well-formed choice from the page', () => {
    const check = validators['screen:chosen']
    expect(check([{ requestId: 3, sourceId: 'screen:0:0' }])).toEqual([
      { requestId: 3, sourceId: 'screen:0:0' },
    ])
    expect(check([{ requestId: 3, sourceId: null }])).toEqual([{ requestId: 3, sourceId: null }])
    for (const bad of [
      [],
      [{ requestId: '3', sourceId: null }],
      [{ requestId: 3 }],
      [{ requestId: 3, sourceId: 'x'.repeat(300) }],
      [null],
    ])
      expect(check(bad)).toBeUndefined()
  })
})
