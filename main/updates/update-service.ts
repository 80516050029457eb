/**
 * Updates on the chosen channel, never in the way of a call: it checks at start and then
 * periodically with jitter, downloads only while no call is up (a download found during a
 * call waits for the call to end), and restarts only when the user asks.
 */
import type { Clock, TimerId } from '../../renderer/core/clock'
import type { UpdateChannel, UpdateStatus } from '../../preload/ipc-contract'
import { nextCheckDelay, updaterFlags } from './update-policy'

/** The part of electron-updater's AppUpdater this service drives. */
export interface UpdaterLike {
  channel: string | null
  allowDowngrade: boolean
  allowPrerelease: boolean
  autoDownload: boolean
  setFeedURL(options: { provider: 'generic'; url: string }): void
  checkForUpdates(): Promise<{ isUpdateAvailable: boolean; updateInfo: { version: string } } | null>
  downloadUpdate(): Promise<unknown>
  quitAndInstall(): void
  on(event: 'download-progress', listener: (progress: { percent: number }) => void): unknown
}

export interface UpdateServiceOptions {
  clock: Clock
  random: () => number
  currentVersion: string
  feedUrl: string
  channel: UpdateChannel
  isInCall(): boolean
  onStatus(status: UpdateStatus): void
  log(message: string): void
  /** First check after start (default 30 s) and the period (default 4 h), ±25 %. */
  firstCheckMs?: number
  intervalMs?: number
}

export class UpdateService {
  private statusValue: UpdateStatus = { kind: 'idle' }
  private timer: TimerId | undefined
  private channel: UpdateChannel
  private pendingVersion: string | undefined

  constructor(
    private readonly updater: UpdaterLike,
    private readonly options: UpdateServiceOptions,
  ) {
    this.channel = options.channel
    updater.autoDownload = false
    updater.setFeedURL({ provider: 'generic', url: options.feedUrl })
    this.applyChannel()
    updater.on('download-progress', (p) => {
      if (this.statusValue.kind === 'downloading')
        this.setStatus({
          kind: 'downloading',
          version: this.statusValue.version,
          percent: Math.round(p.percent),
        })
    })
  }

  get status(): UpdateStatus {
    return this.statusValue
  }

  /** Schedules the first and the periodic checks. */
  start(): void {
    this.schedule(this.options.firstCheckMs ?? 30_000)
  }

  stop(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Switches channel (persisted by the caller) and checks again. */
  async setChannel(channel: UpdateChannel): Promise<UpdateStatus> {
    this.channel = channel
    this.applyChannel()
    return this.check()
  }

  /** Asks the feed; downloads unless a call is up. */
  async check(): Promise<UpdateStatus> {
    if (this.statusValue.kind === 'downloading' || this.statusValue.kind === 'checking')
      return this.statusValue
    this.setStatus({ kind: 'checking' })
    try {
      const result = await this.updater.checkForUpdates()
      if (!result || !result.isUpdateAvailable) {
        this.setStatus({ kind: 'up-to-date', version: this.options.currentVersion })
        return this.statusValue
      }
      this.pendingVersion = result.updateInfo.version
      this.setStatus({ kind: 'available', version: result.updateInfo.version })
      await this.downloadIfFree()
    } catch (error) {
      this.setStatus({
        kind: 'error',
        message: error instanceof Error ? error.message : String(error),
      })
    }
    return this.statusValue
  }

  /** The renderer reported a call starting or ending. */
  async onCallStateChanged(inCall: boolean): Promise<void> {
    if (!inCall && this.statusValue.kind === 'deferred') await this.downloadIfFree()
  }

  /** The user's "Restart to update": only with an update ready and no call up. */
  restartToUpdate(): boolean {
    if (this.statusValue.kind !== 'ready' || this.options.isInCall()) return false
    this.updater.quitAndInstall()
    return true
  }

  private async downloadIfFree(): Promise<void> {
    const version = this.pendingVersion
    if (!version) return
    if (this.options.isInCall()) {
      this.setStatus({ kind: 'deferred', version, reason: 'waiting for the call to end' })
      return
    }
    this.setStatus({ kind: 'downloading', version, percent: 0 })
    try {
      await this.updater.downloadUpdate()
      this.setStatus({ kind: 'ready', version })
    } catch (error) {
      this.setStatus({
        kind: 'error',
        message: error instanceof Error ? error.message : String(error),
      })
    }
  }

  private applyChannel(): void {
    const flags = updaterFlags(this.channel, this.options.currentVersion)
    // electron-updater turns allowDowngrade on whenever channel is set: set it after.
    this.updater.channel = flags.channel
    this.updater.allowPrerelease = flags.allowPrerelease
    this.updater.allowDowngrade = flags.allowDowngrade
  }

  private schedule(delayMs: number): void {
    this.stop()
    this.timer = this.options.clock.setTimeout(() => {
      void this.check().finally(() =>
        this.schedule(
          nextCheckDelay(this.options.intervalMs ?? 4 * 3600_000, 0.25, this.options.random),
        ),
      )
    }, delayMs)
  }

  private setStatus(status: UpdateStatus): void {
    this.statusValue = status
    this.options.log(`updates: ${status.kind}${'version' in status ? ` ${status.version}` : ''}`)
    this.options.onStatus(status)
  }
}
