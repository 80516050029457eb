/** Update channel rules, kept pure: which channel a version is on, when a downgrade is right, when to check. */
import { updateChannels, type UpdateChannel } from '../../preload/ipc-contract'

const rank = (channel: UpdateChannel): number => updateChannels.indexOf(channel)

/** The channel a version was published on: `1.3.0-beta.2` is beta, `1.2.0` is latest. */
export function channelOfVersion(version: string): UpdateChannel {
  const pre = version.split('+')[0]?.split('-')[1]?.split('.')[0]
  return pre === 'alpha' || pre === 'beta' ? pre : 'latest'
}

/** Updater flags for a chosen channel, given the running version. */
export function updaterFlags(
  channel: UpdateChannel,
  currentVersion: string,
): { channel: UpdateChannel; allowPrerelease: boolean; allowDowngrade: boolean } {
  return {
    channel,
    allowPrerelease: channel !== 'latest',
    // Moving to a more stable channel than the one the running build came from means the
    // newest build there may be "older": offer it anyway. Otherwise never go back.
    allowDowngrade: rank(channel) < rank(channelOfVersion(currentVersion)),
  }
}

/** Delay before the next periodic check: `intervalMs` ± `jitter` (a fraction). */
export function nextCheckDelay(intervalMs: number, jitter: number, random: () => number): number {
  return Math.round(intervalMs * (1 - jitter + 2 * jitter * random()))
}
