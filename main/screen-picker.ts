/**
 * The desktop app's screen-share picker. Electron gives `getDisplayMedia` no picker of its
 * own: main's display-media handler lists the screens and windows (desktopCapturer), asks
 * the app's page which one to share, and answers with the chosen source, or denies. Only the
 * app's own main frame may ask, one request at a time, and only a source main offered can be
 * chosen. Electron stays out of this file: its edges are injected.
 */
import type { ScreenChoice, ScreenSource } from '../preload/ipc-contract'
import type { Clock, TimerId } from '../renderer/core/clock'
import { originOf } from './ipc-guard'

/** What desktopCapturer gives for a source, reduced to what the picker reads. */
export interface CapturerSource {
  id: string
  name: string
  thumbnail: { toDataURL(): string }
}

/** Electron's display-media callback: a source to share, or nothing to deny. */
export type DisplayMediaCallback = (streams: { video?: CapturerSource }) => void

export interface ScreenPickerDeps {
  clock: Clock
  appOrigin: () => string
  /** desktopCapturer.getSources for screens and windows, with small thumbnails. */
  getSources(): Promise<CapturerSource[]>
  /** Sends the choice to the page; false when there is no window to ask. */
  ask(choice: ScreenChoice): boolean
  log(message: string): void
}

/** How long the user may take to choose before the request is denied. */
export const chooseWithinMs = 120_000

/** Thumbnails travel as data URLs: bounded so a huge one cannot flood the page. */
const maxThumbnailChars = 200_000

interface Pending {
  requestId: number
  sources: Map<string, CapturerSource>
  callback: DisplayMediaCallback
  timer: TimerId
}

export class ScreenPicker {
  private pending: Pending | undefined
  private nextId = 1

  constructor(private readonly deps: ScreenPickerDeps) {}

  /** Electron's display-media request: from the app's main frame only, one at a time. */
  async onRequest(
    request: { frameUrl: string; isMainFrame: boolean },
    callback: DisplayMediaCallback,
  ): Promise<void> {
    if (!request.isMainFrame || originOf(request.frameUrl) !== this.deps.appOrigin()) {
      this.deps.log(`screen: denied a request from ${request.frameUrl || 'an unknown frame'}`)
      return callback({})
    }
    if (this.pending) {
      this.deps.log('screen: denied a second request while one is being chosen')
      return callback({})
    }
    let found: CapturerSource[]
    try {
      found = await this.deps.getSources()
    } catch (error) {
      this.deps.log(`screen: could not list what to share: ${String(error)}`)
      return callback({})
    }
    const requestId = this.nextId++
    const sources: ScreenSource[] = found.map((s) => ({
      id: s.id,
      name: s.name,
      kind: s.id.startsWith('screen:') ? 'screen' : 'window',
      thumbnail: boundedThumbnail(s.thumbnail.toDataURL()),
    }))
    const timer = this.deps.clock.setTimeout(() => this.settle(requestId, null), chooseWithinMs)
    this.pending = { requestId, sources: new Map(found.map((s) => [s.id, s])), callback, timer }
    if (!this.deps.ask({ requestId, sources })) this.settle(requestId, null)
  }

  /** The page's answer: a source it was offered, or null for cancel. False if not pending. */
  choose(choice: { requestId: number; sourceId: string | null }): boolean {
    return this.settle(choice.requestId, choice.sourceId)
  }

  private settle(requestId: number, sourceId: string | null): boolean {
    const pending = this.pending
    if (!pending || pending.requestId !== requestId) return false
    const source = sourceId === null ? undefined : pending.sources.get(sourceId)
    // A source main never offered is refused, and the request stays open for a real answer.
    if (sourceId !== null && !source) {
      this.deps.log(`screen: refused a source that was not offered (${sourceId})`)
      return false
    }
    this.pending = undefined
    this.deps.clock.clearTimeout(pending.timer)
    pending.callback(source ? { video: source } : {})
    return true
  }
}

function boundedThumbnail(dataUrl: string): string {
  return dataUrl.startsWith('data:image/') && dataUrl.length <= maxThumbnailChars ? dataUrl : ''
}
