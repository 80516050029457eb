import { describe, expect, it, vi } from 'vitest'
import { channelOfVersion, nextCheckDelay, updaterFlags } from '../../../main/updates/update-policy'
import { UpdateService, type UpdaterLike } from '../../../main/updates/update-service'
import { FakeClock } from '../support/fake-clock'

describe('update policy', () => {
  it('knows the channel of a version', () => {
    expect(channelOfVersion('1.2.0')).toBe('latest')
    expect(channelOfVersion('1.3.0-beta.2')).toBe('beta')
    expect(channelOfVersion('1.4.0-alpha.1+build.5')).toBe('alpha')
    expect(channelOfVersion('1.4.0-rc.1')).toBe('latest')
  })

  it('allows a downgrade only when moving to a more stable channel', () => {
    expect(updaterFlags('latest', '1.3.0-beta.1')).toEqual({
      channel: 'latest',
      allowPrerelease: false,
      allowDowngrade: true,
    })
    expect(updaterFlags('beta', '1.2.0')).toEqual({
      channel: 'beta',
      allowPrerelease: true,
      allowDowngrade: false,
    })
    expect(updaterFlags('latest', '1.2.0').allowDowngrade).toBe(false)
    expect(updaterFlags('beta', '1.4.0-alpha.1').allowDowngrade).toBe(true)
  })

  it('jitters the period within ±25%', () => {
    expect(nextCheckDelay(4000, 0.25, () => 0)).toBe(3000)
    expect(nextCheckDelay(4000, 0.25, () => 0.5)).toBe(4000)
    expect(nextCheckDelay(4000, 0.25, () => 0.999_999)).toBeLessThanOrEqual(5000)
  })

  it('checks soon after start and then periodically, with jitter', async () => {
    const clock = new FakeClock()
    const checkForUpdates = vi.fn(async () => null)
    const updater: UpdaterLike = {
      channel: null,
      allowDowngrade: false,
      allowPrerelease: false,
      autoDownload: true,
      setFeedURL: vi.fn(),
      checkForUpdates,
      downloadUpdate: vi.fn(),
      quitAndInstall: vi.fn(),
      on: vi.fn(),
    }
    const svc = new UpdateService(updater, {
      clock,
      random: () => 0,
      currentVersion: '1.0.0',
      feedUrl: 'http://feed/',
      channel: 'beta',
      isInCall: () => false,
      onStatus: vi.fn(),
      log: vi.fn(),
      firstCheckMs: 1000,
      intervalMs: 4000,
    })
    expect(updater.autoDownload).toBe(false)
    expect(updater.channel).toBe('beta')
    svc.start()
    await clock.advance(999)
    expect(checkForUpdates).toHaveBeenCalledTimes(0)
    await clock.advance(1)
    expect(checkForUpdates).toHaveBeenCalledTimes(1)
    await clock.advance(3000) // 4000 - 25% with random() = 0
    expect(checkForUpdates).toHaveBeenCalledTimes(2)
    svc.stop()
    await clock.advance(100_000)
    expect(checkForUpdates).toHaveBeenCalledTimes(2)
  })
})
